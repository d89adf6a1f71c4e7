"""Declares the convention queues the way a Python service with `task_queues` does (kombu), and
optionally calls convention tasks from Python.

Usage: routing_convention.py '{"service": "rtbill", "declare": true,
                               "calls": [{"task": "rtbill.sync.get_invoice", "args": [7]}]}'
Prints one JSON line: {"declared": [...], "results": [...], "published": [{exchange, routing_key, delivery_mode}]}.
"""
import json
import sys

from kombu import Connection, Producer

from routing_app import convention_queues, convention_router, make_app

wire = []


def main():
    params = json.loads(sys.argv[1])
    service = params['service']
    app = make_app([service])
    app.conf.task_routes = (convention_router(service),)
    declared = []
    if params.get('declare'):
        with Connection(app.conf.broker_url) as conn:
            for queue in convention_queues(service):
                queue(conn.default_channel).declare()
                declared.append(queue.name)
    original_publish = Producer.publish

    def publish(self, body, routing_key=None, delivery_mode=None, exchange=None, **kw):
        wire.append({'exchange': getattr(exchange, 'name', exchange), 'routing_key': routing_key, 'delivery_mode': delivery_mode})
        return original_publish(self, body, routing_key=routing_key, delivery_mode=delivery_mode, exchange=exchange, **kw)

    Producer.publish = publish
    results = []
    for call in params.get('calls', []):
        ignore = call['task'].split('.')[1] == 'async'
        res = app.send_task(call['task'], args=call.get('args', []), ignore_result=ignore)
        results.append(None if ignore else res.get(timeout=call.get('timeout', 15)))
    print(json.dumps({'declared': declared, 'results': results, 'published': wire}))


if __name__ == '__main__':
    main()
