//! Verification keys: an HMAC secret, a PEM public key or a JWKS, each turned at construction into
//! ready-to-use keys per allowed algorithm (parsing a public key per token would cost more than
//! the signature check). The token's `kid` only selects among these keys; it is never a path,
//! a URL or a query.

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{ParsedPublicKey, RsaPublicKeyComponents};
use serde_json::{Map, Value};

use super::algorithm::{Algorithm, Family};
use super::error::{ErrorKind, JwtError, JwtResult};
use super::segments;

/// What the caller configured, before it is split into keys.
pub enum KeyMaterial {
    /// An HMAC secret (raw bytes).
    Secret(Vec<u8>),
    /// A PEM document with one public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
    Pem(String),
    /// A JWKS (`{"keys": [...]}`) or a single JWK.
    Jwks(Value),
}

pub enum Verifier {
    Hmac(Box<hmac::Key>),
    Public(ParsedPublicKey),
}

pub struct VerifyKey {
    pub kid: Option<String>,
    pub alg: Algorithm,
    pub verifier: Verifier,
}

pub struct KeySet {
    keys: Vec<VerifyKey>,
}

impl KeyMaterial {
    /// Tells a PEM document or a JWK(S) from an HMAC secret. The shapes cannot be confused: a
    /// secret is used as HMAC only when it is neither.
    pub fn detect(raw: Vec<u8>) -> Result<Self, String> {
        let text = std::str::from_utf8(&raw).map(str::trim_start);
        match text {
            Ok(t) if t.starts_with("-----BEGIN") => Ok(Self::Pem(t.to_owned())),
            Ok(t) if t.starts_with('{') => match serde_json::from_str::<Value>(t) {
                Ok(v @ Value::Object(_)) if v.get("keys").is_some() || v.get("kty").is_some() => {
                    Ok(Self::Jwks(v))
                }
                _ => Ok(Self::Secret(raw)),
            },
            _ => Ok(Self::Secret(raw)),
        }
    }
}

impl KeySet {
    /// Builds the keys usable with `allowed`. Errors are configuration errors (bad PEM or JWK),
    /// reported at start, not per token.
    pub fn build(material: KeyMaterial, allowed: &[Algorithm]) -> Result<Self, String> {
        let mut keys = Vec::new();
        match material {
            KeyMaterial::Secret(secret) => {
                if secret.is_empty() {
                    return Err("the HMAC secret is empty".into());
                }
                add_hmac(&mut keys, None, &secret, allowed, None);
            }
            KeyMaterial::Pem(text) => {
                let doc = pem::parse(text.as_bytes()).map_err(|e| format!("bad PEM: {e}"))?;
                if !matches!(doc.tag(), "PUBLIC KEY" | "RSA PUBLIC KEY") {
                    return Err(format!(
                        "PEM holds a {:?}, expected a public key",
                        doc.tag()
                    ));
                }
                let before = keys.len();
                for &alg in allowed {
                    if let Some(params) = alg.verification() {
                        if let Ok(parsed) = ParsedPublicKey::new(params, doc.contents()) {
                            keys.push(VerifyKey {
                                kid: None,
                                alg,
                                verifier: Verifier::Public(parsed),
                            });
                        }
                    }
                }
                if keys.len() == before {
                    return Err("the PEM key fits none of the allowed algorithms".into());
                }
            }
            KeyMaterial::Jwks(value) => {
                let list = match value.get("keys") {
                    Some(Value::Array(list)) => list.clone(),
                    Some(_) => return Err("JWKS `keys` must be a list".into()),
                    None => vec![value],
                };
                for (index, jwk) in list.iter().enumerate() {
                    let Value::Object(jwk) = jwk else {
                        return Err(format!("JWK #{index} is not an object"));
                    };
                    add_jwk(&mut keys, jwk, allowed).map_err(|e| format!("JWK #{index}: {e}"))?;
                }
            }
        }
        if keys.is_empty() {
            return Err("no configured key fits the allowed algorithms".into());
        }
        Ok(Self { keys })
    }

    /// Chooses the key for a token's `alg` and `kid`.
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> JwtResult<&VerifyKey> {
        let mut candidates = self.keys.iter().filter(|k| k.alg == alg).peekable();
        if candidates.peek().is_none() {
            return Err(JwtError::new(ErrorKind::UnknownKey, "no_key_for_alg"));
        }
        let candidates: Vec<&VerifyKey> = candidates.collect();
        if let Some(kid) = kid {
            if let Some(key) = candidates.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                return Ok(key);
            }
            // A single anonymous key (a PEM or a secret) ignores the kid, as other libraries do;
            // once keys are named, a name that matches none is refused.
            if candidates.len() == 1 && candidates[0].kid.is_none() {
                return Ok(candidates[0]);
            }
            return Err(JwtError::new(ErrorKind::UnknownKey, "kid_unknown"));
        }
        match candidates.as_slice() {
            [only] => Ok(only),
            _ => Err(JwtError::new(ErrorKind::UnknownKey, "kid_missing")),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

fn add_hmac(
    keys: &mut Vec<VerifyKey>,
    kid: Option<String>,
    secret: &[u8],
    allowed: &[Algorithm],
    only: Option<Algorithm>,
) {
    for &alg in allowed {
        if only.is_some_and(|o| o != alg) {
            continue;
        }
        if let Some(h) = alg.hmac() {
            keys.push(VerifyKey {
                kid: kid.clone(),
                alg,
                verifier: Verifier::Hmac(Box::new(hmac::Key::new(h, secret))),
            });
        }
    }
}

fn field<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{name}` missing or not a string"))
}

fn b64(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    segments::decode(field(jwk, name)?.as_bytes()).map_err(|_| format!("`{name}` is not base64url"))
}

fn add_jwk(
    keys: &mut Vec<VerifyKey>,
    jwk: &Map<String, Value>,
    allowed: &[Algorithm],
) -> Result<(), String> {
    if jwk.get("use").is_some_and(|u| u != "sig") {
        return Ok(()); // an encryption key in the set is not ours to use
    }
    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
    let only = match jwk.get("alg").and_then(Value::as_str) {
        Some(name) => match Algorithm::from_name(name) {
            Ok(alg) => Some(alg),
            Err(_) => return Ok(()), // a key for an algorithm we do not support
        },
        None => None,
    };
    let kty = field(jwk, "kty")?;
    let family_fits =
        |alg: Algorithm, family: Family| alg.family() == family && only.is_none_or(|o| o == alg);
    match kty {
        "oct" => add_hmac(keys, kid, &b64(jwk, "k")?, allowed, only),
        "RSA" => {
            let components = RsaPublicKeyComponents {
                n: b64(jwk, "n")?,
                e: b64(jwk, "e")?,
            };
            for &alg in allowed.iter().filter(|a| family_fits(**a, Family::Rsa)) {
                let params = alg.rsa_parameters().expect("RSA family has parameters");
                let parsed = components
                    .to_parsed_public_key(params)
                    .map_err(|e| format!("RSA key: {e}"))?;
                keys.push(VerifyKey {
                    kid: kid.clone(),
                    alg,
                    verifier: Verifier::Public(parsed),
                });
            }
        }
        "EC" => {
            let family = match field(jwk, "crv")? {
                "P-256" => Family::EcP256,
                "P-384" => Family::EcP384,
                other => return Err(format!("unsupported curve {other:?}")),
            };
            let mut point = vec![0x04];
            point.extend(b64(jwk, "x")?);
            point.extend(b64(jwk, "y")?);
            add_public(keys, kid, &point, allowed, |a| family_fits(a, family))?;
        }
        "OKP" => {
            if field(jwk, "crv")? != "Ed25519" {
                return Err("only the Ed25519 OKP curve is supported".into());
            }
            let x = b64(jwk, "x")?;
            add_public(keys, kid, &x, allowed, |a| family_fits(a, Family::Ed25519))?;
        }
        other => return Err(format!("unsupported kty {other:?}")),
    }
    Ok(())
}

fn add_public(
    keys: &mut Vec<VerifyKey>,
    kid: Option<String>,
    bytes: &[u8],
    allowed: &[Algorithm],
    fits: impl Fn(Algorithm) -> bool,
) -> Result<(), String> {
    for &alg in allowed.iter().filter(|a| fits(**a)) {
        let params = alg
            .verification()
            .expect("asymmetric family has parameters");
        let parsed =
            ParsedPublicKey::new(params, bytes).map_err(|e| format!("{}: {e}", alg.name()))?;
        keys.push(VerifyKey {
            kid: kid.clone(),
            alg,
            verifier: Verifier::Public(parsed),
        });
    }
    Ok(())
}
