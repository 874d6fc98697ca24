# Seed loop with 1M chunks (each MADV_DONTNEED smaller than a PMD: pt-reclaim stays off) and with 4M chunks (two tables per call).
mmap a 64M @0x200000000000
mmap b 64M @0x208000000000
status before
repeat 64
  touch a i*1M 1M
  madvise a i*1M 1M dontneed
end
status small-chunks
repeat 16
  touch b i*4M 4M
  madvise b i*4M 4M dontneed
end
status big-chunks
madvise a 0 64M dontneed
status a-whole
