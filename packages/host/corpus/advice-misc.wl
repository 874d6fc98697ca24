# Other advice on anonymous memory: MADV_WILLNEED (no effect), MADV_COLD (deactivate only), MADV_PAGEOUT (no swap: nothing reclaimed).
mmap heap 4M @0x200000000000
status before
madvise heap 0 4M willneed
status willneed-untouched
touch heap 0 4M
madvise heap 0 4M willneed
status willneed
madvise heap 0 4M cold
status cold
madvise heap 0 4M pageout
status pageout
madvise heap 0 4M free
madvise heap 0 4M pageout
status free-pageout
