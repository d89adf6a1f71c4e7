"""Calls Nest worker tasks with the real Python Celery 5.2.6 client on any queue.

Usage: p2n_send.py '{"queue": "interop.poison", "calls": [{"task": "interop.add", "args": [1, 2]}, ...]}'

Each call is `app.send_task(task, args, kwargs, queue=queue)` followed by `get()`. Prints one
JSON line: {"results": [{id, value | error, waited, state}, ...]}.
"""

import json
import sys
import time

from interop_client import app, exc_data, outcome


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    queue = params.get('queue', 'interop')
    started = time.monotonic()
    results = []
    try:
        for call in params.get('calls', []):
            res = app.send_task(call['task'], args=call.get('args', []), kwargs=call.get('kwargs', {}), queue=queue)
            results.append(outcome(res, timeout=call.get('timeout', 15)))
        out = {'ok': True, 'results': results}
    except Exception as exc:  # noqa: BLE001 - reported as data
        out = {'ok': False, 'results': results, 'error': exc_data(exc)}
    out['duration'] = round(time.monotonic() - started, 3)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
