"""Python Celery 5.2.6 worker app for test/follow-up-failures.e2e-spec.ts: `interop.tally` as the
Nest interop worker defines it (prints one line per run), with late acks like the Nest worker.

Start: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A followup_app worker -P solo -Q <queue>
"""
import os

from celery import Celery

app = Celery(
    'followup_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
app.conf.update(
    worker_prefetch_multiplier=1,
    accept_content=['json'],
    task_serializer='json',
    result_serializer='json',
    task_acks_late=True,
    enable_utc=True,
)


@app.task(name='interop.tally', bind=True)
def tally(self, x, y, retries=0):
    print('interop.tally ran %s' % self.request.id, flush=True)
    if self.request.retries < (retries or 0):
        raise self.retry(countdown=0.1, max_retries=retries)
    return x + y
