"""Routes and sends a list of task names with real Python Celery 5.2.6 and reports where each went.

Usage: routing_cases.py '{"services": ["rtsvc"], "default_queue": "rt.q.default", "send": true,
                          "cases": [{"name": "rt.exact.task", "args": []}, ...]}'

For each case: `app.amqp.router.route({}, name, args, {})` gives the queue; a real `send_task`
(if `send`) is recorded at kombu's `Producer.publish` for the exchange, routing key and delivery mode.
Prints one JSON line: {"routes": [{name, queue, exchange, routing_key, delivery_mode}, ...]}.
"""
import json
import sys

from kombu import Producer

from routing_app import make_app, router_cases_routes

wire = {}
_publish = Producer.publish


def publish(self, body, routing_key=None, delivery_mode=None, exchange=None, headers=None, **kw):
    """Records where kombu really publishes each task (by task id)."""
    if headers and 'id' in headers:
        wire[headers['id']] = {'exchange': getattr(exchange, 'name', exchange), 'routing_key': routing_key, 'delivery_mode': delivery_mode}
    return _publish(self, body, routing_key=routing_key, delivery_mode=delivery_mode, exchange=exchange, headers=headers, **kw)


Producer.publish = publish


def main():
    params = json.loads(sys.argv[1])
    app = make_app(params.get('services', []), params.get('default_queue', 'celery'))
    app.conf.task_routes = router_cases_routes(params.get('services', []))
    routes = []
    for case in params['cases']:
        route = app.amqp.router.route({}, case['name'], case.get('args', []), {})
        entry = {'name': case['name'], 'queue': route['queue'].name}
        if params.get('send'):
            result = app.send_task(case['name'], args=case.get('args', []), ignore_result=True)
            entry.update(wire[result.id])
        routes.append(entry)
    print(json.dumps({'routes': routes}))


if __name__ == '__main__':
    main()
