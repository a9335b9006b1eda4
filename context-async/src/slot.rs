//! The per-thread slot that holds the ambient context of whatever is running: a pointer to an
//! [`AmbientContext`] lent by an active scope, or null.
//!
//! tokio's `task_local!` keeps an owned value in a `RefCell<Option<T>>` and moves it in and out of the
//! thread-local on every poll; each read then checks the thread-local's destructor state and the
//! `RefCell` flag, and a scope around a body had to clone its handle on every poll to lend it. Here a
//! scope *lends* its handle for exactly the duration of a call (the `scoped-tls` pattern): entering is
//! two pointer writes, a read is one load, and nested scopes need no borrow flag.

use crate::scope::AmbientContext;
use std::cell::Cell;
use std::ptr;

thread_local! {
    // A `Cell` of a raw pointer needs no destructor, so the access is a plain thread-local load (no
    // lazy registration state to check).
    static CURRENT: Cell<*const AmbientContext> = const { Cell::new(ptr::null()) };
}

/// Puts back the pointer a scope replaced, also when the call inside it unwinds.
struct Restore(*const AmbientContext);

impl Drop for Restore {
    #[inline]
    fn drop(&mut self) {
        CURRENT.set(self.0);
    }
}

/// Runs `f` with `ctx` as the current thread's ambient context.
#[inline]
pub(crate) fn enter<R>(ctx: &AmbientContext, f: impl FnOnce() -> R) -> R {
    let _restore = Restore(CURRENT.replace(ctx));
    f()
}

/// Lends the ambient context of the current thread to `f`, if a scope is active.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&AmbientContext) -> R) -> Option<R> {
    let current = CURRENT.get();
    if current.is_null() {
        return None;
    }
    // SAFETY: a non-null pointer in the slot was put there by `enter`, whose frame is still running
    // on this thread: `enter` restores the previous value when it returns or unwinds, and nothing else
    // writes the slot. `enter` holds the `&AmbientContext` borrow for that whole frame, so the handle
    // is alive and unmoved for as long as this read (which runs inside that frame) lasts. Handles
    // are only ever read through the slot, never written, and `AmbientContext` is `Sync`.
    Some(f(unsafe { &*current }))
}
