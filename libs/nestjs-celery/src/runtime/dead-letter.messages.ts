/** Log texts of dead-lettering; one line per refused message. */
export const DeadLetterMessages = {
  invalidMessage: (queue: string, reason: string, detail: string, action: string) =>
    `Received invalid task message on '${queue}' (${reason}): ${detail}; ${action}`,
  deadLetterFailed: (detail: string) => `dead-lettering failed (${detail}); rejecting instead`,
} as const;
