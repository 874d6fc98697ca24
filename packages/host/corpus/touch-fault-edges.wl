# Touches running off the end of a mapping (SIGSEGV after the pages before it were touched) and writes to read-only memory.
mmap heap 1M @0x200000000000
status before
touch heap 512K 1M
status overrun
mmap ro 1M r @0x208000000000
touch ro 0 1M read
status ro-read
touch ro 0 4K write
touch ro 1M 4K read
status ro-write
