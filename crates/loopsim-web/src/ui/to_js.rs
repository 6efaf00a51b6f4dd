//! A serde serializer to plain JS values, with `serde_json`'s data model: structs and maps are
//! objects, sequences and tuples arrays, `None`/unit `null`, unit variants their name, other
//! variants `{ name: value }`, and non-finite numbers `null`. Every number becomes a JS number,
//! which is exact for counts (they never reach 2^53); the report's `seed`, a `u64` that can go
//! past 2^53, is a decimal string instead ([`report_to_js`]), as in the JS API's `report()`.
//!
//! The page turns the report into JSON text with `JSON.stringify`: compiling `serde_json`'s
//! writer and float formatting into the page would cost about 10 KB of its gzipped download.

use js_sys::{Array, Object, Reflect};
use loopsim_core::Report;
use serde::ser::{self, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// `value` as a JS value (`null` if it cannot be represented, which the report never hits).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(Ser).unwrap_or(JsValue::NULL)
}

/// The report as a JS object with `seed` as a decimal string (`"9007199254740993"`): a JS
/// number would round a seed past 2^53 to another seed.
pub fn report_to_js(report: &Report) -> JsValue {
    let v = to_js(report);
    set(
        v.unchecked_ref(),
        &JsValue::from_str("seed"),
        &JsValue::from_str(&report.seed.to_string()),
    );
    v
}

/// The report as indented JSON text (`JSON.stringify(report, null, 2)`), seed exact: what the
/// page exports and `window.loopsim` hands out. Numbers are written as JS writes them (`180`,
/// not the CLI's `180.0`).
pub fn report_json(report: &Report) -> String {
    js_sys::JSON::stringify_with_replacer_and_space(
        &report_to_js(report),
        &JsValue::NULL,
        &2.into(),
    )
    .ok()
    .and_then(|s| s.as_string())
    .unwrap_or_else(|| String::from("null"))
}

#[derive(Debug)]
pub struct Error;

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not representable in JS")
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: core::fmt::Display>(_: T) -> Self {
        Error
    }
}

#[derive(Clone, Copy)]
struct Ser;

#[inline(never)]
fn num(v: f64) -> JsValue {
    if v.is_finite() {
        JsValue::from_f64(v)
    } else {
        JsValue::NULL
    }
}

#[inline(never)]
fn string(v: &str) -> JsValue {
    JsValue::from_str(v)
}

#[inline(never)]
fn set(obj: &Object, key: &JsValue, value: &JsValue) {
    let _ = Reflect::set(obj, key, value);
}

/// `{ variant: value }`.
fn tagged(variant: &str, value: &JsValue) -> JsValue {
    let o = Object::new();
    set(&o, &JsValue::from_str(variant), value);
    o.into()
}

pub struct Seq {
    items: Array,
    /// Wrap as `{ variant: [...] }` when set.
    variant: Option<&'static str>,
}

pub struct Map {
    obj: Object,
    key: JsValue,
    variant: Option<&'static str>,
}

impl ser::Serializer for Ser {
    type Ok = JsValue;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Map;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Error> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Error> {
        Ok(num(v as f64))
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Error> {
        Ok(num(v as f64))
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Error> {
        Ok(num(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Error> {
        Ok(num(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Error> {
        Ok(string(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<JsValue, Error> {
        Ok(v.iter().map(|b| num((*b).into())).collect::<Array>().into())
    }
    fn serialize_none(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<JsValue, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<JsValue, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<JsValue, Error> {
        Ok(tagged(variant, &v.serialize(self)?))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq {
            items: Array::new(),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq, Error> {
        Ok(Seq {
            items: Array::new(),
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map, Error> {
        Ok(Map {
            obj: Object::new(),
            key: JsValue::NULL,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Map, Error> {
        Ok(Map {
            obj: Object::new(),
            key: JsValue::NULL,
            variant: Some(variant),
        })
    }
}

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let v = v.serialize(Ser)?;
        self.put(v);
        Ok(())
    }
    #[inline(never)]
    fn put(&self, v: JsValue) {
        self.items.push(&v);
    }
    fn done(self) -> Result<JsValue, Error> {
        let v: JsValue = self.items.into();
        Ok(match self.variant {
            Some(name) => tagged(name, &v),
            None => v,
        })
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTupleVariant for Seq {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl Map {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Error> {
        let v = v.serialize(Ser)?;
        self.put(key, v);
        Ok(())
    }
    #[inline(never)]
    fn put(&self, key: &str, v: JsValue) {
        set(&self.obj, &JsValue::from_str(key), &v);
    }
    fn done(self) -> Result<JsValue, Error> {
        let v: JsValue = self.obj.into();
        Ok(match self.variant {
            Some(name) => tagged(name, &v),
            None => v,
        })
    }
}

impl ser::SerializeMap for Map {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // Object keys are strings; numbers (and anything else) are stringified, as in JSON.
        let k = key.serialize(Ser)?;
        self.key = if k.is_string() {
            k
        } else {
            JsValue::from(js_sys::JsString::from(k))
        };
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        set(&self.obj, &self.key, &v.serialize(Ser)?);
        Ok(())
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeStruct for Map {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeStructVariant for Map {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}
