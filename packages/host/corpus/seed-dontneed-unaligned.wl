# Seed loop over a mapping that starts 1M into a PMD: every 2M chunk straddles two PTE tables, so each MADV_DONTNEED empties only parts of two tables.
mmap heap 65M @0x200000100000
status before
repeat 32
  touch heap i*2M 2M
  madvise heap i*2M 2M dontneed
end
status after
madvise heap 64M 1M dontneed
status last
munmap heap 0 65M
status unmapped
