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
import binascii
import struct
from typing import Any

import orjson
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

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


class NoOriginalForm(ValueError):
    """A group of ours that the original format cannot carry."""


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
    message. NoOriginalForm for events without a typed payload, and for a payload whose bytes
    do not decode as its message (the native core keeps payloads unparsed, so a client can
    send any bytes there): the caller publishes those in ours."""
    ours = orjson.loads(envelope)
    header = {k: v for k, v in ours["header"].items() if k not in _HEADER_ADDITIONS}
    message = events_pb2.Events(header=json_format.ParseDict(header, events_pb2.Header()))
    for event in ours["events"]:
        field = _EVENT_FIELDS.get(event.get("payloadField", 0))
        if field is None or field.containing_oneof is None:
            raise NoOriginalForm("an event without a typed payload")
        out = message.events.add(
            id=event["id"], timestamp=str(event["timestamp"]), currentURL=event["currentURL"]
        )
        try:
            getattr(out, field.name).MergeFromString(base64.b64decode(event["payload"]))
        except DecodeError:
            raise NoOriginalForm(f"{field.name} bytes that do not decode") from None
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
        # A timestamp that is not a plain ASCII integer stays a string (the row builder refuses
        # that row): str.isdigit alone takes "²" and other digits int() does not.
        stamp = event.timestamp
        out["timestamp"] = int(stamp) if stamp.isascii() and stamp.isdigit() else stamp
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
    sinker stored it in `event_params` (the bytes stay in `payload`). A body without typed
    payloads, one that is not our envelope's shape, and a payload that does not decode come
    back as they are (the row builder refuses what it cannot read, and counts it)."""
    if b'"payloadField"' not in envelope:
        return envelope
    try:
        parsed = orjson.loads(envelope)
    except orjson.JSONDecodeError:
        return envelope
    for ours in parsed if isinstance(parsed, list) else [parsed]:
        events = ours.get("events") if isinstance(ours, dict) else None
        for event in events if isinstance(events, list) else ():
            if isinstance(event, dict) and not event.get("params"):
                params = _payload_params(event.get("payloadField"), event.get("payload"))
                if params is not None:
                    event["params"] = params
    return orjson.dumps(parsed)


def _payload_params(field: object, payload: object) -> str | None:
    payload_class = _PAYLOAD_CLASSES.get(field) if isinstance(field, int) else None
    if payload_class is None or not isinstance(payload, str):
        return None
    try:
        decoded = payload_class.FromString(base64.b64decode(payload, validate=True))
    except (DecodeError, binascii.Error, ValueError):
        return None
    return orjson.dumps(go_json(decoded)).decode()


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
