# Known gap (known-gaps.json): a PMD-mapped THP, MADV_FREE'd whole, then memory pressure. Linux 6.12+
# discards the clean lazily freed THP whole (try_to_unmap_one -> unmap_huge_pmd_locked); the model keeps
# lazily freed THPs (core src/mm/lru.ts).
mmap a 4M hugepage @0x200000000000
touch a 0 4M write 64K
status touched
madvise a 0 2M free
status freed
reclaim 64G
status reclaimed
