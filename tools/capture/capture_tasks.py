"""Celery app + tasks used by capture_vectors.py (client side and the short-lived worker).

Run only with /usr/bin/python3 (the interpreter that has Celery 5.2.6 installed).
"""
import os

from celery import Celery

BROKER_URL = os.environ.get('CAPTURE_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')

app = Celery('capture_tasks', broker=BROKER_URL, backend='rpc://')
app.conf.update(
    # Only the worker cares: makes it publish a STARTED reply before running a task.
    task_track_started=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


class CustomError(Exception):
    """A user-defined exception class (exc_module will be 'capture_tasks')."""


@app.task
def add(x, y):
    return x + y


@app.task
def echo(*args, **kwargs):
    return [args, kwargs]


@app.task
def whoami():
    return 'whoami'


@app.task
def on_err(*args):
    return 'on_err'


@app.task
def fail():
    raise ValueError('bad value', 42)


@app.task
def custom_fail():
    raise CustomError('boom')


@app.task(bind=True)
def flaky(self):
    if self.request.retries == 0:
        raise self.retry(countdown=1, exc=KeyError('k'))
    return 'ok after retry'
