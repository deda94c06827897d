//! Why a token was refused: a kind (which Python exception) and a short, stable reason code
//! that the gateway logs and counts. Nothing here carries token contents.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Malformed,
    BadSignature,
    Expired,
    NotYetValid,
    BadAudience,
    BadIssuer,
    MissingClaim,
    UnsupportedAlgorithm,
    UnknownKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtError {
    pub kind: ErrorKind,
    /// Stable machine-readable code, e.g. `alg_none`, `exp_not_number`.
    pub reason: &'static str,
    /// Optional context safe to log (a claim or header name), never a secret or the token.
    pub detail: Option<String>,
}

impl JwtError {
    pub fn new(kind: ErrorKind, reason: &'static str) -> Self {
        Self {
            kind,
            reason,
            detail: None,
        }
    }

    pub fn with_detail(kind: ErrorKind, reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            reason,
            detail: Some(detail.into()),
        }
    }

    pub fn malformed(reason: &'static str) -> Self {
        Self::new(ErrorKind::Malformed, reason)
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{} ({})", self.reason, detail),
            None => f.write_str(self.reason),
        }
    }
}

pub type JwtResult<T> = Result<T, JwtError>;
