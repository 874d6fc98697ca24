# Read-only private mapping read (zero page), mprotect rw then write (copy on write from the zero page); MADV_DONTNEED on a PROT_NONE VMA.
mmap ro 2M r @0x200000000000
status before
touch ro 0 2M read
status zero
mprotect ro 0 2M rw
touch ro 0 1M write
status cow
mprotect ro 0 2M none
madvise ro 0 2M dontneed
status none-discard
mprotect ro 0 2M rw
touch ro 0 2M read 64K
status reread
