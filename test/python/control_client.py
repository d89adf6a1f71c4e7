"""Python side of test/control.e2e-spec.ts: one case per run, input as JSON on argv[1], result as
JSON on the last stdout line: {"ok": true, "result": ...} or {"ok": false, "error": ...}.
"""
import json
import sys
import time
import traceback

from control_app import app


def outcome(result, timeout=15):
    try:
        value = result.get(timeout=timeout)
        return {'state': result.state, 'value': value}
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return {'state': result.state, 'error': type(exc).__name__, 'args': [str(a) for a in exc.args]}


def revoke_then_send(p):
    """app.control.revoke(id), then send the task with that id: the worker must not run it."""
    app.control.revoke(p['id'])
    time.sleep(p.get('pause', 0.5))
    result = app.send_task(p['task'], p.get('args', []), task_id=p['id'], queue=p['queue'])
    return outcome(result)


def send(p):
    result = app.send_task(p['task'], p.get('args', []), task_id=p.get('id'), queue=p['queue'])
    return outcome(result)


def broadcast(p):
    """app.control.broadcast(<command>, reply=True): the raw replies, as Python collects them."""
    return app.control.broadcast(p['command'], arguments=p.get('arguments', {}), reply=True, timeout=p.get('timeout', 1.5))


def inspect(p):
    i = app.control.inspect(timeout=p.get('timeout', 1.5))
    return getattr(i, p['method'])(**p.get('kwargs', {}))


CASES = {f.__name__: f for f in (revoke_then_send, send, broadcast, inspect)}

if __name__ == '__main__':
    params = json.loads(sys.argv[1])
    try:
        print(json.dumps({'ok': True, 'result': CASES[params['case']](params)}))
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({'ok': False, 'error': repr(exc), 'traceback': traceback.format_exc()}))
