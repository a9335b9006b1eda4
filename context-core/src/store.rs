//! The run-time half of a context: one allocation per request holding the request head and an
//! append-only list of provided values.
//!
//! Values are pushed in provision order, so the type-level list `P` of a `Context<P>` tells, at compile
//! time, at which position each key's value sits: a typed read is an index, not a search. The allocation
//! is reference-counted so the ambient handle of `baton-async` sees values provided further down the
//! chain, and a `Context` is a single pointer, cheap to move through a chain of middleware futures.
//!
//! Exactly one writer exists at a time (the `Context` that owns the request is not `Clone`); other
//! handles only read values. A value is written into its slot before the length is published with
//! `Release`, and readers load the length with `Acquire`, so every slot below the length they saw is fully
//! written. The request head (method, URI, headers, params, body) is reached only through the owning
//! `Context`, never through a [`Store`] handle.
//!
//! Small values (up to four words: an id and a `String`, an `Arc`, a `Vec`) live inside their slot,
//! which makes a slot one 64-byte cache line; larger ones are boxed.
//!
//! You meet a [`Store`] as [`Context::store`](crate::Context::store) (and the ambient context's
//! `store()`): a cheap handle that code outside the chain can keep, which sees the values provided
//! later too.
//!
//! ```
//! use baton::{Context, Store, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//! #[context_key(value = String)]
//! struct UserName;
//!
//! let ctx = Context::default().provide(RequestId(7));
//! let store: Store = ctx.store().clone(); // one more handle, not a copy of the values
//! let ctx = ctx.provide_as::<UserName>("ada".to_string());
//!
//! assert_eq!(store.len(), 2); // sees `UserName`, provided after the clone
//! assert_eq!(store.find_key::<UserName>().map(String::as_str), Some("ada"));
//! assert!(store.same_as(ctx.store()));
//! ```

use crate::body::Body;
use crate::connection::{self, ConnectInfo};
use crate::key::ContextKey;
use crate::path::PathParams;
use std::any::{Any, TypeId};
use std::cell::UnsafeCell;
use std::mem::{MaybeUninit, align_of, size_of};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use sync_wrapper::SyncWrapper;

/// Slots held inline in the request allocation; routes with more keys grow into heap chunks.
const INLINE: usize = 8;
/// Heap chunks after the inline ones; chunk `c` holds `INLINE << c` slots.
const CHUNKS: usize = 12;
/// The most values one request can hold (the inline slots plus every chunk): 32 768.
const CAPACITY: usize = INLINE + INLINE * ((1 << CHUNKS) - 1);
/// Words of storage inside a slot for small values.
const INLINE_WORDS: usize = 4;

/// What a slot needs to know about the type of its value.
struct ValueType {
    value: fn() -> TypeId,
    /// Whether an inline value has drop glue: most keys are plain ids, with none to call.
    needs_drop: bool,
    drop_in_place: unsafe fn(*mut ()),
    drop_box: unsafe fn(*mut ()),
    as_any: unsafe fn(*const ()) -> *const (dyn Any + Send + Sync),
}

struct ValueTypeOf<K, V>(std::marker::PhantomData<(K, V)>);

impl<K: 'static, V: Send + Sync + 'static> ValueTypeOf<K, V> {
    const TABLE: &'static ValueType = &ValueType {
        value: TypeId::of::<V>,
        needs_drop: std::mem::needs_drop::<V>(),
        drop_in_place: drop_in_place::<V>,
        drop_box: drop_box::<V>,
        as_any: as_any::<V>,
    };
    const INLINE: bool = size_of::<V>() <= size_of::<[usize; INLINE_WORDS]>()
        && align_of::<V>() <= align_of::<[usize; INLINE_WORDS]>();
}

unsafe fn drop_in_place<V>(value: *mut ()) {
    // SAFETY: `value` points at a live `V` stored inline and dropped once.
    unsafe { ptr::drop_in_place(value.cast::<V>()) };
}

unsafe fn drop_box<V>(value: *mut ()) {
    // SAFETY: `value` came from `Box::<V>::into_raw`.
    drop(unsafe { Box::from_raw(value.cast::<V>()) });
}

/// # Safety
/// None to uphold here (a pointer cast); callers dereference the result only for a live `V`.
unsafe fn as_any<V: Send + Sync + 'static>(value: *const ()) -> *const (dyn Any + Send + Sync) {
    value.cast::<V>() as *const (dyn Any + Send + Sync)
}

struct Slot {
    /// Points at `inline` or at a boxed value (after `replace`, or for large values).
    value: AtomicPtr<()>,
    kind: &'static ValueType,
    /// The key the value was provided under, compared inline by `try_get`'s search.
    key: TypeId,
    inline: UnsafeCell<MaybeUninit<[usize; INLINE_WORDS]>>,
}

type SlotCell = UnsafeCell<MaybeUninit<Slot>>;

/// A displaced value and the function that drops it.
type Retired = (*mut (), unsafe fn(*mut ()));

/// The request head, owned by the single `Context`.
pub(crate) struct Head {
    pub(crate) parts: http::request::Parts,
    pub(crate) params: PathParams,
    // `Body` is not `Sync`; it is only reached through `&mut Context`, which `SyncWrapper` encodes.
    pub(crate) body: SyncWrapper<Option<Body>>,
    /// The connection `serve` was serving when the context was built (see `connection`).
    pub(crate) connection: Option<Arc<ConnectInfo>>,
}

struct Request {
    len: AtomicUsize,
    /// Bit `i` set: the inline slot `i` holds a value with drop glue or a boxed one, which `Drop`
    /// must drop; most keys are plain ids, so most slots are skipped. Written only by the owner.
    to_drop: AtomicU64,
    inline: [SlotCell; INLINE],
    chunks: [AtomicPtr<SlotCell>; CHUNKS],
    /// Values displaced by `replace`, kept alive until the request ends because readers may hold them.
    retired: Mutex<Vec<Retired>>,
    head: UnsafeCell<Head>,
}

// SAFETY: slots are written once by the single owner before being published (see module docs); values
// are `Send + Sync`; retired pointers are only dropped in `Drop`; `head` is `Send + Sync` and only
// touched through the unique `Context` (`&` for `&Context`, `&mut` for `&mut Context`).
unsafe impl Send for Request {}
// SAFETY: as for `Send`: shared handles only read published slots, whose values are `Sync`, and
// never reach `head`.
unsafe impl Sync for Request {}

/// A handle to one request's provided values. Cloning it clones a pointer, not the values.
///
/// Values are added only through the request's [`Context`](crate::Context) (`provide`); a `Store`
/// reads them by key at run time, for code that holds no typed context: logging, error pages,
/// snapshots. See the [module docs](self) for how its handles share values.
///
/// ```
/// use baton::{Context, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// let ctx = Context::default().provide(RequestId(7));
/// let store = ctx.store();
/// assert_eq!(store.find_key::<RequestId>().map(|id| id.0), Some(7));
/// assert_eq!(store.len(), 1);
/// ```
#[derive(Clone)]
pub struct Store {
    request: Arc<Request>,
}

#[inline(always)]
fn locate(position: usize) -> (usize, usize) {
    // Chunk `c` starts at `INLINE * (2^c - 1)`; shifting by INLINE makes the start a power of two.
    let shifted = position / INLINE + 1;
    let chunk = (usize::BITS - 1 - shifted.leading_zeros()) as usize;
    let start = INLINE * ((1 << chunk) - 1);
    (chunk, position - start)
}

fn empty_parts() -> http::request::Parts {
    http::Request::new(()).into_parts().0
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store for an empty `GET /` request.
    ///
    /// ```
    /// let store = baton::Store::new();
    /// assert!(store.is_empty());
    /// assert!(!store.same_as(&baton::Store::new())); // each is its own request's
    /// ```
    pub fn new() -> Self {
        Store::with_head(empty_parts(), PathParams::default(), None)
    }

    /// A store for one request, its head written straight into the request block.
    // Inlined so the caller's `parts` move once, into the block: a `Head` built first and handed
    // over would be copied on the way (the parts are ~200 bytes).
    #[inline(always)]
    pub(crate) fn with_head(
        parts: http::request::Parts,
        params: PathParams,
        body: Option<Body>,
    ) -> Self {
        // Built in place: `Arc::new(Request { .. })` would assemble the whole block (most of it the
        // uninitialised inline slots) on the stack and copy it to the heap on every request.
        // `Arc::new` of an uninitialised value, not `Arc::new_uninit`, which computes the block's
        // layout at run time on every call; copying an uninitialised value compiles to nothing.
        let mut request = Arc::new(MaybeUninit::<Request>::uninit());
        let Some(uninit) = Arc::get_mut(&mut request) else {
            unreachable!("a new Arc is unique")
        };
        let block = uninit.as_mut_ptr();
        // SAFETY: each field is written once through a raw pointer into the unique, uninitialised block
        // (the head field by field: `UnsafeCell<Head>` has the layout of `Head`); `inline` is an array
        // of `MaybeUninit` slots, valid uninitialised; after the writes every field holds a valid
        // value, so `assume_init` is sound.
        unsafe {
            ptr::addr_of_mut!((*block).len).write(AtomicUsize::new(0));
            ptr::addr_of_mut!((*block).to_drop).write(AtomicU64::new(0));
            ptr::addr_of_mut!((*block).chunks)
                .write([const { AtomicPtr::new(ptr::null_mut()) }; CHUNKS]);
            ptr::addr_of_mut!((*block).retired).write(Mutex::new(Vec::new()));
            let head = UnsafeCell::raw_get(ptr::addr_of!((*block).head));
            ptr::addr_of_mut!((*head).parts).write(parts);
            ptr::addr_of_mut!((*head).params).write(params);
            ptr::addr_of_mut!((*head).body).write(SyncWrapper::new(body));
            ptr::addr_of_mut!((*head).connection).write(connection::current());
            Store {
                request: request.assume_init(),
            }
        }
    }

    /// The request head.
    ///
    /// # Safety
    /// Only the owning `Context` may call this, and only while it is borrowed for the returned lifetime.
    #[inline(always)]
    pub(crate) unsafe fn head(&self) -> &Head {
        // SAFETY: the caller is the head's only owner (see above), so no `&mut Head` is alive while
        // this shared borrow is; other handles (`Store` clones) never reach `head`.
        unsafe { &*self.request.head.get() }
    }

    /// The request head, mutably.
    ///
    /// # Safety
    /// Only the owning `Context` may call this, and only while it is mutably borrowed.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn head_mut(&self) -> &mut Head {
        // SAFETY: the caller is the head's only owner and is mutably borrowed, so this is the only
        // reference to the head for the returned lifetime.
        unsafe { &mut *self.request.head.get() }
    }

    /// Takes the head out, leaving an empty one (for `Context::into_request`).
    ///
    /// # Safety
    /// As for [`Store::head_mut`].
    pub(crate) unsafe fn take_head(&self) -> Head {
        // SAFETY: forwarded from this function's own contract.
        let head = unsafe { self.head_mut() };
        std::mem::replace(
            head,
            Head {
                parts: empty_parts(),
                params: PathParams::default(),
                body: SyncWrapper::new(None),
                connection: None,
            },
        )
    }

    /// How many values have been provided so far.
    ///
    /// ```
    /// use baton::{Context, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key]
    /// struct Tenant(&'static str);
    ///
    /// let ctx = Context::default().provide(RequestId(1)).provide(Tenant("acme"));
    /// assert_eq!(ctx.store().len(), 2);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.request.len.load(Ordering::Acquire)
    }

    /// Whether no value has been provided yet.
    ///
    /// ```
    /// use baton::{Context, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// let ctx = Context::default();
    /// assert!(ctx.store().is_empty());
    /// assert!(!ctx.provide(RequestId(1)).store().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline(always)]
    fn slot(&self, position: usize) -> *mut MaybeUninit<Slot> {
        if position < INLINE {
            return self.request.inline[position].get();
        }
        let (chunk, offset) = locate(position - INLINE);
        let base = self.request.chunks[chunk].load(Ordering::Acquire);
        // SAFETY: callers only ask for positions below the published length, whose chunk exists.
        unsafe { (*base.add(offset)).get() }
    }

    #[inline(always)]
    fn published(&self, position: usize) -> &Slot {
        // SAFETY: callers only pass positions below the published length; those slots are initialised
        // and never rewritten.
        unsafe { (*self.slot(position)).assume_init_ref() }
    }

    /// Appends `value`, provided under the key `K`, at the next position. Only the single owner (a
    /// `Context`) calls this.
    ///
    /// A slot's key and value type are set together here, so a slot whose key is `K` holds a
    /// `K::Value`: the checked reads below rely on it.
    // Inlined: it is a handful of stores, fewer than a call's register saves and argument moves.
    #[inline(always)]
    pub(crate) fn push<K: ContextKey>(&self, value: K::Value) {
        let position = self.request.len.load(Ordering::Relaxed);
        assert!(
            position < CAPACITY,
            "a request can hold at most {CAPACITY} provided values"
        );
        if position >= INLINE {
            let (chunk, offset) = locate(position - INLINE);
            if offset == 0 {
                let cells: Box<[SlotCell]> = (0..INLINE << chunk)
                    .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                    .collect();
                let base = Box::into_raw(cells).cast::<SlotCell>();
                self.request.chunks[chunk].store(base, Ordering::Release);
            }
        }
        let cell = self.slot(position);
        // SAFETY: the slot at `position` is unpublished, so no reader looks at it; it does not move
        // (inline in the `Arc` or in a chunk that lives as long as the store).
        unsafe {
            let slot = (*cell).write(Slot {
                value: AtomicPtr::new(ptr::null_mut()),
                kind: ValueTypeOf::<K, K::Value>::TABLE,
                key: TypeId::of::<K>(),
                inline: UnsafeCell::new(MaybeUninit::uninit()),
            });
            let target = if ValueTypeOf::<K, K::Value>::INLINE {
                let inline = slot.inline.get().cast::<K::Value>();
                inline.write(value);
                inline.cast::<()>()
            } else {
                Box::into_raw(Box::new(value)).cast::<()>()
            };
            slot.value.store(target, Ordering::Relaxed);
        }
        if position < INLINE
            && (std::mem::needs_drop::<K::Value>() || !ValueTypeOf::<K, K::Value>::INLINE)
        {
            self.mark_to_drop(position);
        }
        self.request.len.store(position + 1, Ordering::Release);
    }

    /// Notes that the inline slot at `position` needs dropping. Only the owner writes the mask, so a
    /// load and a store (no read-modify-write) suffice.
    #[inline(always)]
    fn mark_to_drop(&self, position: usize) {
        let mask = self.request.to_drop.load(Ordering::Relaxed);
        self.request
            .to_drop
            .store(mask | 1 << position, Ordering::Relaxed);
    }

    /// Reads the value at `position` as a `V` without checking.
    ///
    /// # Safety
    /// `position` must be below the length and hold a `V` (guaranteed by the `Has` proof).
    #[inline(always)]
    pub(crate) unsafe fn get_unchecked<V: 'static>(&self, position: usize) -> &V {
        debug_assert!(position < self.len());
        let slot = self.published(position);
        debug_assert_eq!((slot.kind.value)(), TypeId::of::<V>());
        // SAFETY: the caller guarantees the slot is published and holds a `V`; `value` points at it
        // (inline or boxed) and it lives as long as the store (replaced values are retired, not freed).
        unsafe { &*slot.value.load(Ordering::Acquire).cast::<V>() }
    }

    /// Swaps the value provided under `K` at `position` for `value`; the old one lives until the store
    /// is dropped.
    ///
    /// Checked, although `Context::replace` passes the position its sealed `Position` proof computed:
    /// replacing is rare, and a check keeps this function sound on its own.
    ///
    /// # Panics
    /// If `position` is not a value provided under `K`.
    pub(crate) fn replace<K: ContextKey>(&self, position: usize, value: K::Value) {
        assert!(
            position < self.len() && self.published(position).key == TypeId::of::<K>(),
            "baton: no value of `{}` at store position {position}",
            std::any::type_name::<K>()
        );
        let slot = self.published(position);
        let new = Box::into_raw(Box::new(value)).cast::<()>();
        if position < INLINE {
            // The slot now holds a box, whatever its value type.
            self.mark_to_drop(position);
        }
        let old = slot.value.swap(new, Ordering::AcqRel);
        let drop_old = if old == slot.inline.get().cast::<()>() {
            slot.kind.drop_in_place
        } else {
            slot.kind.drop_box
        };
        self.request
            .retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((old, drop_old));
    }

    /// Reads the value at `position` if one of type `V` is there.
    ///
    /// Positions are provision order (the first value provided is at 0); a `Context<P>` knows the
    /// position of each of its keys at compile time ([`Position`](crate::proof::Position)).
    #[doc(hidden)]
    #[inline]
    pub fn get_at<V: Send + Sync + 'static>(&self, position: usize) -> Option<&V> {
        if position >= self.len() {
            return None;
        }
        let slot = self.published(position);
        // SAFETY: the slot's value type was just checked to be `V`; it lives as long as the store.
        ((slot.kind.value)() == TypeId::of::<V>())
            .then(|| unsafe { &*slot.value.load(Ordering::Acquire).cast::<V>() })
    }

    /// Reads the value at `position` if it was provided under the key `K`.
    ///
    /// Compares the key, not only the value type: two keys with one value type (`UserName` and
    /// `OrgName`, both `String`) are never confused.
    #[doc(hidden)]
    #[inline]
    pub fn get_key_at<K: ContextKey>(&self, position: usize) -> Option<&K::Value> {
        if position >= self.len() {
            return None;
        }
        let slot = self.published(position);
        // SAFETY: a slot whose key is `K` holds a `K::Value` (`push`); it lives as long as the store.
        (slot.key == TypeId::of::<K>())
            .then(|| unsafe { &*slot.value.load(Ordering::Acquire).cast::<K::Value>() })
    }

    /// Finds the value provided under the key `K` by a run-time search (two keys may share a value type).
    ///
    /// `None` when nothing provided `K`; keys are compared, not value types:
    ///
    /// ```
    /// use baton::{Context, context_key};
    ///
    /// #[context_key(value = String)]
    /// struct UserName;
    /// #[context_key(value = String)]
    /// struct OrgName;
    ///
    /// let ctx = Context::default().provide_as::<UserName>("ada".to_string());
    /// assert_eq!(ctx.store().find_key::<UserName>().map(String::as_str), Some("ada"));
    /// assert_eq!(ctx.store().find_key::<OrgName>(), None); // also a `String`, but another key
    /// ```
    pub fn find_key<K: ContextKey>(&self) -> Option<&K::Value> {
        let wanted = TypeId::of::<K>();
        (0..self.len()).rev().find_map(|position| {
            let slot = self.published(position);
            // SAFETY: a slot provided under `K` holds a `K::Value`.
            (slot.key == wanted)
                .then(|| unsafe { &*slot.value.load(Ordering::Acquire).cast::<K::Value>() })
        })
    }

    /// Every value provided so far, oldest first, as `dyn Any` (for debugging and snapshots).
    ///
    /// ```
    /// use baton::{Context, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key(value = String)]
    /// struct UserName;
    ///
    /// let ctx = Context::default().provide(RequestId(7)).provide_as::<UserName>("ada".to_string());
    /// let names: Vec<String> = ctx
    ///     .store()
    ///     .values()
    ///     .filter_map(|value| value.downcast_ref::<String>().cloned())
    ///     .collect();
    /// assert_eq!(names, ["ada"]);
    /// assert!(ctx.store().values().next().unwrap().is::<RequestId>()); // oldest first
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &(dyn Any + Send + Sync)> + '_ {
        (0..self.len()).map(move |position| {
            let slot = self.published(position);
            // SAFETY: `as_any` is the slot's own value type's, and the value is live.
            unsafe { &*(slot.kind.as_any)(slot.value.load(Ordering::Acquire)) }
        })
    }

    /// Whether two handles point at the same request's store.
    ///
    /// ```
    /// use baton::Context;
    ///
    /// let (one, other) = (Context::default(), Context::default());
    /// let handle = one.store().clone();
    /// assert!(handle.same_as(one.store()));
    /// assert!(!handle.same_as(other.store()));
    /// ```
    pub fn same_as(&self, other: &Store) -> bool {
        Arc::ptr_eq(&self.request, &other.request)
    }
}

/// Drops the value in `slot`, inline or boxed as its pointer tells.
///
/// # Safety
/// `slot` is initialised and its value not dropped yet; it is not read again.
unsafe fn drop_slot(slot: &mut Slot) {
    let value = *slot.value.get_mut();
    // SAFETY: the caller's guarantee; `drop_box` and `drop_in_place` are the value type's own.
    unsafe {
        if value != slot.inline.get().cast::<()>() {
            (slot.kind.drop_box)(value);
        } else if slot.kind.needs_drop {
            (slot.kind.drop_in_place)(value);
        }
    }
}

// The drop mask has a bit per inline slot.
const _: () = assert!(INLINE <= u64::BITS as usize);

impl Drop for Request {
    fn drop(&mut self) {
        let len = *self.len.get_mut();
        // The inline slots that need it, from the mask `push` and `replace` kept.
        let mut to_drop = *self.to_drop.get_mut();
        while to_drop != 0 {
            let position = to_drop.trailing_zeros() as usize;
            to_drop &= to_drop - 1;
            // SAFETY: only positions below `len` are marked, each once: initialised, dropped here.
            unsafe { drop_slot((*self.inline[position].get()).assume_init_mut()) };
        }
        for position in INLINE..len {
            let (chunk, offset) = locate(position - INLINE);
            // SAFETY: a position below `len` lies in a chunk `push` allocated, within its length; its
            // slot is initialised and dropped once, here.
            unsafe {
                let cell = (*self.chunks[chunk].get_mut().add(offset)).get();
                drop_slot((*cell).assume_init_mut());
            }
        }
        // `push` allocates chunks only for positions past the inline slots.
        if len > INLINE {
            for (chunk, base) in self.chunks.iter_mut().enumerate() {
                let base = *base.get_mut();
                if !base.is_null() {
                    let cells = ptr::slice_from_raw_parts_mut(base, INLINE << chunk);
                    // SAFETY: `base` came from `Box::<[SlotCell]>::into_raw` of exactly this length
                    // in `push`; its slots were dropped above (`SlotCell` has no drop glue of its own).
                    drop(unsafe { Box::from_raw(cells) });
                }
            }
        }
        let retired = self
            .retired
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Usually empty (`replace` is rare): no drain to set up and tear down.
        if retired.is_empty() {
            return;
        }
        for (value, drop_value) in retired.drain(..) {
            // SAFETY: each retired value was displaced once by `replace`, with the drop function of
            // its own storage (inline or boxed), and no reader outlives the store.
            unsafe { drop_value(value) };
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("len", &self.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Small = (usize, Arc<()>);
    type Large = (usize, Arc<()>, [u64; 8]);

    struct SmallKey;
    impl ContextKey for SmallKey {
        type Value = Small;
        type Id = ();
    }
    struct LargeKey;
    impl ContextKey for LargeKey {
        type Value = Large;
        type Id = ();
    }

    struct PlainKey;
    impl ContextKey for PlainKey {
        type Value = u64;
        type Id = ();
    }

    #[test]
    fn inline_slots_are_dropped_by_the_mask_plain_ones_skipped_replaced_ones_freed() {
        let counter = Arc::new(());
        {
            let store = Store::new();
            store.push::<PlainKey>(1);
            store.push::<SmallKey>((1, counter.clone()));
            store.push::<PlainKey>(2);
            store.push::<LargeKey>((2, counter.clone(), [0; 8])); // boxed: freed by the mask too
            // A plain value replaced: its slot now points at a box, which must be freed (valgrind's
            // leak check in CI would see it otherwise).
            store.replace::<PlainKey>(0, 3);
            store.replace::<SmallKey>(1, (3, counter.clone()));
            assert_eq!(store.get_key_at::<PlainKey>(0), Some(&3));
            assert_eq!(Arc::strong_count(&counter), 4);
        }
        assert_eq!(Arc::strong_count(&counter), 1);
    }

    #[test]
    fn locate_maps_positions_to_chunks() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(7), (0, 7));
        assert_eq!(locate(8), (1, 0));
        assert_eq!(locate(23), (1, 15));
        assert_eq!(locate(24), (2, 0));
    }

    #[test]
    fn push_read_replace_and_drop_small_and_large_values() {
        let store = Store::new();
        let counter = Arc::new(());
        for i in 0..500usize {
            if i % 2 == 0 {
                store.push::<SmallKey>((i, counter.clone()));
            } else {
                store.push::<LargeKey>((i, counter.clone(), [0u64; 8]));
            }
        }
        for i in (0..500usize).step_by(2) {
            // SAFETY: even positions hold a `Small`, odd ones a `Large`, all below the length.
            assert_eq!(unsafe { store.get_unchecked::<Small>(i) }.0, i);
            // SAFETY: as above.
            assert_eq!(unsafe { store.get_unchecked::<Large>(i + 1) }.0, i + 1);
        }
        store.replace::<SmallKey>(4, (1000usize, counter.clone()));
        // SAFETY: as above.
        assert_eq!(unsafe { store.get_unchecked::<Small>(4) }.0, 1000);
        store.replace::<LargeKey>(5, (1001usize, counter.clone(), [1u64; 8]));
        // SAFETY: as above.
        assert_eq!(unsafe { store.get_unchecked::<Large>(5) }.0, 1001);
        assert_eq!(store.values().count(), 500);
        assert_eq!(store.get_at::<Small>(6).map(|v| v.0), Some(6));
        assert!(store.get_at::<u8>(6).is_none());
        assert!(store.get_at::<Small>(600).is_none());
        assert_eq!(store.get_key_at::<LargeKey>(7).map(|v| v.0), Some(7));
        assert!(store.get_key_at::<SmallKey>(7).is_none());
        assert!(store.get_key_at::<SmallKey>(600).is_none());
        drop(store);
        assert_eq!(Arc::strong_count(&counter), 1);
    }

    #[test]
    #[should_panic(expected = "no value of")]
    fn replace_checks_the_key_at_the_position() {
        let store = Store::new();
        store.push::<SmallKey>((0, Arc::new(())));
        store.replace::<LargeKey>(0, (1, Arc::new(()), [0; 8]));
    }

    #[test]
    #[should_panic(expected = "no value of")]
    fn replace_checks_the_position_is_published() {
        let store = Store::new();
        store.replace::<SmallKey>(3, (1, Arc::new(())));
    }

    #[test]
    fn find_key_tells_keys_with_the_same_value_type_apart() {
        struct First;
        struct Second;
        struct Absent;
        impl ContextKey for First {
            type Value = String;
            type Id = ();
        }
        impl ContextKey for Second {
            type Value = String;
            type Id = ();
        }
        impl ContextKey for Absent {
            type Value = String;
            type Id = ();
        }
        let store = Store::new();
        store.push::<First>("one".to_string());
        store.push::<Second>("two".to_string());
        assert_eq!(store.find_key::<First>().map(String::as_str), Some("one"));
        assert_eq!(store.find_key::<Second>().map(String::as_str), Some("two"));
        assert_eq!(store.find_key::<Absent>(), None);
        assert_eq!(
            store.get_key_at::<Second>(1).map(String::as_str),
            Some("two")
        );
        assert_eq!(store.get_key_at::<First>(1), None);
    }

    #[test]
    fn the_request_allocation_stays_under_one_kibibyte() {
        assert!(size_of::<Request>() < 1024, "{}", size_of::<Request>());
        assert_eq!(size_of::<Store>(), size_of::<usize>());
    }
}
