# The builtin `production` workload (issue #10 §3) at 1/1024 scale, on this machine as it is configured: a 55G noreserve,
# nohugepage heap; one 4K page written in every 2M slice (28,160 PTE tables); MADV_DONTNEED of all but the first 590M in
# one call; every page of the first 590M written (RES 590M). With pt-reclaim VmPTE ends at the 590M's 295 PTE tables
# PLUS the heap's 55 PMD tables and its PUD table (mm_pgtables_bytes() counts every level, and pt-reclaim frees only
# PTE tables): 1404 kB, i.e. 1.37 GiB at full scale, not the seed thread's "1.2g" (which counts PTE tables only).
mmap heap 55G noreserve nohugepage @0x200000000000
status start
touch heap 0 55G write 2M
status sparse
madvise heap 590M 55730M dontneed
status dropped
touch heap 0 590M
status end
munmap heap 0 55G
status unmapped
