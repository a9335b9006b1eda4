//! Path parameters: raw strings from the matched route, deserialized on demand with serde.
//!
//! `/users/{id}` matched against `/users/7` gives `id = "7"`; `ctx.path::<u32>()` parses it, and a
//! malformed value becomes a [`PathRejection`] that answers `400 Bad Request` with the reason.

use crate::response::{IntoResponse, Response};
use http::StatusCode;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use std::fmt;
use std::sync::Arc;

/// The path parameters of a matched route, in route order.
///
/// Names are shared with the route (no copy per request); values sit in one buffer.
#[derive(Clone, Default)]
pub struct PathParams {
    names: Option<Arc<[Box<str>]>>,
    values: String,
    /// End offset of each value in `values`.
    ends: Ends,
}

/// Value end offsets, inline for the usual handful of parameters.
#[derive(Clone, Default)]
enum Ends {
    #[default]
    None,
    Inline(u8, [u32; 4]),
    Heap(Vec<u32>),
}

impl Ends {
    fn push(&mut self, end: u32) {
        match self {
            Ends::None => *self = Ends::Inline(1, [end, 0, 0, 0]),
            Ends::Inline(len, ends) if usize::from(*len) < ends.len() => {
                ends[usize::from(*len)] = end;
                *len += 1;
            }
            Ends::Inline(len, ends) => {
                let mut heap = ends[..usize::from(*len)].to_vec();
                heap.push(end);
                *self = Ends::Heap(heap);
            }
            Ends::Heap(heap) => heap.push(end),
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            Ends::None => &[],
            Ends::Inline(len, ends) => &ends[..usize::from(*len)],
            Ends::Heap(heap) => heap,
        }
    }
}

impl PathParams {
    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// Parameters in route order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            params: self,
            index: 0,
        }
    }

    /// How many parameters the route captured.
    pub fn len(&self) -> usize {
        self.ends.as_slice().len()
    }

    /// Whether the route captured none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entry(&self, index: usize) -> Option<(&str, &str)> {
        let ends = self.ends.as_slice();
        let end = *ends.get(index)? as usize;
        let start = if index == 0 {
            0
        } else {
            ends[index - 1] as usize
        };
        let name = self
            .names
            .as_ref()
            .and_then(|names| names.get(index))
            .map_or("", |name| name);
        Some((name, &self.values[start..end]))
    }

    /// The parameters of a matched route, percent-decoded (`%20` → space). A value whose decoded bytes
    /// are not UTF-8 is kept as sent. `names` are the route's parameter names, in order.
    pub(crate) fn decoded<'a>(
        names: &Arc<[Box<str>]>,
        values: impl Iterator<Item = &'a str>,
    ) -> Self {
        let mut params = PathParams {
            names: Some(names.clone()),
            values: String::new(),
            ends: Ends::None,
        };
        for value in values.take(names.len()) {
            percent_decode_into(value, &mut params.values);
            params.ends.push(params.values.len() as u32);
        }
        params
    }

    pub(crate) fn deserialize<T: DeserializeOwned>(&self) -> Result<T, PathRejection> {
        T::deserialize(ParamsDeserializer { params: self })
    }
}

/// Iterator over `(name, value)` pairs of [`PathParams`].
#[derive(Clone)]
pub struct Iter<'a> {
    params: &'a PathParams,
    index: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.params.entry(self.index)?;
        self.index += 1;
        Some(entry)
    }
}

impl fmt::Debug for PathParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for PathParams {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for PathParams {}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for PathParams {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut names = Vec::new();
        let mut params = PathParams::default();
        for (name, value) in iter {
            names.push(name.into().into_boxed_str());
            params.values.push_str(&value.into());
            params.ends.push(params.values.len() as u32);
        }
        params.names = Some(names.into());
        params
    }
}

/// The parameter names of a route pattern (`/users/{id}/posts/{*rest}` → `id`, `rest`), in order.
pub(crate) fn parameter_names(pattern: &str) -> Arc<[Box<str>]> {
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        // `{{` is an escaped brace in matchit patterns.
        if rest[open + 1..].starts_with('{') {
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = rest[open + 1..open + close].trim_start_matches('*');
        // A scope fallback's catch-all is routing machinery, not a parameter of the user's route.
        if name != "__baton_fallback" {
            names.push(name.into());
        }
        rest = &rest[open + close + 1..];
    }
    names.into()
}

fn percent_decode_into(value: &str, out: &mut String) {
    if !value.contains('%') {
        out.push_str(value);
        return;
    }
    let hex = |byte: u8| (byte as char).to_digit(16).map(|digit| digit as u8);
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).copied().and_then(hex),
                bytes.get(index + 2).copied().and_then(hex),
            )
        {
            decoded.push(high << 4 | low);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    match String::from_utf8(decoded) {
        Ok(decoded) => out.push_str(&decoded),
        Err(_) => out.push_str(value),
    }
}

/// A path parameter that could not be deserialized; responds `400 Bad Request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRejection {
    message: String,
}

impl PathRejection {
    /// What was wrong, in words for the client.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PathRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid path parameter: {}", self.message)
    }
}

impl std::error::Error for PathRejection {}

impl de::Error for PathRejection {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathRejection {
            message: msg.to_string(),
        }
    }
}

impl IntoResponse for PathRejection {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.to_string()).into_response()
    }
}

struct ParamsDeserializer<'a> {
    params: &'a PathParams,
}

impl<'a> ParamsDeserializer<'a> {
    fn single(&self) -> Result<ValueDeserializer<'a>, PathRejection> {
        match (self.params.len(), self.params.entry(0)) {
            (1, Some((name, value))) => Ok(ValueDeserializer { name, value }),
            _ => Err(de::Error::custom(format!(
                "expected 1 parameter, the route has {}",
                self.params.len()
            ))),
        }
    }
}

macro_rules! forward_to_single {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
            self.single()?.$method(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ParamsDeserializer<'_> {
    type Error = PathRejection;

    forward_to_single! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_identifier
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        self.deserialize_map(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_seq(ParamSeq {
            params: self.params.iter(),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        if len != self.params.len() {
            return Err(de::Error::custom(format!(
                "expected {len} parameters, the route has {}",
                self.params.len()
            )));
        }
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_map(ParamMap {
            params: self.params.iter(),
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.single()?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }
}

struct ParamSeq<'a> {
    params: Iter<'a>,
}

impl<'de> SeqAccess<'de> for ParamSeq<'_> {
    type Error = PathRejection;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, PathRejection> {
        match self.params.next() {
            Some((name, value)) => seed
                .deserialize(ValueDeserializer { name, value })
                .map(Some),
            None => Ok(None),
        }
    }
}

struct ParamMap<'a> {
    params: Iter<'a>,
    value: Option<(&'a str, &'a str)>,
}

impl<'de> MapAccess<'de> for ParamMap<'_> {
    type Error = PathRejection;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, PathRejection> {
        match self.params.next() {
            Some(entry) => {
                self.value = Some(entry);
                seed.deserialize(entry.0.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, PathRejection> {
        let (name, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value without a key"))?;
        seed.deserialize(ValueDeserializer { name, value })
    }
}

/// One parameter's text, parsed into whatever primitive the target asks for.
struct ValueDeserializer<'a> {
    name: &'a str,
    value: &'a str,
}

impl ValueDeserializer<'_> {
    fn parse<T: std::str::FromStr>(&self, expected: &str) -> Result<T, PathRejection> {
        self.value.parse().map_err(|_| {
            de::Error::custom(format!(
                "`{}` must be {expected}, got {:?}",
                self.name, self.value
            ))
        })
    }
}

macro_rules! parse_value {
    ($($method:ident => $visit:ident, $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
            visitor.$visit(self.parse::<$ty>($expected)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_> {
    type Error = PathRejection;

    parse_value! {
        deserialize_bool => visit_bool, bool, "true or false";
        deserialize_i8 => visit_i8, i8, "an integer (i8)";
        deserialize_i16 => visit_i16, i16, "an integer (i16)";
        deserialize_i32 => visit_i32, i32, "an integer (i32)";
        deserialize_i64 => visit_i64, i64, "an integer (i64)";
        deserialize_i128 => visit_i128, i128, "an integer (i128)";
        deserialize_u8 => visit_u8, u8, "a non-negative integer (u8)";
        deserialize_u16 => visit_u16, u16, "a non-negative integer (u16)";
        deserialize_u32 => visit_u32, u32, "a non-negative integer (u32)";
        deserialize_u64 => visit_u64, u64, "a non-negative integer (u64)";
        deserialize_u128 => visit_u128, u128, "a non-negative integer (u128)";
        deserialize_f32 => visit_f32, f32, "a number";
        deserialize_f64 => visit_f64, f64, "a number";
        deserialize_char => visit_char, char, "a single character";
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_str(self.value)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_str(self.value)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_string(self.value.to_owned())
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_bytes(self.value.as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_byte_buf(self.value.as_bytes().to_vec())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, _: V) -> Result<V::Value, PathRejection> {
        Err(de::Error::custom(format!(
            "`{}` is a single value, not a sequence",
            self.name
        )))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_enum(self.value.into_deserializer())
    }

    fn deserialize_identifier<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_str(self.value)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, PathRejection> {
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> PathParams {
        pairs.iter().copied().collect()
    }

    fn percent_decode(value: &str) -> String {
        let mut out = String::new();
        percent_decode_into(value, &mut out);
        out
    }

    #[test]
    fn parameter_names_follow_the_pattern() {
        let names = parameter_names("/users/{id}/files/{*rest}");
        assert_eq!(&*names, &["id".into(), "rest".into()] as &[Box<str>]);
        assert!(parameter_names("/a/{{literal}}/b").is_empty());
        assert_eq!(parameter_names("/s/{*__baton_fallback}").len(), 0);
    }

    #[test]
    fn matched_params_are_percent_decoded() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("o%C3%A9"), "oé");
        // Not an escape, or not UTF-8 once decoded: kept as sent.
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "%FF");
        let decoded =
            PathParams::decoded(&parameter_names("/{name}"), ["ada%20lovelace"].into_iter());
        assert_eq!(decoded.get("name"), Some("ada lovelace"));
    }

    #[test]
    fn single_tuple_and_struct() {
        assert_eq!(params(&[("id", "7")]).deserialize::<u32>().unwrap(), 7);
        let pair: (String, u8) = params(&[("name", "ann"), ("age", "30")])
            .deserialize()
            .unwrap();
        assert_eq!(pair, ("ann".to_string(), 30));

        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct UserPost {
            user: u64,
            slug: String,
        }
        let post: UserPost = params(&[("user", "1"), ("slug", "hi")])
            .deserialize()
            .unwrap();
        assert_eq!(
            post,
            UserPost {
                user: 1,
                slug: "hi".into()
            }
        );
    }

    #[test]
    fn malformed_values_name_the_parameter() {
        let error = params(&[("id", "abc")]).deserialize::<u32>().unwrap_err();
        assert_eq!(
            error.message(),
            "`id` must be a non-negative integer (u32), got \"abc\""
        );
        let error = params(&[("a", "1"), ("b", "2")])
            .deserialize::<u32>()
            .unwrap_err();
        assert!(error.message().contains("expected 1 parameter"));
    }
}
