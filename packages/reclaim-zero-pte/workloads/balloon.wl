# The memory-balloon case (David Hildenbrand; seed 001, step 3): a guest's RAM
# as the host maps it. The guest has used all of its 8G; then its balloon
# inflates by 7G and the host discards those pages (MADV_DONTNEED). Later
# something reads every page of guest RAM (live migration, a guest kdump): each
# read of a discarded page maps the shared zero page, and the PTE tables come
# back, mapping only it. Then the host is under memory pressure (kswapd).
mmap guest 8G
touch guest 0 8G write
status booted
madvise guest 1G 7G dontneed
status ballooned
touch guest 0 8G read
status migrated
reclaim 64M
status after
