"""Publishes messages with py-amqp exactly as given, whatever the size of their headers (amqplib
encodes at most 64 KB of headers; py-amqp writes up to the frame size). Input: {"queue",
"messages": [{"body": <utf-8 text>, "headers": {...}, "properties": {"content_type", ...}}]}, or
{"file": <path of a JSON file holding that>} (a command-line argument holds at most 128 KB).
Prints {"ok": true, "count": N} once every message is confirmed."""
import json
import sys

import amqp

from py_amqp_connection import connect

args = json.loads(sys.argv[1])
if 'file' in args:
    with open(args['file'], encoding='utf-8') as source:
        args = json.load(source)
with connect() as connection:
    channel = connection.channel()
    channel.confirm_select()
    for item in args['messages']:
        message = amqp.Message(body=item['body'], application_headers=item['headers'], **item['properties'])
        channel.basic_publish(message, exchange='', routing_key=args['queue'])
print(json.dumps({'ok': True, 'count': len(args['messages'])}))
