"""Python Celery 5.2.6 worker app for test/nest-to-python.e2e-spec.ts (Nest client -> Python worker).

Start: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A pyworker_app worker -P solo -Q pyinterop
"""
import os
import time

from celery import Celery

app = Celery(
    'pyworker_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
app.conf.update(
    task_default_queue='pyinterop',
    worker_prefetch_multiplier=1,
    accept_content=['json'],
    task_serializer='json',
    result_serializer='json',
    enable_utc=True,
)


class CustomError(Exception):
    """A non-builtin exception: travels with exc_module 'pyworker_app'."""


def _iso(value):
    if value is None:
        return None
    return value.isoformat() if hasattr(value, 'isoformat') else str(value)


@app.task(name='pyinterop.add')
def add(x, y):
    return x + y


@app.task(name='pyinterop.mul')
def mul(x, y):
    return x * y


@app.task(name='pyinterop.xsum')
def xsum(values):
    return sum(values)


@app.task(name='pyinterop.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


@app.task(name='pyinterop.fail')
def fail(message):
    raise ValueError(message)


@app.task(name='pyinterop.custom_fail')
def custom_fail(message='custom failure'):
    raise CustomError(message)


@app.task(name='pyinterop.sleep')
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='pyinterop.context', bind=True)
def context(self):
    r = self.request
    return {
        'id': r.id,
        'root_id': r.root_id,
        'parent_id': r.parent_id,
        'group': r.group,
        'retries': r.retries,
    }


# Celery 5.2 builds Task.request (a celery.app.task.Context) from the *whole* AMQP header table
# (worker/request.py: `_request_dict = message.headers.copy()`, then `Context(request_dict)` which
# does `__dict__.update(...)`). So custom headers from apply_async(headers=...) are plain request
# attributes: `self.request.get('x-custom')` / `getattr(self.request, 'x-custom')`.
# `self.request.headers` stays None for protocol v2 (it is only filled for protocol v1 messages).
# AMQP properties are in `self.request.properties`, and delivery_info carries the priority.
_CELERY_KEYS = {
    'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries',
    'timelimit', 'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result',
}


@app.task(name='pyinterop.headers', bind=True)
def headers(self, *names):
    r = self.request
    wanted = list(names) or ['x-custom', 'n']
    props = r.properties or {}
    return {
        'custom': {name: r.get(name) for name in wanted},
        # request attributes that are neither Celery headers nor Context fields: the custom headers
        'extra_keys': sorted(k for k in vars(r) if k not in _CELERY_KEYS and not k.startswith('_') and not hasattr(type(r), k)),
        'request_headers': r.headers,
        'delivery_info': r.delivery_info,
        'timelimit': list(r.timelimit) if r.timelimit is not None else None,
        'eta': _iso(r.eta),
        'expires': _iso(r.expires),
        'shadow': r.shadow,
        'origin': r.origin,
        'lang': r.get('lang'),
        'priority_property': props.get('priority'),
        'reply_to': r.reply_to,
        'correlation_id': r.correlation_id,
        'ignore_result': r.ignore_result,
        'argsrepr': r.get('argsrepr'),
    }


@app.task(name='pyinterop.retry_until', bind=True)
def retry_until(self, failures):
    if self.request.retries < failures:
        raise self.retry(countdown=0.2, max_retries=failures)
    return self.request.retries


@app.task(name='pyinterop.special_floats')
def special_floats():
    # kombu 5.2's json.dumps keeps allow_nan=True: the reply body holds bare Infinity / NaN tokens.
    return {'inf': float('inf'), 'ninf': float('-inf'), 'nan': float('nan'), 'one': 1.0}


@app.task(name='pyinterop.on_error')
def on_error(task_id):
    # A one-argument errback: a Python worker sends it as a task message with args [failed_task_id].
    return task_id


@app.task(name='pyinterop.unencodable')
def unencodable():
    # kombu's JSON refuses a set: Celery's trace turns the EncodeError into a FAILURE at once.
    return {'tags': {'a', 'b'}}


@app.task(name='pyinterop.describe')
def describe(*args, **kwargs):
    # What a Python task receives for each argument: its Python type name and its value.
    def one(value):
        return {'type': type(value).__name__, 'value': value}

    return {'args': [one(a) for a in args], 'kwargs': {k: one(v) for k, v in kwargs.items()}}
