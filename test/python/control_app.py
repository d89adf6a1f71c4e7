"""Python Celery 5.2.6 app for test/control.e2e-spec.ts (remote control beside a Nest worker).

Worker: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A control_app worker -P solo -Q ctl.py
CLI:    CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A control_app inspect ping
"""
import os

from celery import Celery

app = Celery(
    'control_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
app.conf.update(
    task_default_queue='ctl.py',
    worker_prefetch_multiplier=1,
    accept_content=['json'],
    task_serializer='json',
    result_serializer='json',
    enable_utc=True,
)


@app.task(name='pyctl.add')
def add(x, y):
    return x + y


@app.task(name='pyctl.tag')
def tag(value):
    return {'python': value}
