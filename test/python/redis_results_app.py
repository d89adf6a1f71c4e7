"""Python Celery app with the Redis result backend, for test/redis-results.e2e-spec.ts and test/chords.e2e-spec.ts.

As a worker: CELERY_BROKER_URL=... CELERY_RESULT_BACKEND=redis://... python3 -m celery -A redis_results_app worker -Q pyredis
Its `pyredis.*` tasks run here; the `interop.*` tasks are stubs of the Nest interop worker's tasks
(queue `interop`), so signatures and chords can mix both.
"""
import os

from celery import Celery

app = Celery(
    'redis_results_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend=os.environ['CELERY_RESULT_BACKEND'],
)
app.conf.update(
    task_default_queue='pyredis',
    task_routes={'interop.*': {'queue': os.environ.get('INTEROP_QUEUE', 'interop')}},
    worker_prefetch_multiplier=1,
    accept_content=['json'],
    result_extended=os.environ.get('CELERY_RESULT_EXTENDED') == '1',
    broker_connection_retry_on_startup=True,
    enable_utc=True,
)


@app.task(name='pyredis.add')
def add(x, y):
    return x + y


@app.task(name='pyredis.mul')
def mul(x, y):
    return x * y


@app.task(name='pyredis.tsum')
def tsum(values):
    """A chord callback: the sum of the header's values."""
    return sum(values)


@app.task(name='pyredis.collect')
def collect(values, tag=None):
    """A chord callback that returns the header's values as they arrived (order matters)."""
    return {'values': values, 'tag': tag}


@app.task(name='pyredis.fail')
def fail(message):
    raise ValueError(message)


@app.task(name='pyredis.on_error')
def on_error(task_id):
    """An old-style errback: records the failed task's id in Redis for the test to read."""
    app.backend.client.rpush('pyredis-errbacks', task_id)
    return task_id


def stub(name):
    @app.task(name=name, shared=False)
    def remote(*args, **kwargs):  # never runs here: the Nest interop worker runs it
        raise RuntimeError(f'{name} is a stub')
    return remote


nest_add = stub('interop.add')
nest_mul = stub('interop.mul')
nest_xsum = stub('interop.xsum')
nest_fail = stub('interop.fail')
nest_echo = stub('interop.echo')
nest_retry_until = stub('interop.retry_until')
