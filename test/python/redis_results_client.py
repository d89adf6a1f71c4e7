"""Python Celery *client* with the Redis result backend: one case per run, one JSON line out.

Usage: redis_results_client.py '{"case": "<name>", ...}'  (CELERY_RESULT_BACKEND must be redis://...)
Exceptions are reported as data ({type, module, message}); the TypeScript tests assert on them.
"""
import json
import os
import time
import sys
import traceback

from celery import chain, chord, group
from celery.result import AsyncResult, GroupResult
from celery.signals import before_task_publish

import redis_results_app as m

app = m.app
TIMEOUT = 30


def error_of(exc):
    return {'type': type(exc).__name__, 'module': type(exc).__module__, 'message': str(exc)}


def raw(task_id):
    value = app.backend.client.get(f'celery-task-meta-{task_id}')
    return None if value is None else value.decode()


def case_get(p):
    r = m.nest_add.delay(p.get('x', 2), p.get('y', 3))
    value = r.get(timeout=TIMEOUT)
    ttl = app.backend.client.ttl(f'celery-task-meta-{r.id}')
    return {'id': r.id, 'value': value, 'state': r.state, 'raw': raw(r.id), 'ttl': ttl}


def case_failure(p):
    r = m.nest_fail.delay('boom')
    try:
        r.get(timeout=TIMEOUT)
        return {'error': None}
    except Exception as exc:  # noqa: BLE001
        return {'id': r.id, 'error': error_of(exc), 'state': r.state, 'traceback': r.traceback, 'raw': raw(r.id)}


def case_extended(p):
    r = m.nest_add.apply_async((4, 5))
    r.get(timeout=TIMEOUT)
    r2 = AsyncResult(r.id, app=app)
    return {'name': r2.name, 'args': list(r2.args or []), 'kwargs': r2.kwargs, 'worker': r2.worker, 'queue': r2.queue, 'retries': r2.retries, 'raw': raw(r.id)}


def case_retry(p):
    r = m.nest_retry_until.delay(2)
    states = []
    return {'value': r.get(timeout=TIMEOUT, on_message=lambda meta: states.append(meta['status']), propagate=True), 'states': states}


def case_wait(p):
    """Waits for a task id sent by someone else (a Nest client) and reads it."""
    r = AsyncResult(p['id'], app=app)
    try:
        return {'value': r.get(timeout=TIMEOUT), 'state': r.state, 'date_done': str(r.date_done)}
    except Exception as exc:  # noqa: BLE001
        return {'error': error_of(exc), 'state': r.state}


def case_state(p):
    r = AsyncResult(p['id'], app=app)
    return {'state': r.state, 'raw': raw(p['id'])}


def case_save_group(p):
    g = group(m.nest_add.s(i, i) for i in range(p.get('n', 4))).apply_async()
    g.save()
    return {'id': g.id, 'ids': [r.id for r in g.results], 'values': g.join(timeout=TIMEOUT)}


def case_restore_group(p):
    g = GroupResult.restore(p['id'], app=app)
    return {'ids': [r.id for r in g.results], 'values': g.join(timeout=TIMEOUT)}


def case_chord_nest_header(p):
    """Header on the Nest worker, callback on the Python worker."""
    n = p.get('n', 5)
    # Signatures carry no route: the Nest worker that sends the callback routes it by its options.
    r = chord(m.nest_add.s(i, i) for i in range(n))(m.collect.s(tag='py').set(queue='pyredis'))
    return {'value': r.get(timeout=TIMEOUT), 'id': r.id}


def case_chord_py_header(p):
    """Header on the Python worker, callback on the Nest worker."""
    n = p.get('n', 5)
    r = chord(m.add.s(i, 1) for i in range(n))(m.nest_xsum.s())
    return {'value': r.get(timeout=TIMEOUT), 'id': r.id}


def case_chord_mixed(p):
    """Header on both workers; callback on Nest (interop.echo returns its args)."""
    header = [m.nest_add.s(1, 1), m.add.s(2, 2), m.nest_mul.s(3, 3), m.mul.s(4, 4)]
    r = chord(header)(m.nest_echo.s())
    return {'value': r.get(timeout=TIMEOUT)}


def case_chord_error(p):
    """A header task on Nest fails: the Python callback fails with ChordError, its errback runs."""
    app.backend.client.delete('pyredis-errbacks')
    body = m.tsum.s().set(queue='pyredis')
    body.link_error(m.on_error.s().set(queue='pyredis'))
    r = chord([m.nest_add.s(1, 1), m.nest_fail.s('header boom'), m.nest_add.s(2, 2)])(body)
    try:
        r.get(timeout=TIMEOUT)
        out = {'error': None}
    except Exception as exc:  # noqa: BLE001
        # get() raises the failed parent's (a header task's) exception first, as Celery does
        out = {'error': error_of(exc)}
    for _ in range(100):  # the callback's FAILURE is stored once the last header task finished
        body = AsyncResult(r.id, app=app)
        if body.state == 'FAILURE':
            out.update(state=body.state, body_result=error_of(body.result))
            break
        time.sleep(0.1)
    for _ in range(100):
        if app.backend.client.llen('pyredis-errbacks'):
            break
        time.sleep(0.1)
    out['errbacks'] = [x.decode() for x in app.backend.client.lrange('pyredis-errbacks', 0, -1)]
    out['body_id'] = r.id
    return out


def case_chain_group(p):
    """chain(task, group, task): Celery upgrades group + task to a chord; the first task runs on Nest."""
    c = chain(m.nest_add.s(1, 2), group(m.nest_mul.s(10), m.mul.s(100).set(queue='pyredis')), m.tsum.s().set(queue='pyredis'))
    r = c.apply_async()
    return {'value': r.get(timeout=TIMEOUT)}


def rpc_app():
    # Celery lets the CELERY_RESULT_BACKEND variable win over backend='rpc://' (app/utils.py)
    os.environ.pop('CELERY_RESULT_BACKEND', None)
    return m.Celery('rpc_client', broker=app.conf.broker_url, backend='rpc://')


def case_chain_group_rpc(p):
    """chain(task, group, task) with rpc://: Celery raises NotImplementedError while applying it, before sending anything."""
    rpc = rpc_app()
    rpc.conf.task_routes = {'interop.*': {'queue': p['queue']}}
    sent = []
    before_task_publish.connect(lambda headers=None, **kw: sent.append(headers['task']), weak=False)
    c = chain(rpc.signature('interop.add', (1, 2)), group(rpc.signature('interop.mul', (10,)), rpc.signature('interop.mul', (20,)), app=rpc),
              rpc.signature('interop.xsum'), app=rpc)
    try:
        c.apply_async()
        return {'error': None, 'sent': sent}
    except Exception as exc:  # noqa: BLE001
        return {'error': error_of(exc), 'sent': sent}


def case_chord_rpc(p):
    """chord() with rpc://: Celery raises NotImplementedError when applying it."""
    rpc = rpc_app()
    try:
        chord([rpc.signature('interop.add', (1, 1))], app=rpc)(rpc.signature('interop.xsum'))
        return {'error': None}
    except Exception as exc:  # noqa: BLE001
        return {'error': error_of(exc)}


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    try:
        result = globals()['case_' + params['case']](params)
    except Exception as exc:  # noqa: BLE001
        result = {'crash': error_of(exc), 'trace': traceback.format_exc()}
    print(json.dumps(result, default=str))


if __name__ == '__main__':
    main()
