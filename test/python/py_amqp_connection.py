"""A py-amqp connection (Celery's own AMQP client, without kombu) to $CELERY_BROKER_URL, for
scripts that publish bytes exactly as py-amqp writes them."""
import os

import amqp


def connect() -> amqp.Connection:
    """amqp://user:password@host:port/vhost, as the e2e tests spell it; vhost '' or '/' is '/'."""
    credentials, location = os.environ['CELERY_BROKER_URL'].split('://', 1)[1].split('@', 1)
    user, password = credentials.split(':', 1)
    host, _, vhost = location.partition('/')
    return amqp.Connection(host=host, userid=user, password=password, virtual_host='/' if vhost in ('', '/') else vhost)
