/**
 * pte_val()/__pte(): between the packed form and the exact 64-bit descriptor
 * (the layout is in pgtable_hwdef.ts).
 */
import { HW, PACKED_HI_SHIFT, PACKED_HI_TO_HW } from "./pgtable_hwdef.js";
import type { pte_t } from "@mmsim/spec";

const HI = 2 ** PACKED_HI_SHIFT;
const LOW_MASK = (1n << BigInt(PACKED_HI_SHIFT)) - 1n;

/** pte_val(): the exact 64-bit hardware value. */
export function pte_val(pte: pte_t): bigint {
  if (!Number.isInteger(pte) || pte < 0 || pte >= 2 ** 53) throw new RangeError(`not a packed arm64 entry: ${pte}`);
  const hi = Math.floor(pte / HI);
  let v = BigInt(pte - hi * HI);
  for (let i = 0; i < PACKED_HI_TO_HW.length; i++) if ((hi >> i) & 1) v |= 1n << BigInt(PACKED_HI_TO_HW[i]);
  return v;
}

/**
 * __pte(val): the packed form of a 64-bit descriptor. Throws RangeError for
 * values outside [0, 2^64) and for bits the packed form cannot hold (output
 * address bits 44–47, bits 48–49, 57, 60–63).
 */
export function __pte(val: bigint): pte_t {
  if (typeof val !== "bigint" || val < 0n || val >> 64n !== 0n) throw new RangeError(`not a 64-bit pte value: ${String(val)}`);
  if ((val & HW.UNPACKABLE_MASK) !== 0n) {
    throw new RangeError(`pte 0x${val.toString(16)} has bits 44-49, 57 or 60-63 set; the packed form cannot hold them`);
  }
  let hi = 0;
  for (let i = 0; i < PACKED_HI_TO_HW.length; i++) if ((val >> BigInt(PACKED_HI_TO_HW[i])) & 1n) hi |= 1 << i;
  return hi * HI + Number(val & LOW_MASK);
}
