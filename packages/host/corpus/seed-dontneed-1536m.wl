# Seed loop over 1.5G, crossing a 1G (PUD entry) boundary: two PMD tables, MADV_DONTNEED.
mmap heap 1536M @0x200000000000
status before
repeat 768
  touch heap i*2M 2M
  madvise heap i*2M 2M dontneed
end
status after
munmap heap 0 1536M
status unmapped
