# tcmalloc-like page heap returning 1M spans to the OS one at a time, so no
# madvise covers a whole 2M slice: the upper half of every slice with
# MADV_DONTNEED (google/tcmalloc's release), the lower half with MADV_FREE
# (gperftools' TCMalloc_SystemRelease where MADV_FREE exists). pt-reclaim needs
# a whole slice in one MADV_DONTNEED, so it frees nothing; lazyfree's scan frees
# each table once reclaim has discarded its lazily freed half.
# `madvise heap 0 2G 200` is MADV_PT_RECLAIM (EINVAL without lazyfree).
mmap heap 2G
madvise heap 0 2G 200
status before
touch heap 0 2G
status touched
repeat 1024
  madvise heap i*2M+1M 1M dontneed
end
repeat 1024
  madvise heap i*2M 1M free
end
status released
reclaim 2G
status pressure
