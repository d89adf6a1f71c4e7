"""Python side of test/celery-events.e2e-spec.ts: a Celery 5.2.6 event receiver feeding
`app.events.State()`, as `celery events` and Flower run it. Watches one node (argv[1]) and prints
a JSON snapshot line every 0.2 s: {"ready", "counts": {event type: n}, "worker": {...} | null,
"alive": [...], "tasks": {uuid: {...}}}.

Run: CELERY_BROKER_URL=... /usr/bin/python3 events_monitor.py <nodename>
Its app also serves the CLI: celery -A events_monitor control disable_events
"""
import json
import os
import sys
import threading
import time

from celery import Celery

app = Celery('events_monitor', broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'))

node = sys.argv[1] if __name__ == '__main__' else None
state = app.events.State()
lock = threading.Lock()
counts = {}
ready = threading.Event()


def on_event(event):
    with lock:
        state.event(event)
        if event.get('hostname') == node:
            counts[event['type']] = counts.get(event['type'], 0) + 1


def snapshot():
    worker = state.workers.get(node)
    return {
        'ready': ready.is_set(),
        'counts': dict(counts),
        'alive': sorted(w.hostname for w in state.alive_workers()),
        'worker': worker and {
            'alive': worker.alive,
            'sw_ident': worker.sw_ident,
            'sw_ver': worker.sw_ver,
            'sw_sys': worker.sw_sys,
            'freq': worker.freq,
            'active': worker.active,
            'processed': worker.processed,
            'loadavg': worker.loadavg,
            'pid': worker.pid,
            'clock': worker.clock,
            'heartbeats': len(worker.heartbeats),
        },
        'tasks': {
            uuid: {
                'state': task.state,
                'name': task.name,
                'args': task.args,
                'result': task.result,
                'exception': task.exception,
                'has_traceback': bool(task.traceback),
                'runtime': task.runtime,
                'received': task.received,
                'started': task.started,
                'worker': task.worker and task.worker.hostname,
            }
            for uuid, task in state.tasks.items()
            if task.worker is not None and task.worker.hostname == node
        },
    }


def printer():
    while True:
        with lock:
            line = json.dumps(snapshot())
        print(line, flush=True)
        time.sleep(0.2)


def main():
    with app.connection() as connection:
        receiver = app.events.Receiver(connection, handlers={'*': on_event})
        consume_ready = receiver.on_consume_ready

        def on_consume_ready(*args, **kwargs):
            consume_ready(*args, **kwargs)
            ready.set()

        receiver.on_consume_ready = on_consume_ready
        threading.Thread(target=printer, daemon=True).start()
        receiver.capture(limit=None, timeout=None, wakeup=True)


if __name__ == '__main__':
    main()
