"""Declares a queue the way Celery's client does (kombu Queue for `queue=`), then prints ok."""
import json
import os
import sys

from kombu import Connection, Exchange, Queue

params = json.loads(sys.argv[1])
name = params["queue"]
with Connection(os.environ["CELERY_BROKER_URL"]) as conn:
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    queue(conn.default_channel).declare()
print(json.dumps({"declared": name}))
