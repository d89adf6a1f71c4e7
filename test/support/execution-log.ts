import { existsSync, readFileSync } from 'node:fs';

/** What the fault workers recorded: task id -> number of starts and of ends, and ends per pid. */
export interface Executions {
  started: Map<string, number>;
  ended: Map<string, number>;
  /** task id -> pids of the processes that finished it, in order */
  endedBy: Map<string, number[]>;
  /** task id -> the extra field of its last end line (e.g. a payload size) */
  detail: Map<string, string>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Reads the execution log written by test/faults/fixtures (`S|E <task id> <pid> [extra]` lines). */
export function readExecutions(path: string): Executions {
  const out: Executions = { started: new Map(), ended: new Map(), endedBy: new Map(), detail: new Map() };
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [mark, id, pid, extra] = line.split(' ');
    if (!id) continue;
    if (mark === 'S') bump(out.started, id);
    else if (mark === 'E') {
      bump(out.ended, id);
      out.endedBy.set(id, [...(out.endedBy.get(id) ?? []), Number(pid)]);
      if (extra !== undefined) out.detail.set(id, extra);
    }
  }
  return out;
}

/** Task ids started by `pid` and never finished by it. */
export function interruptedIn(path: string, pid: number): string[] {
  if (!existsSync(path)) return [];
  const open = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [mark, id, owner] = line.split(' ');
    if (!id || Number(owner) !== pid) continue;
    if (mark === 'S') open.add(id);
    else if (mark === 'E') open.delete(id);
  }
  return [...open];
}
