//! Every number of a report with its path: the figures replications are summarised over.
//!
//! A [`serde::Serializer`] that walks any `Serialize` value (the [`Report`](crate::Report))
//! and records each finite number under the dotted path of struct fields, map keys and list
//! indices that leads to it (`latency_s.p99`, `services.api.utilization`,
//! `services.api.served_by_replica.1`). Text, booleans, absent options and unit enum variants
//! are not figures and are skipped. Working from the serialised form keeps one source of truth:
//! a figure added to the report is summarised, printed with its interval and given a JSON
//! `_ci` without touching this module.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::ser::{self, Serialize};

/// The numeric figures of `value` by dotted path, in serialisation order: its finite numbers
/// (a NaN or infinite value is not a figure to average).
pub fn leaves<T: Serialize + ?Sized>(value: &T) -> Vec<(String, f64)> {
    let mut out = numbers(value);
    out.retain(|(_, v)| v.is_finite());
    out
}

/// Every number of `value` by dotted path, NaN and infinities included (`serde_json` writes
/// those as `null`, which hides them: the property tests look for them here).
pub fn numbers<T: Serialize + ?Sized>(value: &T) -> Vec<(String, f64)> {
    let mut walk = Walk::new();
    // The walker never fails: its error type is only there because the trait asks for one.
    let _ = value.serialize(&mut walk);
    walk.out
}

struct Walk {
    path: Vec<String>,
    out: Vec<(String, f64)>,
    /// Set when walking a map key: the text of a string key lands here.
    key: Option<String>,
}

impl Walk {
    fn new() -> Walk {
        Walk {
            path: Vec::new(),
            out: Vec::new(),
            key: None,
        }
    }

    fn number(&mut self, v: f64) {
        self.out.push((self.path.join("."), v));
    }

    fn nested<T: Serialize + ?Sized>(&mut self, segment: String, value: &T) {
        self.path.push(segment);
        let _ = value.serialize(&mut *self);
        self.path.pop();
    }
}

/// Never produced; the trait needs an error type.
#[derive(Debug)]
pub struct Never;

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unreachable")
    }
}

impl ser::StdError for Never {}

impl ser::Error for Never {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Never
    }
}

type Done = Result<(), Never>;

/// A list or map being walked: its next index, and a map's pending key.
pub struct Compound<'a> {
    walk: &'a mut Walk,
    index: usize,
    key: Option<String>,
}

impl<'a> Compound<'a> {
    fn new(walk: &'a mut Walk) -> Self {
        Compound {
            walk,
            index: 0,
            key: None,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        let segment = self.index.to_string();
        self.index += 1;
        self.walk.nested(segment, value);
        Ok(())
    }
}

macro_rules! numbers {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Done {
            self.number(v as f64);
            Ok(())
        })*
    };
}

impl<'a> ser::Serializer for &'a mut Walk {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_f32: f32, serialize_f64: f64);

    fn serialize_bool(self, _: bool) -> Done {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Done {
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        if let Some(key) = &mut self.key {
            key.push_str(v);
        }
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        Ok(())
    }
    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.nested(variant.to_string(), value);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Never> {
        Ok(Compound::new(self))
    }
}

/// The list-like compounds: each element under its index.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {
        $(impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                self.element(value)
            }
            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.key = Some(key_text(key));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        let key = self.key.take().unwrap_or_default();
        self.walk.nested(key, value);
        Ok(())
    }
    fn end(self) -> Done {
        Ok(())
    }
}

/// The struct-like compounds: each field under its name.
macro_rules! fields {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Done {
                self.walk.nested(name.to_string(), value);
                Ok(())
            }
            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key as a path segment: strings as they are, numbers in decimal.
fn key_text<T: Serialize + ?Sized>(key: &T) -> String {
    let mut walk = Walk::new();
    walk.key = Some(String::new());
    let _ = key.serialize(&mut walk);
    match walk.out.first() {
        Some((_, n)) => format!("{n}"),
        None => walk.key.unwrap_or_default(),
    }
}
