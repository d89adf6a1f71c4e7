import { readFileSync } from 'node:fs';

/** The page's files, shipped in the package's `monitor-ui/` folder (no network needed to load them). */
const ASSET_DIR = new URL('../../monitor-ui/', import.meta.url);

/** The page's assets by file name, with their content types. */
export interface MonitorAssets {
  readonly html: string;
  readonly files: ReadonlyMap<string, { readonly body: string; readonly contentType: string }>;
}

/** Reads the page once; `base` (the mount path, e.g. `/celery`) is written into the HTML for its asset and API links. */
export function loadMonitorAssets(base: string): MonitorAssets {
  const read = (name: string) => readFileSync(new URL(name, ASSET_DIR), 'utf8');
  return {
    html: read('index.html').replaceAll('{{base}}', base),
    files: new Map([
      ['monitor.js', { body: read('monitor.js'), contentType: 'text/javascript; charset=utf-8' }],
      ['monitor.css', { body: read('monitor.css'), contentType: 'text/css; charset=utf-8' }],
    ]),
  };
}
