"""Python Celery *client* side of test/values-interop.e2e-spec.ts (5.2.6, or 5.5.2 on PYTHONPATH).

Usage: p2n_values.py '{"queue": "<queue>", "case": "results" | "errors" | "describe" | "refused" | "python_encode_error", ...}'

Calls the tasks of apps/interop-worker/src/values.tasks.ts (or, for `python_encode_error`,
pyworker_app's `pyinterop.unencodable` on a Python worker) and prints ONE JSON line with what a
Python caller observes: values as decoded, exceptions with their class, module and `args` kept as
data (not repr), so the TypeScript test can assert what `except` and `exc.args` give. Values JSON
has no type for (datetime, bytes, Decimal... as kombu >= 5.3 decodes them) are printed as repr().
"""
import datetime
import decimal
import json
import os
import sys
import time
import uuid

from celery import Celery
from kombu.exceptions import EncodeError

params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
QUEUE = params.get('queue', 'values.interop')

app = Celery('p2n_values', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'), backend='rpc://')
app.conf.update(task_default_queue=QUEUE, broker_connection_retry_on_startup=False, broker_connection_max_retries=3)


def error_data(exc):
    cls = type(exc)
    return {
        'type': cls.__name__,
        'module': cls.__module__,
        'args': list(exc.args),
        'str': str(exc),
        'is_encode_error': isinstance(exc, EncodeError),
    }


def call(name, args=(), kwargs=None, timeout=10):
    result = app.send_task(name, args=list(args), kwargs=kwargs or {}, queue=QUEUE)
    started = time.monotonic()
    try:
        out = {'value': result.get(timeout=timeout)}
    except Exception as exc:  # noqa: BLE001 - reported as data
        out = {'error': error_data(exc)}
    out['waited'] = round(time.monotonic() - started, 3)
    out['state'] = result.state
    return out


def case_results():
    return {kind: call('interop.values.result', [kind]) for kind in params['kinds']}


def case_errors():
    return {
        'valid': call('interop.values.validated', [{'sku': 'a-1', 'quantity': 2}]),
        'invalid': call('interop.values.validated', [{'sku': 7, 'quantity': 0}]),
        'rpc_object': call('interop.values.rpc_object', ['a-1']),
    }


def case_describe():
    # The Python values whose JSON a Nest handler receives, as kombu's encoder writes them.
    args = [
        datetime.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc),
        datetime.datetime(2026, 1, 2, 3, 4, 5),
        datetime.date(2026, 1, 2),
        (1, 'two'),
        decimal.Decimal('12.50'),
        uuid.UUID('12345678-1234-5678-1234-567812345678'),
        {1: 'one', 2.5: 'two and a half'},
        None,
        datetime.time(3, 4, 5, 123000),
    ]
    if params.get('with_bytes'):  # kombu >= 5.3 writes bytes (5.2 refuses them)
        args.append(b'raw')
    return call('interop.values.describe', args, {'when': datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc), 'none': None})


def case_refused():
    # What a Python client does with the values kombu's JSON refuses: it raises before sending.
    out = {}
    values = {'set': {1, 2}, 'bytes': b'raw', 'object': object()}
    for name in params.get('names', list(values)):
        value = values[name]
        try:
            app.send_task('interop.values.describe', args=[value], queue=QUEUE)
            out[name] = {'sent': True}
        except Exception as exc:  # noqa: BLE001 - reported as data
            out[name] = {'sent': False, 'error': {'type': type(exc).__name__, 'module': type(exc).__module__, 'args': [repr(a) for a in exc.args]}}
    return out


def case_python_encode_error():
    return call('pyinterop.unencodable', [])


CASES = {'results': case_results, 'errors': case_errors, 'describe': case_describe, 'refused': case_refused,
         'python_encode_error': case_python_encode_error}

sys.stdout.write(json.dumps({'ok': True, 'result': CASES[params['case']]()}, default=repr) + '\n')
