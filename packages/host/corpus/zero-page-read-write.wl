# Read faults map the shared zero page (no RSS, but PTE tables), writes then COW real pages; MADV_DONTNEED of zero-page-only tables.
mmap heap 4M @0x200000000000
status before
touch heap 0 4M read
status read
touch heap 0 2M write
status written
madvise heap 0 4M dontneed
status discarded
touch heap 2M 2M read 64K
status reread
madvise heap 2M 2M dontneed
status rediscarded
