#!/usr/bin/python3
"""A downstream system's subscriber to FanPin's public events, written without MassTransit or .NET
(Debian's python3-pika). It binds one region prefix, waits until its standard input is closed, then prints
every message its queue holds as one JSON line, and "DONE".

usage: county_subscriber.py AMQP_URI BINDING_KEY       e.g. amqp://guest:guest@127.0.0.1:5672/%2F 'warning.*.62.01.02.#'
"""
import json
import sys

import pika

EXCHANGE = "fanpin.events"


def main():
    uri, binding = sys.argv[1], sys.argv[2]
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    # Declaring is idempotent and matches FanPin's own declaration (durable topic).
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic", durable=True)
    # A real subscriber names a durable queue so that nothing is missed while it is offline; the test's is exclusive.
    queue = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.queue_bind(exchange=EXCHANGE, queue=queue, routing_key=binding)
    print("READY", flush=True)

    sys.stdin.read()

    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            break
        print(json.dumps({
            "routingKey": method.routing_key,
            "contentType": properties.content_type,
            "messageId": properties.message_id,
            "type": properties.type,
            "persistent": properties.delivery_mode == 2,
            "body": json.loads(body.decode("utf-8")),
        }), flush=True)
    print("DONE", flush=True)
    connection.close()


if __name__ == "__main__":
    main()
