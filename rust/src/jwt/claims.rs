//! Registered claim checks (RFC 7519 §4.1) with a leeway. A NumericDate is a JSON number and
//! nothing else: a string `exp` is refused, not ignored (the jsonwebtoken CVE-2026-25537 trap).

use serde_json::{Map, Value};

use super::error::{ErrorKind, JwtError, JwtResult};

pub struct ClaimRules {
    pub audience: Option<Vec<String>>,
    pub issuer: Option<String>,
    pub leeway: f64,
    pub required: Vec<String>,
}

impl ClaimRules {
    pub fn check(&self, claims: &Map<String, Value>, now: f64) -> JwtResult<()> {
        for name in &self.required {
            if !claims.contains_key(name) {
                return Err(JwtError::with_detail(
                    ErrorKind::MissingClaim,
                    "claim_missing",
                    name,
                ));
            }
        }
        if let Some(exp) = numeric_date(claims, "exp", "exp_not_number")? {
            // Valid only while now < exp (RFC 7519 §4.1.4).
            if now >= exp + self.leeway {
                return Err(JwtError::new(ErrorKind::Expired, "expired"));
            }
        }
        if let Some(nbf) = numeric_date(claims, "nbf", "nbf_not_number")? {
            if now + self.leeway < nbf {
                return Err(JwtError::new(ErrorKind::NotYetValid, "not_yet_valid"));
            }
        }
        if let Some(iat) = numeric_date(claims, "iat", "iat_not_number")? {
            if now + self.leeway < iat {
                return Err(JwtError::new(ErrorKind::NotYetValid, "issued_in_future"));
            }
        }
        self.check_audience(claims)?;
        self.check_issuer(claims)
    }

    fn check_audience(&self, claims: &Map<String, Value>) -> JwtResult<()> {
        let token_aud: Vec<&str> = match claims.get("aud") {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| JwtError::malformed("aud_not_string"))
                })
                .collect::<JwtResult<_>>()?,
            Some(_) => return Err(JwtError::malformed("aud_not_string")),
        };
        match &self.audience {
            // A token meant for someone (aud set) is not accepted by a verifier with no identity.
            None if claims.contains_key("aud") => {
                Err(JwtError::new(ErrorKind::BadAudience, "aud_not_expected"))
            }
            None => Ok(()),
            Some(_) if !claims.contains_key("aud") => Err(JwtError::with_detail(
                ErrorKind::MissingClaim,
                "claim_missing",
                "aud",
            )),
            Some(ours) if token_aud.iter().any(|a| ours.iter().any(|o| o == a)) => Ok(()),
            Some(_) => Err(JwtError::new(ErrorKind::BadAudience, "aud_mismatch")),
        }
    }

    fn check_issuer(&self, claims: &Map<String, Value>) -> JwtResult<()> {
        let Some(expected) = &self.issuer else {
            return Ok(());
        };
        match claims.get("iss") {
            None => Err(JwtError::with_detail(
                ErrorKind::MissingClaim,
                "claim_missing",
                "iss",
            )),
            Some(Value::String(iss)) if iss == expected => Ok(()),
            Some(Value::String(_)) => Err(JwtError::new(ErrorKind::BadIssuer, "iss_mismatch")),
            Some(_) => Err(JwtError::malformed("iss_not_string")),
        }
    }
}

fn numeric_date(
    claims: &Map<String, Value>,
    name: &str,
    not_number: &'static str,
) -> JwtResult<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(JwtError::malformed(not_number)),
        },
        Some(_) => Err(JwtError::malformed(not_number)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> ClaimRules {
        ClaimRules {
            audience: None,
            issuer: None,
            leeway: 0.0,
            required: vec!["exp".into()],
        }
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn exp_is_exclusive_and_leeway_extends_it() {
        let r = rules();
        assert!(r.check(&map(json!({"exp": 100})), 99.0).is_ok());
        assert_eq!(
            r.check(&map(json!({"exp": 100})), 100.0).unwrap_err().kind,
            ErrorKind::Expired
        );
        let lenient = ClaimRules {
            leeway: 5.0,
            ..rules()
        };
        assert!(lenient.check(&map(json!({"exp": 100})), 104.0).is_ok());
        assert!(lenient.check(&map(json!({"exp": 100})), 105.0).is_err());
    }

    #[test]
    fn numeric_dates_must_be_numbers() {
        let err = rules().check(&map(json!({"exp": "100"})), 1.0).unwrap_err();
        assert_eq!(err.reason, "exp_not_number");
        let err = rules()
            .check(&map(json!({"exp": 100, "nbf": true})), 1.0)
            .unwrap_err();
        assert_eq!(err.reason, "nbf_not_number");
    }

    #[test]
    fn required_claims() {
        let err = rules().check(&map(json!({})), 1.0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingClaim);
    }

    #[test]
    fn audience_string_or_list() {
        let r = ClaimRules {
            audience: Some(vec!["gw".into()]),
            ..rules()
        };
        assert!(r.check(&map(json!({"exp": 9, "aud": "gw"})), 1.0).is_ok());
        assert!(r
            .check(&map(json!({"exp": 9, "aud": ["x", "gw"]})), 1.0)
            .is_ok());
        assert_eq!(
            r.check(&map(json!({"exp": 9, "aud": "x"})), 1.0)
                .unwrap_err()
                .kind,
            ErrorKind::BadAudience
        );
        assert_eq!(
            r.check(&map(json!({"exp": 9})), 1.0).unwrap_err().kind,
            ErrorKind::MissingClaim
        );
    }

    #[test]
    fn leeway_applies_to_nbf_and_iat_too() {
        let lenient = ClaimRules {
            leeway: 5.0,
            ..rules()
        };
        // Not before 100, or issued at 100, seen at 96: within 5 s of skew, accepted.
        assert!(lenient
            .check(&map(json!({"exp": 200, "nbf": 100})), 96.0)
            .is_ok());
        assert!(lenient
            .check(&map(json!({"exp": 200, "iat": 100})), 96.0)
            .is_ok());
        // 6 s early is beyond it.
        let err = lenient
            .check(&map(json!({"exp": 200, "nbf": 100})), 94.0)
            .unwrap_err();
        assert_eq!(err.reason, "not_yet_valid");
        let err = lenient
            .check(&map(json!({"exp": 200, "iat": 100})), 94.0)
            .unwrap_err();
        assert_eq!(err.reason, "issued_in_future");
        // Without leeway the same tokens are refused.
        assert!(rules()
            .check(&map(json!({"exp": 200, "nbf": 100})), 99.0)
            .is_err());
    }

    #[test]
    fn exp_can_be_left_optional_but_is_checked_when_present() {
        let optional = ClaimRules {
            required: Vec::new(),
            ..rules()
        };
        assert!(optional.check(&map(json!({})), 1.0).is_ok());
        assert_eq!(
            optional
                .check(&map(json!({"exp": 1})), 2.0)
                .unwrap_err()
                .kind,
            ErrorKind::Expired
        );
    }

    #[test]
    fn issuer_must_match_when_configured() {
        let r = ClaimRules {
            issuer: Some("https://id.example".into()),
            ..rules()
        };
        assert!(r
            .check(&map(json!({"exp": 9, "iss": "https://id.example"})), 1.0)
            .is_ok());
        assert_eq!(
            r.check(&map(json!({"exp": 9, "iss": "https://evil.example"})), 1.0)
                .unwrap_err()
                .kind,
            ErrorKind::BadIssuer
        );
        assert_eq!(
            r.check(&map(json!({"exp": 9})), 1.0).unwrap_err().kind,
            ErrorKind::MissingClaim
        );
        assert_eq!(
            r.check(&map(json!({"exp": 9, "iss": 7})), 1.0)
                .unwrap_err()
                .reason,
            "iss_not_string"
        );
    }

    #[test]
    fn a_token_with_an_audience_is_refused_by_a_verifier_without_one() {
        let err = rules()
            .check(&map(json!({"exp": 9, "aud": "someone-else"})), 1.0)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadAudience);
    }
}
