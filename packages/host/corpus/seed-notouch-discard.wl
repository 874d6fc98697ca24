# Seed loop without madvise (faults only, 2000 chunks scaled to 64) and MADV_DONTNEED on never-touched memory (no tables to free or to allocate).
mmap heap 128M @0x200000000000
status before
repeat 64
  touch heap i*2M 2M
end
status touched
madvise heap 0 128M dontneed
status discarded
mmap fresh 64M @0x208000000000
madvise fresh 0 64M dontneed
status fresh-discard
madvise fresh 0 64M free
status fresh-free
