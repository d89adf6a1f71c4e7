"""Python Celery app for test/rate-limits.e2e-spec.ts and test/autoretry.e2e-spec.ts (issue 18):
twins of the Nest tasks, so a Python caller can compare what both workers do.

Worker: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A ops_app worker -P solo -Q ops.py
CLI:    CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A ops_app control rate_limit <task> <rate>
"""
import os

from celery import Celery

app = Celery(
    'ops_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
app.conf.task_default_queue = 'ops.py'


@app.task(name='pyops.tick', rate_limit='20/s')
def tick(n):
    return n


@app.task(
    bind=True,
    name='pyops.flaky',
    autoretry_for=(ValueError,),
    retry_backoff=1,
    retry_jitter=False,
    max_retries=2,
)
def flaky(self, failures):
    """Fails with ValueError('attempt <retries>') for its first `failures` runs, then returns the attempt count."""
    if self.request.retries < failures:
        raise ValueError(f'attempt {self.request.retries}')
    return self.request.retries


@app.task(
    bind=True,
    name='pyops.flaky_kwargs',
    autoretry_for=(ValueError,),
    retry_kwargs={'countdown': 0.5, 'max_retries': 1},
)
def flaky_kwargs(self, failures):
    """As flaky, retried with retry_kwargs instead: 0.5 s countdown, one retry (the task's max_retries stays 3)."""
    if self.request.retries < failures:
        raise ValueError(f'attempt {self.request.retries}')
    return self.request.retries
