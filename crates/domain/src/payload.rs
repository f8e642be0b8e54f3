//! Record payloads, format 2 (docs/formats.md, "Payload format 2"): each top-level field of a
//! record on its own, with the clock of the write that set it and the clock of the value that write
//! replaced. Merging two versions of a record is then a per-field maximum, the same on every device
//! whatever order versions arrive in (docs/sync.md, "Merging").
//!
//! ```text
//! payload = 0x02
//!           varint C, C × clock          clock = hlc (u64 big-endian) ‖ device (16 bytes);
//!                                        strictly ascending, each one referenced below
//!           varint F, F × field          field = varint index    (declaration order, ascending)
//!                                                varint clock    (position in the clock table)
//!                                                varint base     (0: none, else 1 + position)
//!                                                varint length ‖ value (MessagePack)
//! ```
//!
//! Varints are unsigned LEB128, minimal. A field's value is its MessagePack encoding (`rmp-serde`,
//! structs as arrays in declaration order): ids are their 16 bytes. Payloads that begin with `{` are format 1 (the record's
//! JSON), still read; every new version is written in format 2.

use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{Impossible, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::kind::Kind;

/// The first byte of a format 2 payload.
pub const FORMAT: u8 = 2;

/// At most this many fields in a payload, and twice as many clocks.
pub const MAX_FIELDS: usize = 64;

/// When a field was written, and by which device: compared as (hlc, device), the order every device
/// and the server use.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Clock {
    /// The write's hybrid logical clock.
    pub hlc: u64,
    /// The device that wrote it.
    pub device: [u8; 16],
}

impl Clock {
    /// The clock of a default value: no write set it. A singleton record (the billing profile)
    /// made on two devices offline starts from the same defaults; fields left at their default
    /// carry this clock, so that each device's changed fields win (docs/sync.md, "Merging").
    pub const DEFAULT: Clock = Clock {
        hlc: 0,
        device: [0; 16],
    };
}

/// One field of a record as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Field {
    /// Its position among the record type's fields, in declaration order.
    pub index: u16,
    /// The write that set it.
    pub clock: Clock,
    /// The clock of the value that write replaced, if there was one: a later write whose base is
    /// older than another write's clock did not know that write (a conflict).
    pub base: Option<Clock>,
    /// Its MessagePack encoding.
    pub value: Vec<u8>,
}

/// A record's fields, by ascending index.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Fields(Vec<Field>);

/// A payload that does not read, or a value that does not fit the format.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PayloadError(pub String);

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PayloadError {}

impl serde::ser::Error for PayloadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PayloadError(msg.to_string())
    }
}

impl serde::de::Error for PayloadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PayloadError(msg.to_string())
    }
}

fn err<T>(what: impl Into<String>) -> Result<T, PayloadError> {
    Err(PayloadError(what.into()))
}

/// Whether `payload` is format 2 (anything else is read as format 1, JSON).
pub fn is_format2(payload: &[u8]) -> bool {
    payload.first() == Some(&FORMAT)
}

impl Fields {
    /// A new record's fields, each written at `clock`.
    pub fn fresh(values: Vec<(u16, Vec<u8>)>, clock: Clock) -> Fields {
        Fields(
            values
                .into_iter()
                .map(|(index, value)| Field {
                    index,
                    clock,
                    base: None,
                    value,
                })
                .collect(),
        )
    }

    /// A new singleton record's fields: those equal to `defaults` (what every device starts
    /// from) carry [`Clock::DEFAULT`], the others `clock`.
    pub fn fresh_over(
        values: Vec<(u16, Vec<u8>)>,
        defaults: &[(u16, Vec<u8>)],
        clock: Clock,
    ) -> Fields {
        Fields(
            values
                .into_iter()
                .map(|(index, value)| {
                    let default = defaults.iter().any(|(i, v)| *i == index && *v == value);
                    Field {
                        index,
                        clock: if default { Clock::DEFAULT } else { clock },
                        base: None,
                        value,
                    }
                })
                .collect(),
        )
    }

    /// A new version of `self` with `values`: a field whose value is unchanged keeps its clock;
    /// a changed or new one is written at `clock`, based on the clock it replaces. Fields `values`
    /// does not name (written by a newer version of Stint) are kept as they are.
    pub fn edit(&self, values: Vec<(u16, Vec<u8>)>, clock: Clock) -> Fields {
        let mut out: Vec<Field> = Vec::with_capacity(values.len().max(self.0.len()));
        let mut old = self.0.iter().peekable();
        for (index, value) in values {
            while let Some(f) = old.next_if(|f| f.index < index) {
                out.push(f.clone());
            }
            match old.next_if(|f| f.index == index) {
                Some(f) if f.value == value => out.push(f.clone()),
                Some(f) => out.push(Field {
                    index,
                    clock,
                    base: Some(f.clock),
                    value,
                }),
                None => out.push(Field {
                    index,
                    clock,
                    base: None,
                    value,
                }),
            }
        }
        out.extend(old.cloned());
        Fields(out)
    }

    /// The fields.
    pub fn fields(&self) -> &[Field] {
        &self.0
    }

    /// The field at `index`.
    pub fn get(&self, index: u16) -> Option<&Field> {
        self.0
            .binary_search_by_key(&index, |f| f.index)
            .ok()
            .map(|i| &self.0[i])
    }

    /// Replaces (or adds) the value at `index`, written at `clock` over what was there.
    pub fn set(&mut self, index: u16, value: Vec<u8>, clock: Clock) {
        match self.0.binary_search_by_key(&index, |f| f.index) {
            Ok(i) => {
                let base = Some(self.0[i].clock);
                self.0[i] = Field {
                    index,
                    clock,
                    base,
                    value,
                };
            }
            Err(i) => self.0.insert(
                i,
                Field {
                    index,
                    clock,
                    base: None,
                    value,
                },
            ),
        }
    }

    /// The payload bytes (canonical: one encoding per set of fields).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut clocks: Vec<Clock> = self
            .0
            .iter()
            .flat_map(|f| std::iter::once(f.clock).chain(f.base))
            .collect();
        clocks.sort_unstable();
        clocks.dedup();
        let position = |c: &Clock| clocks.binary_search(c).unwrap_or(0) as u64;
        let size =
            1 + 5 + clocks.len() * 24 + self.0.iter().map(|f| 12 + f.value.len()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.push(FORMAT);
        varint(&mut out, clocks.len() as u64);
        for c in &clocks {
            out.extend_from_slice(&c.hlc.to_be_bytes());
            out.extend_from_slice(&c.device);
        }
        varint(&mut out, self.0.len() as u64);
        for f in &self.0 {
            varint(&mut out, u64::from(f.index));
            varint(&mut out, position(&f.clock));
            varint(&mut out, f.base.as_ref().map_or(0, |b| 1 + position(b)));
            varint(&mut out, f.value.len() as u64);
            out.extend_from_slice(&f.value);
        }
        out
    }

    /// Reads a format 2 payload, strictly: anything but the canonical encoding is refused.
    pub fn parse(payload: &[u8]) -> Result<Fields, PayloadError> {
        let mut fields = Vec::new();
        walk(payload, |index, clock, base, value| {
            fields.push(Field {
                index,
                clock,
                base,
                value: value.to_vec(),
            });
            Ok(())
        })?;
        Ok(Fields(fields))
    }
}

/// Walks a format 2 payload, checking it is canonical, handing each field to `each`.
fn walk<'a>(
    payload: &'a [u8],
    mut each: impl FnMut(u16, Clock, Option<Clock>, &'a [u8]) -> Result<(), PayloadError>,
) -> Result<(), PayloadError> {
    let mut r = Reader(payload);
    if r.byte()? != FORMAT {
        return err("not a format 2 payload");
    }
    let clock_count = r.varint()?;
    if clock_count as usize > 2 * MAX_FIELDS {
        return err(format!("{clock_count} clocks in one payload"));
    }
    let mut clocks: Vec<Clock> = Vec::with_capacity(clock_count as usize);
    for _ in 0..clock_count {
        let hlc = u64::from_be_bytes(r.array()?);
        let device = r.array()?;
        let clock = Clock { hlc, device };
        if clocks.last().is_some_and(|last| *last >= clock) {
            return err("the clock table is not in ascending order");
        }
        clocks.push(clock);
    }
    let field_count = r.varint()?;
    if field_count as usize > MAX_FIELDS {
        return err(format!("{field_count} fields in one payload"));
    }
    let mut used = 0u128;
    let mut previous: Option<u16> = None;
    let clock_at = |n: u64, used: &mut u128| -> Result<Clock, PayloadError> {
        let c = clocks
            .get(n as usize)
            .copied()
            .ok_or_else(|| PayloadError(format!("clock {n} is not in the table")))?;
        *used |= 1u128 << n;
        Ok(c)
    };
    for _ in 0..field_count {
        let index = u16::try_from(r.varint()?)
            .map_err(|_| PayloadError("a field index beyond 65535".into()))?;
        if previous.is_some_and(|p| p >= index) {
            return err("fields are not in ascending order");
        }
        previous = Some(index);
        let clock = clock_at(r.varint()?, &mut used)?;
        let base = match r.varint()? {
            0 => None,
            n => Some(clock_at(n - 1, &mut used)?),
        };
        let len = r.varint()?;
        let value = r.take(usize::try_from(len).unwrap_or(usize::MAX))?;
        each(index, clock, base, value)?;
    }
    if !r.0.is_empty() {
        return err("bytes after the last field");
    }
    if clock_count > 0 && used != u128::MAX >> (128 - clock_count) {
        return err("a clock in the table that no field uses");
    }
    Ok(())
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, PayloadError> {
        let (&b, rest) = self
            .0
            .split_first()
            .ok_or_else(|| PayloadError("the payload ends early".into()))?;
        self.0 = rest;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PayloadError> {
        if n > self.0.len() {
            return err("the payload ends early");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PayloadError> {
        let bytes = self.take(N)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A minimal unsigned LEB128 of at most 10 bytes.
    fn varint(&mut self) -> Result<u64, PayloadError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return err("a varint beyond 64 bits");
            }
            n |= bits << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return err("a varint that is not minimal");
                }
                return Ok(n);
            }
        }
        err("a varint beyond 64 bits")
    }
}

// ---------------------------------------------------------------------------------------------
// Records to fields and back, through serde.

/// A record's top-level fields in declaration order, each MessagePack-encoded.
pub fn split<T: Serialize>(record: &T) -> Result<Vec<(u16, Vec<u8>)>, PayloadError> {
    let mut splitter = Splitter {
        next: 0,
        out: Vec::new(),
    };
    record.serialize(&mut splitter)?;
    Ok(splitter.out)
}

/// A new record's payload, every field written at `clock`.
pub fn encode_fresh<T: Serialize>(record: &T, clock: Clock) -> Result<Vec<u8>, PayloadError> {
    Ok(Fields::fresh(split(record)?, clock).to_bytes())
}

/// Decodes a format 2 payload into a record. Fields it does not know (a newer version's) are
/// skipped; a missing field is an error unless the type gives it a default.
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, PayloadError> {
    let mut fields: Vec<(u16, &[u8])> = Vec::new();
    walk(payload, |index, _, _, value| {
        fields.push((index, value));
        Ok(())
    })?;
    T::deserialize(FieldsDeserializer { fields: &fields })
}

/// Builds a record from its field values, as [`split`] gives them.
pub fn assemble<T: DeserializeOwned>(values: &[(u16, Vec<u8>)]) -> Result<T, PayloadError> {
    let fields: Vec<(u16, &[u8])> = values.iter().map(|(i, v)| (*i, v.as_slice())).collect();
    T::deserialize(FieldsDeserializer { fields: &fields })
}

/// The names of a record type's fields, by index.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe(&'static [&'static str]);
    impl<'de> Deserializer<'de> for &mut Probe {
        type Error = PayloadError;
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, PayloadError> {
            self.0 = fields;
            err("probe")
        }
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, PayloadError> {
            err("probe")
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut probe = Probe(&[]);
    let _ = T::deserialize(&mut probe);
    probe.0
}

struct Splitter {
    next: u16,
    out: Vec<(u16, Vec<u8>)>,
}

macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), PayloadError> {
            err("a record payload is a struct")
        })*
    };
}

impl Serializer for &mut Splitter {
    type Ok = ();
    type Error = PayloadError;
    type SerializeSeq = Impossible<(), PayloadError>;
    type SerializeTuple = Impossible<(), PayloadError>;
    type SerializeTupleStruct = Impossible<(), PayloadError>;
    type SerializeTupleVariant = Impossible<(), PayloadError>;
    type SerializeMap = Impossible<(), PayloadError>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), PayloadError>;

    fn is_human_readable(&self) -> bool {
        false
    }

    not_a_struct!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, PayloadError> {
        err("a record payload is a struct")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, PayloadError> {
        if len > MAX_FIELDS {
            return err(format!("a record of {len} fields"));
        }
        self.out.reserve(len);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, PayloadError> {
        err("a record payload is a struct")
    }
}

impl SerializeStruct for &mut Splitter {
    type Ok = ();
    type Error = PayloadError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), PayloadError> {
        let mut bytes = Vec::new();
        value
            .serialize(&mut rmp_serde::Serializer::new(&mut bytes))
            .map_err(|e| PayloadError(format!("field {key}: {e}")))?;
        self.out.push((self.next, bytes));
        self.next += 1;
        Ok(())
    }

    fn skip_field(&mut self, _: &'static str) -> Result<(), PayloadError> {
        self.next += 1;
        Ok(())
    }

    fn end(self) -> Result<(), PayloadError> {
        Ok(())
    }
}

struct FieldsDeserializer<'a> {
    fields: &'a [(u16, &'a [u8])],
}

impl<'de> Deserializer<'de> for FieldsDeserializer<'de> {
    type Error = PayloadError;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        names: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PayloadError> {
        visitor.visit_map(FieldsMap {
            names,
            fields: self.fields.iter(),
            value: &[],
        })
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, PayloadError> {
        err("a record payload is a struct")
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

struct FieldsMap<'a> {
    names: &'static [&'static str],
    fields: std::slice::Iter<'a, (u16, &'a [u8])>,
    value: &'a [u8],
}

impl<'de> MapAccess<'de> for FieldsMap<'de> {
    type Error = PayloadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, PayloadError> {
        for &(index, value) in self.fields.by_ref() {
            // A field this version does not know: a newer version wrote it.
            let Some(name) = self.names.get(usize::from(index)) else {
                continue;
            };
            self.value = value;
            let key = serde::de::value::BorrowedStrDeserializer::<PayloadError>::new(name);
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, PayloadError> {
        if value_len(self.value, 0) != Some(self.value.len()) {
            return err("a field's value is not one whole MessagePack value");
        }
        let mut de = rmp_serde::Deserializer::from_read_ref(self.value);
        seed.deserialize(&mut de)
            .map_err(|e| PayloadError(format!("a field does not read: {e}")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

/// The length of the one MessagePack value at the start of `b`, if it is there whole (nesting at
/// most 64 deep). A pass over the bytes without decoding: decoding borrows from the payload and
/// cannot tell where it stopped, so this is how a value with bytes after it is refused.
fn value_len(b: &[u8], depth: u32) -> Option<usize> {
    if depth > 64 {
        return None;
    }
    let marker = *b.first()?;
    let whole = |n: usize| (b.len() > n).then_some(1 + n);
    let size = |n: usize| -> Option<usize> {
        let bytes = b.get(1..1 + n)?;
        Some(
            bytes
                .iter()
                .fold(0usize, |acc, &x| (acc << 8) | usize::from(x)),
        )
    };
    let items = |header: usize, count: usize| -> Option<usize> {
        let mut at = header;
        if b.len() < at {
            return None;
        }
        for _ in 0..count {
            at += value_len(b.get(at..)?, depth + 1)?;
        }
        Some(at)
    };
    match marker {
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => Some(1),
        0x80..=0x8f => items(1, 2 * usize::from(marker & 0x0f)),
        0x90..=0x9f => items(1, usize::from(marker & 0x0f)),
        0xa0..=0xbf => whole(usize::from(marker & 0x1f)),
        0xc4 | 0xd9 => whole(1 + size(1)?),
        0xc5 | 0xda => whole(2 + size(2)?),
        0xc6 | 0xdb => whole(4 + size(4)?),
        0xc7 => whole(2 + size(1)?),
        0xc8 => whole(3 + size(2)?),
        0xc9 => whole(5 + size(4)?),
        0xcc | 0xd0 => whole(1),
        0xcd | 0xd1 => whole(2),
        0xca | 0xce | 0xd2 => whole(4),
        0xcb | 0xcf | 0xd3 => whole(8),
        0xd4 => whole(2),
        0xd5 => whole(3),
        0xd6 => whole(5),
        0xd7 => whole(9),
        0xd8 => whole(17),
        0xdc => items(3, size(2)?),
        0xdd => items(5, size(4)?),
        0xde => items(3, 2 * size(2)?),
        0xdf => items(5, 2 * size(4)?),
        0xc1 => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Merging.

/// How two versions of one record combine.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Merged {
    /// Both say the same (or the record is not merged field by field): keep the version with
    /// the greater envelope (hlc, device).
    Greater,
    /// The local version already holds everything.
    Local,
    /// The incoming version holds everything.
    Incoming,
    /// Neither holds everything: this payload (format 2) does.
    New(Vec<u8>),
}

/// Which version lost a conflicting field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loser {
    /// The one this device had.
    Local,
    /// The one that arrived.
    Incoming,
}

/// A field that two writes set concurrently (neither knew the other), and which lost.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Conflict {
    /// The field's index.
    pub index: u16,
    /// The version whose value lost.
    pub loser: Loser,
}

/// One version of a record, as the merge sees it.
#[derive(Clone, Copy, Debug)]
pub struct Version<'a> {
    /// Its kind (header).
    pub kind: u16,
    /// Deleted (header).
    pub tombstone: bool,
    /// Its plaintext payload.
    pub payload: &'a [u8],
}

impl<'a> Version<'a> {
    /// A live (not deleted) version of `kind`.
    pub fn live(kind: Kind, payload: &'a [u8]) -> Version<'a> {
        Version {
            kind: kind as u16,
            tombstone: false,
            payload,
        }
    }
}

/// Merges two versions of one record. Deterministic and order-free: a per-field maximum, by
/// (precedence, clock, value), where precedence says a stopped timer beats a running one.
/// Deletes win over everything. Records that are not format 2 (format 1 JSON, attachments) and
/// kinds that disagree are not merged: the greater envelope wins, as before.
pub fn merge(local: Version<'_>, incoming: Version<'_>) -> (Merged, Vec<Conflict>) {
    match (local.tombstone, incoming.tombstone) {
        (true, true) => return (Merged::Greater, Vec::new()),
        (true, false) => return (Merged::Local, Vec::new()),
        (false, true) => return (Merged::Incoming, Vec::new()),
        (false, false) => {}
    }
    let kind = Kind::from_u16(local.kind);
    if local.kind != incoming.kind
        || kind.is_none_or(|k| k == Kind::Attachment || k.is_write_log())
        || !is_format2(local.payload)
        || !is_format2(incoming.payload)
    {
        return (Merged::Greater, Vec::new());
    }
    let (Ok(a), Ok(b)) = (
        Fields::parse(local.payload),
        Fields::parse(incoming.payload),
    ) else {
        return (Merged::Greater, Vec::new());
    };
    let rank = |index: u16, value: &[u8]| precedence(kind, index, value);
    let (joined, conflicts) = join(&a, &b, rank);
    let merged = match (joined == a, joined == b) {
        (true, true) => Merged::Greater,
        (true, false) => Merged::Local,
        (false, true) => Merged::Incoming,
        (false, false) => Merged::New(joined.to_bytes()),
    };
    (merged, conflicts)
}

/// The per-field maximum of two versions, and the fields where concurrent writes differed.
pub fn join(a: &Fields, b: &Fields, rank: impl Fn(u16, &[u8]) -> u8) -> (Fields, Vec<Conflict>) {
    let mut out = Vec::with_capacity(a.0.len().max(b.0.len()));
    let mut conflicts = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.0.len() || j < b.0.len() {
        match (a.0.get(i), b.0.get(j)) {
            (Some(x), Some(y)) if x.index == y.index => {
                let key = |f: &Field| (rank(f.index, &f.value), f.clock);
                // A total order: one write (one clock) carries one value and base, but a forged pair
                // must still merge the same way everywhere.
                let x_wins = (key(x), &x.value, x.base) >= (key(y), &y.value, y.base);
                let (winner, loser, lost) = if x_wins {
                    (x, y, Loser::Incoming)
                } else {
                    (y, x, Loser::Local)
                };
                // A default value is nobody's write: replacing it conflicts with nothing.
                if winner.value != loser.value
                    && loser.clock != Clock::DEFAULT
                    && winner.base < Some(loser.clock)
                {
                    conflicts.push(Conflict {
                        index: x.index,
                        loser: lost,
                    });
                }
                out.push(winner.clone());
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.index < y.index => {
                out.push(x.clone());
                i += 1;
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                out.push(y.clone());
                j += 1;
            }
            (Some(x), None) => {
                out.push(x.clone());
                i += 1;
            }
            (None, None) => break,
        }
    }
    (Fields(out), conflicts)
}

/// Index of `time` in [`TimeEntry`](crate::TimeEntry)'s fields.
const TIME_ENTRY_TIME: u16 = 4;

/// A value's precedence over a concurrent one of the same field, before clocks: a time entry's
/// `time` that is not a running timer beats one that is, so a timer stopped on any device stays
/// stopped.
fn precedence(kind: Option<Kind>, index: u16, value: &[u8]) -> u8 {
    match (kind, index) {
        (Some(Kind::TimeEntry), TIME_ENTRY_TIME) => u8::from(!is_running(value)),
        _ => 0,
    }
}

/// Whether a time entry's `time` value is a running timer (one that does not read is not).
fn is_running(value: &[u8]) -> bool {
    let mut de = rmp_serde::Deserializer::new(std::io::Cursor::new(value));
    matches!(
        crate::entry::EntryTime::deserialize(&mut de),
        Ok(crate::entry::EntryTime::Running { .. })
    )
}

#[cfg(test)]
mod tests;
