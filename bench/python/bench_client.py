"""Python Celery producer of `npm run bench`: runs W1/W2/W3 on the driver's commands.

/usr/bin/python3 bench/python/bench_client.py   (env: BENCH_QUEUE, BENCH_BROKER_URL, BENCH_PAYLOAD, ...)
Uses the ordinary client API: app.send_task(...) and AsyncResult.get() over the rpc:// backend.
"""
import collections
import json
import math
import os
import sys
import time

from bench_app import QUEUE, cpu_us, emit, make_app

app = make_app('bench_client')
ORDER = json.loads(os.environ['BENCH_PAYLOAD'])
EXPECTED = {'id': ORDER['id'], 'total': float(os.environ['BENCH_EXPECTED_TOTAL'])}


def percentile(values, p):
    index = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[index]


def send_rpc():
    return app.send_task('bench.rpc', args=[ORDER], queue=QUEUE)


class Tally:
    def __init__(self):
        self.ok = 0
        self.errors = 0
        self.first_error = None

    def check(self, result):
        try:
            value = result.get(timeout=30)
            if value == EXPECTED:
                self.ok += 1
            else:
                self.fail('unexpected reply %r' % (value,))
        except Exception as error:  # noqa: BLE001 - counted, reported
            self.fail('%s: %s' % (type(error).__name__, error))

    def fail(self, text):
        self.errors += 1
        if self.first_error is None:
            self.first_error = text


def w1(n, **_):
    cpu0 = cpu_us()
    t_first = time.time() * 1000
    for _i in range(n):
        app.send_task('bench.order', args=[ORDER], queue=QUEUE, ignore_result=True)
    return {'tFirst': t_first, 'tLast': time.time() * 1000, 'published': n, 'cpuUs': cpu_us() - cpu0}


def w2(n, **_):
    tally = Tally()
    latencies = []
    cpu0 = cpu_us()
    start = time.perf_counter()
    for _i in range(n):
        t0 = time.perf_counter()
        tally.check(send_rpc())
        latencies.append((time.perf_counter() - t0) * 1e6)
    elapsed = (time.perf_counter() - start) * 1000
    latencies.sort()
    return {
        'calls': n, 'succeeded': tally.ok, 'errors': tally.errors, 'firstError': tally.first_error, 'elapsedMs': elapsed,
        'p50Us': percentile(latencies, 50), 'p90Us': percentile(latencies, 90), 'p99Us': percentile(latencies, 99),
        'maxUs': latencies[-1], 'meanUs': sum(latencies) / n, 'cpuUs': cpu_us() - cpu0,
    }


def w3(n, inflight=100, **_):
    """`inflight` calls outstanding: send that many, then one more each time the oldest completes."""
    tally = Tally()
    pending = collections.deque()
    sent = 0
    cpu0 = cpu_us()
    start = time.perf_counter()
    while sent < min(inflight, n):
        pending.append(send_rpc())
        sent += 1
    while pending:
        tally.check(pending.popleft())
        if sent < n:
            pending.append(send_rpc())
            sent += 1
    elapsed = (time.perf_counter() - start) * 1000
    return {'calls': n, 'succeeded': tally.ok, 'errors': tally.errors, 'firstError': tally.first_error, 'elapsedMs': elapsed,
            'cpuUs': cpu_us() - cpu0}


def main():
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=10)
    emit({'event': 'ready', 'pid': os.getpid()})
    handlers = {'w1': w1, 'w2': w2, 'w3': w3}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        command = json.loads(line)
        cid, cmd = command.pop('id', None), command.pop('cmd', None)
        if cmd == 'exit':
            emit({'id': cid, 'ok': True})
            break
        if cmd == 'stats':
            emit({'id': cid, 'ok': True, 'count': 0, 'cpuUs': cpu_us()})
            continue
        handler = handlers.get(cmd)
        if handler is None:
            emit({'id': cid, 'ok': False, 'error': 'unsupported command %s' % cmd})
            continue
        try:
            result = handler(**{k: int(v) for k, v in command.items()})
            emit(dict(result, id=cid, ok=True))
        except Exception as error:  # noqa: BLE001 - reported to the driver
            emit({'id': cid, 'ok': False, 'error': '%s: %s' % (type(error).__name__, error)})
    app.close()


if __name__ == '__main__':
    main()
