/** Longest error detail a follow-up log line repeats: the error may quote a whole signature. */
const MAX_DETAIL = 300;
const clip = (detail: string): string => (detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail);

/** Log texts of the worker; one line per event, never per successful message. */
export const ServerMessages = {
  listening: (node: string, queues: string[], tasks: number) =>
    `${node} consuming ${queues.join(', ')} with ${tasks} registered task(s)`,
  unregistered: (task: string, action: string) => `Received unregistered task of type '${task}'; ${action}`,
  followUpFailed: (task: string, id: string, detail: string) =>
    `task ${task}[${id}] ran, but its follow-up tasks could not be sent (${clip(detail)}); marked FAILURE and acknowledged, as Celery does`,
  retryNotSent: (task: string, id: string, detail: string, action: string) =>
    `task ${task}[${id}] asked for a retry that could not be sent (${clip(detail)}); marked FAILURE and ${action}, as Celery rejects it`,
  crashedAfterRun: (task: string, id: string, detail: string) =>
    `task ${task}[${id}] ran, but settling its outcome failed (${clip(detail)}); acknowledged, not run again`,
  replyFailed: (task: string, id: string, detail: string) => `result of ${task}[${id}] could not be sent: ${detail}`,
  resultUnencodable: (task: string, id: string, detail: string) => `task ${task}[${id}] failed with EncodeError: ${detail}`,
  handlerCrashed: (task: string, id: string, detail: string) => `task ${task}[${id}] could not be processed: ${detail}`,
  workerLost: (task: string, id: string) =>
    `task ${task}[${id}] was redelivered after its worker was lost and has rejectOnWorkerLost: false; marked FAILURE (WorkerLostError), not run again`,
  failedRejected: (task: string, id: string, detail: string, action: string) =>
    `task ${task}[${id}] failed (${clip(detail)}) and has acksOnFailureOrTimeout: false; ${action}`,
  delayedDeliveryDirect: (queue: string, exchanges: string[]) =>
    `queue '${queue}' is bound to direct exchange(s) ${exchanges.join(', ')}: native delayed delivery needs a topic or fanout exchange, ` +
    'so ETA tasks sent there are held by the worker until due (as Celery 5.5 warns)',
  fatal: (detail: string) => `worker stops on a fatal broker error: ${detail}`,
  drainTimeout: (count: number) => `shutdown: ${count} task(s) still running after the drain timeout; their messages return to the queue`,
} as const;
