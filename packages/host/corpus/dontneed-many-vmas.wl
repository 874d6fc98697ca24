# MADV_DONTNEED across many VMAs in one PTE table (alternating r/rw from mprotect), so one zap covers the table in pieces.
mmap heap 2M @0x200000000000
status before
touch heap 0 2M
repeat 8 as k
  mprotect heap k*256K 128K r
end
status split
madvise heap 0 2M dontneed
status discarded
mprotect heap 0 2M rw
touch heap 0 2M write 64K
status merged
madvise heap 0 2M dontneed
status again
