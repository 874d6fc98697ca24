# mprotect none then touch: SIGSEGV (reads and writes); the pages stay resident; back to rw and the touch works.
mmap heap 4M @0x200000000000
status before
touch heap 0 4M
status touched
mprotect heap 0 2M none
touch heap 0 4K read
touch heap 1M 4K write
touch heap 2M 4K write
status protected
mprotect heap 0 2M rw
touch heap 0 2M
status restored
mmap none 1M none @0x208000000000
touch none 0 1M read
status none-map
