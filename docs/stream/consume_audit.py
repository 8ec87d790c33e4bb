#!/usr/bin/env python3
"""Example consumer of Quiver's public audit stream, written from docs/stream/asyncapi.yaml.

It takes what it needs from the AsyncAPI document: the channel's Kafka topic, the message's
payload schema (a JSON Schema, draft 2020-12, in schemas/) and the content-type header of
CloudEvents' structured mode. It reads the topic from the beginning (a fresh consumer group that
commits nothing, unless --group is given), validates every record and prints one line per event:

    <seq> <time> <type> actor=<actor> outcome=<outcome> [subject=<project>] id=<id>

Exit codes: 0 when --max-events events were read (or, without --max-events, when the topic stayed
idle for --idle-timeout seconds); 1 on the first invalid record (named on stderr); 2 when
--timeout passed before --max-events events arrived; 3 on a Kafka error.

Needs: confluent-kafka, jsonschema, PyYAML (pip install confluent-kafka jsonschema PyYAML).

Example:
    python consume_audit.py --bootstrap-servers kafka-1:9092 --max-events 100
    python consume_audit.py --bootstrap-servers kafka-1:9092 -X security.protocol=SASL_SSL \\
        -X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=siem -X sasl.password=...
"""

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

import jsonschema
import yaml
from confluent_kafka import Consumer, KafkaError, KafkaException

HERE = Path(__file__).resolve().parent


def resolve_pointer(document, ref):
    """Follows a local '#/a/b' reference inside the AsyncAPI document."""
    node = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(document, node):
    while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#/"):
        node = resolve_pointer(document, node["$ref"])
    return node


def contract_from_asyncapi(path):
    """Topic, payload JSON Schema and expected content-type header of the audit channel."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not str(document.get("asyncapi", "")).startswith("3."):
        raise SystemExit(f"{path}: not an AsyncAPI 3 document")
    operation = next(op for op in document["operations"].values() if op["action"] == "receive")
    channel = deref(document, operation["channel"])
    message = deref(document, operation["messages"][0])
    payload = message["payload"]
    schema_ref = payload["schema"]["$ref"]
    schema = json.loads((path.parent / schema_ref).read_text(encoding="utf-8"))
    header = deref(document, message["headers"])["properties"]["content-type"]["const"]
    return channel["address"], schema, header


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Read and validate Quiver's audit stream (CloudEvents over Kafka).")
    parser.add_argument("--bootstrap-servers", required=True, help="host:port[,host:port...]")
    parser.add_argument("--asyncapi", type=Path, default=HERE / "asyncapi.yaml", help="the AsyncAPI document (default: next to this script)")
    parser.add_argument("--topic", help="override the channel address from the AsyncAPI document")
    parser.add_argument("--group", help="consumer group; its committed offsets resume where it stopped (default: a fresh group from the beginning, committing nothing)")
    parser.add_argument("--max-events", type=int, help="stop after this many events")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds without --max-events events (default 60)")
    parser.add_argument("--idle-timeout", type=float, default=10.0, help="without --max-events: stop after this many seconds without a record (default 10)")
    parser.add_argument("-X", dest="config", action="append", default=[], metavar="KEY=VALUE", help="extra librdkafka setting (security.protocol, sasl.*, ssl.*), repeatable")
    return parser.parse_args(argv)


def describe(event):
    data = event["data"]
    subject = f" subject={event['subject']}" if "subject" in event else ""
    return f"{data['seq']} {event['time']} {event['type']} actor={data['actor']} outcome={data['outcome']}{subject} id={event['id']}"


def check_record(record, validator, content_type):
    """The event of a valid record, or raises ValueError saying what is wrong."""
    headers = {name: (value or b"").decode("utf-8") for name, value in (record.headers() or [])}
    if headers.get("content-type") != content_type:
        raise ValueError(f"content-type header is {headers.get('content-type')!r}, not {content_type!r} (structured mode)")
    try:
        event = json.loads(record.value())
    except (TypeError, ValueError) as error:
        raise ValueError(f"value is not JSON: {error}") from None
    errors = sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(event)"
        raise ValueError(f"{where}: {errors[0].message}")
    if event["type"] != "dev.quiver.audit." + event["data"]["action"]:
        raise ValueError(f"type {event['type']!r} does not match data.action {event['data']['action']!r}")
    return event


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    topic, schema, content_type = contract_from_asyncapi(args.asyncapi)
    topic = args.topic or topic
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    config = {
        "bootstrap.servers": args.bootstrap_servers,
        "group.id": args.group or f"quiver-audit-example-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": bool(args.group),
    }
    for setting in args.config:
        key, _, value = setting.partition("=")
        config[key] = value
    consumer = Consumer(config)
    consumer.subscribe([topic])

    seen = 0
    started = time.monotonic()
    last_record = started
    try:
        while True:
            now = time.monotonic()
            if args.max_events is not None and seen >= args.max_events:
                return 0
            if args.max_events is not None and now - started > args.timeout:
                print(f"timed out after {args.timeout:g} s with {seen} of {args.max_events} events", file=sys.stderr)
                return 2
            if args.max_events is None and now - last_record > args.idle_timeout:
                return 0
            record = consumer.poll(0.5)
            if record is None:
                continue
            if record.error():
                if record.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(record.error())
            last_record = time.monotonic()
            where = f"{record.topic()}[{record.partition()}]@{record.offset()}"
            try:
                event = check_record(record, validator, content_type)
            except ValueError as problem:
                print(f"invalid record {where}: {problem}", file=sys.stderr)
                return 1
            print(describe(event), flush=True)
            seen += 1
    except KafkaException as error:
        print(f"kafka error: {error}", file=sys.stderr)
        return 3
    finally:
        consumer.close()


if __name__ == "__main__":
    sys.exit(main())
