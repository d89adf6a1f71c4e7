"""Python Celery 5.2.6 side of test/routing*.e2e-spec.ts: the service routing convention and
`task_routes` written the Python way, to check that Python and Nest route and declare alike.

The convention for service S, in Python (what docs/routing.md documents):

    exchange = Exchange(S, type='topic')                      # durable
    task_queues = [Queue(f'{S}.sync', exchange, routing_key=f'{S}.sync.#'),
                   Queue(f'{S}.async', exchange, routing_key=f'{S}.async.#')]
    task_routes = (convention_router(S),)                      # routing key = task name
"""
import os
import re

from celery import Celery
from kombu import Exchange, Queue


def convention_queues(service):
    """`task_queues` entries of the convention for `service` (kombu declares them durable, no args)."""
    exchange = Exchange(service, type='topic')
    return [
        Queue(f'{service}.sync', exchange, routing_key=f'{service}.sync.#'),
        Queue(f'{service}.async', exchange, routing_key=f'{service}.async.#'),
    ]


def convention_router(*services):
    """Router function: `<s>.sync.*` transient to `<s>.sync`, `<s>.async.*` persistent to `<s>.async`."""
    def route(name, args, kwargs, options, task=None, **kw):
        parts = name.split('.', 2)
        if len(parts) == 3 and parts[0] in services and parts[2]:
            if parts[1] == 'sync':
                return {'queue': f'{parts[0]}.sync', 'routing_key': name, 'delivery_mode': 1}
            if parts[1] == 'async':
                return {'queue': f'{parts[0]}.async', 'routing_key': name, 'delivery_mode': 2}
        return None
    return route


def vip_router(name, args, kwargs, options, task=None, **kw):
    """Routes by argument: the first argument 'vip' goes to queue rt.q.vip."""
    if args and args[0] == 'vip':
        return {'queue': 'rt.q.vip'}
    return None


def make_app(services=(), default_queue='celery'):
    app = Celery('routing_app', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'), backend='rpc://')
    queues = [q for s in services for q in convention_queues(s)]
    app.conf.update(
        task_default_queue=default_queue,
        task_queues=queues + [Queue(default_queue, Exchange(default_queue, type='direct'), routing_key=default_queue)] if queues else None,
        accept_content=['json'],
        task_serializer='json',
        result_serializer='json',
        enable_utc=True,
    )
    return app


def router_cases_routes(services):
    """The task_routes equivalent of the Nest routes in test/routing-routers.e2e-spec.ts."""
    return (
        {'rt.exact.task': {'queue': 'rt.q.exact'}, 'rt.glob.*': 'rt.q.glob', re.compile(r'rt\.re\.(a|b)\.'): {'queue': 'rt.q.regex'}},
        vip_router,
        convention_router(*services),
    )
