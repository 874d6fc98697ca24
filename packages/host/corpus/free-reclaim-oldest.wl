# Partial memory pressure takes the oldest lazily freed pages first: the upper half is MADV_FREE'd first, then the lower; reclaim of half of them; MADV_DONTNEED of the upper half then shows (dVmRSS) what of it was left. The model's SWAP_CLUSTER_MAX batches and Linux's may overshoot the target by a few pages.
mmap heap 64M @0x200000000000
status before
touch heap 0 64M
madvise heap 32M 32M free
madvise heap 0 32M free
status freed
reclaim 32M
status reclaimed
madvise heap 32M 32M dontneed
status upper-dropped
