import { hostname } from 'node:os';

/** This process's Celery origin string, `gen<pid>@<hostname>`, as Python clients write it. */
export const DEFAULT_ORIGIN = `gen${process.pid}@${hostname()}`;

/** A default worker node name, `nest<pid>@<hostname>`, unique per process like Celery's `celery@host`. */
export function defaultNodeName(prefix = 'nest'): string {
  return `${prefix}${process.pid}@${hostname()}`;
}
