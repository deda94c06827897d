//! Verification of a compact JWS: size, shape, header, algorithm allow-list, key choice,
//! signature, then claims. The order matters: nothing from the payload is trusted (or even
//! parsed) before the signature holds.

use aws_lc_rs::hmac;
use serde_json::{Map, Value};

use super::algorithm::Algorithm;
use super::claims::ClaimRules;
use super::error::{ErrorKind, JwtError, JwtResult};
use super::json;
use super::keys::{KeySet, Verifier};
use super::segments;

pub struct TokenVerifier {
    pub keys: KeySet,
    pub allowed: Vec<Algorithm>,
    pub rules: ClaimRules,
    pub max_token_bytes: usize,
}

/// The header members this verifier understands, for `crit` (RFC 7515 §4.1.11).
const UNDERSTOOD: [&str; 0] = [];

impl TokenVerifier {
    /// Returns the verified claims, or why the token is refused.
    pub fn verify(&self, token: &[u8], now: f64) -> JwtResult<Map<String, Value>> {
        let parts = segments::split(token, self.max_token_bytes)?;
        let header = json::parse_object(&segments::decode(parts.header)?)?;
        let alg = self.algorithm(&header)?;
        check_crit(&header)?;
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => return Err(JwtError::malformed("kid_not_string")),
        };
        let key = self.keys.select(alg, kid)?;
        let signature = segments::decode(parts.signature)
            .map_err(|_| JwtError::new(ErrorKind::BadSignature, "bad_signature_encoding"))?;
        let valid = match &key.verifier {
            Verifier::Hmac(k) => hmac::verify(k, parts.signing_input, &signature).is_ok(),
            Verifier::Public(k) => k.verify_sig(parts.signing_input, &signature).is_ok(),
        };
        if !valid {
            return Err(JwtError::new(ErrorKind::BadSignature, "bad_signature"));
        }
        let claims = json::parse_object(&segments::decode(parts.payload)?)?;
        self.rules.check(&claims, now)?;
        Ok(claims)
    }

    fn algorithm(&self, header: &Map<String, Value>) -> JwtResult<Algorithm> {
        let name = match header.get("alg") {
            Some(Value::String(name)) => name,
            Some(_) => return Err(JwtError::malformed("alg_not_string")),
            None => return Err(JwtError::malformed("alg_missing")),
        };
        let alg = Algorithm::from_name(name)?;
        if !self.allowed.contains(&alg) {
            return Err(JwtError::new(
                ErrorKind::UnsupportedAlgorithm,
                "alg_not_allowed",
            ));
        }
        Ok(alg)
    }
}

fn check_crit(header: &Map<String, Value>) -> JwtResult<()> {
    let Some(crit) = header.get("crit") else {
        return Ok(());
    };
    let Value::Array(names) = crit else {
        return Err(JwtError::malformed("crit_not_list"));
    };
    if names.is_empty() {
        return Err(JwtError::malformed("crit_empty"));
    }
    for name in names {
        let Some(name) = name.as_str() else {
            return Err(JwtError::malformed("crit_not_list"));
        };
        if !UNDERSTOOD.contains(&name) {
            return Err(JwtError::with_detail(
                ErrorKind::Malformed,
                "crit_not_understood",
                name,
            ));
        }
    }
    Ok(())
}
