/** Log texts of event consumption; one line per event, never per successfully handled message. */
export const EventMessages = {
  subscribed: (queue: string, patterns: string[], handlers: number) =>
    `consuming events on '${queue}' (${patterns.join(', ')}) for ${handlers} handler(s)`,
  rejected: (routingKey: string, id: string, queue: string, reason: string, detail: string, action: string) =>
    `event ${routingKey}[${id}] on '${queue}' not handled (${reason}): ${detail}; ${action}`,
  crashed: (routingKey: string, id: string, queue: string, detail: string) =>
    `event ${routingKey}[${id}] on '${queue}' could not be settled after its handlers ran: ${detail}; rejected without requeue, not run again`,
  missingService: (handlers: string[]) =>
    `@OnEvent handlers (${handlers.join(', ')}) need a service name to name their queues: ` +
    "set ServerCelery's 'service' option (e.g. new ServerCelery({ service: 'billing' }))",
} as const;
