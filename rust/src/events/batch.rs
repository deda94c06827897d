//! A whole Dispatch batch in one call: decode, validate, correct timestamps, group the accepted
//! events by routing key (the payload's type name, as the original routed them) and encode each
//! group as one JSON message `{"schema": 1, "header": {...}, "events": [...]}`.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use prost::Message;
use serde::Serialize;

use super::envelope::{Envelope, Header};
use super::event::{self, ReadError};
use super::rules::{self, Limits};

pub const SCHEMA_VERSION: u32 = 1;
/// Routing key of events that carry the generic payload (name + JSON params) instead of a typed one.
pub const GENERIC_ROUTING_KEY: &str = "GenericEvent";

/// Field number of the first typed payload in `Event`'s oneof (the original's `launchEvent`).
const FIRST_TYPED_FIELD: u32 = 9;
/// The routing key of each typed payload, by field number from 9 to 64: the name Go's protobuf
/// compiler gives the oneof case (`Event_<FieldName>`, the field name with its first letter
/// upper-cased), which the original producer published under and the original consumers'
/// queues are bound on. It is the payload's message name except for three kinds whose field is
/// spelled otherwise: `OtpVerifiedEvent` (message OTPVerifiedEvent), `PdpTagClickEvent` and
/// `PdpActionEvent` (PDPTagClickEvent, PDPActionEvent).
const TYPED_PAYLOAD_NAMES: [&str; 56] = [
    "LaunchEvent",
    "PageOpenedEvent",
    "PageLoadedEvent",
    "PageLoadFailedEvent",
    "WidgetViewEvent",
    "WidgetCtaClickedEvent",
    "WidgetElementViewEvent",
    "WidgetElementClickedEvent",
    "EnterPWAProductPageEvent",
    "StreamEnterEvent",
    "ChooseProductEvent",
    "PhoneVerificationInitiateEvent",
    "PhoneNumberEntered",
    "OtpVerifiedEvent",
    "AddToCartEvent",
    "GoToPaymentsEvent",
    "InitiatePurchaseEvent",
    "CompletePurchaseEvent",
    "SocialStreamEnterEvent",
    "SocialStreamActionEvent",
    "EnterProductEvent",
    "LaunchReferEvent",
    "PurchaseFailedEvent",
    "InitiateSearchEvent",
    "CompleteSearchEvent",
    "SearchRequestComplete",
    "HighlightScreenEnterEvent",
    "HighlightScreenLoadedEvent",
    "HighlightScreenErrorEvent",
    "HighlightScreenActionEvent",
    "InitiateReview",
    "EnterReviewScreen",
    "InitiateReviewMediaUpload",
    "SubmitReview",
    "EditReview",
    "ViewAllReviews",
    "ExpandReviewImage",
    "NudgeForReview",
    "SessionIdChangeEvent",
    "CheckDeliveryInfoEvent",
    "PdpTagClickEvent",
    "ActionBarBagCLickEvent",
    "PdpActionEvent",
    "ProfileActionEvent",
    "BadgeClickEvent",
    "HashTagClickEvent",
    "WhatsAppBuddyChatOpen",
    "HeaderSearchBarClick",
    "HeaderCartIconClick",
    "HelpActionEvent",
    "AppStartEvent",
    "ReturnExchangeFlowActionEvent",
    "TestEvent",
    "NotificationActionEvent",
    "AffiliateActionEvent",
    "HostActionEvent",
];

/// The routing key of an event: its payload's type name. The decoder only reports fields 9-64
/// as payloads, so `Payload<N>` is a guard for a table and decoder that drift apart.
fn routing_key(field: Option<u32>) -> String {
    match field {
        None => GENERIC_ROUTING_KEY.to_owned(),
        Some(n) => n
            .checked_sub(FIRST_TYPED_FIELD)
            .and_then(|i| TYPED_PAYLOAD_NAMES.get(i as usize))
            .map_or_else(|| format!("Payload{n}"), |name| (*name).to_owned()),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutEvent<'a> {
    id: &'a str,
    timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_timestamp: Option<i64>,
    timestamp_corrected: bool,
    #[serde(rename = "currentURL")]
    current_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    params: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload_field: Option<u32>,
    /// The typed payload's protobuf bytes, base64: kept whole even when we have no schema for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<String>,
}

#[derive(Serialize)]
struct Outgoing<'a> {
    schema: u32,
    header: &'a Header,
    events: Vec<OutEvent<'a>>,
}

pub struct Group {
    pub routing_key: String,
    pub body: Vec<u8>,
    pub count: usize,
}

pub struct Rejection {
    pub index: usize,
    pub event_id: String,
    pub reason: &'static str,
}

pub struct Prepared {
    pub groups: Vec<Group>,
    pub rejected: Vec<Rejection>,
    pub accepted: usize,
    pub corrected: usize,
}

/// Errors of the batch as a whole (the client gets INVALID_ARGUMENT).
#[derive(Debug, PartialEq, Eq)]
pub enum BatchError {
    Malformed,
    TooManyEvents,
}

pub fn prepare(
    bytes: &[u8],
    now_ms: i64,
    limits: &Limits,
    max_events: usize,
) -> Result<Prepared, BatchError> {
    let envelope = Envelope::decode(bytes).map_err(|_| BatchError::Malformed)?;
    if envelope.events.len() > max_events {
        return Err(BatchError::TooManyEvents);
    }
    let header_problem = match &envelope.header {
        None => Some("header_missing"),
        Some(h) if !h.has_device() => Some("device_id_missing"),
        Some(_) => None,
    };
    let header = envelope.header.clone().unwrap_or_default();
    let offset = rules::clock_offset(header.sent_at, now_ms, limits);
    let decoded: Vec<Result<event::RawEvent, ReadError>> =
        envelope.events.iter().map(|b| event::read(b)).collect();

    let mut rejected = Vec::new();
    let mut by_key: BTreeMap<String, Vec<OutEvent<'_>>> = BTreeMap::new();
    let mut corrected = 0;
    for (index, raw) in decoded.iter().enumerate() {
        let raw = match raw {
            Ok(raw) => raw,
            Err(ReadError::Malformed) => {
                rejected.push(Rejection {
                    index,
                    event_id: String::new(),
                    reason: "event_malformed",
                });
                continue;
            }
            Err(ReadError::NotUtf8) => {
                rejected.push(Rejection {
                    index,
                    event_id: String::new(),
                    reason: "event_not_utf8",
                });
                continue;
            }
        };
        if let Some(reason) = header_problem {
            rejected.push(Rejection {
                index,
                event_id: raw.id.clone(),
                reason,
            });
            continue;
        }
        match rules::check(raw, offset, now_ms, limits) {
            Err(reason) => rejected.push(Rejection {
                index,
                event_id: raw.id.clone(),
                reason,
            }),
            Ok(timing) => {
                corrected += usize::from(timing.original.is_some());
                let field = raw.payload.as_ref().map(|(f, _)| *f);
                by_key
                    .entry(routing_key(field))
                    .or_default()
                    .push(OutEvent {
                        id: &raw.id,
                        timestamp: timing.timestamp,
                        original_timestamp: timing.original,
                        timestamp_corrected: timing.original.is_some(),
                        current_url: &raw.current_url,
                        name: &raw.name,
                        params: &raw.params,
                        payload_field: field,
                        payload: raw.payload.as_ref().map(|(_, b)| STANDARD.encode(b)),
                    });
            }
        }
    }
    let accepted = by_key.values().map(Vec::len).sum();
    let groups = by_key
        .into_iter()
        .map(|(routing_key, events)| {
            let count = events.len();
            let message = Outgoing {
                schema: SCHEMA_VERSION,
                header: &header,
                events,
            };
            let body = serde_json::to_vec(&message).expect("plain structs always serialise");
            Group {
                routing_key,
                body,
                count,
            }
        })
        .collect();
    Ok(Prepared {
        groups,
        rejected,
        accepted,
        corrected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_original_payload_field_routes_by_its_type_name() {
        assert_eq!(routing_key(None), "GenericEvent");
        assert_eq!(routing_key(Some(9)), "LaunchEvent");
        assert_eq!(routing_key(Some(10)), "PageOpenedEvent");
        assert_eq!(routing_key(Some(23)), "AddToCartEvent");
        assert_eq!(routing_key(Some(47)), "SessionIdChangeEvent");
        assert_eq!(routing_key(Some(64)), "HostActionEvent");
        let names: std::collections::HashSet<_> = (9..=64).map(|n| routing_key(Some(n))).collect();
        assert_eq!(names.len(), 56, "56 distinct type names");
        assert!(names.iter().all(|n| !n.starts_with("Payload")));
    }

    #[test]
    fn an_undeclared_field_routes_by_its_number() {
        assert_eq!(routing_key(Some(65)), "Payload65");
        assert_eq!(routing_key(Some(8)), "Payload8");
        assert_eq!(routing_key(Some(1)), "Payload1");
    }
}
