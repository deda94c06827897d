//! `coffee._native.EventRules`: validation, timestamp correction, grouping and encoding of a
//! whole Dispatch batch in one call. Pure computation on bytes; the service does the I/O.

mod batch;
mod envelope;
mod event;
mod rows;
mod rules;

use parking_lot::Mutex;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use batch::BatchError;
use rows::{AddError, Added, RowBuffer};
use rules::Limits;

create_exception!(
    _native,
    BufferFull,
    PyException,
    "The row buffer is at capacity: flush it first."
);

/// What `EventRules.prepare` returns: the messages to publish and the per-event verdicts.
#[pyclass(frozen, module = "coffee._native")]
pub struct PreparedBatch {
    /// (routing key, message body, events in it)
    #[pyo3(get)]
    groups: Vec<(String, Py<PyBytes>, usize)>,
    /// (index in the batch, event id, reason)
    #[pyo3(get)]
    rejected: Vec<(usize, String, &'static str)>,
    #[pyo3(get)]
    accepted: usize,
    #[pyo3(get)]
    corrected: usize,
}

#[pyclass(frozen, module = "coffee._native")]
pub struct EventRules {
    limits: Limits,
    max_events: usize,
}

#[pymethods]
impl EventRules {
    #[new]
    #[pyo3(signature = (future_tolerance_ms=60_000, skew_threshold_ms=60_000, max_id_bytes=128, max_payload_bytes=65_536, max_events=1_000))]
    fn new(
        future_tolerance_ms: i64,
        skew_threshold_ms: i64,
        max_id_bytes: usize,
        max_payload_bytes: usize,
        max_events: usize,
    ) -> PyResult<Self> {
        if future_tolerance_ms < 0 || skew_threshold_ms < 0 {
            return Err(PyValueError::new_err("tolerances must be >= 0"));
        }
        let limits = Limits {
            future_tolerance_ms,
            skew_threshold_ms,
            max_id_bytes,
            max_payload_bytes,
        };
        Ok(Self { limits, max_events })
    }

    /// Validates and corrects a serialized `event.Events` batch received at `now_ms`.
    /// Raises ValueError when the batch as a whole is not a valid envelope or too large.
    fn prepare(&self, py: Python<'_>, batch: &[u8], now_ms: i64) -> PyResult<PreparedBatch> {
        let prepared = py
            .detach(|| batch::prepare(batch, now_ms, &self.limits, self.max_events))
            .map_err(|e| match e {
                BatchError::Malformed => PyValueError::new_err("malformed event batch"),
                BatchError::TooManyEvents => PyValueError::new_err(format!(
                    "more than {} events in one batch",
                    self.max_events
                )),
            })?;
        Ok(PreparedBatch {
            groups: prepared
                .groups
                .into_iter()
                .map(|g| (g.routing_key, PyBytes::new(py, &g.body).unbind(), g.count))
                .collect(),
            rejected: prepared
                .rejected
                .into_iter()
                .map(|r| (r.index, r.event_id, r.reason))
                .collect(),
            accepted: prepared.accepted,
            corrected: prepared.corrected,
        })
    }
}

/// The consumers' batch builder: event messages in, JSONEachRow rows of the `events` table out.
/// Flush when `should_flush` (N rows) or when the caller's timer says so; `body()` does not
/// clear, so a failed insert keeps its rows; `clear()` after the insert succeeded.
#[pyclass(frozen, module = "coffee._native")]
pub struct RowBatch {
    inner: Mutex<RowBuffer>,
}

#[pymethods]
impl RowBatch {
    #[new]
    #[pyo3(signature = (flush_rows=100, capacity_rows=10_000))]
    fn new(flush_rows: usize, capacity_rows: usize) -> PyResult<Self> {
        if flush_rows == 0 || capacity_rows < flush_rows {
            return Err(PyValueError::new_err(
                "need 1 <= flush_rows <= capacity_rows",
            ));
        }
        Ok(Self {
            inner: Mutex::new(RowBuffer::new(flush_rows, capacity_rows)),
        })
    }

    /// Adds one message's rows; returns (accepted, refused). Raises BufferFull (adding nothing)
    /// when the rows would pass the capacity.
    fn add(&self, body: &[u8], kind: &str, insert_ts_ms: i64) -> PyResult<(usize, usize)> {
        counts(self.inner.lock().add(body, kind, insert_ts_ms))
    }

    /// Adds one document message (a JSON object or an array of them): one row per object,
    /// named `kind`, with ids from `id` and the time `received_ms`; returns (accepted, refused).
    fn add_documents(
        &self,
        body: &[u8],
        kind: &str,
        id: &str,
        received_ms: i64,
        insert_ts_ms: i64,
    ) -> PyResult<(usize, usize)> {
        counts(
            self.inner
                .lock()
                .add_documents(body, kind, id, received_ms, insert_ts_ms),
        )
    }

    fn should_flush(&self) -> bool {
        self.inner.lock().should_flush()
    }

    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.lock().body())
    }

    fn clear(&self) {
        self.inner.lock().clear();
    }

    fn __len__(&self) -> usize {
        self.inner.lock().rows()
    }

    #[getter]
    fn refused_total(&self) -> u64 {
        self.inner.lock().refused_total
    }
}

/// (accepted, refused), or BufferFull when the rows would pass the capacity.
fn counts(added: Result<Added, AddError>) -> PyResult<(usize, usize)> {
    match added {
        Ok(added) => Ok((added.accepted, added.refused)),
        Err(AddError::Full) => Err(BufferFull::new_err("row buffer full")),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EventRules>()?;
    m.add_class::<PreparedBatch>()?;
    m.add_class::<RowBatch>()?;
    m.add("BufferFull", m.py().get_type::<BufferFull>())
}
