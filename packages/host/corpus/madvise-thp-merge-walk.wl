# MADV_NOHUGEPAGE on alternate pieces splits a VMA, one MADV_HUGEPAGE over all merges it back while walking; write faults then get huge pages.
mmap heap 8M @0x200000000000
status before
repeat 4 as k
  madvise heap k*2M 1M nohugepage
end
madvise heap 0 8M hugepage
touch heap 0 8M write 2M
status huge
madvise heap 0 8M dontneed
madvise heap 2M 2M nohugepage
touch heap 0 8M write 2M
status mixed
