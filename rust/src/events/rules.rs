//! Validation and timestamp correction of one event. Pure functions of the event, the header's
//! clock offset and the server's time: a bad event is refused with a reason, never a panic.

use super::event::RawEvent;

#[derive(Debug, Clone)]
pub struct Limits {
    /// A timestamp further than this in the future is set to the server's time.
    pub future_tolerance_ms: i64,
    /// A client clock offset (received - sent_at) is corrected only beyond this: smaller offsets
    /// are network transit, and "correcting" them would reorder events (posthog#98250).
    pub skew_threshold_ms: i64,
    pub max_id_bytes: usize,
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            future_tolerance_ms: 60_000,
            skew_threshold_ms: 60_000,
            max_id_bytes: 128,
            max_payload_bytes: 64 * 1024,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Timing {
    pub timestamp: i64,
    /// The client's value, kept when we changed it.
    pub original: Option<i64>,
}

/// Parses an epoch-milliseconds string: ASCII digits only (no sign, exponent, spaces or
/// fraction), at most 19 of them, and within i64.
pub fn parse_timestamp(text: &str) -> Result<i64, &'static str> {
    if text.is_empty() {
        return Err("timestamp_missing");
    }
    if text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("timestamp_not_integer");
    }
    text.parse::<i64>().map_err(|_| "timestamp_overflow")
}

/// The clock offset to add to a batch's timestamps (0 when within the skew threshold).
pub fn clock_offset(sent_at: i64, received_ms: i64, limits: &Limits) -> i64 {
    if sent_at <= 0 {
        return 0;
    }
    let offset = received_ms.saturating_sub(sent_at);
    if offset.abs() > limits.skew_threshold_ms {
        offset
    } else {
        0
    }
}

pub fn check(
    event: &RawEvent,
    offset: i64,
    now_ms: i64,
    limits: &Limits,
) -> Result<Timing, &'static str> {
    if event.id.is_empty() {
        return Err("id_missing");
    }
    if event.id.len() > limits.max_id_bytes {
        return Err("id_too_long");
    }
    match &event.payload {
        Some((_, bytes)) if bytes.len() > limits.max_payload_bytes => {
            return Err("payload_too_large")
        }
        Some(_) => {}
        None if event.name.is_empty() => return Err("payload_missing"),
        None => {}
    }
    if event.params.len() > limits.max_payload_bytes {
        return Err("payload_too_large");
    }
    if !event.params.is_empty()
        && serde_json::from_str::<serde::de::IgnoredAny>(&event.params).is_err()
    {
        return Err("params_not_json");
    }
    let client = parse_timestamp(&event.timestamp)?;
    let adjusted = client.saturating_add(offset);
    let limit = now_ms.saturating_add(limits.future_tolerance_ms);
    let timestamp = if adjusted > limit { now_ms } else { adjusted };
    let original = (timestamp != client).then_some(client);
    Ok(Timing {
        timestamp,
        original,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ts: &str) -> RawEvent {
        RawEvent {
            id: "e".into(),
            timestamp: ts.into(),
            name: "n".into(),
            ..Default::default()
        }
    }

    #[test]
    fn timestamps_must_be_plain_integers() {
        assert_eq!(parse_timestamp("1700000000000"), Ok(1_700_000_000_000));
        for (bad, reason) in [
            ("", "timestamp_missing"),
            ("abc", "timestamp_not_integer"),
            ("1e3", "timestamp_not_integer"),
            ("-5", "timestamp_not_integer"),
            ("+5", "timestamp_not_integer"),
            (" 5", "timestamp_not_integer"),
            ("1.5", "timestamp_not_integer"),
            ("99999999999999999999", "timestamp_not_integer"),
            ("9999999999999999999", "timestamp_overflow"),
        ] {
            assert_eq!(parse_timestamp(bad), Err(reason), "{bad:?}");
        }
    }

    #[test]
    fn future_timestamps_are_clamped_and_the_original_kept() {
        let limits = Limits::default();
        let now = 1_000_000_000;
        let t = check(&event(&(now + 86_400_000).to_string()), 0, now, &limits).unwrap();
        assert_eq!(
            t,
            Timing {
                timestamp: now,
                original: Some(now + 86_400_000)
            }
        );
        let t = check(&event(&(now + 1000).to_string()), 0, now, &limits).unwrap();
        assert_eq!(
            t,
            Timing {
                timestamp: now + 1000,
                original: None
            },
            "within tolerance"
        );
    }

    #[test]
    fn only_real_skew_is_corrected() {
        let limits = Limits::default();
        assert_eq!(clock_offset(1_000, 1_500, &limits), 0, "transit, not skew");
        assert_eq!(clock_offset(1_000, 3_601_000, &limits), 3_600_000);
        assert_eq!(clock_offset(0, 5, &limits), 0, "no sent_at");
        let t = check(&event("1000"), 3_600_000, 10_000_000, &limits).unwrap();
        assert_eq!(
            t,
            Timing {
                timestamp: 3_601_000,
                original: Some(1000)
            }
        );
    }

    #[test]
    fn ids_payloads_and_params_are_checked() {
        let limits = Limits::default();
        let mut e = event("1");
        e.id.clear();
        assert_eq!(check(&e, 0, 0, &limits), Err("id_missing"));
        let mut e = event("1");
        e.name.clear();
        assert_eq!(check(&e, 0, 0, &limits), Err("payload_missing"));
        let mut e = event("1");
        e.params = "{not json".into();
        assert_eq!(check(&e, 0, 0, &limits), Err("params_not_json"));
        let mut e = event("1");
        e.payload = Some((9, vec![0; 70_000]));
        assert_eq!(check(&e, 0, 0, &limits), Err("payload_too_large"));
    }
}
