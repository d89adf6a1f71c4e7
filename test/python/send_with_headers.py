"""Sends one task with Celery 5.2.6 and custom message headers (py-amqp writes integers beyond
±2^31 with the field-table tag `L`). Input: {"queue", "headers", "task"?, "args"?}.
Prints {"ok": true, "id": <task id>}."""
import json
import os
import sys

from celery import Celery

args = json.loads(sys.argv[1])
app = Celery('with_headers', broker=os.environ['CELERY_BROKER_URL'])
result = app.send_task(args.get('task', 'interop.add'), args=args.get('args', [2, 3]), queue=args['queue'], headers=args['headers'])
print(json.dumps({'ok': True, 'id': result.id}))
