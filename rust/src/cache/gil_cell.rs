//! Exclusive access proven by the GIL instead of a lock. Every cache method runs holding the GIL
//! (its `Python<'_>` token is the proof), and nothing inside a critical section can release the
//! GIL or run Python code: keys are hashed before it, and evicted values are released after it.
//! So two threads can never be inside at once, and the lock a mutex would add (two atomic
//! read-modify-writes per call) buys nothing.
//!
//! A GIL-free (free-threaded) CPython breaks the premise; the build refuses it (see build.rs).
//! A re-entry from the same thread would be a bug in this crate; it panics instead of aliasing.
//! The guard cannot leave its thread (it is not `Send`), so no code that runs without the GIL
//! (`Python::detach`) can reach the state through it; another thread taking the GIL meanwhile
//! would find the cell busy and panic, never alias.

#[cfg(Py_GIL_DISABLED)]
compile_error!("the cache relies on the GIL for exclusive access: build for a CPython with a GIL");

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use pyo3::Python;

pub struct GilCell<T> {
    value: UnsafeCell<T>,
    busy: Cell<bool>,
}

// SAFETY: all access goes through `lock`, which needs the GIL; the GIL serialises the threads,
// and `busy` (only touched under the GIL) rules out re-entry. `T: Send` because the value is
// used from whichever thread holds the GIL.
unsafe impl<T: Send> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    pub fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            busy: Cell::new(false),
        }
    }

    /// Exclusive access for as long as the guard lives; the guard cannot outlive the GIL hold.
    #[inline]
    pub fn lock<'a>(&'a self, _gil: Python<'a>) -> GilGuard<'a, T> {
        assert!(!self.busy.replace(true), "cache state re-entered");
        GilGuard {
            cell: self,
            not_send: PhantomData,
        }
    }
}

pub struct GilGuard<'a, T> {
    cell: &'a GilCell<T>,
    not_send: PhantomData<*const ()>,
}

impl<T> Deref for GilGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `lock` made this guard the only access until it drops.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> DerefMut for GilGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes this borrow unique among the guard's own.
        unsafe { &mut *self.cell.value.get() }
    }
}

impl<T> Drop for GilGuard<'_, T> {
    fn drop(&mut self) {
        self.cell.busy.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_gives_access_and_a_reentry_panics_instead_of_aliasing() {
        Python::initialize();
        Python::attach(|py| {
            let cell = GilCell::new(1u32);
            *cell.lock(py) += 1;
            assert_eq!(*cell.lock(py), 2, "released when the guard dropped");
            let guard = cell.lock(py);
            let reentry = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _second = cell.lock(py);
            }));
            assert!(reentry.is_err());
            assert_eq!(*guard, 2);
        });
    }
}
