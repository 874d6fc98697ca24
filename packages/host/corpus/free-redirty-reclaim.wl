# MADV_FREE, then 4M of it written again (re-dirtied: swap-backed again), then memory pressure: only the clean lazily freed pages are discarded; the written ones keep their data and their tables.
mmap heap 16M @0x200000000000
status before
touch heap 0 16M
madvise heap 0 16M free
touch heap 4M 4M
status redirtied
reclaim 64M direct
status reclaimed
madvise heap 0 16M dontneed
status dontneed
