# Mappings that share or do not share tables: two in one 1G region (one PMD table), in two 1G regions of one 512G slot (one PUD table), in two slots.
mmap a 2M @0x200000000000
mmap b 2M @0x200000400000
status before
touch a 0 4K
status a
touch b 0 4K
status b-same-pmd
mmap c 2M @0x200040000000
touch c 0 4K
status c-same-pud
mmap d 2M @0x208000000000
touch d 0 4K
status d-new-slot
munmap a 0 2M
status a-gone
munmap b 0 2M
status b-gone
munmap c 0 2M
status c-gone
munmap d 0 2M
status d-gone
