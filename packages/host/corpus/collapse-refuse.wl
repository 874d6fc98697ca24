# What MADV_COLLAPSE refuses (-EINVAL): VM_NOHUGEPAGE, a VMA never faulted (no anon_vma), one below 2 MiB, one only read (the zero page needs no anon_vma); what it takes: an unaligned VMA's aligned 2 MiB, a read-only VMA (6.18), a THP already PMD-mapped, one PTE-mapped after a partial MADV_DONTNEED, lazily freed pages.
mmap a 4M nohugepage @0x200000000000
touch a 0 4M write
madvise a 0 4M collapse
status nohuge
mmap b 4M @0x200000800000
madvise b 0 4M collapse
status never-faulted
mmap c 1M @0x200001000000
touch c 0 1M write
madvise c 0 1M collapse
status small-vma
mmap d 3M @0x200001500000
touch d 0 3M write
madvise d 0 3M collapse
status unaligned-vma
mmap e 2M @0x200002000000
touch e 0 2M write
mprotect e 0 2M r
madvise e 0 2M collapse
status readonly
mmap f 4M hugepage @0x200002400000
touch f 0 4M write
madvise f 0 4M collapse
status already-huge
madvise f 4K 4K dontneed
status split
madvise f 0 4M collapse
status recollapse
mmap g 2M @0x200002c00000
touch g 0 2M write
madvise g 0 2M free
madvise g 0 2M collapse
status after-free
mmap h 2M @0x200003000000
touch h 0 2M read
madvise h 0 2M collapse
status only-read
