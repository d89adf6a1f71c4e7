/** Log texts of the AMQP connection: one line per state change or per reconnect window, never per attempt. */
export const AmqpBrokerMessages = {
  connectionLost: (url: string) => `connection to ${url} lost; reconnecting`,
  cannotConnect: (url: string, attempts: number, elapsedMs: number, reason: string, maxDelayMs: number) =>
    `cannot connect to ${url} (${reason}); ${attempts} attempt(s) in ${Math.round(elapsedMs / 1000)} s, ` +
    `retrying every ${maxDelayMs / 1000} s at most until it is back`,
  reconnected: (url: string, attempts: number, elapsedMs: number) =>
    `reconnected to ${url} after ${attempts} attempt(s) in ${Math.round(elapsedMs / 1000)} s`,
  fatal: (reason: string) => `giving up on the broker connection: ${reason}`,
} as const;
