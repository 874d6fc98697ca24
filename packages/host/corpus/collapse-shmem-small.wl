# MADV_COLLAPSE of a shared (shmem) mapping: a range holding no aligned 2 MiB is 0 on Linux as on anonymous memory (madvise_collapse()'s loop has nothing to do); the model does not collapse shmem (an aligned 2 MiB is -EINVAL there: a documented model difference, not recorded here).
mmap m 2052K shared @0x210000000000
status before
touch m 0 8K write
madvise m 0 4097 collapse
madvise m 4K 4K collapse
status after
