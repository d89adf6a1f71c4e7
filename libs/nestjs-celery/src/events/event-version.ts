const VERSION_WORD = /^v(\d+)$/;

/** The version a routing key carries in its first `v<N>` word (`order.v2.submit` → 2), or null. */
export function eventVersion(routingKey: string): number | null {
  const words = routingKey.split('.');
  for (const word of words) {
    const match = VERSION_WORD.exec(word);
    if (match) return Number(match[1]);
  }
  return null;
}
