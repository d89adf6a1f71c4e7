"""Python Celery 5.2.6 app for test/control.e2e-spec.ts (remote control beside a Nest worker).

Worker: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A control_app worker -P solo -Q ctl.py
CLI:    CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A control_app inspect ping
"""
import os
import time

from celery import Celery

app = Celery(
    'control_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
# Everything else is Celery's default (json only, utc).
app.conf.task_default_queue = 'ctl.py'


@app.task(name='pyctl.add')
def add(x, y):
    return x + y


@app.task(name='pyctl.sleep')
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='pyctl.tag')
def tag(value):
    return {'python': value}
