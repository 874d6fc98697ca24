# jemalloc-like arena with muzzy pages that never decay (muzzy_decay_ms = -1):
# each round allocates 1G of objects, then purges it "lazily" (dirty -> muzzy:
# MADV_FREE of whole 2M slices), then memory pressure reclaims 1G.
# `madvise heap 0 4G 200` is MADV_PT_RECLAIM: the lazyfree plugin marks the
# arena; every other kernel (and Linux) answers EINVAL and the run goes on.
mmap heap 4G
madvise heap 0 4G 200
status before
repeat 4 as r
  touch heap r*1G 1G
  repeat 512
    madvise heap r*1G+i*2M 2M free
  end
  status muzzy
  reclaim 1G
  status pressure
end
status after
