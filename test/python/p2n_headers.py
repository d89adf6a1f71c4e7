"""Reads one raw message from a queue with kombu/py-amqp 5.1.1 (as a Python Celery worker would
decode its AMQP frame) and prints its decoded headers, properties and body as one JSON line.

Usage: p2n_headers.py '{"queue": "p2n.headers", "timeout": 10}'

py-amqp 5.1.1 reads the field-table tag `s` as a *short string* and `b` as *unsigned*, so a
producer that lets amqplib pick small integer tags gets garbage (or a desynchronised table)
here. `types` gives the Python type of every header value so the test can tell.
"""

import json
import os
import sys
import time

from kombu import Connection

BROKER_URL = os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {'bytes': bytes(value).hex()}
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return repr(value)


def types_of(value):
    if isinstance(value, dict):
        return {str(k): types_of(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [types_of(v) for v in value]
    return type(value).__name__


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    queue = params['queue']
    deadline = time.monotonic() + params.get('timeout', 10)
    out = {'ok': False}
    try:
        with Connection(BROKER_URL) as conn:
            channel = conn.default_channel
            msg = None
            while msg is None and time.monotonic() < deadline:
                msg = channel.basic_get(queue, no_ack=True)
                if msg is None:
                    time.sleep(0.05)
            if msg is None:
                out['error'] = 'no message in %s' % queue
            else:
                headers = msg.headers or {}
                body = msg.body.decode('utf-8') if isinstance(msg.body, bytes) else msg.body
                out = {
                    'ok': True,
                    'headers': jsonable(headers),
                    'types': types_of(headers),
                    'properties': jsonable({k: v for k, v in msg.properties.items() if k != 'application_headers'}),
                    'body': json.loads(body),
                }
    except Exception as exc:  # noqa: BLE001 - reported as data
        out = {'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
