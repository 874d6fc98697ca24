# Seed loop over 1G (512 chunks, one PMD table) with MADV_DONTNEED, then munmap.
mmap heap 1G @0x200000000000
status before
repeat 512
  touch heap i*2M 2M
  madvise heap i*2M 2M dontneed
end
status after
munmap heap 0 1G
status unmapped
