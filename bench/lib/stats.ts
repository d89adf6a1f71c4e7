/** The middle value of a set of figures (the lower middle for an even count); undefined when there is none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
}
