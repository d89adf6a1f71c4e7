"""Python Celery 5.2.6 worker consuming nestjs-celery events, for test/events-python.e2e-spec.ts.

Its queue (EVENTS_PY_QUEUE) is bound to the topic exchange `order` with `order.*.submit`, the way a
Python service subscribes to the order service's events. The task is named after the routing key;
each received payload is appended as one JSON line to EVENTS_PY_OUT, with the Python type of
every field, so the test can check what Python saw.

Start: CELERY_BROKER_URL=... EVENTS_PY_QUEUE=q EVENTS_PY_OUT=/tmp/x /usr/bin/python3 -m celery -A events_app worker -Q q
"""
import json
import os

from celery import Celery
from kombu import Exchange, Queue

app = Celery('events_app', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'))
order_exchange = Exchange('order', type='topic', durable=True)
app.conf.update(
    task_queues=[Queue(os.environ['EVENTS_PY_QUEUE'], order_exchange, routing_key='order.*.submit')],
    task_ignore_result=True,
    accept_content=['json'],
    worker_prefetch_multiplier=1,
    enable_utc=True,
)


def _record(request, payload):
    line = {
        'task': request.task,
        'id': request.id,
        'routing_key': (request.delivery_info or {}).get('routing_key'),
        'exchange': (request.delivery_info or {}).get('exchange'),
        'payload': payload,
        'types': {key: type(value).__name__ for key, value in payload.items()},
        'line_types': {key: type(value).__name__ for key, value in payload['lines'][0].items()},
    }
    with open(os.environ['EVENTS_PY_OUT'], 'a', encoding='utf-8') as out:
        out.write(json.dumps(line) + '\n')


@app.task(name='order.v1.submit', bind=True)
def order_submitted(self, payload):
    _record(self.request, payload)


@app.task(name='order.v2.submit', bind=True)
def order_submitted_v2(self, payload):
    _record(self.request, payload)
