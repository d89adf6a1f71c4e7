"""Publishes one task message whose headers nest a table `depth` levels deep (py-amqp writes it;
RabbitMQ routes it). Input: {"queue", "depth", "message_id", "kind": "table" | "array"}.
Prints {"ok": true, "bytes": <size of the nested levels>}."""
import json
import sys

import amqp

from py_amqp_connection import connect

sys.setrecursionlimit(1_000_000)
args = json.loads(sys.argv[1])
depth = args['depth']
nested = None
for _ in range(depth):
    nested = [nested] if args.get('kind') == 'array' else {'n': nested}
with connect() as connection:
    channel = connection.channel()
    channel.confirm_select()
    headers = {'lang': 'py', 'task': 'interop.add', 'id': args['message_id'], 'deep': nested}
    message = amqp.Message(
        body=json.dumps([[1, 2], {}, {'callbacks': None, 'errbacks': None, 'chain': None, 'chord': None}]),
        content_type='application/json', content_encoding='utf-8',
        application_headers=headers, message_id=args['message_id'],
    )
    channel.basic_publish(message, exchange='', routing_key=args['queue'])
# each level: a key 'n' (2 bytes), tag and length (5) for a table; tag and length (5) for an array
print(json.dumps({'ok': True, 'bytes': (5 if args.get('kind') == 'array' else 7) * depth}))
