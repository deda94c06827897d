//! JWT verification and signing for Python: `JwtVerifier`, `JwtSigner` and the `InvalidToken`
//! exception family. The logic lives in the sibling modules; this file only converts.

mod algorithm;
mod claims;
mod error;
mod json;
mod keys;
mod pyjson;
mod segments;
mod sign;
mod verify;

use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use algorithm::Algorithm;
use claims::ClaimRules;
use error::{ErrorKind, JwtError};
use keys::{KeyMaterial, KeySet};
use sign::TokenSigner;
use verify::TokenVerifier;

create_exception!(
    _native,
    InvalidToken,
    PyValueError,
    "A JWT was refused; `reason` says why."
);
create_exception!(
    _native,
    Malformed,
    InvalidToken,
    "The token is not a well-formed JWS/JWT."
);
create_exception!(
    _native,
    BadSignature,
    InvalidToken,
    "The signature does not verify."
);
create_exception!(
    _native,
    Expired,
    InvalidToken,
    "`exp` has passed (beyond the leeway)."
);
create_exception!(
    _native,
    NotYetValid,
    InvalidToken,
    "`nbf` or `iat` is in the future."
);
create_exception!(
    _native,
    BadAudience,
    InvalidToken,
    "`aud` does not name this verifier."
);
create_exception!(
    _native,
    BadIssuer,
    InvalidToken,
    "`iss` is not the configured issuer."
);
create_exception!(
    _native,
    MissingClaim,
    InvalidToken,
    "A required claim is absent."
);
create_exception!(
    _native,
    UnsupportedAlgorithm,
    InvalidToken,
    "`alg` is not allowed."
);
create_exception!(
    _native,
    UnknownKey,
    InvalidToken,
    "No configured key matches the token."
);

/// Default size limit: a token bigger than this is refused before any decoding.
const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;

fn to_pyerr(py: Python<'_>, error: JwtError) -> PyErr {
    let message = error.to_string();
    let err = match error.kind {
        ErrorKind::Malformed => Malformed::new_err(message),
        ErrorKind::BadSignature => BadSignature::new_err(message),
        ErrorKind::Expired => Expired::new_err(message),
        ErrorKind::NotYetValid => NotYetValid::new_err(message),
        ErrorKind::BadAudience => BadAudience::new_err(message),
        ErrorKind::BadIssuer => BadIssuer::new_err(message),
        ErrorKind::MissingClaim => MissingClaim::new_err(message),
        ErrorKind::UnsupportedAlgorithm => UnsupportedAlgorithm::new_err(message),
        ErrorKind::UnknownKey => UnknownKey::new_err(message),
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it did,
    // the exception still carries the reason in its message.
    let _ = err.value(py).setattr("reason", error.reason);
    err
}

fn parse_algorithms(algorithms: Vec<String>) -> PyResult<Vec<Algorithm>> {
    if algorithms.is_empty() {
        return Err(PyValueError::new_err(
            "algorithms must name at least one algorithm",
        ));
    }
    algorithms
        .iter()
        .map(|name| {
            Algorithm::from_name(name)
                .map_err(|_| PyValueError::new_err(format!("unsupported algorithm {name:?}")))
        })
        .collect()
}

fn key_material(keys: &Bound<'_, PyAny>) -> PyResult<KeyMaterial> {
    if let Ok(dict) = keys.cast::<PyDict>() {
        return Ok(KeyMaterial::Jwks(serde_json::Value::Object(
            pyjson::dict_from_python(dict)?,
        )));
    }
    let raw = token_bytes(keys)
        .map_err(|_| PyTypeError::new_err("keys must be str, bytes or a JWKS dict"))?;
    KeyMaterial::detect(raw).map_err(PyValueError::new_err)
}

fn token_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        Ok(s.to_str()?.as_bytes().to_vec())
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else {
        Err(PyTypeError::new_err("expected str or bytes"))
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Verifies compact JWS tokens against configured keys and claim rules. Immutable and thread safe.
#[pyclass(frozen, module = "coffee._native")]
pub struct JwtVerifier {
    inner: TokenVerifier,
}

#[pymethods]
impl JwtVerifier {
    #[new]
    #[pyo3(signature = (keys, algorithms, audience=None, issuer=None, leeway=0.0, required=vec!["exp".to_owned()], max_token_bytes=DEFAULT_MAX_TOKEN_BYTES))]
    fn new(
        keys: &Bound<'_, PyAny>,
        algorithms: Vec<String>,
        audience: Option<&Bound<'_, PyAny>>,
        issuer: Option<String>,
        leeway: f64,
        required: Vec<String>,
        max_token_bytes: usize,
    ) -> PyResult<Self> {
        let allowed = parse_algorithms(algorithms)?;
        if !(leeway.is_finite() && leeway >= 0.0) {
            return Err(PyValueError::new_err("leeway must be a finite number >= 0"));
        }
        let audience = match audience {
            None => None,
            Some(a) if a.is_instance_of::<PyString>() => Some(vec![a.extract::<String>()?]),
            Some(a) => Some(a.extract::<Vec<String>>()?),
        };
        let keys = KeySet::build(key_material(keys)?, &allowed).map_err(PyValueError::new_err)?;
        let rules = ClaimRules {
            audience,
            issuer,
            leeway,
            required,
        };
        Ok(Self {
            inner: TokenVerifier {
                keys,
                allowed,
                rules,
                max_token_bytes,
            },
        })
    }

    /// Returns the token's claims as a dict, or raises an `InvalidToken` subclass.
    #[pyo3(signature = (token, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let bytes: &[u8] = if let Ok(s) = token.cast::<PyString>() {
            // A str token is UTF-8 by construction; a non-ASCII one fails base64 decoding.
            s.to_str()?.as_bytes()
        } else if let Ok(b) = token.cast::<PyBytes>() {
            b.as_bytes()
        } else {
            return Err(PyTypeError::new_err("token must be str or bytes"));
        };
        let now = now.unwrap_or_else(now_seconds);
        match self.inner.verify(bytes, now) {
            Ok(claims) => pyjson::object_to_python(py, &claims),
            Err(error) => Err(to_pyerr(py, error)),
        }
    }

    /// The seconds of clock skew allowed on `exp`, `nbf` and `iat`: a caller that caches
    /// verified claims until `exp` must add it, or refuse a token this verifier accepted.
    #[getter]
    fn leeway(&self) -> f64 {
        self.inner.rules.leeway
    }

    /// Whether `exp` must be present (the default; `required` may leave it out).
    #[getter]
    fn requires_exp(&self) -> bool {
        self.inner.rules.required.iter().any(|name| name == "exp")
    }

    /// How many (key, algorithm) pairs are configured.
    #[getter]
    fn key_count(&self) -> usize {
        self.inner.keys.len()
    }
}

/// Signs claims into a compact JWS with one key and algorithm.
#[pyclass(frozen, module = "coffee._native")]
pub struct JwtSigner {
    inner: TokenSigner,
}

#[pymethods]
impl JwtSigner {
    #[new]
    #[pyo3(signature = (key, algorithm, kid=None))]
    fn new(key: &Bound<'_, PyAny>, algorithm: &str, kid: Option<String>) -> PyResult<Self> {
        let alg = Algorithm::from_name(algorithm)
            .map_err(|_| PyValueError::new_err(format!("unsupported algorithm {algorithm:?}")))?;
        let material =
            token_bytes(key).map_err(|_| PyTypeError::new_err("key must be str or bytes"))?;
        Ok(Self {
            inner: TokenSigner::new(&material, alg, kid).map_err(PyValueError::new_err)?,
        })
    }

    /// Returns the signed token; `headers` are extra header members (never `alg`).
    #[pyo3(signature = (claims, headers=None))]
    fn sign(
        &self,
        claims: &Bound<'_, PyDict>,
        headers: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        let claims = pyjson::dict_from_python(claims)?;
        let headers = match headers {
            Some(h) => pyjson::dict_from_python(h)?,
            None => serde_json::Map::new(),
        };
        self.inner
            .sign(&claims, &headers)
            .map_err(PyValueError::new_err)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<JwtVerifier>()?;
    m.add_class::<JwtSigner>()?;
    m.add("InvalidToken", py.get_type::<InvalidToken>())?;
    m.add("Malformed", py.get_type::<Malformed>())?;
    m.add("BadSignature", py.get_type::<BadSignature>())?;
    m.add("Expired", py.get_type::<Expired>())?;
    m.add("NotYetValid", py.get_type::<NotYetValid>())?;
    m.add("BadAudience", py.get_type::<BadAudience>())?;
    m.add("BadIssuer", py.get_type::<BadIssuer>())?;
    m.add("MissingClaim", py.get_type::<MissingClaim>())?;
    m.add(
        "UnsupportedAlgorithm",
        py.get_type::<UnsupportedAlgorithm>(),
    )?;
    m.add("UnknownKey", py.get_type::<UnknownKey>())?;
    Ok(())
}
