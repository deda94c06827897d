"""The original service's message format on RabbitMQ (`EVENT_MESSAGE_FORMAT=original`).

The original producer published, per routing key of a batch, the protojson of
`Events{header, events}`: one batch per message, typed payloads as nested objects, int64 as
strings, field names as protojson writes them, no fields of ours. The original consumers parse
it with protojson, unknown fields refused, and their sinker stores a typed payload as Go's
`encoding/json` of the generated struct (proto field names, numbers as numbers, empty fields
left out) in `event_params`, with the oneof case's name as `event_name`.

`to_original` turns one group the native core prepared (our envelope JSON) into that message;
`to_envelope` turns such a message, from us or from an original producer, back into our
envelope so the native row builder reads both formats. protobuf's own `json_format` does the
protojson both ways (it is the reference implementation of the mapping); the cost is measured
by `python -m bench ingest` / `pipeline` (both formats).
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import orjson
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from coffee.events.proto import events_pb2

SCHEMA_VERSION = 1
_EVENT_FIELDS = events_pb2.Event.DESCRIPTOR.fields_by_number
_PAYLOAD_ONEOF = "payload"
_PAYLOAD_CLASSES = {
    field.number: message_factory.GetMessageClass(field.message_type)
    for field in events_pb2.Event.DESCRIPTOR.oneofs_by_name["payload"].fields
}
# Header fields of ours the original's Header lacks: never on the original wire.
_HEADER_ADDITIONS = ("sentAt",)


class NotOriginal(ValueError):
    """The body is not a message in the original format."""


def routing_key(case: str) -> str:
    """Go's name for a oneof case (`Event_<FieldName>`): the original's routing key."""
    return case[:1].upper() + case[1:]


def is_original(body: bytes) -> bool:
    """Our envelopes start `{"schema":` (the native core writes that key first) and coalesced
    ones are arrays: any other JSON object is taken for the original format."""
    head = body.lstrip()[:16]
    return head.startswith(b"{") and not head.startswith(b'{"schema"')


def to_original(envelope: bytes) -> bytes:
    """Our envelope (one routing key's events of one batch) as the original producer's
    message. Events without a typed payload cannot be said in the original format:
    ValueError (the caller publishes those in ours)."""
    ours = orjson.loads(envelope)
    header = {k: v for k, v in ours["header"].items() if k not in _HEADER_ADDITIONS}
    message = events_pb2.Events(header=json_format.ParseDict(header, events_pb2.Header()))
    for event in ours["events"]:
        field = _EVENT_FIELDS.get(event.get("payloadField", 0))
        if field is None or field.containing_oneof is None:
            raise ValueError("an event without a typed payload has no original form")
        out = message.events.add(
            id=event["id"], timestamp=str(event["timestamp"]), currentURL=event["currentURL"]
        )
        getattr(out, field.name).MergeFromString(base64.b64decode(event["payload"]))
    return orjson.dumps(json_format.MessageToDict(message))


def to_envelope(body: bytes) -> bytes:
    """An original-format message as our envelope: each typed payload decoded into `params`
    as the original sinker wrote `event_params`, `name` its routing key, and its bytes kept in
    `payload`. NotOriginal when protojson (unknown fields refused) does not take it."""
    try:
        message = json_format.Parse(body, events_pb2.Events(), ignore_unknown_fields=False)
    except (json_format.ParseError, UnicodeDecodeError, RecursionError) as exc:
        raise NotOriginal(str(exc)[:200]) from None
    events = []
    for event in message.events:
        out: dict[str, Any] = {"id": event.id, "currentURL": event.currentURL}
        # A timestamp that is not an integer stays a string: the row builder refuses that row.
        out["timestamp"] = int(event.timestamp) if event.timestamp.isdigit() else event.timestamp
        case = event.WhichOneof(_PAYLOAD_ONEOF)
        if case is not None:
            payload = getattr(event, case)
            out["name"] = routing_key(case)
            out["params"] = orjson.dumps(go_json(payload)).decode()
            out["payloadField"] = events_pb2.Event.DESCRIPTOR.fields_by_name[case].number
            out["payload"] = base64.b64encode(payload.SerializeToString()).decode()
        events.append(out)
    header = go_json(message.header)
    return orjson.dumps({"schema": SCHEMA_VERSION, "header": header, "events": events})


def with_payload_params(envelope: bytes) -> bytes:
    """Our envelope with each typed payload also decoded into `params`, as the original
    sinker stored it in `event_params` (the bytes stay in `payload`). Envelopes without typed
    payloads come back as they are; so does one the payload cannot be decoded from."""
    if b'"payloadField"' not in envelope:
        return envelope
    parsed = orjson.loads(envelope)
    for ours in parsed if isinstance(parsed, list) else [parsed]:
        for event in ours.get("events", ()):
            payload_class = _PAYLOAD_CLASSES.get(event.get("payloadField"))
            if payload_class is None or event.get("params"):
                continue
            try:
                payload = payload_class.FromString(base64.b64decode(event["payload"]))
            except Exception:  # DecodeError, bad base64: the row keeps its bytes only
                continue
            event["params"] = orjson.dumps(go_json(payload)).decode()
    return orjson.dumps(parsed)


def go_json(message: Message) -> dict[str, Any]:
    """The message as Go's `encoding/json` writes the protoc-gen-go struct: proto field names,
    fields at their zero value left out (`omitempty`), integers as numbers, float32 at its
    shortest round-tripping decimal, bytes as base64, maps as objects."""
    return {field.name: _go_value(field, value) for field, value in message.ListFields()}


def _go_value(field: FieldDescriptor, value: Any) -> Any:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value_field = field.message_type.fields_by_name["value"]
        return {str(k): _go_scalar(value_field, v) for k, v in sorted(value.items())}
    if field.is_repeated:
        return [_go_scalar(field, v) for v in value]
    return _go_scalar(field, value)


def _go_scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return go_json(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode()
    if field.type == FieldDescriptor.TYPE_FLOAT:
        return _float32(value)
    return value


def _float32(value: float) -> float:
    """Go writes a float32 with the fewest digits that read back as the same float32."""
    exact = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        short = float(f"{exact:.{digits}g}")
        if struct.unpack("f", struct.pack("f", short))[0] == exact:
            return short
    return exact
