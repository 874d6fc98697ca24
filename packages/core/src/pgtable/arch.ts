/**
 * The arch contract is declared once, in @mmsim/spec (arch.ts there documents the
 * packed entry form); core's files import it through this module.
 */
export type { Arch, TlbFlushTarget, TableFreeTarget, pte_t, pmd_t, pud_t, p4d_t, pgd_t, pgprot_t } from "@mmsim/spec";
export {
  VM_READ,
  VM_WRITE,
  VM_EXEC,
  VM_SHARED,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_MAYEXEC,
  VM_MAYSHARE,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_ACCOUNT,
  VM_NORESERVE,
  VM_SEQ_READ,
  VM_RAND_READ,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_HUGEPAGE,
  VM_NOHUGEPAGE,
  VM_WIPEONFORK,
  VM_MERGEABLE,
} from "@mmsim/spec";
