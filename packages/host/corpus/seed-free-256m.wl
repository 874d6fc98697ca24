# Seed loop with MADV_FREE over 256M.
mmap heap 256M @0x200000000000
status before
repeat 128
  touch heap i*2M 2M
  madvise heap i*2M 2M free
end
status after
munmap heap 0 256M
status unmapped
