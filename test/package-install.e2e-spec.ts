/**
 * The published package as a new user gets it: `npm pack` of libs/nestjs-celery, installed into
 * two fresh Nest 12 apps kept outside the npm workspace (test/fixtures/consumer-esm, an ESM app,
 * and consumer-cjs, a CommonJS app as the Nest CLI makes it: `module: nodenext`, no `"type"`).
 * Each app is installed from its own lockfile (offline from the npm cache when it has everything),
 * built with tsc against the package's `.d.ts`, runs its own jest test with `nestjs-celery/testing`,
 * and then, on RabbitMQ, a worker (`@CeleryTask`, `@OnEvent`, `CeleryModule.forRootAsync` fed by
 * `@nestjs/config`) in one process answers the app's client (a task round trip and an event) in another.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess } from './support/child-process.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBRARY = join(ROOT, 'libs/nestjs-celery');
const FIXTURES = join(ROOT, 'test/fixtures');
const KINDS = ['esm', 'cjs'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Jest runs a CommonJS test that loads an ES module (Nest 12 itself, and nestjs-celery) only on
 * Node >= 24.9, where it supports require(esm); Node runs the app itself from 20.19 on. On an
 * older Node the CommonJS app's jest run uses this Node, installed from the npm registry.
 */
const NODE_FOR_CJS_JEST = '24.11.1';
const CONSUMER_QUEUES = ['consumer.sync', 'consumer.async', 'consumer.consumer-events'];

/**
 * This process's environment without what `npm run` in the workspace sets for its scripts
 * (`npm_config_local_prefix` would point the app's npm at the workspace root); npm settings
 * such as the cache stay.
 */
function outsideWorkspaceEnv(): NodeJS.ProcessEnv {
  const workspaceOnly = /^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(local_prefix|prefix|workspaces?|include_workspace_root|call)$)/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !workspaceOnly.test(key)));
}

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to its end; rejects with its output when it fails or outlives `timeoutMs`. */
function run(label: string, command: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...outsideWorkspaceEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${label}: cannot start '${command}': ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise({ code, output });
      const why = signal === 'SIGKILL' ? `did not finish within ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${label}: '${command} ${args.join(' ')}' in ${cwd} ${why}. Output:\n${output.slice(-6000)}`));
    });
  });
}

/** `npm <args>` from the npm cache alone, or, when the cache lacks a package, from the registry too. */
async function npmFromCache(label: string, args: string[], cwd: string): Promise<string> {
  const common = ['--no-audit', '--no-fund'];
  try {
    await run(label, 'npm', [...args, '--offline', ...common], cwd, 120_000);
    return 'npm cache';
  } catch (offline) {
    // a cache without a package's metadata fails with ENOTCACHED, or with a bogus ERESOLVE
    // ("Found: @nestjs/common@undefined") when it is a peer dependency: both need the registry
    if (!/ENOTCACHED|ERESOLVE/.test(String(offline))) throw offline;
    await run(label, 'npm', [...args, '--prefer-offline', ...common], cwd, 180_000);
    return 'npm cache and registry';
  }
}

describe('nestjs-celery installed from its tarball into fresh Nest 12 apps', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'nestjs-celery-package-'));
  let tarball: Promise<string>;
  let cjsJestNode: Promise<string>;
  const apps = new Map<Kind, Promise<string>>();

  /** Packs the library as `npm publish` would (prepack builds dist/). */
  async function pack(): Promise<string> {
    const { output } = await run('npm pack', 'npm', ['pack', '--json', '--pack-destination', workDir], LIBRARY, 180_000);
    const json = output.slice(output.indexOf('[\n'));
    const [packed] = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const shipped = packed!.files.map((file) => file.path);
    const unexpected = shipped.filter(
      (path) =>
        !/^(dist\/.+\.(js|d\.ts|js\.map)|monitor-ui\/(index\.html|monitor\.js|monitor\.css)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(path) ||
        /\.spec\.|(^|\/)(test|vectors)\//.test(path),
    );
    if (unexpected.length > 0) throw new Error(`npm pack ships files that are not JavaScript, types, docs or the monitor page: ${unexpected.join(', ')}`);
    const missing = ['health', 'metrics', 'monitor'].map((entry) => `dist/${entry}/index.js`).concat('monitor-ui/index.html').filter((path) => !shipped.includes(path));
    if (missing.length > 0) throw new Error(`npm pack does not ship ${missing.join(', ')}`);
    return join(workDir, packed!.filename);
  }

  /** A temp copy of the fixture app with its dependencies, the packed nestjs-celery, and its tsc build. */
  async function prepare(kind: Kind): Promise<string> {
    const app = join(workDir, `consumer-${kind}`);
    cpSync(join(FIXTURES, `consumer-${kind}`), app, { recursive: true });
    cpSync(join(FIXTURES, 'consumer-app'), app, { recursive: true });
    await npmFromCache(`consumer-${kind}: npm ci`, ['ci'], app);
    await npmFromCache(`consumer-${kind}: npm install <tarball>`, ['install', await tarball], app);
    await run(`consumer-${kind}: npm ls --all (peer dependencies)`, 'npm', ['ls', '--all'], app, 60_000);
    await run(`consumer-${kind}: tsc build`, 'npm', ['run', 'build'], app, 120_000);
    return app;
  }

  /** A Node that runs jest on the CommonJS app: this one if it is recent enough. */
  async function nodeForCjsJest(): Promise<string> {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (major > 24 || (major === 24 && minor >= 9)) return process.execPath;
    const prefix = join(workDir, 'node-for-jest');
    const pkg = `node-${process.platform}-${process.arch}`;
    await npmFromCache(`install ${pkg}@${NODE_FOR_CJS_JEST}`, ['install', '--prefix', prefix, '--no-save', `${pkg}@${NODE_FOR_CJS_JEST}`], workDir);
    return join(prefix, 'node_modules', pkg, 'bin', 'node');
  }

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, ...CONSUMER_QUEUES);
    tarball = pack();
    cjsJestNode = nodeForCjsJest();
    cjsJestNode.catch(() => undefined); // reported by the test that awaits it
    for (const kind of KINDS) {
      const prepared = prepare(kind);
      prepared.catch(() => undefined); // reported by the tests that await it
      apps.set(kind, prepared);
    }
    await tarball;
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([...apps.values(), cjsJestNode]);
    await deleteQueues(BROKER_URL, ...CONSUMER_QUEUES).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('installs into each app, which tsc builds against its types (CommonJS: require, ESM: import)', async () => {
    for (const kind of KINDS) {
      const app = await apps.get(kind)!;
      const installed = JSON.parse(readFileSync(join(app, 'node_modules/nestjs-celery/package.json'), 'utf8')) as { version: string };
      const own = JSON.parse(readFileSync(join(LIBRARY, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version).toBe(own.version);
      const compiled = readFileSync(join(app, 'dist/src/app.module.js'), 'utf8');
      if (kind === 'cjs') expect(compiled).toContain('require("nestjs-celery")');
      else expect(compiled).toContain('from \'nestjs-celery\'');
    }
  }, 300_000);

  it.each(KINDS)('consumer-%s: the optional entry points load only with their optional peers (the app has neither)', async (kind) => {
    const app = await apps.get(kind)!;
    const load = (entry: string) =>
      run(`consumer-${kind}: import ${entry}`, process.execPath, ['--input-type=module', '-e', `await import('${entry}')`], app, 60_000).then(
        () => 'loads',
        (error: Error) => /Cannot find (package|module) '([^']+)'/.exec(error.message)?.[2] ?? error.message.slice(-300),
      );
    expect(await load('nestjs-celery')).toBe('loads');
    expect(await load('nestjs-celery/monitor')).toBe('loads');
    expect(await load('nestjs-celery/metrics')).toBe('prom-client');
    expect(await load('nestjs-celery/health')).toBe('@nestjs/terminus');
  }, 300_000);

  it.each(KINDS)('consumer-%s: its own jest test with nestjs-celery/testing passes', async (kind) => {
    const app = await apps.get(kind)!;
    const node = kind === 'cjs' ? await cjsJestNode : process.execPath;
    const { output } = await run(`consumer-${kind}: jest`, node, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci'], app, 120_000);
    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  }, 300_000);

  it.each(KINDS)('consumer-%s: worker and client on RabbitMQ: a task round trip and an event', async (kind) => {
    const app = await apps.get(kind)!;
    const env = { CELERY_BROKER_URL: BROKER_URL };
    const worker = startProcess(`consumer-${kind} worker`, process.execPath, [join(app, 'dist/src/main.js')], env);
    try {
      await worker.waitFor('consumer worker ready', 30_000);
      const name = `${kind}-${process.pid}-${Date.now()}`;
      const { output } = await run(`consumer-${kind} client`, process.execPath, [join(app, 'dist/src/client.js'), name], app, 60_000, env);
      const line = output.trim().split('\n').at(-1)!;
      expect(JSON.parse(line)).toEqual({ greeting: `hello ${name}`, heard: expect.arrayContaining([name]) });
      expect(worker.log).not.toMatch(/\bERROR\b/);
    } finally {
      await worker.stop();
    }
  }, 300_000);
});
