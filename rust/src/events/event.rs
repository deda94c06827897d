//! One client event, read field by field from its protobuf bytes: id (4), timestamp (5, epoch
//! ms as a string), currentURL (6), the generic name (7) and JSON params (8), and whichever
//! typed payload (9-64) it carries, kept as raw bytes with its field number.

use prost::bytes::Buf;
use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};

pub const FIRST_PAYLOAD_FIELD: u32 = 9;
pub const LAST_PAYLOAD_FIELD: u32 = 64;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RawEvent {
    pub id: String,
    pub timestamp: String,
    pub current_url: String,
    pub name: String,
    pub params: String,
    pub payload: Option<(u32, Vec<u8>)>,
}

/// Why an event could not even be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    Malformed,
    NotUtf8,
}

fn length_delimited<'a>(buf: &mut &'a [u8]) -> Result<&'a [u8], ReadError> {
    let len = decode_varint(buf).map_err(|_| ReadError::Malformed)?;
    let len = usize::try_from(len).map_err(|_| ReadError::Malformed)?;
    if len > buf.len() {
        return Err(ReadError::Malformed);
    }
    let (value, rest) = buf.split_at(len);
    *buf = rest;
    Ok(value)
}

fn text(bytes: &[u8]) -> Result<String, ReadError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ReadError::NotUtf8)
}

pub fn read(mut buf: &[u8]) -> Result<RawEvent, ReadError> {
    let mut event = RawEvent::default();
    while buf.has_remaining() {
        let (tag, wire_type) = decode_key(&mut buf).map_err(|_| ReadError::Malformed)?;
        match (tag, wire_type) {
            (4..=8, WireType::LengthDelimited) => {
                let value = text(length_delimited(&mut buf)?)?;
                match tag {
                    4 => event.id = value,
                    5 => event.timestamp = value,
                    6 => event.current_url = value,
                    7 => event.name = value,
                    _ => event.params = value,
                }
            }
            (FIRST_PAYLOAD_FIELD..=LAST_PAYLOAD_FIELD, WireType::LengthDelimited) => {
                // A oneof: the last payload on the wire wins, as protobuf decoders do.
                event.payload = Some((tag, length_delimited(&mut buf)?.to_vec()));
            }
            _ => skip_field(wire_type, tag, &mut buf, DecodeContext::default())
                .map_err(|_| ReadError::Malformed)?,
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(tag: u32, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        prost::encoding::encode_key(tag, WireType::LengthDelimited, &mut out);
        prost::encoding::encode_varint(value.len() as u64, &mut out);
        out.extend_from_slice(value);
        out
    }

    #[test]
    fn reads_known_fields_and_keeps_unknown_payloads() {
        let mut bytes = field(4, b"e1");
        bytes.extend(field(5, b"1700000000000"));
        bytes.extend(field(40, b"\x0a\x01x"));
        bytes.extend([0x78, 0x01]); // field 15 varint: skipped
        let event = read(&bytes).unwrap();
        assert_eq!(event.id, "e1");
        assert_eq!(event.timestamp, "1700000000000");
        assert_eq!(event.payload, Some((40, b"\x0a\x01x".to_vec())));
    }

    #[test]
    fn refuses_truncated_and_non_utf8() {
        assert_eq!(read(&[0x22, 0x05, b'a']).unwrap_err(), ReadError::Malformed);
        assert_eq!(read(&field(4, b"\xff")).unwrap_err(), ReadError::NotUtf8);
    }
}
