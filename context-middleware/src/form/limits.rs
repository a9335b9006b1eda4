//! [`FormLimits`] and the urlencoded reader that counts against them.

use super::FormRejection;

/// The limits of [`form_data`](super::form_data()): the seeds' defaults, each changeable.
///
/// The whole body is bounded by the request's [`BodyLimit`](crate::__baton::BodyLimit) (2 MiB by
/// default), not here: an upload route raises both, `.with(body_limit(n))` and
/// [`max_file_size`](Self::max_file_size).
///
/// ```
/// use baton::builtin::form::FormLimits;
///
/// let limits = FormLimits::default();
/// assert_eq!((limits.max_files, limits.max_file_size, limits.max_parts), (20, 2 << 20, 1000));
/// let uploads = FormLimits::default().max_files(1).max_file_size(100 << 20);
/// assert_eq!(uploads.max_files, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormLimits {
    /// Files in one multipart body (default 20).
    pub max_files: usize,
    /// Bytes in one file (default 2 MiB).
    pub max_file_size: usize,
    /// Parts of a multipart body, or `name=value` pairs of a urlencoded one (default 1000): each costs
    /// a few allocations whatever its size, so tiny parts are counted, not only bytes.
    pub max_parts: usize,
    /// Bytes in one text field's value, and in any field's name or file name (default 100 KiB):
    /// they are held in memory.
    pub max_field_size: usize,
    /// Files larger than this are written to a temporary file (default 64 KiB).
    pub spool_threshold: usize,
}

impl Default for FormLimits {
    fn default() -> Self {
        FormLimits {
            max_files: 20,
            max_file_size: 2 * 1024 * 1024,
            max_parts: 1000,
            max_field_size: 100 * 1024,
            spool_threshold: 64 * 1024,
        }
    }
}

impl FormLimits {
    /// Sets [`max_files`](Self::max_files).
    ///
    /// ```
    /// assert_eq!(baton::builtin::form::FormLimits::default().max_files(3).max_files, 3);
    /// ```
    pub fn max_files(mut self, count: usize) -> Self {
        self.max_files = count;
        self
    }

    /// Sets [`max_file_size`](Self::max_file_size), in bytes.
    ///
    /// ```
    /// assert_eq!(baton::builtin::form::FormLimits::default().max_file_size(9).max_file_size, 9);
    /// ```
    pub fn max_file_size(mut self, bytes: usize) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Sets [`max_parts`](Self::max_parts).
    ///
    /// ```
    /// assert_eq!(baton::builtin::form::FormLimits::default().max_parts(5).max_parts, 5);
    /// ```
    pub fn max_parts(mut self, count: usize) -> Self {
        self.max_parts = count;
        self
    }

    /// Sets [`max_field_size`](Self::max_field_size), in bytes.
    ///
    /// ```
    /// assert_eq!(baton::builtin::form::FormLimits::default().max_field_size(7).max_field_size, 7);
    /// ```
    pub fn max_field_size(mut self, bytes: usize) -> Self {
        self.max_field_size = bytes;
        self
    }

    /// Sets [`spool_threshold`](Self::spool_threshold), in bytes (`0` spools every file).
    ///
    /// ```
    /// assert_eq!(baton::builtin::form::FormLimits::default().spool_threshold(0).spool_threshold, 0);
    /// ```
    pub fn spool_threshold(mut self, bytes: usize) -> Self {
        self.spool_threshold = bytes;
        self
    }

    pub(super) fn check_count(
        &self,
        limit: &'static str,
        count: usize,
        max: usize,
    ) -> Result<(), FormRejection> {
        if count > max {
            return Err(FormRejection::LimitExceeded { limit, max });
        }
        Ok(())
    }

    pub(super) fn check_size(
        &self,
        limit: &'static str,
        bytes: usize,
        max: usize,
    ) -> Result<(), FormRejection> {
        self.check_count(limit, bytes, max)
    }
}

/// The pairs of a urlencoded body, decoded (`+` is a space, `%XX` a byte), strictly UTF-8: a form
/// that decodes to invalid UTF-8 is malformed rather than silently patched with U+FFFD.
pub(super) fn urlencoded_fields(
    body: &[u8],
    limits: &FormLimits,
) -> Result<Vec<(String, String)>, FormRejection> {
    let mut fields = Vec::new();
    for pair in body
        .split(|&byte| byte == b'&')
        .filter(|pair| !pair.is_empty())
    {
        limits.check_count("max_parts", fields.len() + 1, limits.max_parts)?;
        let (name, value) = match pair.iter().position(|&byte| byte == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        fields.push((decode_field(name, limits)?, decode_field(value, limits)?));
    }
    Ok(fields)
}

/// A name or a value, decoded and bounded by `max_field_size`: both are held in memory.
fn decode_field(encoded: &[u8], limits: &FormLimits) -> Result<String, FormRejection> {
    let decoded = decode(encoded)?;
    limits.check_size("max_field_size", decoded.len(), limits.max_field_size)?;
    Ok(decoded)
}

fn decode(encoded: &[u8]) -> Result<String, FormRejection> {
    // Most names and values have nothing to decode: one scan, one copy.
    if !encoded.iter().any(|&byte| byte == b'+' || byte == b'%') {
        return match std::str::from_utf8(encoded) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(not_utf8()),
        };
    }
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => match (tail.first().and_then(hex), tail.get(1).and_then(hex)) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    rest = &tail[2..];
                }
                // A `%` not followed by two hex digits stays as it is, as browsers read it.
                _ => bytes.push(b'%'),
            },
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| not_utf8())
}

fn not_utf8() -> FormRejection {
    FormRejection::Malformed("a urlencoded field is not UTF-8 once decoded".to_string())
}

fn hex(digit: &u8) -> Option<u8> {
    (*digit as char).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_a_browser() {
        let limits = FormLimits::default();
        let fields = urlencoded_fields(b"a=1&b=x+y&c=%C3%AB&d&&e=%zz%4", &limits).unwrap();
        let fields: Vec<_> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("a", "1"),
                ("b", "x y"),
                ("c", "ë"),
                ("d", ""),
                ("e", "%zz%4")
            ]
        );
        assert!(urlencoded_fields(b"a=%FF", &limits).is_err());
    }

    #[test]
    fn limits_are_counted() {
        let limits = FormLimits::default().max_parts(2).max_field_size(3);
        assert!(urlencoded_fields(b"a=1&b=2", &limits).is_ok());
        let too_many = urlencoded_fields(b"a=1&b=2&c=3", &limits).unwrap_err();
        assert!(matches!(
            too_many,
            FormRejection::LimitExceeded {
                limit: "max_parts",
                max: 2
            }
        ));
        let too_long = urlencoded_fields(b"a=1234", &limits).unwrap_err();
        assert!(matches!(
            too_long,
            FormRejection::LimitExceeded {
                limit: "max_field_size",
                ..
            }
        ));
        // Escapes count decoded: `%41%41%41` is three bytes.
        assert!(urlencoded_fields(b"a=%41%41%41", &limits).is_ok());
        // Names are bounded like values, with or without a value.
        for long_name in [&b"abcd=1"[..], b"abcd", b"%41%41%41%41="] {
            assert!(matches!(
                urlencoded_fields(long_name, &limits).unwrap_err(),
                FormRejection::LimitExceeded {
                    limit: "max_field_size",
                    max: 3
                }
            ));
        }
        assert!(urlencoded_fields(b"abc=123", &limits).is_ok());
    }
}
