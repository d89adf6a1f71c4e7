"""Python side of test/autoretry.e2e-spec.ts and test/rate-limits.e2e-spec.ts: one case per run,
input as JSON on argv[1], result as JSON on the last stdout line.
"""
import json
import sys
import time
import traceback

from ops_app import app


def states(p):
    """Sends a task and records every state message the caller receives (rpc://), as Celery's on_message gives them."""
    seen = []

    def on_message(body):
        result = body.get('result')
        exc = [result.get('exc_type'), result.get('exc_message')] if isinstance(result, dict) and 'exc_type' in result else None
        seen.append({'status': body['status'], 'exc': exc, 'at': time.monotonic()})

    started = time.monotonic()
    result = app.send_task(p['task'], p.get('args', []), queue=p['queue'])
    value = result.get(on_message=on_message, propagate=False, timeout=p.get('timeout', 30))
    for entry in seen:
        entry['at'] = round(entry['at'] - started, 3)
    final = {'state': result.state}
    if isinstance(value, Exception):
        final['error'] = [type(value).__name__, [str(a) for a in value.args]]
    else:
        final['value'] = value
    return {'id': result.id, 'seen': seen, 'final': final}


def control(p):
    """app.control.<method>(*args, reply=True)."""
    return getattr(app.control, p['method'])(*p.get('args', []), reply=True, timeout=p.get('timeout', 1.5), destination=p.get('destination'))


CASES = {f.__name__: f for f in (states, control)}

if __name__ == '__main__':
    params = json.loads(sys.argv[1])
    try:
        print(json.dumps({'ok': True, 'result': CASES[params['case']](params)}))
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({'ok': False, 'error': repr(exc), 'traceback': traceback.format_exc()}))
