//! The compiled core of Coffee. This file only registers the parts; each lives in its own module
//! and knows nothing of sockets, files or the event loop.
use pyo3::prelude::*;

// Rust's own allocations (the events' per-batch buffers, the cache's keys) go to mimalloc:
// glibc's malloc, free and consolidation took about 40% of preparing a batch.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cache;
mod events;
mod jwt;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    cache::register(m)?;
    jwt::register(m)?;
    events::register(m)?;
    Ok(())
}
