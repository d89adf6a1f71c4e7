"""Sends one task with Celery 5.2.6 (py-amqp writes integers beyond ±2^31 in its headers with the
field-table tag `L`). Input: {"queue", "headers"}. Prints {"ok": true, "id": <task id>}."""
import json
import os
import sys

from celery import Celery

args = json.loads(sys.argv[1])
app = Celery('long_headers', broker=os.environ['CELERY_BROKER_URL'])
result = app.send_task('interop.add', args=[2, 3], queue=args['queue'], headers=args['headers'])
print(json.dumps({'ok': True, 'id': result.id}))
