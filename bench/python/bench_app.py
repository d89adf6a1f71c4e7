"""Python Celery side of `npm run bench` (bench/systems/python-celery.ts).

The worker: /usr/bin/python3 -m celery -A bench_app worker -P solo -Q <queue> ...
It speaks the bench control protocol (bench/lib/protocol.ts): JSON commands on stdin, answers and
events as `@@bench {json}` lines on stdout; it counts handled tasks and reports `done`.
"""
import json
import os
import resource
import sys
import threading
import time

from celery import Celery
from celery.signals import worker_ready

PREFIX = '@@bench '
QUEUE = os.environ.get('BENCH_QUEUE', 'bench')


def make_app(name):
    app = Celery(name, broker=os.environ.get('BENCH_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'), backend=os.environ.get('BENCH_RESULT_BACKEND', 'rpc://'))
    app.conf.update(
        task_default_queue=QUEUE,
        task_default_delivery_mode='persistent' if os.environ.get('BENCH_PERSISTENT') == '1' else 'transient',
        worker_prefetch_multiplier=int(os.environ.get('BENCH_PREFETCH', '100')),
        task_acks_late=True,
        accept_content=['json'],
        task_serializer='json',
        result_serializer='json',
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


_out_lock = threading.Lock()


def emit(payload):
    line = PREFIX + json.dumps(payload) + '\n'
    with _out_lock:
        sys.__stdout__.write(line)
        sys.__stdout__.flush()


def cpu_us():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1e6)


def order_total(order):
    cents = 0
    for line in order['lines']:
        cents += int(line['qty'] * line['price'] * 100 + 0.5)
    return cents / 100


app = make_app('bench_app')
_state = {'count': 0, 'target': -1}


def handled():
    # -P solo: tasks run one at a time on the main thread
    _state['count'] += 1
    if _state['count'] == _state['target']:
        emit({'event': 'done', 'count': _state['count'], 't': time.time() * 1000})


@app.task(name='bench.order')
def order(payload):
    handled()


@app.task(name='bench.rpc')
def rpc(payload):
    handled()
    return {'id': payload['id'], 'total': order_total(payload)}


def _control_loop():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command = json.loads(line)
        except ValueError:
            continue
        cid, cmd = command.get('id'), command.get('cmd')
        if cmd == 'expect':
            _state['count'] = 0
            _state['target'] = int(command['n'])
            emit({'id': cid, 'ok': True})
        elif cmd == 'stats':
            emit({'id': cid, 'ok': True, 'count': _state['count'], 'cpuUs': cpu_us()})
        elif cmd == 'exit':
            emit({'id': cid, 'ok': True})
            break
        else:
            emit({'id': cid, 'ok': False, 'error': 'unsupported command %s' % cmd})
    # stdin closed or exit: warm shutdown
    os.kill(os.getpid(), 15)


@worker_ready.connect
def _on_ready(**_kwargs):
    threading.Thread(target=_control_loop, name='bench-control', daemon=True).start()
    import celery
    emit({'event': 'ready', 'pid': os.getpid(), 'celery': celery.__version__})
