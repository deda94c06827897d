//! `coffee._native.EventRules`: validation, timestamp correction, grouping and encoding of a
//! whole Dispatch batch in one call. Pure computation on bytes; the service does the I/O.

mod batch;
mod envelope;
mod event;
mod rules;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use batch::BatchError;
use rules::Limits;

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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EventRules>()?;
    m.add_class::<PreparedBatch>()
}
