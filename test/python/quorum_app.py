"""Celery 5.5 side of test/quorum-queues.e2e-spec.ts: services on quorum queues, declared the
Celery 5.5 way, so Celery 5.5 turns on its quorum mode (per-consumer QoS, the DelayedDelivery
bootstep, countdown tasks through the celery_delayed_* exchanges).

For service S (the Nest convention, docs/routing.md), with quorum queues:

    exchange = Exchange(S, type='topic')
    task_queues = [Queue(f'{S}.sync', exchange, routing_key=f'{S}.sync.#',
                         queue_arguments={'x-queue-type': 'quorum'})]

QUORUM_SERVICES (comma separated) names the services. Tasks `<S>.sync.stamp` return when they ran
(epoch ms) and which side ran them.

Usage as a client: quorum_app.py '{"calls": [{"task": "qd.sync.stamp", "countdown": 3}]}' sends
each call and prints one JSON line {"sent": [{"id", "sent_at"}], "published": [{exchange, routing_key}]}.
"""
import json
import os
import sys
import time

from celery import Celery
from kombu import Exchange, Producer, Queue

SERVICES = [s for s in os.environ.get('QUORUM_SERVICES', 'qp').split(',') if s]


def quorum_queues(service):
    return [Queue(f'{service}.sync', Exchange(service, type='topic'), routing_key=f'{service}.sync.#',
                  queue_arguments={'x-queue-type': 'quorum'})]


def route(name, args, kwargs, options, task=None, **kw):
    parts = name.split('.', 2)
    if len(parts) == 3 and parts[0] in SERVICES and parts[1] == 'sync':
        return {'queue': f'{parts[0]}.sync', 'routing_key': name}
    return None


app = Celery('quorum_app', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'), backend='rpc://')
app.conf.update(
    task_queues=[q for s in SERVICES for q in quorum_queues(s)],
    task_routes=(route,),
    task_default_queue_type='quorum',
    accept_content=['json'],
    task_serializer='json',
    result_serializer='json',
    enable_utc=True,
    broker_connection_retry_on_startup=True,
)

for _service in SERVICES:
    def _stamp(tag=None, _service=_service):
        return {'ran_at': int(time.time() * 1000), 'by': 'python', 'tag': tag}
    app.task(name=f'{_service}.sync.stamp')(_stamp)


def main():
    params = json.loads(sys.argv[1])
    wire = []
    original_publish = Producer.publish

    def publish(self, body, routing_key=None, exchange=None, **kw):
        wire.append({'exchange': getattr(exchange, 'name', exchange), 'routing_key': routing_key})
        return original_publish(self, body, routing_key=routing_key, exchange=exchange, **kw)

    Producer.publish = publish
    sent = []
    for call in params.get('calls', []):
        sent_at = int(time.time() * 1000)
        res = app.send_task(call['task'], args=call.get('args', []), countdown=call.get('countdown'), ignore_result=True)
        sent.append({'id': res.id, 'sent_at': sent_at})
    print(json.dumps({'sent': sent, 'published': wire}))


if __name__ == '__main__':
    main()
