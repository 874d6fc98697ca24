# MADV_COLLAPSE over a guard marker: -EINVAL, and the walk stops there (the next 2 MiB is not collapsed)
mmap a 4M @0x200000000000
touch a 0 2M write
touch a 2M 4K write
madvise a 4K 4K guard_install
status guarded
madvise a 0 4M collapse
status guard-first
madvise a 4K 4K guard_remove
madvise a 0 4M collapse
status guard-removed
