//! Strict JSON for headers and claims: one object, no duplicated member names (RFC 7515 §4:
//! a parser that keeps the last one lets two readers of one token disagree), bounded nesting.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::{JwtError, JwtResult};

/// Deepest nesting accepted. Claims are flat in practice; a deep document is an attack on the
/// parser (serde_json's own limit, 128, also stands behind this one).
const MAX_DEPTH: usize = 32;

/// Parses `bytes` as a JSON object, refusing duplicated keys at any level and deep nesting.
pub fn parse_object(bytes: &[u8]) -> JwtResult<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).map_err(|_| JwtError::malformed("not_utf8"))?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|e| JwtError::malformed(classify(&e)))?;
    deserializer
        .end()
        .map_err(|_| JwtError::malformed("trailing_characters"))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(JwtError::malformed("not_an_object")),
    }
}

fn classify(error: &serde_json::Error) -> &'static str {
    let message = error.to_string();
    if message.starts_with(DUPLICATE) {
        "duplicate_key"
    } else if message.starts_with(TOO_DEEP) || message.contains("recursion limit") {
        "too_deep"
    } else {
        "bad_json"
    }
}

const DUPLICATE: &str = "duplicate key";
const TOO_DEEP: &str = "nesting too deep";

struct StrictValue {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictValue {
    fn nested<E: de::Error>(&self) -> Result<StrictValue, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(StrictValue {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.nested()?)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(self.nested()?)?;
            if map.insert(key, value).is_some() {
                return Err(de::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects() {
        let map = parse_object(br#"{"a":1,"b":[true,null,{"c":"d"}]}"#).unwrap();
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn refuses_duplicates_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#).unwrap_err().reason,
            "duplicate_key"
        );
        assert_eq!(
            parse_object(br#"{"x":{"a":1,"a":2}}"#).unwrap_err().reason,
            "duplicate_key"
        );
    }

    #[test]
    fn refuses_deep_nesting_and_non_objects() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        assert_eq!(
            parse_object(deep.as_bytes()).unwrap_err().reason,
            "too_deep"
        );
        assert_eq!(parse_object(b"[1]").unwrap_err().reason, "not_an_object");
        assert_eq!(
            parse_object(b"{} x").unwrap_err().reason,
            "trailing_characters"
        );
        assert_eq!(parse_object(b"\xff").unwrap_err().reason, "not_utf8");
    }
}
