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

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
struct InMessage {
    #[serde(default)]
    header: Map<String, Value>,
    #[serde(default)]
    events: Vec<Value>,
}

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
            _ => {
                self.refused_total += 1;
                return Ok(Added {
                    accepted: 0,
                    refused: 1,
                });
            }
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
    pub fn add(&mut self, body: &[u8], kind: &str, insert_ts_ms: i64) -> Result<Added, AddError> {
        let message: InMessage = match serde_json::from_slice(body) {
            Ok(m) => m,
            Err(_) => {
                self.refused_total += 1;
                return Ok(Added {
                    accepted: 0,
                    refused: 1,
                });
            }
        };
        let header: Map<String, Value> = message
            .header
            .into_iter()
            .map(|(k, v)| (snake_case(&k), v))
            .collect();
        let mut rows = Vec::with_capacity(message.events.len());
        let mut refused = 0;
        for event in &message.events {
            match row(&header, event, kind, insert_ts_ms) {
                Some(r) => rows.push(r),
                None => refused += 1,
            }
        }
        if message.events.is_empty() {
            refused += 1; // an empty message is refused too, and counted
        }
        self.append(rows, refused)
    }

    fn append(&mut self, rows: Vec<Map<String, Value>>, refused: usize) -> Result<Added, AddError> {
        if self.rows + rows.len() > self.capacity_rows && self.rows > 0 {
            return Err(AddError::Full);
        }
        for r in &rows {
            serde_json::to_writer(&mut self.lines, r).expect("a JSON map always serialises");
            self.lines.push(b'\n');
        }
        self.rows += rows.len();
        self.refused_total += refused as u64;
        Ok(Added {
            accepted: rows.len(),
            refused,
        })
    }
}

/// Epoch milliseconds as exact decimal seconds ("1700000000.123"): a JSON integer would be read
/// as seconds by a DateTime64(3) column, and a float could round.
fn seconds_text(ms: i64) -> String {
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
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
        Value::from(seconds_text(received_ms)),
    );
    out.insert(
        "insert_timestamp".into(),
        Value::from(seconds_text(insert_ts_ms)),
    );
    out.insert("event_params".into(), Value::from(object.to_string()));
    out.insert("original_timestamp".into(), Value::from(received_ms));
    out
}

fn row(
    header: &Map<String, Value>,
    event: &Value,
    kind: &str,
    insert_ts_ms: i64,
) -> Option<Map<String, Value>> {
    let event = event.as_object()?;
    let id = event.get("id")?.as_str().filter(|s| !s.is_empty())?;
    let timestamp = event.get("timestamp")?.as_i64().filter(|t| *t >= 0)?;
    let mut out = header.clone();
    out.remove("sent_at");
    let name = event
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(kind);
    out.insert("event_id".into(), Value::from(id));
    out.insert("event_name".into(), Value::from(name));
    out.insert(
        "event_timestamp".into(),
        Value::from(seconds_text(timestamp)),
    );
    out.insert(
        "insert_timestamp".into(),
        Value::from(seconds_text(insert_ts_ms)),
    );
    let params = event.get("params").and_then(Value::as_str).unwrap_or("");
    out.insert(
        "event_params".into(),
        Value::from(if params.is_empty() { "{}" } else { params }),
    );
    out.insert(
        "payload_field".into(),
        Value::from(
            event
                .get("payloadField")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        ),
    );
    out.insert(
        "payload".into(),
        Value::from(event.get("payload").and_then(Value::as_str).unwrap_or("")),
    );
    let corrected = event
        .get("timestampCorrected")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    out.insert(
        "timestamp_corrected".into(),
        Value::from(u8::from(corrected)),
    );
    let original = event
        .get("originalTimestamp")
        .and_then(Value::as_i64)
        .unwrap_or(timestamp);
    out.insert("original_timestamp".into(), Value::from(original));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"schema":1,"header":{"bbDeviceId":4,"currentURL":"u","sentAt":9},
        "events":[{"id":"a","timestamp":5,"timestampCorrected":true,"originalTimestamp":7},
                  {"id":"","timestamp":5},{"id":"c","timestamp":"x"},{"id":"d","timestamp":6,"name":"n"}]}"#;

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
    fn garbage_and_empty_messages_are_refused() {
        let mut b = RowBuffer::new(100, 1000);
        assert_eq!(b.add(b"", "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(b"null", "k", 1).unwrap().refused, 1);
        assert_eq!(b.add(br#"{"events":[]}"#, "k", 1).unwrap().refused, 1);
        assert_eq!(b.rows(), 0);
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
        let rows: Vec<Value> = std::str::from_utf8(b.body())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
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
