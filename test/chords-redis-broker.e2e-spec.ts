/**
 * Chords (Redis result backend) between Nest and Python Celery 5.2.6 / 5.5.2 on a Redis broker
 * (kombu's Redis transport), the suite of test/chords.e2e-spec.ts (test/support/chords-suite.ts)
 * with only the broker URL changed. The broker is the suite's own Redis database (5).
 */
import { describeChords } from './support/chords-suite.js';
import { flushRedisDb, redisBrokerUrl } from './support/redis-broker.js';

const URL = redisBrokerUrl(5);

// kombu's Redis transport under `-P solo` with prefetch 1 (the app's setting) waits ~2 s between
// messages, Python client and worker alone too; a prefetch of 4 keeps the suite at the RabbitMQ pace.
describeChords({ name: 'Redis', url: URL, purge: () => flushRedisDb(URL), pythonWorkerArgs: ['--prefetch-multiplier=4'] });
