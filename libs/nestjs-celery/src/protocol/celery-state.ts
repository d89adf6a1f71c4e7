/**
 * Task states as Celery writes them in result messages (`celery.states`).
 * `PENDING` is never sent on the wire: it means "nothing known yet".
 */
export const CeleryState = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  RETRY: 'RETRY',
  REVOKED: 'REVOKED',
  REJECTED: 'REJECTED',
  IGNORED: 'IGNORED',
} as const;

/** A Celery state name; custom states such as `PROGRESS` are plain strings. */
export type CeleryStateName = (typeof CeleryState)[keyof typeof CeleryState] | (string & {});

const READY_STATES: ReadonlySet<string> = new Set([CeleryState.SUCCESS, CeleryState.FAILURE, CeleryState.REVOKED]);
const PROPAGATE_STATES: ReadonlySet<string> = new Set([CeleryState.FAILURE, CeleryState.REVOKED]);

/** True for SUCCESS, FAILURE and REVOKED: the states after which nothing more arrives. */
export function isReadyState(state: string): boolean {
  return READY_STATES.has(state);
}

/** True for FAILURE and REVOKED: the states whose result is an exception to raise. */
export function isPropagatedState(state: string): boolean {
  return PROPAGATE_STATES.has(state);
}
