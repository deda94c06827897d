//! `Cache.get` as a method written against CPython's vectorcall convention directly.
//!
//! Why: a hit is about 30 ns and PyO3's generic entry (its trampoline, the argument parser
//! shared by every signature, a `memcpy` of the positional arguments) was 2.7 ns of it, 9%,
//! measured in interleaved runs of bench/cache.py's get loop. The lookup itself is `Cache::lookup`;
//! this file only turns the call's arguments into its parameters and its result or error into a
//! return value, as PyO3's generated wrapper would.
//!
//! What differs from PyO3's wrapper: it does not count the call as attached to the interpreter
//! (that bookkeeping is PyO3-internal), so a `Py<T>` dropped inside would have its reference
//! released at PyO3's next entry rather than at once. `lookup` therefore releases what it lets go
//! (expired values) through `Bound`, which releases at once; only an error raised while reading
//! a key that can never match (a str with lone surrogates) takes the deferred path.

use std::panic::AssertUnwindSafe;
use std::ptr;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use super::Cache;

/// A `PyMethodDef` is plain data that CPython only reads; it holds raw pointers, hence the
/// wrapper to make it a `static`.
struct MethodDef(ffi::PyMethodDef);

// SAFETY: the definition is immutable and its pointers are to static data.
unsafe impl Sync for MethodDef {}

static GET: MethodDef = MethodDef(ffi::PyMethodDef {
    ml_name: c"get".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer {
        PyCFunctionFastWithKeywords: get,
    },
    ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
    // The first lines are CPython's `__text_signature__` convention (inspect.signature reads it).
    ml_doc: c"get($self, /, key, default=None)\n--\n\nThe value for `key`, or `default`.".as_ptr(),
});

/// Replaces the class's `get` with the vectorcall one. Called once, when the module is made.
pub fn install(class: &Bound<'_, pyo3::types::PyType>) -> PyResult<()> {
    let py = class.py();
    // SAFETY: `class` is a live type object and `GET` lives for the whole program, as CPython
    // requires of a method definition.
    let descriptor = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyDescr_NewMethod(class.as_ptr().cast(), ptr::from_ref(&GET.0).cast_mut()),
        )?
    };
    class.setattr("get", descriptor)
}

/// CPython's `METH_FASTCALL | METH_KEYWORDS` signature: `nargs` positional arguments, then one
/// value per name in `kwnames` (or null when there are none).
unsafe extern "C" fn get(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a method with the calling thread attached, and the token does not
    // outlive this call.
    let py = unsafe { Python::assume_attached() };
    // A panic must not unwind into C: it becomes a PanicException, as in PyO3's wrappers.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: CPython passes `nargs` positional arguments followed by one per keyword name,
        // all borrowed for the duration of the call.
        let (key, default) = unsafe { arguments(py, args, nargs, kwnames) }?;
        // SAFETY: `slf` is the bound instance, borrowed for the call.
        let slf = unsafe { Bound::from_borrowed_ptr(py, slf) };
        // The method descriptor already checked the type; this is a pointer comparison.
        let cache = slf.cast::<Cache>()?;
        cache.get().lookup(&key, default.as_ref())
    }));
    match outcome {
        Ok(Ok(value)) => value.into_ptr(),
        Ok(Err(err)) => {
            err.restore(py);
            ptr::null_mut()
        }
        Err(_) => {
            PanicException::new_err("Cache.get panicked").restore(py);
            ptr::null_mut()
        }
    }
}

/// `key` and `default` from the call, with CPython's own messages for a call that does not fit
/// `get(key, default=None)`.
///
/// # Safety
/// `args` holds `nargs` + len(`kwnames`) valid borrowed objects, and `kwnames` is null or a
/// tuple of str.
unsafe fn arguments<'py>(
    py: Python<'py>,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)> {
    let positional = usize::try_from(nargs).unwrap_or(0);
    let names = if kwnames.is_null() {
        None
    } else {
        // SAFETY: a non-null `kwnames` is a tuple (the vectorcall protocol).
        Some(unsafe { Bound::from_borrowed_ptr(py, kwnames).cast_into_unchecked::<PyTuple>() })
    };
    let given = positional + names.as_ref().map_or(0, |n| n.len());
    if positional > 2 {
        return Err(PyTypeError::new_err(format!(
            "get() takes at most 2 arguments ({given} given)"
        )));
    }
    // SAFETY: `args` has `given` valid borrowed objects (the caller's contract).
    let arg = |i: usize| unsafe { Bound::from_borrowed_ptr(py, *args.add(i)) };
    let mut slots: [Option<Bound<'py, PyAny>>; 2] = [None, None];
    for (i, slot) in slots.iter_mut().enumerate().take(positional) {
        *slot = Some(arg(i));
    }
    if let Some(names) = names {
        for (i, name) in names.iter().enumerate() {
            let name = name.cast_into::<PyString>()?;
            let index = match name.to_str()? {
                "key" => 0,
                "default" => 1,
                other => {
                    return Err(PyTypeError::new_err(format!(
                        "get() got an unexpected keyword argument '{other}'"
                    )))
                }
            };
            if slots[index].is_some() {
                return Err(PyTypeError::new_err(format!(
                    "get() got multiple values for argument '{}'",
                    ["key", "default"][index]
                )));
            }
            slots[index] = Some(arg(positional + i));
        }
    }
    let [key, default] = slots;
    let key = key.ok_or_else(|| PyTypeError::new_err("get() missing required argument 'key'"))?;
    Ok((key, default))
}
