//! The decoded values of a request's path parameters, one buffer for all of them: inline while they
//! are short (`/users/42`), on the heap past that.

use std::fmt;

/// Bytes of values held without an allocation: a typical id, slug or short name (sized so that the
/// whole request block, which holds these, stays under 1 KiB).
const INLINE: usize = 22;

/// A string that only grows by whole `&str`s, kept inline up to [`INLINE`] bytes.
#[derive(Clone)]
pub(super) enum Values {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(String),
}

impl Default for Values {
    fn default() -> Self {
        Values::Inline {
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

impl Values {
    #[inline]
    pub(super) fn push_str(&mut self, text: &str) {
        match self {
            Values::Inline { len, bytes } => {
                let start = usize::from(*len);
                let end = start + text.len();
                match bytes.get_mut(start..end) {
                    Some(room) => {
                        room.copy_from_slice(text.as_bytes());
                        *len = end as u8;
                    }
                    None => self.spill(text),
                }
            }
            Values::Heap(heap) => heap.push_str(text),
        }
    }

    /// Moves the values to the heap, `text` after them.
    #[cold]
    fn spill(&mut self, text: &str) {
        let mut heap = String::with_capacity((self.len() + text.len()).max(2 * INLINE));
        heap.push_str(self.as_str());
        heap.push_str(text);
        *self = Values::Heap(heap);
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        match self {
            Values::Inline { len, .. } => usize::from(*len),
            Values::Heap(heap) => heap.len(),
        }
    }

    #[inline]
    pub(super) fn as_str(&self) -> &str {
        match self {
            Values::Inline { len, bytes } => {
                let filled = &bytes[..usize::from(*len)];
                // SAFETY: `push_str` is the only writer, and it appends whole `&str`s at the end of
                // the filled part, so `bytes[..len]` is a concatenation of valid UTF-8 strings, which
                // is valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(filled) }
            }
            Values::Heap(heap) => heap,
        }
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_stay_inline_and_long_ones_move_to_the_heap_intact() {
        let mut values = Values::default();
        values.push_str("42");
        values.push_str("é");
        assert!(matches!(values, Values::Inline { .. }));
        assert_eq!(values.as_str(), "42é");
        values.push_str(&"x".repeat(40));
        assert!(matches!(values, Values::Heap(_)));
        assert_eq!(values.len(), 4 + 40);
        assert_eq!(&values.as_str()[..4], "42é");
        // A value that ends exactly at the inline capacity stays inline.
        let mut full = Values::default();
        full.push_str(&"a".repeat(INLINE));
        assert!(matches!(full, Values::Inline { .. }));
        assert_eq!(full.len(), INLINE);
    }
}
