#!/usr/bin/python3
"""Capture real Celery 5.2.6 wire messages as JSON test vectors.

Usage (must be the system interpreter, which has celery 5.2.6 / kombu 5.2.4 / py-amqp 5.1.1):

    /usr/bin/python3 tools/capture/capture_vectors.py [--broker URL] [--out DIR]

What it does:
  * publishes task messages with the real Celery client (app in capture_tasks.py) to a private
    temporary queue ``capture.<run-uuid>.tasks`` and reads them back raw with py-amqp basic_get;
  * starts a real worker (solo pool) on ``capture.<run-uuid>.worker`` and sends it tasks whose
    ``reply_to`` is our own exclusive queue ``capture.<run-uuid>.replies``, then basic_gets the
    raw rpc:// result messages;
  * writes one JSON file per vector into libs/nestjs-celery/test/vectors/;
  * always kills the worker and deletes every queue/exchange it created.

Header field-type tags are read from the actual content-header bytes received from the broker
(py-amqp's frame handler is wrapped to keep the raw frame payload), not guessed from Python types.
"""
import argparse
import base64
import datetime as dt
import decimal
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from io import BytesIO
from struct import unpack_from
from urllib.parse import urlparse, unquote

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
DEFAULT_OUT = os.path.join(REPO, 'libs', 'nestjs-celery', 'test', 'vectors')
DEFAULT_BROKER = 'amqp://guest:guest@127.0.0.1:5672//'
DEADLINE_S = 50  # whole script must stay under a minute

parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('--broker', default=os.environ.get('CAPTURE_BROKER_URL', DEFAULT_BROKER))
parser.add_argument('--out', default=DEFAULT_OUT)
ARGS = parser.parse_args()
os.environ['CAPTURE_BROKER_URL'] = ARGS.broker
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ litter in tools/capture

import amqp  # noqa: E402  (py-amqp)
from amqp import serialization as amqp_ser  # noqa: E402
import celery  # noqa: E402
import kombu  # noqa: E402
from celery import Celery, group  # noqa: E402

import capture_tasks as T  # noqa: E402

START = time.monotonic()
RUN = str(uuid.uuid4())
PREFIX = 'capture.' + RUN
TASK_Q = PREFIX + '.tasks'      # client-published task vectors land here (no worker)
WORKER_Q = PREFIX + '.worker'   # the temporary worker consumes this one
REPLY_Q = PREFIX + '.replies'   # rpc replies from the worker (exclusive to our raw connection)


def log(*a):
    print('[%5.1fs]' % (time.monotonic() - START), *a, flush=True)


# --------------------------------------------------------------------------------------------
# Raw capture: keep the exact content-header frame payload py-amqp received.
# --------------------------------------------------------------------------------------------
_orig_inbound_header = amqp_ser.GenericContent.inbound_header


def _capturing_inbound_header(self, buf, offset=0):
    self._capture_raw_header = bytes(buf[offset:])
    return _orig_inbound_header(self, buf, offset)


amqp_ser.GenericContent.inbound_header = _capturing_inbound_header


def _walk_item(buf, off):
    """Return (type_tree, new_offset) for one field value starting at its type tag.

    type_tree is the tag for scalars, ["A", [items...]] for arrays, ["F", {k: tree}] for tables.
    """
    tag = chr(buf[off])
    off += 1
    fixed = {'b': 1, 'B': 1, 't': 1, 'U': 2, 'u': 2, 'I': 4, 'i': 4, 'f': 4,
             'L': 8, 'l': 8, 'd': 8, 'T': 8, 'D': 5, 'V': 0}
    if tag in fixed:
        return tag, off + fixed[tag]
    if tag in ('S', 'x'):
        n, = unpack_from('>I', buf, off)
        return tag, off + 4 + n
    if tag == 's':
        n, = unpack_from('>B', buf, off)
        return tag, off + 1 + n
    if tag == 'F':
        fields, off = _walk_table(buf, off)
        return ['F', fields], off
    if tag == 'A':
        n, = unpack_from('>I', buf, off)
        off += 4
        end = off + n
        items = []
        while off < end:
            t, off = _walk_item(buf, off)
            items.append(t)
        return ['A', items], off
    raise ValueError('unknown field type tag %r' % tag)


def _walk_table(buf, off):
    n, = unpack_from('>I', buf, off)
    off += 4
    end = off + n
    fields = {}
    while off < end:
        klen = buf[off]
        key = bytes(buf[off + 1:off + 1 + klen]).decode('utf-8')
        off += 1 + klen
        fields[key], off = _walk_item(buf, off)
    return fields, off


def raw_headers_table(raw_header):
    """Locate application_headers inside a raw content-header payload.

    Layout: class-id(2) weight(2) body-size(8) property-flags(2) then properties in flag order:
    content_type (shortstr), content_encoding (shortstr), headers (table), ...
    Returns the table bytes including the 4-byte length prefix, or None.
    """
    off = 12
    flags, = unpack_from('>H', raw_header, off)
    off += 2
    if flags & 0x8000:
        off += 1 + raw_header[off]
    if flags & 0x4000:
        off += 1 + raw_header[off]
    if not flags & 0x2000:
        return None
    n, = unpack_from('>I', raw_header, off)
    return raw_header[off:off + 4 + n]


def to_jsonable(v):
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {'$bytes_base64': base64.b64encode(bytes(v)).decode()}
    return v


PROP_ORDER = ['content_type', 'content_encoding', 'delivery_mode', 'priority',
              'correlation_id', 'reply_to', 'expiration']
PROP_EXTRA = ['message_id', 'timestamp', 'type', 'user_id', 'app_id', 'cluster_id']


def message_to_vector(msg, name, description):
    props = dict(msg.properties)
    headers = props.pop('application_headers', None)
    raw = msg._capture_raw_header
    table = raw_headers_table(raw)
    types_deep = _walk_table(table, 0)[0] if table is not None else {}
    flat_types = {k: (t if isinstance(t, str) else t[0]) for k, t in types_deep.items()}

    reencode_identical = None
    if table is not None:
        out = BytesIO()
        amqp_ser._write_table(headers, out.write, [])
        reencode_identical = out.getvalue() == table

    body_bytes = msg.body if isinstance(msg.body, bytes) else msg.body.encode('utf-8')
    try:
        body = json.loads(body_bytes.decode(props.get('content_encoding') or 'utf-8'))
    except ValueError:
        body = None

    properties = {k: props.get(k) for k in PROP_ORDER}  # null = property flag not set
    for k in PROP_EXTRA:
        if k in props:
            properties[k] = to_jsonable(props[k])
    di = msg.delivery_info or {}
    return {
        'name': name,
        'description': description,
        'celery_version': celery.__version__,
        'kombu_version': kombu.__version__,
        'amqp_version': amqp.__version__,
        'delivery_info': {'exchange': di.get('exchange'), 'routing_key': di.get('routing_key')},
        'properties': properties,
        'properties_present': [k for k in PROP_ORDER + PROP_EXTRA if k in props] +
                              (['application_headers'] if headers is not None else []),
        'headers': to_jsonable(headers) if headers is not None else None,
        'header_types': flat_types,
        'header_types_deep': types_deep,
        'headers_table_base64': base64.b64encode(table).decode() if table is not None else None,
        'headers_reencode_identical': reencode_identical,
        'content_header_base64': base64.b64encode(raw).decode(),
        'body_base64': base64.b64encode(body_bytes).decode(),
        'body': body,
    }


WRITTEN = []


def write_vector(vec):
    path = os.path.join(ARGS.out, vec['name'] + '.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(vec, f, indent=2, ensure_ascii=False)
        f.write('\n')
    WRITTEN.append(path)


# --------------------------------------------------------------------------------------------
# Raw py-amqp connection
# --------------------------------------------------------------------------------------------
def raw_connect(url):
    u = urlparse(url)
    vhost = unquote(u.path[1:]) if u.path and u.path != '/' else '/'
    conn = amqp.Connection(host='%s:%s' % (u.hostname or '127.0.0.1', u.port or 5672),
                           userid=unquote(u.username or 'guest'),
                           password=unquote(u.password or 'guest'),
                           virtual_host=vhost or '/', connect_timeout=5)
    conn.connect()
    return conn


def drain(ch, queue, n, timeout=8.0):
    """basic_get (with ack) until n messages were read or timeout."""
    out = []
    end = time.monotonic() + timeout
    while len(out) < n:
        m = ch.basic_get(queue=queue, no_ack=False)
        if m is None:
            if time.monotonic() > end:
                raise RuntimeError('timeout: got %d/%d messages from %s' % (len(out), n, queue))
            time.sleep(0.05)
            continue
        ch.basic_ack(m.delivery_tag)
        out.append(m)
    return out


# --------------------------------------------------------------------------------------------
# Part 1: task messages published by the Celery client (no worker involved)
# --------------------------------------------------------------------------------------------
def capture_task_vectors(ch):
    app = T.app
    # Route the "default" queue to our private queue so .delay() takes the genuine default-route
    # code path (exchange '' + routing_key = queue name) without touching the shared `celery` queue.
    app.conf.task_default_queue = TASK_Q
    add, echo, whoami, on_err = T.add, T.echo, T.whoami, T.on_err

    def one(name, description, fn, n=1):
        fn()
        msgs = drain(ch, TASK_Q, n)
        for i, m in enumerate(msgs):
            vname = name if n == 1 else '%s-%d' % (name, i)
            write_vector(message_to_vector(m, vname, description))
        log('captured', name, '(%d msg)' % n)

    one('task-v2-add-delay',
        "add.delay(2, 2) on the default route (app.conf.task_default_queue = temp queue)",
        lambda: add.delay(2, 2))
    one('task-v2-add-queue-option',
        "add.apply_async((2, 2), queue=<temp queue>) (explicit queue= route: no priority property)",
        lambda: add.apply_async((2, 2), queue=TASK_Q))
    one('task-v2-all-options',
        "add.apply_async((2, 3), countdown=10, expires=60, priority=5, time_limit=30, "
        "soft_time_limit=20, headers={'x-custom': 'v'}, shadow='alias-name', link=whoami.s(), "
        "link_error=on_err.s()) on the default route",
        lambda: add.apply_async((2, 3), countdown=10, expires=60, priority=5, time_limit=30,
                                soft_time_limit=20, headers={'x-custom': 'v'},
                                shadow='alias-name', link=whoami.s(), link_error=on_err.s()))
    one('task-v2-unicode-kwargs',
        "echo.apply_async(args=['héllo', '日本語', '🎉'], kwargs={'a': 1, 'b': [1.5, None, True], "
        "'ünï': {'x': 'y'}}) on the default route",
        lambda: echo.apply_async(args=['héllo', '日本語', '🎉'],
                                 kwargs={'a': 1, 'b': [1.5, None, True], 'ünï': {'x': 'y'}}))
    one('task-v2-chain',
        "(add.s(1, 2) | add.s(3) | add.s(4)).apply_async(queue=<temp queue>) - only the first "
        "task is published; the rest is in embed.chain, reversed",
        lambda: (add.s(1, 2) | add.s(3) | add.s(4)).apply_async(queue=TASK_Q))
    one('task-v2-group',
        "group(add.s(i, i) for i in range(3)).apply_async() on the default route - "
        "one message per member, suffix -<i> is publish order",
        lambda: group(add.s(i, i) for i in range(3)).apply_async(), n=3)
    one('task-v2-int-headers',
        "add.apply_async((2, 2), headers={'big': 2**40, 'neg': -5, 'small': 7}) on the default "
        "route - py-amqp writes |n| <= 2147483647 as 'I', larger as 'L' (signed int64)",
        lambda: add.apply_async((2, 2), headers={'big': 2 ** 40, 'neg': -5, 'small': 7}))
    one('task-v2-json-special-types',
        "echo.delay(datetime(2024,1,2,3,4,5,123456,tzinfo=timezone.utc), date(2024,1,2), "
        "Decimal('1.10'), uuid.UUID('12345678-1234-5678-1234-567812345678')) on the default route",
        lambda: echo.delay(dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.timezone.utc),
                           dt.date(2024, 1, 2), decimal.Decimal('1.10'),
                           uuid.UUID('12345678-1234-5678-1234-567812345678')))

    # Protocol v1: a second app with task_protocol=1 and the same task name.
    app1 = Celery('capture_tasks', broker=ARGS.broker, backend='rpc://')
    app1.conf.task_protocol = 1
    app1.conf.task_default_queue = TASK_Q

    @app1.task(name='capture_tasks.add')
    def add_v1(x, y):
        return x + y

    one('task-v1-add-delay',
        "add.delay(2, 2) with app.conf.task_protocol = 1 on the default route "
        "(no task headers, dict body)",
        lambda: add_v1.delay(2, 2))
    return [app, app1]


# --------------------------------------------------------------------------------------------
# Part 2: rpc:// result messages from a real worker
# --------------------------------------------------------------------------------------------
def start_worker(logfile):
    env = dict(os.environ)
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['PYTHONPATH'] = HERE + os.pathsep + env.get('PYTHONPATH', '')
    cmd = ['/usr/bin/python3', '-m', 'celery', '-A', 'capture_tasks', 'worker',
           '-P', 'solo', '-c', '1', '-Q', WORKER_Q, '-n', 'capture-%s@%%h' % RUN[:8],
           '--without-mingle', '--without-gossip', '--without-heartbeat', '-l', 'warning']
    return subprocess.Popen(cmd, cwd=HERE, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def stop_worker(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def capture_result_vectors(ch, worker_log_path):
    app = T.app
    opts = dict(queue=WORKER_Q, reply_to=REPLY_Q)
    sent = {
        'add': T.add.apply_async((2, 2), **opts).id,
        'fail': T.fail.apply_async(**opts).id,
        'custom_fail': T.custom_fail.apply_async(**opts).id,
        'unknown': app.send_task('capture.unknown.task', args=(1,), **opts).id,
        'flaky': T.flaky.apply_async(**opts).id,
    }
    log('sent result tasks to worker', sent)
    wanted = {
        ('add', 'STARTED'): ('result-started',
                             "STARTED reply (worker has task_track_started=True) for "
                             "add.apply_async((2, 2), queue=<worker q>, reply_to=<capture q>)"),
        ('add', 'SUCCESS'): ('result-success',
                             "SUCCESS reply for add.apply_async((2, 2), queue=<worker q>, "
                             "reply_to=<capture q>) -> 4"),
        ('fail', 'FAILURE'): ('result-failure-valueerror',
                              "FAILURE reply for task fail() which raises "
                              "ValueError('bad value', 42)"),
        ('custom_fail', 'FAILURE'): ('result-failure-custom',
                                     "FAILURE reply for task custom_fail() which raises "
                                     "capture_tasks.CustomError('boom')"),
        ('unknown', 'FAILURE'): ('result-failure-notregistered',
                                 "FAILURE reply for app.send_task('capture.unknown.task', "
                                 "args=(1,)) - task not registered in the worker"),
        ('flaky', 'RETRY'): ('result-retry',
                             "RETRY reply for task flaky() which calls "
                             "self.retry(countdown=1, exc=KeyError('k')) on its first run"),
    }
    by_id = {v: k for k, v in sent.items()}
    got = {}
    end = START + DEADLINE_S
    while len(got) < len(wanted):
        m = ch.basic_get(queue=REPLY_Q, no_ack=False)
        if m is None:
            if time.monotonic() > end:
                with open(worker_log_path) as f:
                    sys.stderr.write('--- worker log ---\n' + f.read())
                raise RuntimeError('timeout waiting for replies; missing: %s'
                                   % sorted(set(wanted) - set(got)))
            time.sleep(0.05)
            continue
        ch.basic_ack(m.delivery_tag)
        body = json.loads(m.body)
        key = (by_id.get(m.properties.get('correlation_id')), body.get('status'))
        if key in wanted and key not in got:
            got[key] = m
            name, desc = wanted[key]
            write_vector(message_to_vector(m, name, desc))
            log('captured', name)


# --------------------------------------------------------------------------------------------
def cleanup(ch, apps):
    queues = [TASK_Q, WORKER_Q, REPLY_Q] + [a.thread_oid for a in apps]
    for q in queues:
        try:
            ch.queue_delete(q)
        except Exception as e:  # channel closed by error: reopen and go on
            log('queue_delete %s failed: %r' % (q, e))
    for ex in (TASK_Q, WORKER_Q):
        try:
            ch.exchange_delete(ex)
        except Exception as e:
            log('exchange_delete %s failed: %r' % (ex, e))


def main():
    os.makedirs(ARGS.out, exist_ok=True)
    conn = raw_connect(ARGS.broker)
    ch = conn.channel()
    # Our reply queue: exclusive to this connection (vanishes with it). The worker queue is
    # pre-declared with the attributes Celery uses (durable, no args) so tasks can be sent
    # before the worker is up.
    ch.queue_declare(REPLY_Q, durable=False, exclusive=True, auto_delete=False)
    ch.queue_declare(WORKER_Q, durable=True, exclusive=False, auto_delete=False)
    worker = None
    apps = [T.app]
    worker_log = tempfile.NamedTemporaryFile('w+', prefix='capture-worker-', suffix='.log',
                                             delete=False)
    try:
        worker = start_worker(worker_log)  # starts while we capture the client-side vectors
        log('worker pid', worker.pid, 'queue', WORKER_Q)
        apps = capture_task_vectors(ch)
        capture_result_vectors(ch, worker_log.name)
    finally:
        stop_worker(worker)
        try:
            if not ch.is_open:
                ch = conn.channel()
            cleanup(ch, apps)
        finally:
            for a in apps:
                try:
                    a.close()
                except Exception:
                    pass
            conn.close()
            worker_log.close()
            os.unlink(worker_log.name)
    log('wrote %d vectors to %s' % (len(WRITTEN), os.path.relpath(ARGS.out, os.getcwd())))
    for p in WRITTEN:
        print('  ' + os.path.basename(p))


if __name__ == '__main__':
    main()
