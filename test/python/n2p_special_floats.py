"""Control for the Infinity/NaN test: a *Python* Celery 5.2.6 client calls pyinterop.special_floats
on the same Python worker and prints how it decoded the rpc reply (as JSON with string markers)."""
import json
import math
import sys

from pyworker_app import app

params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
result = app.send_task('pyinterop.special_floats', queue=params.get('queue', 'pyinterop')).get(timeout=10)


def mark(value):
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return repr(value)  # 'inf', '-inf', 'nan'
    return value


print(json.dumps({key: mark(value) for key, value in result.items()}))
