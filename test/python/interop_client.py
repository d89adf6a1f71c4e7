"""Python Celery 5.2.6 *client* side of the Python -> Nest interop tests.

Usage: interop_client.py '{"case": "<name>", ...params}'

Runs one case against the Nest interop worker (queue `interop` unless the case says otherwise)
with the real Celery client (send_task, task stubs, signatures, chain, group, link, link_error,
countdown/eta/expires, protocol v1) and prints ONE final JSON line with what was observed:
values, exceptions as data ({type, module, args, builtin}), states and timings. Exceptions never
escape: the TypeScript test asserts on them.

The `interop.*` tasks are registered here as *stubs* (the way a Python service declares a
remote task's signature); they are never executed in this process, no Python worker runs.
`typing=False` turns off the client-side argument check so wrong calls reach the worker.
"""

import json
import os
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone

from celery import Celery, chain, group
from celery.signals import before_task_publish

BROKER_URL = os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')
QUEUE = os.environ.get('INTEROP_QUEUE', 'interop')


def make_app(name, **conf):
    app = Celery(name, broker=BROKER_URL, backend='rpc://')
    app.conf.update(
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=False,
        broker_connection_max_retries=3,
        **conf,
    )
    return app


app = make_app('p2n')


def _stub(name):
    def run(*args, **kwargs):  # pragma: no cover - never runs here
        raise NotImplementedError('%s runs on the Nest interop worker' % name)

    run.__name__ = name.rsplit('.', 1)[-1]
    return app.task(name=name, typing=False)(run)


add = _stub('interop.add')
mul = _stub('interop.mul')
xsum = _stub('interop.xsum')
echo = _stub('interop.echo')
fail = _stub('interop.fail')
sleep = _stub('interop.sleep')
context = _stub('interop.context')
retry_until = _stub('interop.retry_until')

DEFAULT_TIMEOUT = 15

# What this client put on the wire, per task id (from Celery's before_task_publish signal).
PUBLISHED = {}


@before_task_publish.connect
def _record_publish(sender=None, headers=None, properties=None, body=None, routing_key=None, **_):
    headers = headers or {}
    task_id = headers.get('id') or (body.get('id') if isinstance(body, dict) else None)
    PUBLISHED[task_id] = {
        'task': headers.get('task') or (body.get('task') if isinstance(body, dict) else None),
        'protocol': 2 if 'task' in headers else 1,
        'routing_key': routing_key,
        'eta': headers.get('eta'),
        'expires': headers.get('expires'),
        'ignore_result': headers.get('ignore_result'),
        # seconds; kombu writes the AMQP property as str(int(seconds * 1000))
        'expiration': (properties or {}).get('expiration'),
        'reply_to': (properties or {}).get('reply_to'),
    }


def exc_data(exc):
    """An exception as JSON data."""
    if exc is None:
        return None
    cls = type(exc)
    return {
        'type': cls.__name__,
        'module': cls.__module__,
        'args': [a if isinstance(a, (str, int, float, bool, type(None))) else repr(a) for a in exc.args],
        'str': str(exc),
        # True when it is the real builtin class (so `except ValueError:` works)
        'builtin': cls.__module__ == 'builtins',
    }


def outcome(result, timeout=DEFAULT_TIMEOUT, **get_kwargs):
    """Waits for `result` and reports {value | error}, the state and how long it took."""
    started = time.monotonic()
    data = {'id': result.id}
    try:
        data['value'] = result.get(timeout=timeout, **get_kwargs)
    except Exception as exc:  # noqa: BLE001 - reported as data
        data['error'] = exc_data(exc)
    data['waited'] = round(time.monotonic() - started, 3)
    data['published'] = PUBLISHED.get(result.id)
    try:
        data['state'] = result.state
    except Exception as exc:  # noqa: BLE001
        data['state_error'] = exc_data(exc)
    return data


# ----------------------------------------------------------------------------------- cases

def case_add(p):
    return outcome(add.delay(*p.get('args', [2, 3]), **p.get('kwargs', {})))


def case_send_task(p):
    """Plain app.send_task by name (no stub), with args/kwargs and any send_task `options`
    (headers=, expires=, priority=, shadow=, ...). All RETRY/SUCCESS/... statuses are collected."""
    messages = []
    res = app.send_task(p['task'], args=p.get('args', []), kwargs=p.get('kwargs', {}), **p.get('options', {}))
    data = outcome(res, timeout=p.get('timeout', DEFAULT_TIMEOUT), on_message=lambda body: messages.append(body.get('status')))
    data['messages'] = messages
    return data


def case_mul(p):
    return outcome(mul.apply_async((p['x'], p['y'])))


def case_xsum(p):
    return outcome(xsum.delay(p['values']))


def case_echo(p):
    return outcome(echo.apply_async(args=p.get('args', []), kwargs=p.get('kwargs', {})))


def case_unicode(p):
    args = ['é', '日本語', '😀', 'mixed: ça va? 日本 🎉🚀', '\u0000nul and \ttab', 'ß' * 3]
    kwargs = {'clé': 'valeur é', '名前': '日本語', 'emoji': '👍🏽'}
    data = outcome(echo.delay(*args, **kwargs))
    value = data.pop('value', None)
    data['equal'] = value == {'args': args, 'kwargs': kwargs}
    data['returned'] = value
    return data


def case_big_payload(p):
    size = p.get('size', 1_000_000)
    unit = 'abcdefghij-é日😀'
    payload = (unit * (size // len(unit) + 1))[:size]
    started = time.monotonic()
    data = outcome(echo.delay(payload), timeout=30)
    value = data.pop('value', None)
    data['sent_chars'] = len(payload)
    data['equal'] = value == {'args': [payload], 'kwargs': {}}
    if isinstance(value, dict) and value.get('args'):
        data['returned_chars'] = len(value['args'][0])
    data['elapsed'] = round(time.monotonic() - started, 3)
    return data


def case_fail(p):
    res = fail.delay(p.get('message', 'boom'))
    data = outcome(res)
    try:
        data['traceback'] = res.traceback
    except Exception:  # noqa: BLE001
        data['traceback'] = None
    # prove the real builtin was rebuilt: catch it with a plain except clause
    try:
        fail.delay('caught').get(timeout=DEFAULT_TIMEOUT)
        data['caught_as_builtin'] = False
    except ValueError as exc:
        data['caught_as_builtin'] = type(exc) is ValueError and exc.args == ('caught',)
    except Exception:  # noqa: BLE001
        data['caught_as_builtin'] = False
    return data


def case_sleep(p):
    started = time.monotonic()
    data = outcome(sleep.delay(p.get('seconds', 0.5)))
    data['elapsed'] = round(time.monotonic() - started, 3)
    return data


def case_context(p):
    return outcome(context.delay())


def case_retry_until(p):
    messages = []

    def on_message(body):
        messages.append({'status': body.get('status'), 'task_id': body.get('task_id'),
                         'result': body.get('result'), 'children': body.get('children')})

    started = time.monotonic()
    res = retry_until.delay(p.get('failures', 3))
    data = outcome(res, timeout=20, on_message=on_message, propagate=True)
    data['elapsed'] = round(time.monotonic() - started, 3)
    data['messages'] = messages
    return data


def case_unknown(p):
    data = {'unknown': outcome(app.send_task(p.get('task', 'interop.does_not_exist'), args=(1, 2)))}
    # the worker keeps working afterwards
    data['after'] = outcome(add.delay(40, 2))
    return data


def case_countdown(p):
    countdown = p.get('countdown', 1)
    started = time.monotonic()
    res = add.apply_async((1, 1), countdown=countdown)
    data = outcome(res)
    data['elapsed'] = round(time.monotonic() - started, 3)
    return data


def case_eta(p):
    delay = p.get('delay', 1.5)
    started = time.monotonic()
    eta = datetime.now(timezone.utc) + timedelta(seconds=delay)
    res = add.apply_async((2, 2), eta=eta)
    data = outcome(res)
    data['elapsed'] = round(time.monotonic() - started, 3)
    data['eta'] = eta.isoformat()
    return data


def case_expires(p):
    """`expires` as seconds (may be negative) or `expires_at_offset` seconds from now as a datetime."""
    messages = []
    if 'expires_at_offset' in p:
        expires = datetime.now(timezone.utc) + timedelta(seconds=p['expires_at_offset'])
    else:
        expires = p['expires']
    res = add.apply_async((3, 4), expires=expires)
    data = outcome(res, timeout=p.get('timeout', 5), on_message=lambda body: messages.append(body.get('status')))
    data['messages'] = messages
    return data


def case_expires_probe(p):
    """What RabbitMQ itself does with the `expiration` property Celery sets, on a queue nobody
    consumes: a past `expires` becomes expiration "0" and the broker drops the message at once;
    a future one (60 s) stays queued with expiration "60000"."""
    queue = p.get('queue', 'p2n.expires.probe')
    _declare_fresh(queue)
    past = add.apply_async((1, 1), expires=-1, queue=queue)
    future = add.apply_async((1, 1), expires=60, queue=queue)
    time.sleep(0.3)
    found = _drain_raw(queue, 2, 1)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    return {
        'past': {'id': past.id, 'published': PUBLISHED.get(past.id)},
        'future': {'id': future.id, 'published': PUBLISHED.get(future.id)},
        'queued': [{'id': m['headers'].get('id'), 'expiration': m['properties'].get('expiration'),
                    'expires': m['headers'].get('expires')} for m in found],
    }


def case_chain(p):
    c = chain(add.s(1, 2), add.s(10), mul.s(3))
    res = c.apply_async()
    data = outcome(res)
    steps = []
    node = res
    while node is not None:
        steps.append(node)
        node = node.parent
    steps.reverse()
    data['steps'] = [{'id': s.id, 'parent_id': s.parent.id if s.parent is not None else None} for s in steps]
    data['step_values'] = []
    for s in steps:
        try:
            data['step_values'].append(s.get(timeout=DEFAULT_TIMEOUT))
        except Exception as exc:  # noqa: BLE001
            data['step_values'].append(exc_data(exc))
    return data


def case_chain_context(p):
    """chain(add(1,1), context.si()) and a 3-step chain ending in context: parent/root ids."""
    two = (add.s(1, 1) | context.si()).apply_async()
    data = {'two': outcome(two), 'two_first_id': two.parent.id, 'two_last_id': two.id}
    three = chain(add.s(1, 1), add.s(2), context.si()).apply_async()
    data['three'] = outcome(three)
    data['three_ids'] = [three.parent.parent.id, three.parent.id, three.id]
    data['three_middle'] = outcome(three.parent)
    return data


def case_chain_failure(p):
    """add(1,2) | fail() | add(1): the worker marks the remaining (frozen) step FAILURE too."""
    res = chain(add.s(1, 2), fail.s(), add.s(1)).apply_async()
    data = outcome(res)
    data['middle'] = outcome(res.parent)
    data['first'] = outcome(res.parent.parent)
    return data


def case_time_limit(p):
    """sleep(seconds) with time_limit/soft_time_limit set by the Python client."""
    started = time.monotonic()
    res = sleep.apply_async((p.get('seconds', 3),), time_limit=p.get('time_limit'), soft_time_limit=p.get('soft_time_limit'))
    data = outcome(res)
    data['elapsed'] = round(time.monotonic() - started, 3)
    return data


def case_group(p):
    g = group(add.s(i, i) for i in range(5))
    res = g.apply_async()
    data = {'id': res.id, 'children': [r.id for r in res.results]}
    try:
        data['value'] = res.get(timeout=DEFAULT_TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        data['error'] = exc_data(exc)
    return data


def case_group_context(p):
    res = group(context.si() for _ in range(3)).apply_async()
    data = {'id': res.id, 'children': [r.id for r in res.results]}
    try:
        data['value'] = res.get(timeout=DEFAULT_TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        data['error'] = exc_data(exc)
    return data


def case_link(p):
    # A frozen callback has a task id and this client's reply queue as reply_to, so its
    # result comes back here over rpc (an unfrozen one would reply nowhere observable).
    callback = add.s(10)
    callback_result = callback.freeze()
    res = add.apply_async((2, 2), link=callback)
    data = {'parent': outcome(res), 'callback_id': callback_result.id}
    try:
        data['children'] = [c.id for c in (res.children or [])]
    except Exception as exc:  # noqa: BLE001
        data['children'] = exc_data(exc)
    data['callback'] = outcome(app.AsyncResult(callback_result.id))
    return data


def _drain_raw(queue, expect, timeout):
    """basic_get up to `expect` raw messages from `queue` (kombu/py-amqp), decoded."""
    found = []
    deadline = time.monotonic() + timeout
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        while len(found) < expect and time.monotonic() < deadline:
            msg = channel.basic_get(queue, no_ack=True)
            if msg is None:
                time.sleep(0.05)
                continue
            found.append({
                'headers': _jsonable(msg.headers),
                'properties': _jsonable({k: v for k, v in msg.properties.items() if k != 'application_headers'}),
                'body': json.loads(msg.body.decode('utf-8') if isinstance(msg.body, bytes) else msg.body),
                'routing_key': msg.delivery_info.get('routing_key'),
            })
    return found


def _declare_fresh(queue):
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        channel.queue_purge(queue)


def case_link_error(p):
    """fail(...) with link_error=echo routed to our own queue: the errback message is inspected raw."""
    queue = p.get('queue', 'p2n.errbacks')
    _declare_fresh(queue)
    errback = echo.s().set(queue=queue)
    res = fail.apply_async(('errback please',), link_error=errback)
    data = {'failed': outcome(res)}
    data['errbacks'] = _drain_raw(queue, 1, 10)
    # nothing else shows up (exactly one errback message)
    data['extra'] = _drain_raw(queue, 1, 0.5)
    return data


def case_protocol_v1(p):
    app1 = make_app('p2n-v1', task_protocol=1)
    res = app1.send_task('interop.add', args=(20, 22))
    data = outcome(res)
    res2 = app1.send_task('interop.echo', args=('v1',), kwargs={'k': 'v'})
    data['echo'] = outcome(res2)
    return data


def case_ignore_result(p):
    # The task's SUCCESS must not be sent; a frozen link callback proves it ran (and with what).
    callback = echo.s()
    callback_result = callback.freeze()
    res = add.apply_async((20, 22), ignore_result=True, link=callback)
    data = {'id': res.id, 'client_ignored': bool(getattr(res, 'ignored', False))}
    # the handle apply_async returned knows it is ignored: get() returns None at once
    data['returned_handle'] = outcome(res, timeout=1)
    data['callback'] = outcome(app.AsyncResult(callback_result.id))
    # a plain handle for the same id really waits on the reply queue: nothing may arrive
    # (a SUCCESS sent before the callback's result would be buffered and returned here)
    messages = []
    data['fresh_handle'] = outcome(app.AsyncResult(res.id), timeout=p.get('timeout', 1.5),
                                   on_message=lambda body: messages.append(body.get('status')))
    data['messages'] = messages
    return data


CASES = {name[len('case_'):]: fn for name, fn in globals().items() if name.startswith('case_')}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {'bytes': bytes(value).hex()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return repr(value)


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    name = params.get('case')
    started = time.monotonic()
    try:
        if name not in CASES:
            raise KeyError('unknown case %r; known: %s' % (name, ', '.join(sorted(CASES))))
        out = {'case': name, 'ok': True, 'result': CASES[name](params)}
    except Exception as exc:  # noqa: BLE001 - reported as data
        out = {'case': name, 'ok': False, 'error': exc_data(exc), 'traceback': traceback.format_exc()}
    out['duration'] = round(time.monotonic() - started, 3)
    sys.stdout.write(json.dumps(_jsonable(out)) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
