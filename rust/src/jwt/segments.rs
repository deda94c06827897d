//! Splitting a compact JWS into its three segments and strict base64url decoding.
//! The size limit is checked before anything is decoded.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::error::{ErrorKind, JwtError, JwtResult};

/// The three segments of a compact JWS, still encoded, and the bytes the signature covers.
pub struct Segments<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    pub signing_input: &'a [u8],
}

pub fn split(token: &[u8], max_len: usize) -> JwtResult<Segments<'_>> {
    if token.len() > max_len {
        return Err(JwtError::malformed("too_large"));
    }
    let mut dots = token
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    let (first, second) = match (dots.next(), dots.next(), dots.next()) {
        (Some(a), Some(b), None) => (a, b),
        (Some(_), Some(_), Some(_)) => return Err(JwtError::malformed("too_many_segments")),
        _ => return Err(JwtError::malformed("too_few_segments")),
    };
    let header = &token[..first];
    let payload = &token[first + 1..second];
    let signature = &token[second + 1..];
    if header.is_empty() || payload.is_empty() {
        return Err(JwtError::malformed("empty_segment"));
    }
    if signature.is_empty() {
        // An unsigned token (`alg: none` style, or a stripped signature) is never valid.
        return Err(JwtError::new(ErrorKind::BadSignature, "missing_signature"));
    }
    Ok(Segments {
        header,
        payload,
        signature,
        signing_input: &token[..second],
    })
}

/// Decodes unpadded base64url, refusing padding, other alphabets and non-canonical trailing bits
/// (so that one token has exactly one encoding).
pub fn decode(segment: &[u8]) -> JwtResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::malformed("bad_base64"))
}

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_three_segments() {
        let s = split(b"aGk.eyJ9.c2ln", 100).unwrap();
        assert_eq!(s.header, b"aGk");
        assert_eq!(s.payload, b"eyJ9");
        assert_eq!(s.signature, b"c2ln");
        assert_eq!(s.signing_input, b"aGk.eyJ9");
    }

    #[test]
    fn refuses_wrong_shapes() {
        assert_eq!(split(b"a.b", 100).err().unwrap().reason, "too_few_segments");
        assert_eq!(
            split(b"a.b.c.d", 100).err().unwrap().reason,
            "too_many_segments"
        );
        assert_eq!(split(b".b.c", 100).err().unwrap().reason, "empty_segment");
        assert_eq!(
            split(b"a.b.", 100).err().unwrap().kind,
            ErrorKind::BadSignature
        );
        assert_eq!(split(b"a.b.c", 4).err().unwrap().reason, "too_large");
    }

    #[test]
    fn base64_is_strict() {
        assert_eq!(decode(b"aGk").unwrap(), b"hi");
        assert!(decode(b"aGk=").is_err(), "padding");
        assert!(decode(b"a+/b").is_err(), "standard alphabet");
        assert!(decode(b"aGl").is_err(), "non-canonical trailing bits");
    }
}
