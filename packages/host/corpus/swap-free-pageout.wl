# MADV_FREE then MADV_PAGEOUT with swap on: clean lazily freed pages are discarded (no swap), pages written again since MADV_FREE are swap-backed again and stay; a second pageout sends those to swap.
swapon 64M
mmap heap 4M @0x200000000000
status before
touch heap 0 4M write
madvise heap 0 4M free
touch heap 0 1M write
status free-redirty
madvise heap 0 4M pageout
status pageout-1
madvise heap 0 4M pageout
status pageout-2
touch heap 0 4M read
status reread
