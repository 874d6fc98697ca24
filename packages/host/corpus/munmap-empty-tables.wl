# Empty PTE tables left by small MADV_DONTNEEDs (below PMD size, so pt-reclaim is off) are freed by munmap (free_pgtables), only those the munmap range owns.
mmap heap 8M @0x200000000000
mmap next 1M @0x200000800000
touch next 0 4K
status before
repeat 8
  touch heap i*1M 1M
  madvise heap i*1M 1M dontneed
end
status emptied
munmap heap 0 3M
status head
munmap heap 3M 5M-4K
status most
munmap heap 8M-4K 4K
status last
