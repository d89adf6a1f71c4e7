/** Log texts of remote control; one line per event. */
export const ControlMessages = {
  listening: (node: string, queue: string) => `${node} answering remote control on '${queue}'`,
  malformed: (node: string, detail: string) => `${node} dropped a malformed control message: ${detail}`,
  commandFailed: (node: string, method: string, error: string) => `${node} control command '${method}' failed: ${error}`,
  foreignReplyExchange: (node: string, method: string, exchange: string) =>
    `${node} did not answer control command '${method}': reply exchange '${exchange}' is not the pidbox reply exchange`,
  nodeNameInUse: (node: string) =>
    `another worker in this process already answers remote control as '${node}': give each worker a unique nodeName, or they share one mailbox (Celery warns the same)`,
  discardedRevoked: (task: string, id: string) => `Discarding revoked task: ${task}[${id}]`,
  taskEventsToggled: (enabled: boolean) => `Events of group {task} ${enabled ? 'enabled' : 'disabled'} by remote.`,
  malformedReply: (detail: string) => `ignored a malformed control reply: ${detail}`,
} as const;
