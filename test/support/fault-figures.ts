import type { Executions } from './execution-log.js';

/** The figures every fault test states, printed on one line. */
export interface FaultFigures {
  sent: number;
  confirmed: number;
  /** Confirmed tasks whose body finished exactly once. */
  executedOnce: number;
  /** Confirmed tasks whose body finished more than once. */
  executedTwice: number;
  /** Confirmed tasks neither finished nor dead-lettered. */
  lost: number;
  /** Dead letters per reason. */
  deadLettered: Record<string, number>;
  rssBeforeKb: number;
  rssAfterKb: number;
  /** Anything else the test measured. */
  extra?: Record<string, unknown>;
}

/** Counts `confirmed` task ids against the executions and the ids that were dead-lettered. */
export function countFigures(
  sent: number,
  confirmed: Iterable<string>,
  executions: Executions,
  deadLettered: { ids?: Set<string>; reasons?: Record<string, number> } = {},
): Pick<FaultFigures, 'sent' | 'confirmed' | 'executedOnce' | 'executedTwice' | 'lost' | 'deadLettered'> & { lostIds: string[]; twiceIds: string[] } {
  let count = 0;
  let once = 0;
  const lostIds: string[] = [];
  const twiceIds: string[] = [];
  for (const id of confirmed) {
    count++;
    const ended = executions.ended.get(id) ?? 0;
    if (ended === 1) once++;
    else if (ended > 1) twiceIds.push(id);
    else if (!deadLettered.ids?.has(id)) lostIds.push(id);
  }
  return { sent, confirmed: count, executedOnce: once, executedTwice: twiceIds.length, lost: lostIds.length, deadLettered: deadLettered.reasons ?? {}, lostIds, twiceIds };
}

/** Prints `[faults] <test>: sent=… confirmed=… once=… twice=… lost=… dead-lettered={…} rss=…→… KiB …` (one line). */
export function reportFigures(test: string, figures: FaultFigures): void {
  const dead = Object.entries(figures.deadLettered).map(([reason, n]) => `${reason}:${n}`).join(',');
  const extra = figures.extra ? ' ' + Object.entries(figures.extra).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
  process.stdout.write(
    `[faults] ${test}: sent=${figures.sent} confirmed=${figures.confirmed} once=${figures.executedOnce} twice=${figures.executedTwice} ` +
      `lost=${figures.lost} dead-lettered={${dead}} rss=${figures.rssBeforeKb}->${figures.rssAfterKb}KiB${extra}\n`,
  );
}
