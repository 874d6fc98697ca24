# Overcommit heuristic (vm.overcommit_memory=0): one writable private or shared mapping larger than RAM + swap fails with ENOMEM (16T here); read-only and PROT_NONE mappings are not accounted.
mmap rw 16T
mmap sh 16T shared
mmap ro 16T r
mmap no 16T none
status before
touch rw 0 4K
touch ro 0 4K read
status after
munmap ro 0 16T
munmap no 0 16T
status end
