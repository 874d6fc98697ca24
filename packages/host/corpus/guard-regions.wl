# Guard regions (MADV_GUARD_INSTALL / MADV_GUARD_REMOVE, Linux 6.13+): installing allocates the tables the markers need; MADV_DONTNEED keeps the markers, so pt-reclaim cannot free their tables; once removed, the next MADV_DONTNEED frees them; a guard over touched pages zaps them first; munmap drops markers and tables.
mmap heap 64M nohugepage @0x200000000000
status before
madvise heap 0 4K guard_install
status guard-one
repeat 31 as i
  madvise heap 2M+i*2M 4K guard_install
end
status guard-each-2M
touch heap 4K 2M-4K write
repeat 31 as i
  touch heap 2M+i*2M+4K 2M-4K write
end
status touched
madvise heap 0 64M dontneed
status dontneed-guarded
madvise heap 0 64M guard_remove
status removed
madvise heap 0 64M dontneed
status dontneed-unguarded
madvise heap 8M 8M guard_install
touch heap 16M 8M write
status touched-8M
madvise heap 16M 8M guard_install
status guard-over-touched
madvise heap 8M 16M free
madvise heap 8M 16M cold
mprotect heap 8M 16M r
mprotect heap 8M 16M rw
status free-cold-mprotect
munmap heap 8M 16M
status munmap
madvise heap 60M 8M guard_install
status guard-hole
