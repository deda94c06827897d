"""The native batch rules through their Python face: what is accepted, refused, corrected,
and how accepted events are grouped and encoded for RabbitMQ."""

from __future__ import annotations

import base64
import json

import pytest
from coffee._native import EventRules
from coffee.events.proto import events_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = 1_700_000_000_000
HEADER = events_pb2.Header(bbDeviceId=42, deviceId="dev-1", userId=7, clientId="app")


def batch(*events: events_pb2.Event, header: events_pb2.Header | None = HEADER) -> bytes:
    message = events_pb2.Events(events=list(events))
    if header is not None:
        message.header.CopyFrom(header)
    return message.SerializeToString()


def generic(
    event_id: str, timestamp: str, name: str = "click", params: str = ""
) -> events_pb2.Event:
    return events_pb2.Event(id=event_id, timestamp=timestamp, name=name, params=params)


def bodies(prepared) -> dict[str, dict]:
    return {key: json.loads(body) for key, body, _ in prepared.groups}


def test_valid_events_are_grouped_by_payload_type():
    launch = events_pb2.Event(
        id="l1", timestamp=str(NOW), launchEvent=events_pb2.LaunchEvent.FromString(b"\x0a\x03abc")
    )
    prepared = EventRules().prepare(batch(generic("g1", str(NOW)), launch), NOW)
    assert (prepared.accepted, prepared.rejected, prepared.corrected) == (2, [], 0)
    messages = bodies(prepared)
    assert set(messages) == {"GenericEvent", "LaunchEvent"}
    assert messages["LaunchEvent"]["schema"] == 1
    assert messages["LaunchEvent"]["header"]["bbDeviceId"] == 42
    [event] = messages["LaunchEvent"]["events"]
    assert event["payloadField"] == 9 and base64.b64decode(event["payload"]) == b"\x0a\x03abc"
    assert messages["GenericEvent"]["events"][0]["name"] == "click"


# The original eventservice.proto's oneof: payload field number -> the routing key the original
# producer used (Go's oneof case type `Event_<FieldName>`, so `otpVerifiedEvent` of message
# OTPVerifiedEvent routes as OtpVerifiedEvent) and the original consumers' queues are bound on.
ORIGINAL_PAYLOAD_TYPES = {
    9: "LaunchEvent",
    10: "PageOpenedEvent",
    11: "PageLoadedEvent",
    12: "PageLoadFailedEvent",
    13: "WidgetViewEvent",
    14: "WidgetCtaClickedEvent",
    15: "WidgetElementViewEvent",
    16: "WidgetElementClickedEvent",
    17: "EnterPWAProductPageEvent",
    18: "StreamEnterEvent",
    19: "ChooseProductEvent",
    20: "PhoneVerificationInitiateEvent",
    21: "PhoneNumberEntered",
    22: "OtpVerifiedEvent",
    23: "AddToCartEvent",
    24: "GoToPaymentsEvent",
    25: "InitiatePurchaseEvent",
    26: "CompletePurchaseEvent",
    27: "SocialStreamEnterEvent",
    28: "SocialStreamActionEvent",
    29: "EnterProductEvent",
    30: "LaunchReferEvent",
    31: "PurchaseFailedEvent",
    32: "InitiateSearchEvent",
    33: "CompleteSearchEvent",
    34: "SearchRequestComplete",
    35: "HighlightScreenEnterEvent",
    36: "HighlightScreenLoadedEvent",
    37: "HighlightScreenErrorEvent",
    38: "HighlightScreenActionEvent",
    39: "InitiateReview",
    40: "EnterReviewScreen",
    41: "InitiateReviewMediaUpload",
    42: "SubmitReview",
    43: "EditReview",
    44: "ViewAllReviews",
    45: "ExpandReviewImage",
    46: "NudgeForReview",
    47: "SessionIdChangeEvent",
    48: "CheckDeliveryInfoEvent",
    49: "PdpTagClickEvent",
    50: "ActionBarBagCLickEvent",
    51: "PdpActionEvent",
    52: "ProfileActionEvent",
    53: "BadgeClickEvent",
    54: "HashTagClickEvent",
    55: "WhatsAppBuddyChatOpen",
    56: "HeaderSearchBarClick",
    57: "HeaderCartIconClick",
    58: "HelpActionEvent",
    59: "AppStartEvent",
    60: "ReturnExchangeFlowActionEvent",
    61: "TestEvent",
    62: "NotificationActionEvent",
    63: "AffiliateActionEvent",
    64: "HostActionEvent",
}


def _hand_encoded_batch(field: int, payload: bytes, event_id: str) -> bytes:
    """A batch whose one event carries a typed payload at `field`, encoded by hand (a client
    compiled from the original proto sends these bytes; our stubs declare few of the fields)."""

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    event = events_pb2.Event(id=event_id, timestamp=str(NOW)).SerializeToString()
    event += varint(field << 3 | 2) + varint(len(payload)) + payload
    return (
        events_pb2.Events(header=HEADER).SerializeToString() + b"\x2a" + varint(len(event)) + event
    )


@pytest.mark.parametrize(("field", "type_name"), sorted(ORIGINAL_PAYLOAD_TYPES.items()))
def test_every_original_payload_kind_routes_by_its_type_name(field, type_name):
    prepared = EventRules().prepare(_hand_encoded_batch(field, b"\x08\x01", f"e{field}"), NOW)
    [event_out] = bodies(prepared)[type_name]["events"]
    assert event_out["payloadField"] == field
    assert base64.b64decode(event_out["payload"]) == b"\x08\x01"


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        ("abc", "timestamp_not_integer"),
        ("1e3", "timestamp_not_integer"),
        ("", "timestamp_missing"),
        ("-5", "timestamp_not_integer"),
        ("99999999999999999999999", "timestamp_not_integer"),
        ("9999999999999999999", "timestamp_overflow"),
    ],
)
def test_poison_timestamps_reject_only_their_event(timestamp, reason):
    prepared = EventRules().prepare(
        batch(generic("ok1", str(NOW)), generic("bad", timestamp), generic("ok2", str(NOW))), NOW
    )
    assert prepared.accepted == 2
    assert prepared.rejected == [(1, "bad", reason)]


def test_missing_header_or_device_rejects_every_event():
    two = (generic("a", str(NOW)), generic("b", str(NOW)))
    no_header = EventRules().prepare(batch(*two, header=None), NOW)
    assert [r[2] for r in no_header.rejected] == ["header_missing"] * 2 and not no_header.groups
    no_device = EventRules().prepare(batch(*two, header=events_pb2.Header(userId=1)), NOW)
    assert [r[2] for r in no_device.rejected] == ["device_id_missing"] * 2


def test_other_event_problems_have_their_reasons():
    prepared = EventRules().prepare(
        batch(
            generic("", str(NOW)),
            generic("x" * 200, str(NOW)),
            events_pb2.Event(id="nopayload", timestamp=str(NOW)),
            generic("badjson", str(NOW), params="{nope"),
            generic("big", str(NOW), params=json.dumps({"a": "x" * 70_000})),
        ),
        NOW,
    )
    reasons = [reason for _, _, reason in prepared.rejected]
    assert reasons == [
        "id_missing", "id_too_long", "payload_missing", "params_not_json", "payload_too_large",
    ]  # fmt: skip


def test_future_timestamps_are_clamped_and_originals_kept():
    future = NOW + 24 * 3600 * 1000
    prepared = EventRules().prepare(batch(generic("f", str(future))), NOW)
    [event] = bodies(prepared)["GenericEvent"]["events"]
    assert event["timestamp"] == NOW and event["originalTimestamp"] == future
    assert event["timestampCorrected"] is True and prepared.corrected == 1


def test_client_clock_offset_is_corrected_only_beyond_the_threshold():
    skewed = events_pb2.Header(bbDeviceId=1, sentAt=NOW - 3_600_000)  # clock one hour behind
    prepared = EventRules().prepare(
        batch(generic("s", str(NOW - 3_600_000 - 5)), header=skewed), NOW
    )
    [event] = bodies(prepared)["GenericEvent"]["events"]
    assert event["timestamp"] == NOW - 5 and event["originalTimestamp"] == NOW - 3_600_005
    transit = events_pb2.Header(bbDeviceId=1, sentAt=NOW - 800)  # 0.8 s on the network
    prepared = EventRules().prepare(batch(generic("t", str(NOW - 900)), header=transit), NOW)
    [event] = bodies(prepared)["GenericEvent"]["events"]
    assert event["timestamp"] == NOW - 900 and "originalTimestamp" not in event


def test_malformed_or_oversized_batches_are_value_errors():
    with pytest.raises(ValueError, match="malformed"):
        EventRules().prepare(b"\xff\xff\xff", NOW)
    with pytest.raises(ValueError, match="more than 2 events"):
        EventRules(max_events=2).prepare(batch(*(generic(str(i), str(NOW)) for i in range(3))), NOW)


@settings(max_examples=3_000, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    try:
        prepared = EventRules().prepare(data, NOW)
    except ValueError:
        return
    assert prepared.accepted + len(prepared.rejected) >= 0
