# MADV_FREE then write again (the lazily freed pages are reused, RSS unchanged), then MADV_DONTNEED over the same range.
mmap heap 8M @0x200000000000
status before
touch heap 0 8M
status touched
madvise heap 0 8M free
status freed
touch heap 0 8M
status retouched
madvise heap 0 8M dontneed
status dontneed
touch heap 0 4M read
status reread
