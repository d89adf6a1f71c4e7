"""Prints the Celery and kombu versions this interpreter imports, as one JSON line."""
import json
import sys

import celery
import kombu

sys.stdout.write(json.dumps({'celery': celery.__version__, 'kombu': kombu.__version__}) + '\n')
