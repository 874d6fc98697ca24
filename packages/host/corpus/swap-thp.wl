# MADV_PAGEOUT of THPs with swap on a swap file: a whole THP is split (no THP swap on a file) and every written subpage goes to swap, the deposited table becoming the PTE table; a partly covered THP is split and only the covered part swapped; sparse THPs map their untouched subpages to the zero page when split.
swapon 64M
mmap big 8M hugepage @0x200000000000
status before
touch big 0 4M write
touch big 4M 4M write 1M
status touched
madvise big 0 2M pageout
status whole-thp
madvise big 2M 1M pageout
status half-thp
madvise big 4M 4M pageout
status sparse-thps
touch big 0 8M read
status reread
madvise big 0 8M dontneed
status dontneed
