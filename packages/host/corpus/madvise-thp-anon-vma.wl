# VMAs faulted while their THP advice differed get anon_vmas of their own: anon_vma_compatible() ignores
# only the access flags (and soft-dirty) in vm_flags, not VM_HUGEPAGE/VM_NOHUGEPAGE. Advised alike later,
# two VMAs that both have an anon_vma can no longer merge (is_mergeable_anon_vma); one without can. So the
# MADV_DONTNEED over the whole range meets two VMAs, and pt-reclaim frees only the tables of the slices
# lying in one of them (the first slice straddles the two). Found by `mmsim check-host --random` (seed 12, case 226).
mmap m0 6156K @0x20003fc00000
madvise m0 1956K 3268K nohugepage
touch m0 0 6156K write 2052K
madvise m0 0 6156K nohugepage
status s0
madvise m0 0 6156K dontneed
status s1
touch m0 0 6156K write 2052K
madvise m0 0 6156K hugepage
madvise m0 0 6156K dontneed
status s2
