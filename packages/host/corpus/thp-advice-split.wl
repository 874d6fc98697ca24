# MADV_COLD / MADV_PAGEOUT / MADV_FREE on whole and partial huge pages, mostly-zero THPs (one byte written) vs fully written ones.
mmap z 8M hugepage @0x200000000000
mmap f 8M hugepage @0x208000000000
touch z 0 8M write 2M
touch f 0 8M
status before
madvise z 0 1M cold
madvise f 0 1M cold
status cold-part
madvise z 2M 2M cold
madvise f 2M 2M cold
status cold-whole
madvise z 2M+1M 4K pageout
madvise f 2M+1M 4K pageout
status pageout-part
madvise z 4M 2M free
madvise f 4M 2M free
madvise z 4M 2M pageout
madvise f 4M 2M pageout
status free-pageout-whole
madvise z 6M 1M free
madvise f 6M 1M free
madvise z 6M 2M pageout
madvise f 6M 2M pageout
status free-pageout-part
