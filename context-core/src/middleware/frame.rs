//! A route's future and its handler's future in one allocation.
//!
//! A route behind middleware runs two type-erased futures: its router's middleware chain, and, behind
//! the chain's [`Tail`](super::Tail), the route's handler (erased so that every route of a router shares
//! one chain type, compiled once). Boxed one by one that is two allocations a request. A [`Frame`]
//! allocates the chain's future with room after it for the handler's, whose layout the route knows
//! when it is built ([`Stage::future_layout`](super::Stage::future_layout)).
//!
//! The chain reaches its tail while the frame is being polled, so the frame lends its spare room
//! through a thread-local slot for the length of each poll ([`take_room`]); the first tail to ask
//! places its future there when it fits, and boxes it otherwise ([`TailFuture`]).
//!
//! The allocation is shared by the frame and the tail future in its room, and freed by whichever of
//! the two is dropped last (a count in the header). In a route the tail future lives inside the
//! chain's future and so goes first; a tail future that was leaked (`mem::forget`) keeps the memory
//! forever, so a pinned future's memory is never reused before it is dropped.

use crate::response::Response;
use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::Cell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::task::{Context as TaskContext, Poll};

/// Polls and drops a future of one type, behind a pointer.
struct VTable {
    poll: unsafe fn(*mut (), &mut TaskContext<'_>) -> Poll<Response>,
    drop: unsafe fn(*mut ()),
}

struct VTableOf<F>(PhantomData<F>);

impl<F: Future<Output = Response>> VTableOf<F> {
    const TABLE: &'static VTable = &VTable {
        poll: poll_at::<F>,
        drop: drop_at::<F>,
    };
}

/// # Safety
/// `future` points at a live, pinned `F`.
unsafe fn poll_at<F: Future<Output = Response>>(
    future: *mut (),
    cx: &mut TaskContext<'_>,
) -> Poll<Response> {
    // SAFETY: the caller's guarantee; the value never moves (it lives in a frame's allocation).
    unsafe { Pin::new_unchecked(&mut *future.cast::<F>()) }.poll(cx)
}

/// # Safety
/// `future` points at a live `F`, dropped once, here.
unsafe fn drop_at<F>(future: *mut ()) {
    // SAFETY: the caller's guarantee.
    unsafe { ptr::drop_in_place(future.cast::<F>()) };
}

/// The start of a frame's allocation.
struct Header {
    /// The whole allocation's layout, for `dealloc`.
    layout: Layout,
    chain: *mut (),
    chain_table: &'static VTable,
    /// The spare room for the handler's future, and its layout (zero-sized when there is none).
    room: *mut u8,
    room_layout: Layout,
    /// Whether a tail was given the room. Only touched while the frame is polled (`&mut Frame`).
    room_taken: Cell<bool>,
    /// Owners of the allocation: the frame, and the tail future in the room while it is alive.
    owners: AtomicUsize,
}

/// Drops one owner of `header`'s allocation, freeing it after the last.
///
/// # Safety
/// The caller is an owner counted in `owners`, and touches the allocation no more.
unsafe fn release(header: NonNull<Header>) {
    // SAFETY: the header is alive while this owner is; the last owner frees it (as `Arc` does).
    unsafe {
        if header.as_ref().owners.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            let layout = header.as_ref().layout;
            dealloc(header.as_ptr().cast(), layout);
        }
    }
}

thread_local! {
    /// The frame being polled on this thread (null outside a poll).
    static POLLING: Cell<*const Header> = const { Cell::new(ptr::null()) };
}

/// A route's chain future in a heap allocation with spare room for its handler's future; polled in
/// place. Borrows what the chain borrows (`'a`).
#[doc(hidden)]
pub struct Frame<'a> {
    header: NonNull<Header>,
    _borrows: PhantomData<Pin<Box<dyn Future<Output = Response> + Send + 'a>>>,
}

// SAFETY: the chain future is `Send` (required by `build`). Of the header, another thread (one holding
// the tail future in the room) only touches the atomic `owners` and the fixed `layout`; `room_taken`
// is only touched while the frame is polled, through `&mut Frame`.
unsafe impl Send for Frame<'_> {}

impl<'a> Frame<'a> {
    /// Allocates the future `make` returns, built in place, with `room` after it (`None`: no room).
    /// Built in place: the chain's future (hundreds of bytes) is not first assembled elsewhere and
    /// copied in.
    #[inline(always)]
    pub(crate) fn build<F>(make: impl FnOnce() -> F, room: Option<Layout>) -> Self
    where
        F: Future<Output = Response> + Send + 'a,
    {
        let room = room.unwrap_or_else(Layout::new::<()>);
        let (layout, chain_at) = Layout::new::<Header>()
            .extend(Layout::new::<F>())
            .unwrap_or_else(|_| overflow());
        let (layout, room_at) = layout.extend(room).unwrap_or_else(|_| overflow());
        let layout = layout.pad_to_align();
        // SAFETY: `layout` is not zero-sized (it holds the header).
        let base = unsafe { alloc(layout) };
        if base.is_null() {
            handle_alloc_error(layout);
        }
        // SAFETY: `base` is a fresh allocation of `layout`, which places the header at 0, an `F` at
        // `chain_at` and the room at `room_at`, each in bounds and aligned.
        unsafe {
            // Frees the allocation if `make` panics (nothing is in it yet to drop).
            struct FreeOnUnwind(*mut u8, Layout);
            impl Drop for FreeOnUnwind {
                fn drop(&mut self) {
                    // SAFETY: the allocation of this layout, still empty: `make` did not return.
                    unsafe { dealloc(self.0, self.1) };
                }
            }
            let unwinding = FreeOnUnwind(base, layout);
            let chain_ptr = base.add(chain_at).cast::<F>();
            chain_ptr.write(make());
            std::mem::forget(unwinding);
            let header = base.cast::<Header>();
            header.write(Header {
                layout,
                chain: chain_ptr.cast(),
                chain_table: VTableOf::<F>::TABLE,
                room: base.add(room_at),
                room_layout: room,
                room_taken: Cell::new(false),
                owners: AtomicUsize::new(1),
            });
            Frame {
                header: NonNull::new_unchecked(header),
                _borrows: PhantomData,
            }
        }
    }

    /// Polls the chain in place, lending the frame's room to the chain's tail meanwhile.
    #[inline]
    pub(crate) fn poll(&mut self, cx: &mut TaskContext<'_>) -> Poll<Response> {
        /// Puts the previous frame back, on return and on unwind.
        struct Restore(*const Header);
        impl Drop for Restore {
            fn drop(&mut self) {
                POLLING.with(|polling| polling.set(self.0));
            }
        }
        let header = self.header.as_ptr();
        let _restore = Restore(POLLING.with(|polling| polling.replace(header)));
        // SAFETY: the header and the chain future are alive until `drop`; the chain is pinned in the
        // allocation, which never moves.
        unsafe {
            let header = &*header;
            (header.chain_table.poll)(header.chain, cx)
        }
    }

    /// Turns the borrow into `'static`, for a caller that keeps the borrowed values alive for as long
    /// as the frame (see `RouterFuture`).
    ///
    /// # Safety
    /// Whatever the chain borrows for `'a` must outlive the returned frame.
    pub(crate) unsafe fn assume_static(self) -> Frame<'static> {
        let frame = Frame {
            header: self.header,
            _borrows: PhantomData,
        };
        std::mem::forget(self);
        frame
    }
}

impl Drop for Frame<'_> {
    fn drop(&mut self) {
        // SAFETY: the frame owns the chain future, alive and dropped once here; then it gives up its
        // share of the allocation (a tail future in the room may still hold the other).
        unsafe {
            let header = self.header.as_ref();
            (header.chain_table.drop)(header.chain);
            release(self.header);
        }
    }
}

#[cold]
fn overflow() -> ! {
    panic!("a route's future is too large to allocate")
}

/// The spare room of the frame being polled, taken by a chain's tail ([`take_room`]).
#[doc(hidden)]
pub struct Room {
    header: NonNull<Header>,
}

/// Takes the spare room of the frame being polled on this thread, once.
#[inline]
pub(crate) fn take_room() -> Option<Room> {
    let header = POLLING.with(Cell::get);
    // SAFETY: a non-null pointer is the frame being polled further up this thread's stack, alive and
    // exclusively borrowed (`&mut Frame`) for the whole call.
    let taken = unsafe { header.as_ref()? }.room_taken.replace(true);
    (!taken).then(|| Room {
        // SAFETY: checked non-null above.
        header: unsafe { NonNull::new_unchecked(header.cast_mut()) },
    })
}

/// A handler's future run by a chain's tail: in its frame's room, or boxed when it did not fit.
#[doc(hidden)]
pub struct TailFuture<'a>(Placed<'a>);

enum Placed<'a> {
    InRoom {
        future: *mut (),
        table: &'static VTable,
        header: NonNull<Header>,
        _borrows: PhantomData<&'a ()>,
    },
    Boxed(Pin<Box<dyn Future<Output = Response> + Send + 'a>>),
}

// SAFETY: the future in the room is `Send` (required by `build`); of the header it only touches the
// atomic `owners` and the fixed `layout` (see `Frame`).
unsafe impl Send for TailFuture<'_> {}

impl<'a> TailFuture<'a> {
    /// Places the future `make` returns in `room` when it fits, else boxes it. Built in place: a
    /// handler's future can be kilobytes.
    #[inline(always)]
    pub(crate) fn build<F>(make: impl FnOnce() -> F, room: Option<Room>) -> Self
    where
        F: Future<Output = Response> + Send + 'a,
    {
        let layout = Layout::new::<F>();
        if let Some(room) = room {
            // SAFETY: the room was taken during a poll of its frame, which is still alive: it is
            // the frame being polled further up this thread's stack (the room goes from `take_room`
            // straight to here, within `Tail::call`).
            let header = unsafe { room.header.as_ref() };
            if layout.size() <= header.room_layout.size()
                && layout.align() <= header.room_layout.align()
            {
                let at = header.room.cast::<F>();
                // SAFETY: the room is in bounds, aligned for `F` (checked), and unused (taken once).
                // Should `make` panic, nothing was written and the frame's owner count is unchanged.
                unsafe { at.write(make()) };
                // This tail future now owns the allocation too: it outlives the frame if it must.
                header.owners.fetch_add(1, Ordering::Relaxed);
                return TailFuture(Placed::InRoom {
                    future: at.cast(),
                    table: VTableOf::<F>::TABLE,
                    header: room.header,
                    _borrows: PhantomData,
                });
            }
        }
        TailFuture(Placed::Boxed(Box::pin(make())))
    }
}

impl Future for TailFuture<'_> {
    type Output = Response;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Response> {
        match &mut self.get_mut().0 {
            // SAFETY: the future in the room is alive until this tail future is dropped, and pinned
            // there (the frame's allocation does not move).
            Placed::InRoom { future, table, .. } => unsafe { (table.poll)(*future, cx) },
            Placed::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl Drop for TailFuture<'_> {
    fn drop(&mut self) {
        if let Placed::InRoom {
            future,
            table,
            header,
            ..
        } = &self.0
        {
            // SAFETY: this tail future owns the future in the room (alive, dropped once here) and a
            // share of the allocation, given up after.
            unsafe {
                (table.drop)(*future);
                release(*header);
            }
        }
    }
}
