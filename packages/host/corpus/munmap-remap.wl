# munmap then mmap again at the same fixed address (MAP_FIXED_NOREPLACE succeeds again), touch again; then a whole-range re-map cycle.
mmap heap 4M @0x200000000000
status before
touch heap 0 4M
status touched
munmap heap 0 4M
status unmapped
mmap heap 4M @0x200000000000
status remapped
touch heap 0 4M read
status reread
munmap heap 0 2M
mmap half 2M @0x200000000000
touch half 0 2M
status half
