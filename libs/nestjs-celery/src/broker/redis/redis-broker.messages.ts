/** Log texts of the Redis broker: state changes and refused or lost messages, never one per successful message. */
export const RedisBrokerMessages = {
  connectionLost: (url: string, detail: string) => `connection to ${url} lost (${detail}); reconnecting`,
  reconnected: (url: string) => `reconnected to ${url}`,
  fatal: (reason: string) => `giving up on the Redis connection: ${reason}`,
  deadLettered: (queue: string, reason: string, detail: string, list: string) =>
    `unreadable message on Redis queue '${queue}' (${reason}: ${detail}); dead-lettered to list '${list}'`,
  restored: (count: number) => `restored ${count} unacknowledged message(s) whose visibility timeout passed`,
  unconfirmedLost: (routingKey: string, detail: string) => `unconfirmed publish to '${routingKey}' lost: ${detail}`,
  settleFailed: (queue: string, detail: string) => `settling a delivery from Redis queue '${queue}' failed (${detail}); it comes back after the visibility timeout`,
  rebindFailed: (detail: string) => `writing the exchange bindings again after a reconnect failed (${detail}); publishes may reach no queue until they are declared again`,
  consumerFailed: (queue: string, detail: string) => `consuming Redis queue '${queue}' failed (${detail}); retrying`,
} as const;
