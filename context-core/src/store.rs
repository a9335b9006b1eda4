//! The run-time half of a context: an append-only, shared list of provided values.
//!
//! Values are pushed in provision order, so the type-level list `P` of a `Context<P>` tells, at compile
//! time, at which position each key's value sits: a typed read is an index, not a search. The store is
//! reference-counted so the ambient handle of `baton-async` sees values provided further down the chain.
//!
//! Exactly one writer exists at a time (the `Context` that owns the store is not `Clone`); other handles
//! only read. A value is written into its slot before the length is published with `Release`, and readers
//! load the length with `Acquire`, so every slot below the length they saw is fully written.

use crate::key::ContextKey;
use std::any::{Any, TypeId};
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Slots held inline in the store, enough for most routes without a second allocation.
const INLINE: usize = 16;
/// Heap chunks after the inline ones; chunk `c` holds `INLINE << c` slots.
const CHUNKS: usize = 24;

struct Slot {
    /// The key the value was provided under (two keys may share a value type).
    key: TypeId,
    type_id: TypeId,
    value: AtomicPtr<()>,
    drop_value: unsafe fn(*mut ()),
    as_any: unsafe fn(*const ()) -> *const (dyn Any + Send + Sync),
}

type SlotCell = UnsafeCell<MaybeUninit<Slot>>;

/// A displaced value and the function that drops it.
type Retired = (*mut (), unsafe fn(*mut ()));

struct Slots {
    len: AtomicUsize,
    inline: [SlotCell; INLINE],
    chunks: [AtomicPtr<SlotCell>; CHUNKS],
    /// Values displaced by `replace`, kept alive until the request ends because readers may hold them.
    retired: Mutex<Vec<Retired>>,
}

// SAFETY: slots are written once by the single owner before being published (see module docs); values
// are `Send + Sync`; retired pointers are only dropped in `Drop`.
unsafe impl Send for Slots {}
unsafe impl Sync for Slots {}

/// The shared value store of one request. Cloning it clones a handle, not the values.
#[derive(Clone)]
pub struct Store {
    slots: Arc<Slots>,
}

unsafe fn drop_boxed<V>(value: *mut ()) {
    // SAFETY: `value` came from `Box::<V>::into_raw` in `push`/`replace`.
    drop(unsafe { Box::from_raw(value.cast::<V>()) });
}

unsafe fn boxed_as_any<V: Send + Sync + 'static>(
    value: *const (),
) -> *const (dyn Any + Send + Sync) {
    value.cast::<V>() as *const (dyn Any + Send + Sync)
}

#[inline(always)]
fn locate(position: usize) -> (usize, usize) {
    // Chunk `c` starts at `INLINE * (2^c - 1)`; shifting by INLINE makes the start a power of two.
    let shifted = position / INLINE + 1;
    let chunk = (usize::BITS - 1 - shifted.leading_zeros()) as usize;
    let start = INLINE * ((1 << chunk) - 1);
    (chunk, position - start)
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Store {
            slots: Arc::new(Slots {
                len: AtomicUsize::new(0),
                inline: [const { UnsafeCell::new(MaybeUninit::uninit()) }; INLINE],
                chunks: [const { AtomicPtr::new(ptr::null_mut()) }; CHUNKS],
                retired: Mutex::new(Vec::new()),
            }),
        }
    }

    /// How many values have been provided so far.
    pub fn len(&self) -> usize {
        self.slots.len.load(Ordering::Acquire)
    }

    /// Whether no value has been provided yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline(always)]
    fn slot(&self, position: usize) -> *mut MaybeUninit<Slot> {
        if position < INLINE {
            return self.slots.inline[position].get();
        }
        let (chunk, offset) = locate(position - INLINE);
        let base = self.slots.chunks[chunk].load(Ordering::Acquire);
        // SAFETY: callers only ask for positions below the published length, whose chunk exists.
        unsafe { (*base.add(offset)).get() }
    }

    /// Appends `value`, provided under the key whose type id is `key`, at the next position. Only the
    /// single owner (a `Context`) calls this.
    pub(crate) fn push<V: Send + Sync + 'static>(&self, key: TypeId, value: V) {
        let position = self.slots.len.load(Ordering::Relaxed);
        if position >= INLINE {
            let (chunk, offset) = locate(position - INLINE);
            if offset == 0 {
                let cells: Box<[SlotCell]> = (0..INLINE << chunk)
                    .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                    .collect();
                let base = Box::into_raw(cells).cast::<SlotCell>();
                self.slots.chunks[chunk].store(base, Ordering::Release);
            }
        }
        let slot = Slot {
            key,
            type_id: TypeId::of::<V>(),
            value: AtomicPtr::new(Box::into_raw(Box::new(value)).cast()),
            drop_value: drop_boxed::<V>,
            as_any: boxed_as_any::<V>,
        };
        // SAFETY: the slot at `position` is unpublished, so no reader looks at it.
        unsafe { (*self.slot(position)).write(slot) };
        self.slots.len.store(position + 1, Ordering::Release);
    }

    /// Reads the value at `position` as a `V` without checking.
    ///
    /// # Safety
    /// `position` must be below the length and hold a `V` (guaranteed by the `Has` proof).
    #[inline(always)]
    pub(crate) unsafe fn get_unchecked<V: 'static>(&self, position: usize) -> &V {
        debug_assert!(position < self.len());
        unsafe {
            let slot = (*self.slot(position)).assume_init_ref();
            debug_assert_eq!(slot.type_id, TypeId::of::<V>());
            &*slot.value.load(Ordering::Acquire).cast::<V>()
        }
    }

    /// Swaps the value at `position` for `value`; the old one lives until the store is dropped.
    ///
    /// # Safety
    /// `position` must be below the length and hold a `V`.
    pub(crate) unsafe fn replace<V: Send + Sync + 'static>(&self, position: usize, value: V) {
        let slot = unsafe { (*self.slot(position)).assume_init_ref() };
        let new = Box::into_raw(Box::new(value)).cast::<()>();
        let old = slot.value.swap(new, Ordering::AcqRel);
        self.slots
            .retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((old, drop_boxed::<V>));
    }

    /// Reads the value at `position` if one of type `V` is there.
    ///
    /// Positions are provision order (the first value provided is at 0); a `Context<P>` knows the
    /// position of each of its keys at compile time ([`Position`](crate::proof::Position)).
    #[inline]
    pub fn get_at<V: Send + Sync + 'static>(&self, position: usize) -> Option<&V> {
        if position >= self.len() {
            return None;
        }
        // SAFETY: below the published length every slot is initialised; the type is checked.
        let slot = unsafe { (*self.slot(position)).assume_init_ref() };
        (slot.type_id == TypeId::of::<V>())
            .then(|| unsafe { &*slot.value.load(Ordering::Acquire).cast::<V>() })
    }

    /// Finds the value of type `V` by a run-time search (for optional reads).
    pub fn find<V: Send + Sync + 'static>(&self) -> Option<&V> {
        let wanted = TypeId::of::<V>();
        (0..self.len()).rev().find_map(|position| {
            // SAFETY: below the published length every slot is initialised.
            let slot = unsafe { (*self.slot(position)).assume_init_ref() };
            (slot.type_id == wanted)
                .then(|| unsafe { &*slot.value.load(Ordering::Acquire).cast::<V>() })
        })
    }

    /// Finds the value provided under the key `K` by a run-time search (for optional reads).
    ///
    /// Unlike [`find`](Self::find), two keys with the same value type are told apart.
    pub fn find_key<K: ContextKey>(&self) -> Option<&K::Value> {
        let wanted = TypeId::of::<K>();
        (0..self.len()).rev().find_map(|position| {
            // SAFETY: below the published length every slot is initialised; a slot provided under
            // `K` holds a `K::Value` (checked again in debug builds).
            let slot = unsafe { (*self.slot(position)).assume_init_ref() };
            (slot.key == wanted).then(|| unsafe {
                debug_assert_eq!(slot.type_id, TypeId::of::<K::Value>());
                &*slot.value.load(Ordering::Acquire).cast::<K::Value>()
            })
        })
    }

    /// Every value provided so far, oldest first, as `dyn Any` (for debugging and snapshots).
    pub fn values(&self) -> impl Iterator<Item = &(dyn Any + Send + Sync)> + '_ {
        (0..self.len()).map(move |position| unsafe {
            let slot = (*self.slot(position)).assume_init_ref();
            &*(slot.as_any)(slot.value.load(Ordering::Acquire))
        })
    }

    /// Whether two handles point at the same request's store.
    pub fn same_as(&self, other: &Store) -> bool {
        Arc::ptr_eq(&self.slots, &other.slots)
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        let len = *self.len.get_mut();
        for position in 0..len {
            let cell = if position < INLINE {
                self.inline[position].get()
            } else {
                let (chunk, offset) = locate(position - INLINE);
                unsafe { (*self.chunks[chunk].get_mut().add(offset)).get() }
            };
            // SAFETY: positions below `len` are initialised and dropped once, here.
            unsafe {
                let slot = (*cell).assume_init_read();
                (slot.drop_value)(slot.value.into_inner());
            }
        }
        for (chunk, base) in self.chunks.iter_mut().enumerate() {
            let base = *base.get_mut();
            if !base.is_null() {
                let cells = ptr::slice_from_raw_parts_mut(base, INLINE << chunk);
                drop(unsafe { Box::from_raw(cells) });
            }
        }
        let retired = self
            .retired
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (value, drop_value) in retired.drain(..) {
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

    #[test]
    fn locate_maps_positions_to_chunks() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(15), (0, 15));
        assert_eq!(locate(16), (1, 0));
        assert_eq!(locate(47), (1, 31));
        assert_eq!(locate(48), (2, 0));
    }

    #[test]
    fn push_read_and_drop_many_values() {
        let store = Store::new();
        let counter = Arc::new(());
        for i in 0..500usize {
            store.push(TypeId::of::<()>(), (i, counter.clone()));
        }
        for i in 0..500usize {
            assert_eq!(unsafe { store.get_unchecked::<(usize, Arc<()>)>(i) }.0, i);
        }
        unsafe { store.replace(3, (1000usize, counter.clone())) };
        assert_eq!(
            unsafe { store.get_unchecked::<(usize, Arc<()>)>(3) }.0,
            1000
        );
        assert_eq!(store.values().count(), 500);
        drop(store);
        assert_eq!(Arc::strong_count(&counter), 1);
    }

    #[test]
    fn find_searches_by_type() {
        let store = Store::new();
        store.push(TypeId::of::<u8>(), 1u8);
        store.push(TypeId::of::<&str>(), "two");
        assert_eq!(store.find::<&str>(), Some(&"two"));
        assert_eq!(store.find::<u8>(), Some(&1));
        assert_eq!(store.find::<u16>(), None);
    }
}
