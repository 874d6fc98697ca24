# THP read faults map the huge zero page (no RSS, deposited PTE table); a write then allocates a huge page; nohugepage regions use 4K pages.
mmap heap 4M hugepage @0x200000000000
status before
touch heap 0 4M read 2M
status read
touch heap 0 4K write
status written
madvise heap 0 4M dontneed
status discarded
mmap small 4M nohugepage @0x208000000000
touch small 0 4M
status nohuge
