"""Publishes messages with py-amqp exactly as given, whatever the size of their headers (amqplib
encodes at most 64 KB of headers; py-amqp writes up to the frame size). Input: {"queue",
"messages": [{"body": <utf-8 text>, "headers": {...}, "properties": {"content_type", ...}}]}, or
{"file": <path of a JSON file holding that>} (a command-line argument holds at most 128 KB).
Prints {"ok": true, "count": N} once every message is confirmed."""
import json
import os
import sys

import amqp

args = json.loads(sys.argv[1])
if 'file' in args:
    with open(args['file'], encoding='utf-8') as source:
        args = json.load(source)
url = os.environ['CELERY_BROKER_URL']
credentials, location = url.split('://', 1)[1].split('@', 1)
user, password = credentials.split(':', 1)
host, _, vhost = location.partition('/')
vhost = '/' if vhost in ('', '/') else vhost
with amqp.Connection(host=host, userid=user, password=password, virtual_host=vhost) as connection:
    channel = connection.channel()
    channel.confirm_select()
    for item in args['messages']:
        message = amqp.Message(body=item['body'], application_headers=item['headers'], **item['properties'])
        channel.basic_publish(message, exchange='', routing_key=args['queue'])
print(json.dumps({'ok': True, 'count': len(args['messages'])}))
