# One mprotect over several VMAs that it merges as it goes (r pieces made rw join their rw neighbours): the walk must continue past the merged VMA.
mmap heap 1M @0x200000000000
status before
touch heap 0 1M
mprotect heap 128K 128K r
mprotect heap 512K 128K r
status split
mprotect heap 0 1M rw
touch heap 0 1M write 64K
status merged
mprotect heap 256K 256K none
mprotect heap 0 1M r
touch heap 0 1M read 64K
status reprotected
