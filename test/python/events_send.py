"""Publishes events the way a Python Celery producer would, to reach nestjs-celery @OnEvent handlers.

Usage: events_send.py '{"events": [{"routing_key": "order.v1.submit", "payload": {...}}]}'

Each event is `app.send_task(routing_key, args=[payload], exchange='order', routing_key=routing_key)`
(the exchange is declared first as the durable topic exchange the Nest side uses). Prints one JSON
line: {"ids": [...]}.
"""
import json
import os
import sys

from celery import Celery
from kombu import Exchange

app = Celery('events_send', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'))
app.conf.update(task_ignore_result=True, enable_utc=True)


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    exchange_name = params.get('exchange', 'order')
    with app.connection_for_write() as connection:
        Exchange(exchange_name, type='topic', durable=True)(connection.default_channel).declare()
    ids = []
    for event in params.get('events', []):
        result = app.send_task(
            event['routing_key'], args=[event['payload']], exchange=exchange_name, routing_key=event['routing_key'],
        )
        ids.append(result.id)
    print(json.dumps({'ids': ids}))


if __name__ == '__main__':
    main()
