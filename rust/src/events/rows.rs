//! The consumers' batch builder: messages become rows of an `events`-shaped ClickHouse table,
//! appended as JSONEachRow lines to a bounded buffer. Two message formats:
//!
//! - envelope: the intake's JSON, `{"schema": 1, "header": {...}, "events": [...]}`, one row per
//!   event;
//! - document: one JSON object (or an array of them) as other producers publish it (webhooks,
//!   the api's outbox, crawlers), one row per object, kept whole in `event_params`.
//!
//! Rows without an id or a numeric timestamp, and empty or unreadable messages, are refused at
//! the entrance and counted, never inserted.
//!
//! Envelopes are the hot path (every client event passes here), so they are not built into
//! maps: the message is parsed into borrowed raw JSON values, the header is written once per
//! message as a fragment of `"column":value` pairs, and each event's row is that fragment plus
//! its own columns, written straight into the buffer. (Maps cost about 4.5 us per event, mostly
//! allocations; this is about a tenth of it.)

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[derive(Deserialize)]
struct InMessage<'a> {
    #[serde(default, borrow)]
    header: BTreeMap<Cow<'a, str>, &'a RawValue>,
    #[serde(default, borrow)]
    events: Vec<&'a RawValue>,
}

/// The fields of an event the row reads; each is checked for its type when read, so one event
/// of the wrong shape is refused alone instead of failing its whole message.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InEvent<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
    #[serde(borrow)]
    payload_field: Option<&'a RawValue>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp_corrected: Option<&'a RawValue>,
    #[serde(borrow)]
    original_timestamp: Option<&'a RawValue>,
}

/// The columns an event row sets itself; a header field of the same name gives way to them.
const EVENT_COLUMNS: [&str; 9] = [
    "event_id",
    "event_name",
    "event_timestamp",
    "insert_timestamp",
    "event_params",
    "payload_field",
    "payload",
    "timestamp_corrected",
    "original_timestamp",
];

#[derive(Debug, PartialEq, Eq)]
pub enum AddError {
    /// The buffer cannot take these rows without passing its capacity: flush first.
    Full,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    pub accepted: usize,
    pub refused: usize,
}

pub struct RowBuffer {
    pub flush_rows: usize,
    pub capacity_rows: usize,
    lines: Vec<u8>,
    rows: usize,
    pub refused_total: u64,
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            // currentURL -> current_url: a run of capitals is one word
            let prev_upper = i > 0 && name.as_bytes()[i - 1].is_ascii_uppercase();
            if i > 0 && !prev_upper {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl RowBuffer {
    pub fn new(flush_rows: usize, capacity_rows: usize) -> Self {
        Self {
            flush_rows,
            capacity_rows,
            lines: Vec::new(),
            rows: 0,
            refused_total: 0,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn should_flush(&self) -> bool {
        self.rows >= self.flush_rows
    }

    /// The buffered rows as one JSONEachRow body (the buffer keeps them until `clear`, so a
    /// failed insert loses nothing).
    pub fn body(&self) -> &[u8] {
        &self.lines
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.rows = 0;
    }

    /// Appends the rows of one document message: each JSON object becomes a row named `kind`,
    /// with the id `{id}` (`{id}:{index}` inside an array, so that a redelivered message gives
    /// the same ids and the table's deduplication removes the copy) and the time the platform
    /// received it (a producer's own time fields vary in format; they stay in `event_params`).
    pub fn add_documents(
        &mut self,
        body: &[u8],
        kind: &str,
        id: &str,
        received_ms: i64,
        insert_ts_ms: i64,
    ) -> Result<Added, AddError> {
        let objects = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(o)) => vec![Value::Object(o)],
            Ok(Value::Array(items)) if !items.is_empty() => items,
            _ => return Ok(self.refuse_message()),
        };
        let single = objects.len() == 1;
        let mut rows = Vec::with_capacity(objects.len());
        let mut refused = 0;
        for (index, object) in objects.iter().enumerate() {
            match object.as_object() {
                Some(fields) if !fields.is_empty() && !id.is_empty() => {
                    let row_id = if single {
                        id.to_owned()
                    } else {
                        format!("{id}:{index}")
                    };
                    rows.push(document_row(
                        &row_id,
                        object,
                        kind,
                        received_ms,
                        insert_ts_ms,
                    ));
                }
                _ => refused += 1,
            }
        }
        self.append(rows, refused)
    }

    /// Appends the rows of one message; all or nothing, so a message is acked for all its rows.
    /// The message is one envelope, or a JSON array of envelopes (the intake publishes batches
    /// that queued together as one message).
    pub fn add(&mut self, body: &[u8], kind: &str, insert_ts_ms: i64) -> Result<Added, AddError> {
        let envelopes = if body.trim_ascii_start().first() == Some(&b'[') {
            serde_json::from_slice::<Vec<InMessage>>(body)
        } else {
            serde_json::from_slice::<InMessage>(body).map(|one| vec![one])
        };
        let Ok(envelopes) = envelopes else {
            return Ok(self.refuse_message());
        };
        if envelopes.is_empty() || envelopes.iter().any(|m| m.events.is_empty()) {
            return Ok(self.refuse_message()); // an empty message is refused too, and counted
        }
        let kind_json = serde_json::to_string(kind).expect("a str always serialises");
        let start = self.lines.len();
        let (mut accepted, mut refused) = (0, 0);
        let mut header = Vec::with_capacity(512);
        for message in &envelopes {
            header.clear();
            write_header_fragment(&mut header, message);
            for raw in &message.events {
                if write_event_row(&mut self.lines, &header, raw, &kind_json, insert_ts_ms) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        self.commit(start, accepted, refused)
    }

    fn refuse_message(&mut self) -> Added {
        self.refused_total += 1;
        Added {
            accepted: 0,
            refused: 1,
        }
    }

    /// Keeps the `rows` lines one message wrote after `start`, or, when they would pass the
    /// capacity, takes them back out: a message is taken whole or not at all.
    fn commit(&mut self, start: usize, rows: usize, refused: usize) -> Result<Added, AddError> {
        if self.rows + rows > self.capacity_rows && self.rows > 0 {
            self.lines.truncate(start);
            return Err(AddError::Full);
        }
        self.rows += rows;
        self.refused_total += refused as u64;
        Ok(Added {
            accepted: rows,
            refused,
        })
    }

    fn append(&mut self, rows: Vec<Map<String, Value>>, refused: usize) -> Result<Added, AddError> {
        let start = self.lines.len();
        for r in &rows {
            serde_json::to_writer(&mut self.lines, r).expect("a JSON map always serialises");
            self.lines.push(b'\n');
        }
        self.commit(start, rows.len(), refused)
    }
}

/// The header's columns as a `"column":value,` fragment, written once per envelope and then
/// at the start of each of its rows.
fn write_header_fragment(out: &mut Vec<u8>, message: &InMessage) {
    for (key, value) in &message.header {
        let column = snake_case(key);
        if column != "sent_at" && !EVENT_COLUMNS.contains(&column.as_str()) {
            write_str(out, &column);
            out.push(b':');
            write_raw(out, value);
            out.push(b',');
        }
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(out, s).expect("a str always serialises");
}

/// A value as its JSON text, made compact when it spans lines (a JSONEachRow row is one line;
/// only whitespace between tokens can hold a line break, so strings and numbers never do).
fn write_raw(out: &mut Vec<u8>, value: &RawValue) {
    let text = value.get();
    if text.contains(['\n', '\r']) {
        let parsed: Value = serde_json::from_str(text).expect("a raw value is valid JSON");
        serde_json::to_writer(out, &parsed).expect("a JSON value always serialises");
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// The raw value when it is a non-empty JSON string (written back as it came, escapes and all).
fn non_empty_string(value: Option<&RawValue>) -> Option<&str> {
    value
        .map(RawValue::get)
        .filter(|t| t.starts_with('"') && *t != "\"\"")
}

fn integer(value: Option<&RawValue>) -> Option<i64> {
    value.and_then(|v| v.get().parse().ok())
}

/// One event's row (header fragment, then its own columns) appended to `out`; false, and
/// nothing written, when the event has no string id or no non-negative integer timestamp.
fn write_event_row(
    out: &mut Vec<u8>,
    header: &[u8],
    raw: &RawValue,
    kind_json: &str,
    insert_ts_ms: i64,
) -> bool {
    let Ok(event) = serde_json::from_str::<InEvent>(raw.get()) else {
        return false; // not an object
    };
    let Some(id) = non_empty_string(event.id) else {
        return false;
    };
    let Some(timestamp) = integer(event.timestamp).filter(|t| *t >= 0) else {
        return false;
    };
    let name = non_empty_string(event.name).unwrap_or(kind_json);
    let params = non_empty_string(event.params).unwrap_or("\"{}\"");
    let payload = event
        .payload
        .map(RawValue::get)
        .filter(|t| t.starts_with('"'))
        .unwrap_or("\"\"");
    let payload_field = event
        .payload_field
        .and_then(|v| v.get().parse::<u64>().ok())
        .unwrap_or(0);
    let corrected = event.timestamp_corrected.is_some_and(|v| v.get() == "true");
    let original = integer(event.original_timestamp).unwrap_or(timestamp);
    out.push(b'{');
    out.extend_from_slice(header);
    write!(
        out,
        "\"event_id\":{id},\"event_name\":{name},\"event_params\":{params},\
         \"payload\":{payload},\"event_timestamp\":\"{}\",\
         \"insert_timestamp\":\"{}\",\"payload_field\":{payload_field},\
         \"timestamp_corrected\":{},\"original_timestamp\":{original}}}",
        Seconds(timestamp),
        Seconds(insert_ts_ms),
        u8::from(corrected),
    )
    .expect("writing to a Vec cannot fail");
    out.push(b'\n');
    true
}

/// Epoch milliseconds as exact decimal seconds ("1700000000.123"): a JSON integer would be read
/// as seconds by a DateTime64(3) column, and a float could round.
struct Seconds(i64);

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{:03}",
            self.0.div_euclid(1000),
            self.0.rem_euclid(1000)
        )
    }
}

fn document_row(
    id: &str,
    object: &Value,
    kind: &str,
    received_ms: i64,
    insert_ts_ms: i64,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("event_id".into(), Value::from(id));
    out.insert("event_name".into(), Value::from(kind));
    out.insert(
        "event_timestamp".into(),
        Value::from(Seconds(received_ms).to_string()),
    );
    out.insert(
        "insert_timestamp".into(),
        Value::from(Seconds(insert_ts_ms).to_string()),
    );
    out.insert("event_params".into(), Value::from(object.to_string()));
    out.insert("original_timestamp".into(), Value::from(received_ms));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"schema":1,"header":{"bbDeviceId":4,"currentURL":"u","sentAt":9},
        "events":[{"id":"a","timestamp":5,"timestampCorrected":true,"originalTimestamp":7},
                  {"id":"","timestamp":5},{"id":"c","timestamp":"x"},{"id":"d","timestamp":6,"name":"n"}]}"#;

    /// The buffered rows, each line parsed.
    fn rows_of(b: &RowBuffer) -> Vec<Value> {
        std::str::from_utf8(b.body())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn rows_carry_header_and_event_columns_and_bad_rows_are_counted() {
        let mut b = RowBuffer::new(100, 1000);
        assert_eq!(
            b.add(BODY, "GenericEvent", 1).unwrap(),
            Added {
                accepted: 2,
                refused: 2
            }
        );
        let text = std::str::from_utf8(b.body()).unwrap();
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["bb_device_id"], 4);
        assert_eq!(first["current_url"], "u");
        assert_eq!(first["event_name"], "GenericEvent");
        assert_eq!(
            (
                first["timestamp_corrected"].clone(),
                first["original_timestamp"].clone()
            ),
            (1.into(), 7.into())
        );
        assert!(first.get("sent_at").is_none());
        assert_eq!(first["event_timestamp"], "0.005");
        assert_eq!(b.refused_total, 2);
    }

    #[test]
    fn rows_are_one_line_each_with_escapes_kept_and_no_duplicate_columns() {
        let body = br#"{"schema":1,
            "header":{"eventId":"from-header","clientId":"c\"q","deep":{
                "a": [1,
                      2]},"sentAt":1},
            "events":[{"id":"a\u00e9\"","timestamp":5,"params":"{\"k\":\"v\"}","extra":{"x":[1]}},
                      7,{"id":"b","timestamp":5.0},{"id":"c","timestamp":"1e3"},
                      {"id":"d","timestamp":-1},{"id":7,"timestamp":1},
                      {"id":"e","timestamp":1,"name":"","payload":"cGF5","payloadField":12}]}"#;
        let mut b = RowBuffer::new(100, 1000);
        assert_eq!(
            b.add(body, "Kind", 1_500).unwrap(),
            Added {
                accepted: 2,
                refused: 5
            }
        );
        let text = std::str::from_utf8(b.body()).unwrap();
        assert_eq!(text.lines().count(), 2, "one row per line: {text}");
        let rows: Vec<Map<String, Value>> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows[0]["event_id"], "a\u{e9}\"");
        assert_eq!(rows[0]["client_id"], "c\"q");
        assert_eq!(rows[0]["deep"], serde_json::json!({"a": [1, 2]}));
        assert_eq!(rows[0]["event_params"], "{\"k\":\"v\"}");
        assert_eq!(rows[0]["event_name"], "Kind");
        assert_eq!(rows[0]["insert_timestamp"], "1.500");
        assert!(!rows[0].contains_key("sent_at") && !rows[0].contains_key("extra"));
        // The header's event_id gave way to the event's: a key appears once in each line.
        assert_eq!(
            text.lines().next().unwrap().matches("\"event_id\"").count(),
            1
        );
        assert_eq!(rows[1]["event_id"], "e");
        assert_eq!(
            rows[1]["event_name"], "Kind",
            "an empty name falls back to the kind"
        );
        assert_eq!(
            (rows[1]["payload"].clone(), rows[1]["payload_field"].clone()),
            ("cGF5".into(), 12.into())
        );
        assert_eq!(rows[1]["original_timestamp"], 1);
    }

    #[test]
    fn a_message_refused_for_capacity_leaves_the_buffer_as_it_was() {
        let mut b = RowBuffer::new(2, 3);
        b.add(BODY, "k", 1).unwrap();
        let before = b.body().to_vec();
        assert_eq!(b.add(BODY, "k", 1).unwrap_err(), AddError::Full);
        assert_eq!((b.body(), b.rows(), b.refused_total), (&before[..], 2, 2));
    }

    #[test]
    fn garbage_and_empty_messages_are_refused() {
        let mut b = RowBuffer::new(100, 1000);
        assert_eq!(b.add(b"", "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(b"null", "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(br#"{"events":[]}"#, "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(b"[]", "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(b"[1]", "k", 1).unwrap().refused, 1);
        assert_eq!(b.rows(), 0);
    }

    #[test]
    fn an_array_of_envelopes_gives_each_event_its_own_envelopes_header() {
        let other =
            br#"{"schema":1,"header":{"bbDeviceId":8},"events":[{"id":"z","timestamp":9}]}"#;
        let mut body = b" [".to_vec();
        body.extend_from_slice(BODY);
        body.push(b',');
        body.extend_from_slice(other);
        body.push(b']');
        let mut b = RowBuffer::new(100, 1000);
        assert_eq!(
            b.add(&body, "k", 1).unwrap(),
            Added {
                accepted: 3,
                refused: 2
            }
        );
        let rows = rows_of(&b);
        let devices: Vec<(Value, Value)> = rows
            .iter()
            .map(|r| (r["event_id"].clone(), r["bb_device_id"].clone()))
            .collect();
        assert_eq!(
            devices,
            [("a", 4), ("d", 4), ("z", 8)].map(|(id, device)| (id.into(), device.into()))
        );
        // One empty envelope refuses the whole message, as a lone empty envelope is refused.
        let mut with_empty = body[..body.len() - 1].to_vec();
        with_empty.extend_from_slice(br#",{"header":{},"events":[]}]"#);
        assert_eq!(b.add(&with_empty, "k", 1).unwrap().refused, 1);
    }

    #[test]
    fn capacity_and_flush_threshold() {
        let mut b = RowBuffer::new(2, 3);
        b.add(BODY, "k", 1).unwrap();
        assert!(b.should_flush());
        assert_eq!(b.add(BODY, "k", 1).unwrap_err(), AddError::Full);
        b.clear();
        assert_eq!(b.rows(), 0);
    }

    #[test]
    fn documents_become_one_row_per_object_with_stable_ids() {
        let mut b = RowBuffer::new(100, 1000);
        let one = b
            .add_documents(br#"{"name":"install","x":1}"#, "INSTALL", "m1", 2000, 3000)
            .unwrap();
        assert_eq!(
            one,
            Added {
                accepted: 1,
                refused: 0
            }
        );
        let many = b
            .add_documents(br#"[{"a":1},7,{"b":2}]"#, "event", "m2", 2000, 3000)
            .unwrap();
        assert_eq!(
            many,
            Added {
                accepted: 2,
                refused: 1
            }
        );
        let rows = rows_of(&b);
        let ids: Vec<&str> = rows
            .iter()
            .map(|r| r["event_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["m1", "m2:0", "m2:2"]);
        assert_eq!(rows[0]["event_name"], "INSTALL");
        assert_eq!(rows[0]["event_timestamp"], "2.000");
        let params: Value =
            serde_json::from_str(rows[0]["event_params"].as_str().unwrap()).unwrap();
        assert_eq!(params["x"], 1);
    }

    #[test]
    fn empty_unreadable_or_anonymous_documents_are_refused() {
        let mut b = RowBuffer::new(100, 1000);
        for body in [&b""[..], b"null", b"[]", b"{}", b"\"text\"", b"{bad"] {
            assert_eq!(b.add_documents(body, "k", "m", 1, 1).unwrap().accepted, 0);
        }
        assert_eq!(
            b.add_documents(br#"{"a":1}"#, "k", "", 1, 1)
                .unwrap()
                .refused,
            1
        );
        assert_eq!(b.rows(), 0);
        assert_eq!(b.refused_total, 7);
    }

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("bbDeviceId"), "bb_device_id");
        assert_eq!(snake_case("currentURL"), "current_url");
        assert_eq!(snake_case("os"), "os");
    }
}
