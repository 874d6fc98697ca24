# Read faults on shared anonymous memory whose pages are in the page cache: fault-around maps up to 16 neighbours (64K) per fault.
mmap shm 4M shared @0x200000000000
status before
touch shm 0 4M
madvise shm 0 4M dontneed
status cached
touch shm 0 1M read 64K
status read-64k
touch shm 1M 1M read 256K
status read-256k
touch shm 2M+8K 4K read
status read-one
touch shm 2M 2M read
status read-all
