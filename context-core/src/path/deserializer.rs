//! The serde deserializer behind `ctx.path::<T>()`: a single value, a tuple in route order, or a
//! struct by name, each parameter's text parsed into the primitive the target asks for.

use super::{Echo, Iter, PathParams, PathRejection};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

pub(super) struct ParamsDeserializer<'a> {
    pub(super) params: &'a PathParams,
}

impl<'a> ParamsDeserializer<'a> {
    #[inline]
    fn single(&self) -> Result<ValueDeserializer<'a>, PathRejection> {
        match (self.params.len(), self.params.value(0)) {
            (1, Some(value)) => Ok(ValueDeserializer {
                params: self.params,
                index: 0,
                value,
            }),
            _ => Err(self.not_single()),
        }
    }

    #[cold]
    fn not_single(&self) -> PathRejection {
        PathRejection::located(format!(
            "expected 1 parameter, the route has {}",
            self.params.len()
        ))
    }
}

macro_rules! forward_to_single {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathRejection> {
            let value = self.single()?;
            let params = self.params;
            value.$method(visitor).map_err(|error| error.in_param(params.name(0)))
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
            return Err(PathRejection::located(format!(
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
        let value = self.single()?;
        let params = self.params;
        value
            .deserialize_enum(name, variants, visitor)
            .map_err(|error| error.in_param(params.name(0)))
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
        let index = self.params.index;
        match self.params.next() {
            Some((name, value)) => seed
                .deserialize(ValueDeserializer {
                    params: self.params.params,
                    index,
                    value,
                })
                .map(Some)
                .map_err(|error| error.in_param(name)),
            None => Ok(None),
        }
    }
}

struct ParamMap<'a> {
    params: Iter<'a>,
    /// The index, name and value of the entry whose key was just read.
    value: Option<(usize, &'a str, &'a str)>,
}

impl<'de> MapAccess<'de> for ParamMap<'_> {
    type Error = PathRejection;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, PathRejection> {
        let index = self.params.index;
        match self.params.next() {
            Some((name, value)) => {
                self.value = Some((index, name, value));
                seed.deserialize(name.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, PathRejection> {
        let (index, name, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value without a key"))?;
        seed.deserialize(ValueDeserializer {
            params: self.params.params,
            index,
            value,
        })
        .map_err(|error| error.in_param(name))
    }
}

/// One parameter's text, parsed into whatever primitive the target asks for.
struct ValueDeserializer<'a> {
    params: &'a PathParams,
    /// Where the value sits in `params`: its name is looked up only for an error.
    index: usize,
    value: &'a str,
}

impl ValueDeserializer<'_> {
    fn name(&self) -> &str {
        self.params.name(self.index)
    }

    #[inline]
    fn parse<T: std::str::FromStr>(&self, expected: &str) -> Result<T, PathRejection> {
        self.value.parse().map_err(|_| self.malformed(expected))
    }

    #[cold]
    fn malformed(&self, expected: &str) -> PathRejection {
        PathRejection::located(format!(
            "`{}` must be {expected}, got {}",
            self.name(),
            Echo(self.value)
        ))
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
        Err(PathRejection::located(format!(
            "`{}` is a single value, not a sequence",
            self.name()
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
