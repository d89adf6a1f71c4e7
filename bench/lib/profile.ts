import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  name: string;
  where: string;
  module: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  busyPct: number;
}

export interface ProfileSummary {
  file: string;
  wallMs: number;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  topFunctions: SelfTimeEntry[];
  topModules: Array<{ module: string; selfMs: number; busyPct: number }>;
}

/** Where a script lives, shortened: `nestjs-celery/broker/amqp-broker.ts`, `amqplib/lib/channel.js`, `node:internal/...`. */
function moduleOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
    return '(native)';
  }
  const path = url.replace(/^file:\/\//, '');
  const lib = /libs\/nestjs-celery\/src\/(.+)$/.exec(path);
  if (lib) return `nestjs-celery/${lib[1]}`;
  const nodeModules = path.lastIndexOf('node_modules/');
  if (nodeModules >= 0) {
    const rest = path.slice(nodeModules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith('node:')) return path.startsWith('node:internal') ? 'node:internal' : path;
  const bench = /\/(bench\/.+)$/.exec(path);
  if (bench) return bench[1]!;
  return path;
}

function shortWhere(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const lib = /libs\/nestjs-celery\/src\/(.+)$/.exec(path);
  const nodeModules = path.lastIndexOf('node_modules/');
  const short = lib ? `nestjs-celery/${lib[1]}` : nodeModules >= 0 ? path.slice(nodeModules + 'node_modules/'.length) : path.replace(/^.*\/(bench\/)/, '$1');
  return `${short}:${line + 1}`;
}

/**
 * Self time per function and per module of a V8 .cpuprofile, as shares of the busy time
 * (wall time minus `(idle)`, i.e. time the event loop was waiting for I/O).
 */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's duration is the gap to the next sample.
  for (let i = 0; i < samples.length; i++) {
    const duration = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, duration));
  }
  let idleUs = 0;
  let gcUs = 0;
  let totalUs = 0;
  const functions = new Map<string, { name: string; where: string; module: string; us: number }>();
  const modules = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if (functionName === '(garbage collector)') gcUs += us;
    const name = functionName || '(anonymous)';
    const where = shortWhere(url, lineNumber);
    const module = moduleOf(url, functionName);
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, module, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => Math.round((us / Math.max(1, busyUs)) * 1000) / 10;
  return {
    file,
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    gcMs: Math.round(gcUs / 1000),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, module: f.module, selfMs: Math.round(f.us / 100) / 10, busyPct: pct(f.us) })),
    topModules: [...modules.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, us]) => ({ module, selfMs: Math.round(us / 100) / 10, busyPct: pct(us) })),
  };
}
