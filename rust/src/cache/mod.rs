//! `coffee._native.Cache`: the W-TinyLFU policy, guarded by the GIL (`gil_cell.rs`), for
//! Python. The policy modules know nothing of Python; this file converts keys, measures costs
//! and time, and releases evicted values only after the policy is let go. `get`'s entry point,
//! written without PyO3's method machinery for speed, is `fastcall.rs`.

mod climber;
mod expiry;
mod fastcall;
mod gil_cell;
mod key;
mod list;
mod policy;
mod sketch;

use std::time::Instant;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyInt, PyString};

use gil_cell::GilCell;
use key::KeyRef;
use policy::{Item, Policy};

/// The key and its hash (see `hash_of`).
fn key_and_hash<'a>(key: &'a Bound<'_, PyAny>) -> PyResult<(KeyRef<'a>, u64)> {
    let key_ref = key_ref(key)?;
    Ok((key_ref, hash_of(key)?))
}

/// The hash is Python's own (cached inside str and bytes objects, so a repeated lookup does not
/// rehash), spread by a multiply so that small ints (whose Python hash is themselves) still fill
/// the table's high bits. Equal keys of one type hash alike; keys of different types never
/// compare equal, whatever their hashes.
fn hash_of(key: &Bound<'_, PyAny>) -> PyResult<u64> {
    let h = (key.hash()? as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    Ok(h ^ (h >> 29))
}

/// Refuses every key that is not a str, bytes or int, before it is hashed (so an unhashable
/// one gets this error too). The exact types are tried first: under the stable ABI they are a
/// pointer comparison, the subclass checks a call into the interpreter.
fn check_key_type(key: &Bound<'_, PyAny>) -> PyResult<()> {
    let supported = key.is_exact_instance_of::<PyString>()
        || key.is_exact_instance_of::<PyInt>()
        || key.is_exact_instance_of::<PyBytes>()
        || key.is_instance_of::<PyString>()
        || key.is_instance_of::<PyInt>()
        || key.is_instance_of::<PyBytes>();
    if supported {
        Ok(())
    } else {
        Err(unsupported_key(key))
    }
}

fn unsupported_key(key: &Bound<'_, PyAny>) -> PyErr {
    match key.get_type().name() {
        Ok(name) => {
            PyTypeError::new_err(format!("cache keys must be str, bytes or int, not {name}"))
        }
        Err(err) => err,
    }
}

fn key_ref<'a>(key: &'a Bound<'_, PyAny>) -> PyResult<KeyRef<'a>> {
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(KeyRef::Str(s.to_str()?));
    }
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(KeyRef::Bytes(b.as_bytes()));
    }
    if let Ok(i) = key.cast::<PyInt>() {
        return i
            .extract::<i64>()
            .map(KeyRef::Int)
            .map_err(|_| PyValueError::new_err("int cache keys must fit in 64 bits"));
    }
    Err(unsupported_key(key))
}

fn seconds_to_nanos(name: &str, seconds: f64) -> PyResult<u64> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(PyValueError::new_err(format!(
            "{name} must be a positive number of seconds"
        )));
    }
    Ok((seconds * 1e9).min(u64::MAX as f64 / 2.0) as u64)
}

/// What the policy stores per entry: the value, and the key object it was stored under. A
/// lookup with that very object (the common case: the caller keeps its keys, as a dict's do)
/// matches by identity without comparing the key's bytes, as dict itself does.
struct Stored {
    key: Py<PyAny>,
    value: Py<PyAny>,
}

/// A W-TinyLFU cache bounded by the total cost of its entries. Thread safe.
#[pyclass(frozen, module = "coffee._native")]
pub struct Cache {
    policy: GilCell<Policy<Stored>>,
    default_ttl_ns: Option<u64>,
    epoch: Instant,
}

impl Cache {
    /// Nanoseconds since the cache was made, never 0 (0 means "no deadline").
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64 + 1
    }

    /// `get(key, default)`: the value for `key`, or `default` (None when not given). Python
    /// reaches it through `fastcall.rs`.
    fn lookup(
        &self,
        key: &Bound<'_, PyAny>,
        default: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = key.py();
        check_key_type(key)?;
        let hash = hash_of(key)?;
        // The very object the entry was stored under matches by identity (as in dict); only
        // another object (with the same 64-bit hash) is read and compared by content. A key
        // whose content cannot be read (a str with lone surrogates, an int past 64 bits) could
        // never have been stored: it matches nothing.
        let object = key.as_ptr();
        let matches = |stored: &key::Key, entry: &Stored| {
            entry.key.as_ptr() == object || key_ref(key).is_ok_and(|k| stored.as_ref() == k)
        };
        let mut dropped = Vec::new();
        let found = {
            let mut policy = self.policy.lock(py);
            let now = if policy.needs_clock() { self.now() } else { 0 };
            policy
                .get_by(hash, matches, now, &mut dropped)
                .map(|entry| entry.value.clone_ref(py))
        };
        release(py, dropped);
        Ok(found.unwrap_or_else(|| default.map_or_else(|| py.None(), |d| d.clone().unbind())))
    }
}

#[pymethods]
impl Cache {
    #[new]
    #[pyo3(signature = (max_cost=1 << 30, default_ttl=None))]
    fn new(max_cost: i64, default_ttl: Option<f64>) -> PyResult<Self> {
        if max_cost < 1 {
            return Err(PyValueError::new_err("max_cost must be at least 1"));
        }
        let default_ttl_ns = default_ttl
            .map(|t| seconds_to_nanos("default_ttl", t))
            .transpose()?;
        Ok(Self {
            policy: GilCell::new(Policy::new(max_cost as u64)),
            default_ttl_ns,
            epoch: Instant::now(),
        })
    }

    /// Stores `value`; returns False when admission kept the entries already there instead.
    /// `cost` defaults to the byte size of a str/bytes value, else 1.
    #[pyo3(signature = (key, value, cost=None, ttl=None))]
    fn set(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        cost: Option<i64>,
        ttl: Option<f64>,
    ) -> PyResult<bool> {
        let key_object = key.clone().unbind();
        let (key, hash) = key_and_hash(key)?;
        let cost =
            match cost {
                Some(c) if c < 1 => return Err(PyValueError::new_err(
                    "cost must be at least 1 (a zero cost would let entries grow without bound)",
                )),
                Some(c) => c as u64,
                None => default_cost(value)?,
            };
        let ttl_ns = match ttl {
            Some(t) => Some(seconds_to_nanos("ttl", t)?),
            None => self.default_ttl_ns,
        };
        let mut dropped = Vec::new();
        let kept = {
            let mut policy = self.policy.lock(py);
            if cost > policy.max_cost() {
                return Err(PyValueError::new_err(format!(
                    "cost {cost} is larger than max_cost {}",
                    policy.max_cost()
                )));
            }
            let now = if ttl_ns.is_some() || policy.needs_clock() {
                self.now()
            } else {
                0
            };
            let deadline = ttl_ns.map_or(0, |t| now.saturating_add(t));
            let item = Item {
                value: Stored {
                    key: key_object,
                    value: value.clone().unbind(),
                },
                cost,
                deadline,
            };
            policy.insert(key, hash, item, now, &mut dropped)
        };
        drop(dropped);
        Ok(kept)
    }

    /// Removes `key`; returns whether it was there.
    fn delete(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (key, hash) = key_and_hash(key)?;
        let mut dropped = Vec::new();
        let removed = {
            let mut policy = self.policy.lock(py);
            policy.remove(key, hash, &mut dropped)
        };
        drop(dropped);
        Ok(removed)
    }

    fn clear(&self, py: Python<'_>) {
        let mut dropped = Vec::new();
        self.policy.lock(py).clear(&mut dropped);
        drop(dropped);
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.policy.lock(py).len()
    }

    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (key, hash) = key_and_hash(key)?;
        let policy = self.policy.lock(py);
        let now = if policy.needs_clock() { self.now() } else { 0 };
        Ok(policy.contains(key, hash, now))
    }

    #[getter]
    fn max_cost(&self, py: Python<'_>) -> u64 {
        self.policy.lock(py).max_cost()
    }

    /// Counters since creation: hits, misses, hit_ratio, admitted, rejected, evicted, expired,
    /// cost_used, max_cost (and the adaptive window's current share, window_share).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (s, used, max, window) = {
            let p = self.policy.lock(py);
            (p.stats, p.cost_used(), p.max_cost(), p.window_share())
        };
        let lookups = s.hits + s.misses;
        let d = PyDict::new(py);
        d.set_item("hits", s.hits)?;
        d.set_item("misses", s.misses)?;
        d.set_item(
            "hit_ratio",
            if lookups == 0 {
                0.0
            } else {
                s.hits as f64 / lookups as f64
            },
        )?;
        d.set_item("admitted", s.admitted)?;
        d.set_item("rejected", s.rejected)?;
        d.set_item("evicted", s.evicted)?;
        d.set_item("expired", s.expired)?;
        d.set_item("cost_used", used)?;
        d.set_item("max_cost", max)?;
        d.set_item("window_share", window)?;
        Ok(d)
    }
}

/// Releases what a lookup let go (expired entries), once the policy is no longer borrowed (a
/// finaliser may call back into the cache). Through `Bound`, so that the references go at once
/// even on `fastcall.rs`'s path, where PyO3 would defer a `Py`'s release.
/// A hit lets nothing go; skipping the drop glue of the empty vector is measurable there.
#[inline(always)]
fn release(py: Python<'_>, dropped: Vec<Stored>) {
    if dropped.is_empty() {
        // Nothing to release and no allocation (an empty Vec never allocates): forgetting it
        // leaks nothing.
        std::mem::forget(dropped);
    } else {
        for Stored { key, value } in dropped {
            drop(key.into_bound(py));
            drop(value.into_bound(py));
        }
    }
}

fn default_cost(value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let bytes = if let Ok(s) = value.cast::<PyString>() {
        s.to_str()?.len()
    } else if let Ok(b) = value.cast::<PyBytes>() {
        b.as_bytes().len()
    } else {
        1
    };
    Ok(bytes.max(1) as u64)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Cache>()?;
    fastcall::install(&m.py().get_type::<Cache>())
}
