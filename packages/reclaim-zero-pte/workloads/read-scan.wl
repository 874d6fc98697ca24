# Read-mostly: a program reads a 16G anonymous mapping it never wrote (a sparse
# array, a checksum over untouched memory). Every read maps the shared zero page:
# no RSS, but 8,192 PTE tables. Then memory pressure (kswapd).
mmap data 16G
status mapped
touch data 0 16G read
status read
reclaim 64M
status after
