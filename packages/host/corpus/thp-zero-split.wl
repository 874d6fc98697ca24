# Splitting huge zero-page PMDs: MADV_DONTNEED of 4K inside one (split to zero-page PTEs), mprotect of part of another; then MADV_FREE on whole and partial huge pages.
mmap z 4M hugepage @0x200000000000
touch z 0 4M read 2M
status before
madvise z 4K 4K dontneed
status zero-split
mprotect z 2M+1M 1M r
status zero-mprotect
mmap h 4M hugepage @0x208000000000
touch h 0 4M write 2M
status huge
madvise h 0 2M free
status free-whole
madvise h 2M 1M free
status free-part
munmap h 2M+512K 4K
status unmap-part
