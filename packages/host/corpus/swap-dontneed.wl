# MADV_DONTNEED and munmap of swapped-out ranges: zap_nonpresent_ptes frees the swap entries (VmSwap drops); a PTE table holding only swap entries, or swap entries mixed with present ones, is empty after a whole-slice discard and pt-reclaim frees it; a partial discard keeps it.
swapon 64M
mmap heap 16M @0x200000000000
status before
touch heap 0 16M write
status touched
madvise heap 0 8M pageout
status pagedout
madvise heap 0 2M dontneed
status dontneed-swapped-slice
touch heap 2M 1M read
status half-back
madvise heap 2M 2M dontneed
status dontneed-mixed-slice
madvise heap 4M 1M dontneed
status dontneed-half-slice
munmap heap 6M 4M
status munmap-swapped
touch heap 0 6M read
status reread
