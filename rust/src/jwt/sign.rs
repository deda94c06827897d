//! Signing tokens, for the identity module and the tests. Private keys come as PEM (PKCS#8,
//! or the PKCS#1 / SEC1 forms); an HMAC secret as raw bytes.

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaEncoding, RsaKeyPair};
use serde_json::{Map, Value};

use super::algorithm::{Algorithm, Family};
use super::segments;

enum SigningKey {
    Hmac(Box<hmac::Key>),
    Rsa(RsaKeyPair, &'static dyn RsaEncoding),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

pub struct TokenSigner {
    alg: Algorithm,
    kid: Option<String>,
    key: SigningKey,
    rng: SystemRandom,
}

impl TokenSigner {
    pub fn new(material: &[u8], alg: Algorithm, kid: Option<String>) -> Result<Self, String> {
        let key = match alg.family() {
            Family::Hmac => {
                if material.is_empty() {
                    return Err("the HMAC secret is empty".into());
                }
                SigningKey::Hmac(Box::new(hmac::Key::new(
                    alg.hmac().expect("HMAC family"),
                    material,
                )))
            }
            family => {
                let doc = pem::parse(material).map_err(|e| format!("bad PEM private key: {e}"))?;
                let der = doc.contents();
                let pkcs8 = doc.tag() == "PRIVATE KEY";
                let rejected = |e: aws_lc_rs::error::KeyRejected| format!("{}: {e}", alg.name());
                match family {
                    Family::Rsa => {
                        let pair = if pkcs8 {
                            RsaKeyPair::from_pkcs8(der)
                        } else {
                            RsaKeyPair::from_der(der)
                        };
                        SigningKey::Rsa(pair.map_err(rejected)?, rsa_encoding(alg))
                    }
                    Family::EcP256 | Family::EcP384 => {
                        let params = if family == Family::EcP256 {
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING
                        } else {
                            &signature::ECDSA_P384_SHA384_FIXED_SIGNING
                        };
                        let pair = if pkcs8 {
                            EcdsaKeyPair::from_pkcs8(params, der)
                        } else {
                            EcdsaKeyPair::from_private_key_der(params, der)
                        };
                        SigningKey::Ecdsa(pair.map_err(rejected)?)
                    }
                    Family::Ed25519 => SigningKey::Ed25519(
                        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(rejected)?,
                    ),
                    Family::Hmac => unreachable!("handled above"),
                }
            }
        };
        Ok(Self {
            alg,
            kid,
            key,
            rng: SystemRandom::new(),
        })
    }

    /// Signs `claims`; `extra_header` members are added but never replace `alg` (or `kid`).
    pub fn sign(
        &self,
        claims: &Map<String, Value>,
        extra_header: &Map<String, Value>,
    ) -> Result<String, String> {
        let mut header = extra_header.clone();
        header.insert("typ".into(), Value::from("JWT"));
        header.insert("alg".into(), Value::from(self.alg.name()));
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), Value::from(kid.as_str()));
        }
        let mut token = segments::encode(&serde_json::to_vec(&header).map_err(|e| e.to_string())?);
        token.push('.');
        token.push_str(&segments::encode(
            &serde_json::to_vec(claims).map_err(|e| e.to_string())?,
        ));
        let signature = self.signature(token.as_bytes())?;
        token.push('.');
        token.push_str(&segments::encode(&signature));
        Ok(token)
    }

    fn signature(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        let failed = |_| format!("{} signing failed", self.alg.name());
        Ok(match &self.key {
            SigningKey::Hmac(key) => hmac::sign(key, input).as_ref().to_vec(),
            SigningKey::Rsa(pair, encoding) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(*encoding, &self.rng, input, &mut out)
                    .map_err(failed)?;
                out
            }
            SigningKey::Ecdsa(pair) => pair
                .sign(&self.rng, input)
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            SigningKey::Ed25519(pair) => pair.sign(input).as_ref().to_vec(),
        })
    }
}

fn rsa_encoding(alg: Algorithm) -> &'static dyn RsaEncoding {
    match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        _ => &signature::RSA_PSS_SHA512,
    }
}
