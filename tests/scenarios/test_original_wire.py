"""Issue 18 item 2: events on the original's wire, checked with independent implementations.

The original interface is re-declared on its own in tests/data/original_eventservice.proto
(none of our additions) and compiled here with protoc; protobuf's `json_format` with unknown
fields refused stands for the original consumers' protojson. Requests are built with those
declarations, as the original clients build them, never with ours.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

import aio_pika
import grpc
import numpy
import orjson
import pytest
from coffee._native import EventRules
from coffee.events import original_wire
from coffee.events.intake import in_original_format
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import require_port
from tests.support.consumers_harness import wait_for
from tests.support.events_harness import AMQP, BoundQueue, ServerThread, settings_for, unique

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = int(time.time() * 1000)


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The original declarations, compiled by protoc into a module of their own."""
    out = tmp_path_factory.mktemp("original_proto")
    subprocess.run(
        [
            sys.executable, "-m", "grpc_tools.protoc", f"-I{DATA}", f"--python_out={out}",
            str(DATA / "original_eventservice.proto"),
        ],
        check=True,
    )  # fmt: skip
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("original_eventservice_pb2")
    finally:
        sys.path.remove(str(out))


def payload_cases(original) -> list[FieldDescriptor]:
    return list(original.Event.DESCRIPTOR.oneofs_by_name["EventOf"].fields)


def filled(message):
    """Every field of `message` set to a value that is not its default, nested ones too."""
    for field in message.DESCRIPTOR.fields:
        n = field.number
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            getattr(message, field.name).update({f"k{n}": f"v{n}", "ü": "ß"})
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            filled(getattr(message, field.name))
        elif field.is_repeated:
            getattr(message, field.name).extend(_value(field, n) for _ in range(2))
        else:
            setattr(message, field.name, _value(field, n))
    return message


def _value(field: FieldDescriptor, n: int):
    if field.type == FieldDescriptor.TYPE_STRING:
        return f's{n} "q" é'
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type == FieldDescriptor.TYPE_FLOAT:
        return 0.1 * n
    if field.type == FieldDescriptor.TYPE_INT64:
        return -(2**53) - n  # past a double's integers: protojson must keep it a string
    return n  # int32


def original_batch(original, prefix: str = "e"):
    """A batch with a typed payload of every kind, every field set, the header too."""
    batch = original.Events(header=filled(original.Header()))
    for case in payload_cases(original):
        event = batch.events.add(id=f"{prefix}-{case.name}", timestamp=str(NOW), currentURL="/u")
        filled(getattr(event, case.name))
    return batch


def test_every_kind_parses_with_the_original_declarations_unknown_fields_refused(original):
    batch = original_batch(original)
    prepared = EventRules(60_000, 60_000, 1000).prepare(batch.SerializeToString(), NOW)
    assert prepared.accepted == 56 and not prepared.rejected
    groups = in_original_format(prepared.groups)
    keys = {key for key, _, _ in groups}
    # the routing key is Go's name for the oneof case: `Event_<FieldName>`
    assert keys == {case.name[0].upper() + case.name[1:] for case in payload_cases(original)}
    assert {"OtpVerifiedEvent", "PdpTagClickEvent", "PdpActionEvent"} <= keys
    by_id = {event.id: event for event in batch.events}
    for key, body, count in groups:
        parsed = json_format.Parse(body, original.Events(), ignore_unknown_fields=False)
        assert count == len(parsed.events) == 1
        assert parsed.header == batch.header
        [event] = parsed.events
        assert event == by_id[event.id]
        assert event.WhichOneof("EventOf")[0].upper() + event.WhichOneof("EventOf")[1:] == key
        # int64 as protojson writes them: strings
        assert isinstance(orjson.loads(body)["header"]["bbDeviceId"], str)


def test_a_future_timestamp_is_clamped_in_the_original_format_too(original):
    batch = original.Events(header=original.Header(deviceId="d", bbDeviceId=1))
    event = batch.events.add(id="f", timestamp=str(NOW + 3_600_000))
    event.launchEvent.dynamicLink = "x"
    prepared = EventRules(60_000, 60_000, 1000).prepare(batch.SerializeToString(), NOW)
    [(_, body, _)] = in_original_format(prepared.groups)
    parsed = json_format.Parse(body, original.Events(), ignore_unknown_fields=False)
    assert parsed.events[0].timestamp == str(NOW)


def go_struct_json(message) -> dict:
    """Go's encoding/json of a protoc-gen-go struct, written here from Go's rules and not from
    coffee.events.original_wire: json tags are the proto field names with omitempty; int64 are
    numbers; float32 print at their shortest; maps are objects."""
    out = {}
    for field, value in message.ListFields():
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            out[field.name] = dict(value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            out[field.name] = go_struct_json(value)
        elif field.is_repeated:
            out[field.name] = list(value)
        elif field.type == FieldDescriptor.TYPE_FLOAT:
            out[field.name] = float(str(numpy.float32(value)))  # numpy: shortest, as Go
        else:
            out[field.name] = value
    return out


def test_original_messages_become_our_envelopes_with_the_sinkers_event_params(original):
    batch = original_batch(original, "o")
    for event in batch.events:
        one = original.Events(header=batch.header, events=[event])
        body = json_format.MessageToJson(one).encode()  # what the original producer sent
        assert original_wire.is_original(body)
        envelope = orjson.loads(original_wire.to_envelope(body))
        [row] = envelope["events"]
        case = event.WhichOneof("EventOf")
        assert row["name"] == case[0].upper() + case[1:]
        assert orjson.loads(row["params"]) == go_struct_json(getattr(event, case))
        payload = getattr(event, case)
        assert type(payload).FromString(base64.b64decode(row["payload"])) == payload
        assert row["timestamp"] == NOW and row["id"] == event.id
        assert envelope["header"]["bbDeviceId"] == batch.header.bbDeviceId  # a number again


@pytest.mark.parametrize(
    "body",
    [
        b'{"header": {}, "events": [{"id": "x", "unknownField": 1}]}',
        b'{"header": {"bbDeviceId": "not a number"}}',
        b'{"events": [' * 5000,
        b"{\xff}",
        b'{"header": {}, "events": [{"launchEvent": {"appLaunchCount": 1.5}}]}',
    ],
)
def test_what_protojson_refuses_is_not_original(body):
    with pytest.raises(original_wire.NotOriginal):
        original_wire.to_envelope(body)


def with_generic_event(batch) -> bytes:
    """The batch's bytes plus one event of ours (generic name/params, fields 7 and 8), appended
    as protobuf concatenates repeated fields (Events.events is field 5)."""
    generic = b"\x22\x09r-generic\x2a" + bytes([len(str(NOW))]) + str(NOW).encode()
    generic += b"\x3a\x05click\x42\x02{}"
    return batch.SerializeToString() + b"\x2a" + bytes([len(generic)]) + generic


def test_the_original_format_on_real_rabbitmq(original, tmp_path):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    exchange = unique("coffee_test_original_format")
    settings = settings_for(exchange, str(tmp_path), event_message_format="original")
    batch = original_batch(original, "r")
    with BoundQueue(exchange) as queue, ServerThread(settings) as srv:
        # raw bytes on the wire, as an original client sends them: none of our stubs involved
        channel = grpc.insecure_channel(f"127.0.0.1:{srv.port}")
        dispatch = channel.unary_unary("/event.EventService/dispatch")
        answer = original.Response.FromString(dispatch(with_generic_event(batch), timeout=10))
        assert answer.status == "SUCCESS"
        messages: list = []
        assert wait_for(lambda: len(messages.extend(queue.messages()) or messages) >= 57, 20)
    typed = [m for m in messages if m.routing_key != "GenericEvent"]
    assert len(typed) == 56
    for message in typed:
        parsed = json_format.Parse(message.body, original.Events(), ignore_unknown_fields=False)
        assert len(parsed.events) == 1 and parsed.header == batch.header
    [ours] = [m for m in messages if m.routing_key == "GenericEvent"]
    assert orjson.loads(ours.body)["schema"] == 1  # no original form: published in ours


async def _publish_original(exchange: str, messages: list[tuple[str, bytes]]) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange)
        for key, body in messages:
            # as the original producer: content type JSON, transient, no headers, no id
            await target.publish(
                aio_pika.Message(body, content_type="application/json", delivery_mode=1), key
            )


def test_the_original_producers_messages_become_rows_in_our_consumers(
    original, tmp_path, clickhouse
):
    from tests.scenarios.test_consumers import count, running_stack

    batch = original_batch(original, "p")
    messages = []
    for event in batch.events:
        one = original.Events(header=batch.header, events=[event])
        case = event.WhichOneof("EventOf")
        messages.append((case[0].upper() + case[1:], json_format.MessageToJson(one).encode()))
    with running_stack(tmp_path, clickhouse) as (consumers, _events, ch, db_events, db_logs):
        exchange = consumers.settings.name_prefix + "grpc_event.tx"
        asyncio.run(_publish_original(exchange, messages))
        assert wait_for(lambda: count(ch, db_events, "events") == 56), count(
            ch, db_events, "events"
        )
        assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 1)
        columns = "event_id, event_name, event_params, bb_device_id"
        rows = asyncio.run(ch.query(f"SELECT {columns} FROM `{db_events}`.`events`"))
    by_id = {event.id: event for event in batch.events}
    assert len(rows) == 56
    for event_id, name, params, device in rows:
        event = by_id[event_id]
        case = event.WhichOneof("EventOf")
        assert name == case[0].upper() + case[1:]
        assert orjson.loads(params).keys() == go_struct_json(getattr(event, case)).keys()
        assert int(device) == batch.header.bbDeviceId


def test_typed_payloads_of_our_format_are_stored_as_the_original_sinker_did(
    original, tmp_path, clickhouse
):
    from tests.scenarios.test_consumers import count, running_stack

    batch = original_batch(original, "c")
    with running_stack(tmp_path, clickhouse) as (_consumers, events, ch, db_events, _db_logs):
        channel = grpc.insecure_channel(f"127.0.0.1:{events.port}")
        dispatch = channel.unary_unary("/event.EventService/dispatch")
        assert original.Response.FromString(dispatch(batch.SerializeToString(), timeout=10)).status
        assert wait_for(lambda: count(ch, db_events, "events") == 56), count(
            ch, db_events, "events"
        )
        columns = "event_id, event_name, event_params"
        rows = asyncio.run(ch.query(f"SELECT {columns} FROM `{db_events}`.`events`"))
    by_id = {event.id: event for event in batch.events}
    for event_id, name, params in rows:
        case = by_id[event_id].WhichOneof("EventOf")
        assert name == case[0].upper() + case[1:]
        assert orjson.loads(params) == go_struct_json(getattr(by_id[event_id], case))


# -- the hostile families: any bytes a producer or client can put there ------------------------
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=12,
)


def _json(value) -> bytes:
    """The stdlib's JSON: big integers and NaN are written too (a hostile publisher may)."""
    return json.dumps(value).encode()


_KEYS = st.sampled_from(
    ["schema", "header", "events", "id", "timestamp", "payloadField", "payload", "params",
     "launchEvent", "bbDeviceId", "name", "²", "١٢"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.dictionaries(_KEYS, _JSONISH, max_size=5).map(_json),
        st.lists(st.dictionaries(_KEYS, _JSONISH, max_size=4), max_size=3).map(_json),
    )
)
def test_any_message_body_is_read_or_passed_on_never_raised(body):
    """Whatever a publisher puts on the queue, the consumers' reading never raises: it is
    our envelope, or passed on for the row builder to refuse and count."""
    from coffee.events.consumers.sinkers import envelope_of

    assert isinstance(envelope_of(body), bytes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.integers(9, 64), payload=st.binary(max_size=40))
def test_any_payload_bytes_of_any_kind_are_published_never_raised(original, field, payload):
    """The core keeps payloads unparsed: bytes that do not decode as their message stay in our
    format (counted), the rest go out in the original's; every event is published."""
    # Event: id (4) "e", timestamp (5), the payload field; Events: header (4) with deviceId
    # (8) "d", then the event (5); written by hand, as any client's encoder would.
    stamp = str(NOW).encode()
    event = b"\x22\x01e\x2a" + bytes([len(stamp)]) + stamp
    event += _field_tag(field) + bytes([len(payload)]) + payload
    request = b"\x22\x03\x42\x01d\x2a" + bytes([len(event)]) + event
    prepared = EventRules(60_000, 60_000, 1000).prepare(request, NOW)
    groups = in_original_format(prepared.groups)
    assert sum(count for _, _, count in groups) == prepared.accepted
    for _, body, _ in groups:
        if body.startswith(b'{"schema"'):
            continue  # kept in ours
        json_format.Parse(body, original.Events(), ignore_unknown_fields=False)


def _field_tag(field: int) -> bytes:
    """The varint tag of a length-delimited field."""
    tag, out = field << 3 | 2, b""
    while tag > 0x7F:
        out += bytes([tag & 0x7F | 0x80])
        tag >>= 7
    return out + bytes([tag])
