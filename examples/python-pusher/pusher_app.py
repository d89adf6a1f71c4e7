"""pusher: a small Python Celery 5.2 service standing in for the seeds' S3 pusher.

It implements two versions of one task side by side, on queue ``pusher``, JSON only:

- ``pusher.send_to_s3(key, content)``: v1, stores ``content`` (text) under ``key``.
- ``pusher.send_to_s3_v2(key, content, content_type)``: v2, also records the content type.

A local folder (``PUSHER_BUCKET_DIR``, default ``./bucket``) stands in for the bucket: the object
``key`` is the file ``<bucket>/<key>``; v2 writes its metadata next to it in ``<key>.metadata.json``.

Run it (see README.md)::

    CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// PUSHER_BUCKET_DIR=/tmp/bucket \\
        /usr/bin/python3 -m celery -A pusher_app worker -Q pusher
"""
import hashlib
import json
import os
import tempfile
from pathlib import Path, PurePosixPath

from celery import Celery

app = Celery(
    'pusher_app',
    broker=os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//'),
    backend='rpc://',
)
app.conf.update(
    task_default_queue='pusher',
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    enable_utc=True,
    # A message is acknowledged after the object is written: a killed pusher gets it again.
    task_acks_late=True,
    worker_prefetch_multiplier=1,
)

#: Objects larger than this are refused (a stand-in for the bucket's own limit).
MAX_BYTES = int(os.environ.get('PUSHER_MAX_BYTES', str(5 * 1024 * 1024)))


def bucket_dir() -> Path:
    """The folder standing in for the bucket (created on first write)."""
    return Path(os.environ.get('PUSHER_BUCKET_DIR', 'bucket')).resolve()


def object_path(key) -> Path:
    """Maps an object key to its file, refusing keys that would leave the bucket."""
    if not isinstance(key, str) or not key or key.startswith('/') or '\\' in key:
        raise ValueError(f'key must be a relative path like "invoices/42.json", got {key!r}')
    parts = PurePosixPath(key).parts
    if any(part in ('', '.', '..') for part in parts):
        raise ValueError(f'key must not contain "." or ".." segments, got {key!r}')
    return bucket_dir().joinpath(*parts)


def write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` via a temporary file and a rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def put_object(key, content, content_type=None) -> dict:
    """Stores one object; returns what S3's put_object would tell (key, size, etag)."""
    if not isinstance(content, str):
        raise TypeError(f'content must be a string, got {type(content).__name__}')
    data = content.encode('utf-8')
    if len(data) > MAX_BYTES:
        raise ValueError(f'object {key!r} is {len(data)} bytes, more than PUSHER_MAX_BYTES={MAX_BYTES}')
    path = object_path(key)
    write_atomically(path, data)
    etag = hashlib.md5(data).hexdigest()
    result = {'key': key, 'bytes': len(data), 'etag': etag}
    if content_type is not None:
        meta = {'key': key, 'content_type': content_type, 'bytes': len(data), 'etag': etag}
        write_atomically(path.with_name(path.name + '.metadata.json'), json.dumps(meta).encode('utf-8'))
        result['content_type'] = content_type
    return result


@app.task(name='pusher.send_to_s3')
def send_to_s3(key, content):
    """v1: stores ``content`` under ``key``."""
    return put_object(key, content)


@app.task(name='pusher.send_to_s3_v2')
def send_to_s3_v2(key, content, content_type):
    """v2: stores ``content`` under ``key`` with its content type (e.g. ``application/json``)."""
    if not isinstance(content_type, str) or '/' not in content_type:
        raise ValueError(f'content_type must be a MIME type like "application/json", got {content_type!r}')
    return put_object(key, content, content_type)
