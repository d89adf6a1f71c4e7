/**
 * The Python side of the interop suites is the Celery its project selects: Debian bookworm's
 * 5.2.6 in the `e2e` project, Debian trixie's 5.5.2 (scripts/ensure-celery55.sh) in `e2e-celery55`.
 */
import { CELERY_RELEASES, celerySeries } from './support/celery-version.js';
import { runCeleryCli, runPython } from './support/python.js';

describe(`the Python Celery of this project (${celerySeries()})`, () => {
  const release = CELERY_RELEASES[celerySeries()];

  it(`is Celery ${release.celery} with kombu ${release.kombu}`, async () => {
    const cli = await runCeleryCli('pyworker_app', ['--version']);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout.trim()).toMatch(new RegExp(`^${release.celery.replaceAll('.', '\\.')} `));
    await expect(runPython('versions.py')).resolves.toEqual(release);
  });
});
