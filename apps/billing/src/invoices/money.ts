/** Currency units → integer cents (12.5 → 1250), rounding half away from zero. */
export function toCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount) * 100);
}

/** Integer cents → currency units (1250 → 12.5). */
export function fromCents(cents: number): number {
  return cents / 100;
}
