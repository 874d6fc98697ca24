# MADV_REMOVE: a hole in the shmem file behind a shared mapping; the PTE tables stay
mmap shm 4M shared @0x200000000000
touch shm 0 4M write
status touched
madvise shm 0 2M remove
status removed
madvise shm 2M 2M dontneed
status dontneed
touch shm 0 4M read
status retouched
mmap priv 2M @0x200000800000
touch priv 0 2M write
madvise priv 0 2M remove
status private
mmap ro 2M shared r @0x200000c00000
touch ro 0 2M read
madvise ro 0 1M remove
status readonly-shared
munmap shm 0 4M
munmap ro 0 2M
status unmapped
