# MADV_PAGEOUT with a swap device: written anon pages go to swap (RSS -> VmSwap), read faults swap them back in (do_swap_page), read-faulted zero pages are not swapped; a second pageout swaps them out again.
swapon 64M
mmap heap 8M @0x200000000000
status before
touch heap 0 6M write
touch heap 6M 2M read
status touched
madvise heap 0 8M pageout
status pagedout
touch heap 0 2M read
status swapin-read
touch heap 2M 1M write
status swapin-write
madvise heap 0 4M pageout
status pagedout-again
touch heap 0 8M read
status all-back
