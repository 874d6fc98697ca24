# MADV_FREE, then memory pressure (`reclaim`: on Linux, the helper's memory cgroup limit lowered below its usage): the lazily freed pages are discarded, the PTE tables stay (CONFIG_PT_RECLAIM frees them only in MADV_DONTNEED).
mmap heap 64M @0x200000000000
status before
touch heap 0 64M
status touched
madvise heap 0 64M free
status freed
reclaim 256M
status reclaimed
touch heap 0 64M read
status reread
