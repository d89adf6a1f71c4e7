/**
 * Polls `check` every `intervalMs` until it returns true; rejects naming `what` (and what
 * `describe()` says at that moment) after `timeoutMs`. For conditions, instead of fixed sleeps.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  describe: () => string = () => '',
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe() ? ': ' + describe() : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms`: only for pacing a load or letting a fault last, never to wait for a condition. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
