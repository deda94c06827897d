//! Exposes PyO3's interpreter cfgs (`Py_GIL_DISABLED` above all) to the crate: the cache relies on
//! the GIL for exclusive access and refuses to build for a free-threaded CPython.
fn main() {
    pyo3_build_config::print_expected_cfgs();
    pyo3_build_config::use_pyo3_cfgs();
}
