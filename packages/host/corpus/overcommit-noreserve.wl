# MAP_NORESERVE under the overcommit heuristic (vm.overcommit_memory=0): an 8 TiB private writable mapping is refused without it and accepted with it (not charged), as the production allocator reserves its heap; one page touched in each 2 MiB slice of its first 1 GiB builds 512 PTE tables; MADV_DONTNEED of that GiB frees them under pt-reclaim.
mmap big 8T nohugepage @0x200000000000
mmap res 8T noreserve nohugepage @0x200000000000
status before
repeat 512
  touch res i*2M 4K
end
status touched
madvise res 0 1G dontneed
status discarded
munmap res 0 8T
status end
