# MADV_FREE, then a read of part of it (the accessed bit: a second chance on the inactive list), then memory pressure big enough for every lazily freed page: the read ones go too, after their second chance. The reads return zero or the old data, as Linux allows; RSS shows which.
mmap heap 16M @0x200000000000
status before
touch heap 0 16M
madvise heap 0 16M free
touch heap 0 2M read
status read
reclaim 64M
status reclaimed
