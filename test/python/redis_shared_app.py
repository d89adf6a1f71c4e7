"""A Python Celery worker app that competes with the Nest interop worker on one Redis queue
(test/redis-interop.e2e-spec.ts): it implements `interop.tally` like the Nest worker and prints
one line per run, so the test can count which worker ran what.

Start: CELERY_BROKER_URL=redis://... /usr/bin/python3 -m celery -A redis_shared_app worker -P solo -Q interop
"""
import os

from celery import Celery

app = Celery('redis_shared_app', broker=os.environ['CELERY_BROKER_URL'], backend='rpc://')
app.conf.update(worker_prefetch_multiplier=1, accept_content=['json'], task_serializer='json', result_serializer='json')


@app.task(name='interop.tally', bind=True)
def tally(self, x, y, retries=None):
    print('python tally ran %s' % self.request.id, flush=True)
    return x + y
