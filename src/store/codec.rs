//! The binary encoding shared by the snapshot and the log: varints, values and ops.
//!
//! Hand-written rather than a serde format (bincode, postcard) for two reasons:
//! [`Value`] has no serde impl with a stable binary layout, and the snapshot loader
//! decodes straight into the graph's own structures without an intermediate tree.
//! The layout below is the format described byte by byte in `docs/storage.md`;
//! keeping it in ~200 lines of plain code makes that document checkable against it.
//!
//! Integers are LEB128 varints (unsigned) or zigzag varints (signed); strings are a
//! varint byte length and UTF-8 bytes. Decoding never panics: every read is bounds-
//! checked and returns a [`DecodeError`] naming the offset within the buffer.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::graph::{NodeId, Op, RelId};
use crate::value::{Duration, Value};

/// What went wrong decoding, and where (an offset into the buffer being decoded).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

pub type DResult<T> = std::result::Result<T, DecodeError>;

// ----- value tags -----
const V_NULL: u8 = 0;
const V_FALSE: u8 = 1;
const V_TRUE: u8 = 2;
const V_INT: u8 = 3;
const V_FLOAT: u8 = 4;
const V_STRING: u8 = 5;
const V_DATE: u8 = 6;
const V_DURATION: u8 = 7;
const V_LIST: u8 = 8;

// ----- op tags -----
const OP_CREATE_NODE: u8 = 1;
const OP_DELETE_NODE: u8 = 2;
const OP_CREATE_REL: u8 = 3;
const OP_DELETE_REL: u8 = 4;
const OP_SET_NODE_PROP: u8 = 5;
const OP_SET_REL_PROP: u8 = 6;
const OP_ADD_LABEL: u8 = 7;
const OP_REMOVE_LABEL: u8 = 8;
const OP_CREATE_INDEX: u8 = 9;

pub fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn put_ivarint(out: &mut Vec<u8>, v: i64) {
    put_uvarint(out, ((v << 1) ^ (v >> 63)) as u64);
}

pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_uvarint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Encodes a storable value. Graph elements and maps are never stored (the graph
/// refuses them as properties), so meeting one here is a bug; it is written as
/// null rather than panicking, and `debug_assert` catches it in tests.
pub fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(V_NULL),
        Value::Bool(false) => out.push(V_FALSE),
        Value::Bool(true) => out.push(V_TRUE),
        Value::Int(i) => {
            out.push(V_INT);
            put_ivarint(out, *i);
        }
        Value::Float(f) => {
            out.push(V_FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::String(s) => {
            out.push(V_STRING);
            put_str(out, s);
        }
        Value::Date(d) => {
            out.push(V_DATE);
            put_ivarint(out, d.num_days_from_ce() as i64);
        }
        Value::Duration(d) => {
            out.push(V_DURATION);
            put_ivarint(out, d.months);
            put_ivarint(out, d.days);
            put_ivarint(out, d.seconds);
            put_ivarint(out, d.nanos as i64);
        }
        Value::List(items) => {
            out.push(V_LIST);
            put_uvarint(out, items.len() as u64);
            for x in items {
                put_value(out, x);
            }
        }
        Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => {
            debug_assert!(false, "unstorable value reached the encoder");
            out.push(V_NULL);
        }
    }
}

fn put_props(out: &mut Vec<u8>, props: &[(String, Value)]) {
    put_uvarint(out, props.len() as u64);
    for (k, v) in props {
        put_str(out, k);
        put_value(out, v);
    }
}

/// Encodes one op (the unit of the log).
pub fn put_op(out: &mut Vec<u8>, op: &Op) {
    match op {
        Op::CreateNode { id, labels, props } => {
            out.push(OP_CREATE_NODE);
            put_uvarint(out, id.0);
            put_uvarint(out, labels.len() as u64);
            for l in labels {
                put_str(out, l);
            }
            put_props(out, props);
        }
        Op::DeleteNode { id } => {
            out.push(OP_DELETE_NODE);
            put_uvarint(out, id.0);
        }
        Op::CreateRel {
            id,
            start,
            end,
            ty,
            props,
        } => {
            out.push(OP_CREATE_REL);
            put_uvarint(out, id.0);
            put_uvarint(out, start.0);
            put_uvarint(out, end.0);
            put_str(out, ty);
            put_props(out, props);
        }
        Op::DeleteRel { id } => {
            out.push(OP_DELETE_REL);
            put_uvarint(out, id.0);
        }
        Op::SetNodeProp { id, key, value } => {
            out.push(OP_SET_NODE_PROP);
            put_uvarint(out, id.0);
            put_str(out, key);
            put_value(out, value);
        }
        Op::SetRelProp { id, key, value } => {
            out.push(OP_SET_REL_PROP);
            put_uvarint(out, id.0);
            put_str(out, key);
            put_value(out, value);
        }
        Op::AddLabel { id, label } => {
            out.push(OP_ADD_LABEL);
            put_uvarint(out, id.0);
            put_str(out, label);
        }
        Op::RemoveLabel { id, label } => {
            out.push(OP_REMOVE_LABEL);
            put_uvarint(out, id.0);
            put_str(out, label);
        }
        Op::CreateIndex { label, key } => {
            out.push(OP_CREATE_INDEX);
            put_str(out, label);
            put_str(out, key);
        }
    }
}

/// A bounds-checked reader over a byte buffer.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Lists deeper than this are refused (stored lists are flat; this only guards the
/// decoder's recursion against a crafted file).
const MAX_DEPTH: u32 = 16;

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    pub fn err<T>(&self, message: impl Into<String>) -> DResult<T> {
        Err(DecodeError {
            offset: self.pos,
            message: message.into(),
        })
    }

    pub fn u8(&mut self) -> DResult<u8> {
        match self.buf.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => self.err("unexpected end of data"),
        }
    }

    pub fn bytes(&mut self, n: usize) -> DResult<&'a [u8]> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.buf.len() => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            _ => self.err(format!("{n} bytes run past the end of the data")),
        }
    }

    pub fn u64_le(&mut self) -> DResult<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    #[inline]
    pub fn uvarint(&mut self) -> DResult<u64> {
        // Fast path, away from the end of the buffer: the ten bytes a varint can
        // take are there, so no byte needs its own bounds check. (Loading a
        // snapshot decodes tens of millions of varints.)
        if let Some(w) = self.buf.get(self.pos..self.pos.saturating_add(10)) {
            let mut v: u64 = 0;
            for (i, &b) in w.iter().enumerate() {
                if i == 9 && b > 1 {
                    self.pos += 9;
                    return self.err("varint overflows 64 bits");
                }
                v |= ((b & 0x7f) as u64) << (7 * i);
                if b & 0x80 == 0 {
                    self.pos += i + 1;
                    return Ok(v);
                }
            }
        }
        self.uvarint_slow()
    }

    fn uvarint_slow(&mut self) -> DResult<u64> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let start = self.pos;
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                self.pos = start;
                return self.err("varint overflows 64 bits");
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return self.err("varint overflows 64 bits");
            }
        }
    }

    pub fn ivarint(&mut self) -> DResult<i64> {
        let u = self.uvarint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A length or count, checked against what is left so a corrupt count cannot
    /// make us allocate gigabytes.
    pub fn len(&mut self) -> DResult<usize> {
        let n = self.uvarint()?;
        if n > (self.buf.len() - self.pos.min(self.buf.len())) as u64 {
            return self.err(format!("length {n} exceeds the remaining data"));
        }
        Ok(n as usize)
    }

    pub fn str(&mut self) -> DResult<&'a str> {
        let n = self.len()?;
        let at = self.pos;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|_| DecodeError {
            offset: at,
            message: "string is not valid UTF-8".into(),
        })
    }

    pub fn value(&mut self) -> DResult<Value> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: u32) -> DResult<Value> {
        let at = self.pos;
        Ok(match self.u8()? {
            V_NULL => Value::Null,
            V_FALSE => Value::Bool(false),
            V_TRUE => Value::Bool(true),
            V_INT => Value::Int(self.ivarint()?),
            V_FLOAT => Value::Float(f64::from_bits(self.u64_le()?)),
            V_STRING => Value::String(Arc::from(self.str()?)),
            V_DATE => {
                let d = self.ivarint()?;
                match i32::try_from(d)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                {
                    Some(d) => Value::Date(d),
                    None => return self.err(format!("date {d} is out of range")),
                }
            }
            V_DURATION => {
                let months = self.ivarint()?;
                let days = self.ivarint()?;
                let seconds = self.ivarint()?;
                let nanos = self.ivarint()?;
                let Ok(nanos) = i32::try_from(nanos) else {
                    return self.err("duration nanoseconds out of range");
                };
                Value::Duration(Box::new(Duration {
                    months,
                    days,
                    seconds,
                    nanos,
                }))
            }
            V_LIST => {
                if depth >= MAX_DEPTH {
                    return self.err("lists nested too deeply");
                }
                let n = self.len()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value_at(depth + 1)?);
                }
                Value::List(items)
            }
            t => {
                self.pos = at;
                return self.err(format!("unknown value tag {t}"));
            }
        })
    }

    fn props(&mut self) -> DResult<Vec<(String, Value)>> {
        let n = self.len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.str()?.to_string();
            v.push((k, self.value()?));
        }
        Ok(v)
    }

    pub fn op(&mut self) -> DResult<Op> {
        let at = self.pos;
        Ok(match self.u8()? {
            OP_CREATE_NODE => {
                let id = NodeId(self.uvarint()?);
                let n = self.len()?;
                let mut labels = Vec::with_capacity(n);
                for _ in 0..n {
                    labels.push(self.str()?.to_string());
                }
                let props = self.props()?;
                Op::CreateNode { id, labels, props }
            }
            OP_DELETE_NODE => Op::DeleteNode {
                id: NodeId(self.uvarint()?),
            },
            OP_CREATE_REL => {
                let id = RelId(self.uvarint()?);
                let start = NodeId(self.uvarint()?);
                let end = NodeId(self.uvarint()?);
                let ty = self.str()?.to_string();
                let props = self.props()?;
                Op::CreateRel {
                    id,
                    start,
                    end,
                    ty,
                    props,
                }
            }
            OP_DELETE_REL => Op::DeleteRel {
                id: RelId(self.uvarint()?),
            },
            OP_SET_NODE_PROP => Op::SetNodeProp {
                id: NodeId(self.uvarint()?),
                key: self.str()?.to_string(),
                value: self.value()?,
            },
            OP_SET_REL_PROP => Op::SetRelProp {
                id: RelId(self.uvarint()?),
                key: self.str()?.to_string(),
                value: self.value()?,
            },
            OP_ADD_LABEL => Op::AddLabel {
                id: NodeId(self.uvarint()?),
                label: self.str()?.to_string(),
            },
            OP_REMOVE_LABEL => Op::RemoveLabel {
                id: NodeId(self.uvarint()?),
                label: self.str()?.to_string(),
            },
            OP_CREATE_INDEX => Op::CreateIndex {
                label: self.str()?.to_string(),
                key: self.str()?.to_string(),
            },
            t => {
                self.pos = at;
                return self.err(format!("unknown op tag {t}"));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_the_edges() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_uvarint(&mut b, v);
            assert_eq!(Reader::new(&b).uvarint(), Ok(v), "{v}");
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            let mut b = Vec::new();
            put_ivarint(&mut b, v);
            assert_eq!(Reader::new(&b).ivarint(), Ok(v), "{v}");
        }
    }

    #[test]
    fn the_fast_and_slow_varint_paths_agree() {
        // The fast path runs when ten bytes are left, the slow one near the end:
        // the same bytes must give the same value, length or error either way.
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for v in [
            0u64,
            1,
            127,
            128,
            16_383,
            16_384,
            991_050,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            put_uvarint(&mut b, v);
            cases.push(b);
        }
        cases.push(vec![0xff; 10]); // never ends within ten bytes
        cases.push([vec![0xff; 9], vec![0x02]].concat()); // overflows in the tenth byte
        cases.push([vec![0x80; 9], vec![0x01]].concat()); // exactly 1 << 63
        cases.push(vec![0x80, 0x80]); // runs off the end
        for b in cases {
            let mut slow = Reader::new(&b);
            let padded = [b.clone(), vec![0x55; 12]].concat();
            let mut fast = Reader::new(&padded);
            let (s, f) = (slow.uvarint(), fast.uvarint());
            match (&s, &f) {
                (Ok(x), Ok(y)) => {
                    assert_eq!(x, y, "{b:?}");
                    assert_eq!(slow.pos(), fast.pos(), "{b:?}");
                }
                (Err(x), Err(y)) => assert_eq!(x, y, "{b:?}"),
                // Bytes that run off the end of the short buffer may end in the
                // padding: that is the only allowed difference.
                (Err(x), Ok(_)) => assert!(x.message.contains("end"), "{b:?}: {x:?}"),
                (Ok(_), Err(y)) => panic!("{b:?}: only the fast path failed: {y:?}"),
            }
        }
    }

    #[test]
    fn values_round_trip() {
        let vals = [
            Value::Null,
            Value::Bool(true),
            Value::Int(-5),
            Value::Float(f64::NAN),
            Value::str("مرحبا 👋"),
            Value::Date(NaiveDate::from_ymd_opt(2016, 12, 12).unwrap_or_default()),
            Value::Duration(Box::new(Duration {
                months: 1,
                days: -2,
                seconds: 3,
                nanos: 4,
            })),
            Value::List(vec![Value::Int(1), Value::str("a")]),
        ];
        for v in vals {
            let mut b = Vec::new();
            put_value(&mut b, &v);
            let back = Reader::new(&b).value();
            assert_eq!(back.as_ref().ok(), Some(&v), "{v}");
        }
    }

    #[test]
    fn garbage_gives_errors_not_panics() {
        for seed in 0u64..2000 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let bytes: Vec<u8> = (0..(seed % 40))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let mut r = Reader::new(&bytes);
            while !r.is_empty() {
                if r.op().is_err() {
                    break;
                }
            }
        }
    }
}
