"""Python Celery 5.2.6 worker with the service convention for service `pyrt` (see routing_app.py).

Start: CELERY_BROKER_URL=... /usr/bin/python3 -m celery -A routing_worker worker -Q pyrt.sync,pyrt.async
"""
from routing_app import convention_router, make_app

app = make_app(['pyrt'])
app.conf.task_routes = (convention_router('pyrt'),)


@app.task(name='pyrt.sync.add')
def add(x, y):
    return x + y


@app.task(name='pyrt.async.log', ignore_result=True)
def log(marker):
    print(f'pyrt.async.log got {marker}', flush=True)
