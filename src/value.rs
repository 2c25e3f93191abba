//! Property and query values, with openCypher's equality, ordering and null semantics.
//!
//! One `Value` type serves both stored properties and query results; the graph
//! references (`Node`, `Relationship`, `Path`) appear only in results and are
//! refused as property values by the graph.
//!
//! Three relations, as openCypher defines them:
//! - **equality** (`=`), three-valued: [`Value::cypher_eq`] returns `None` for null;
//! - **comparison** (`<`, `>`, …), defined only within a type family:
//!   [`Value::cypher_cmp`] returns `None` where the result is null;
//! - **orderability** (ORDER BY), a total order across all types:
//!   [`Value::order`], ascending with null last.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use indexmap::IndexMap;

use crate::graph::{NodeId, RelId};

/// A map value. Insertion order is kept for display; equality ignores order.
pub type Map = IndexMap<String, Value>;

/// An openCypher duration: months, days and seconds kept apart, as the spec does,
/// because a month has no fixed number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

/// A path: nodes and the relationships between them (`rels.len() + 1 == nodes.len()`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

/// A value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Arc<str>),
    Date(NaiveDate),
    Duration(Box<Duration>),
    List(Vec<Value>),
    Map(Box<Map>),
    Node(NodeId),
    Rel(RelId),
    Path(Box<Path>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The openCypher type name, as error messages and `valueType()` use it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::Date(_) => "DATE",
            Value::Duration(_) => "DURATION",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Node(_) => "NODE",
            Value::Rel(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
        }
    }

    /// Whether this value may be stored as a property: scalars, dates, durations and
    /// lists of those (openCypher forbids maps and graph elements as properties).
    pub fn is_storable(&self) -> bool {
        match self {
            Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => false,
            Value::List(items) => items
                .iter()
                .all(|v| !matches!(v, Value::List(_)) && v.is_storable()),
            _ => true,
        }
    }

    /// openCypher equality: `Some(true|false)`, or `None` when the answer is null.
    pub fn cypher_eq(&self, other: &Value) -> Option<bool> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Int(a), Int(b)) => Some(a == b),
            (Int(a), Float(b)) | (Float(b), Int(a)) => {
                Some(int_float_cmp(*a, *b) == Some(Ordering::Equal))
            }
            (Float(a), Float(b)) => Some(a == b),
            (Bool(a), Bool(b)) => Some(a == b),
            (String(a), String(b)) => Some(a == b),
            (Date(a), Date(b)) => Some(a == b),
            (Duration(a), Duration(b)) => Some(a == b),
            (Node(a), Node(b)) => Some(a == b),
            (Rel(a), Rel(b)) => Some(a == b),
            (Path(a), Path(b)) => Some(a == b),
            (List(a), List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            (Map(a), Map(b)) => {
                if a.len() != b.len() || a.keys().any(|k| !b.contains_key(k)) {
                    return Some(false);
                }
                let mut unknown = false;
                for (k, x) in a.iter() {
                    match b.get(k).and_then(|y| x.cypher_eq(y)) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            _ => Some(false),
        }
    }

    /// openCypher comparison (`<` and friends): `None` when the result is null,
    /// which includes values of different type families and NaN.
    pub fn cypher_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(a), Float(b)) => int_float_cmp(*a, *b),
            (Float(a), Int(b)) => int_float_cmp(*b, *a).map(Ordering::reverse),
            (Float(a), Float(b)) => a.partial_cmp(b),
            (String(a), String(b)) => Some(a.cmp(b)),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cypher_cmp(y)? {
                        Ordering::Equal => {}
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            _ => None,
        }
    }

    /// The rank of this value's type in openCypher's global sort order.
    fn order_rank(&self) -> u8 {
        match self {
            Value::Map(_) => 0,
            Value::Node(_) => 1,
            Value::Rel(_) => 2,
            Value::List(_) => 3,
            Value::Path(_) => 4,
            Value::Date(_) => 5,
            Value::Duration(_) => 6,
            Value::String(_) => 7,
            Value::Bool(_) => 8,
            Value::Int(_) | Value::Float(_) => 9,
            Value::Null => 10,
        }
    }

    /// openCypher orderability: a total order over all values, ascending, null last,
    /// NaN after every other number. ORDER BY and `min`/`max` use this.
    pub fn order(&self, other: &Value) -> Ordering {
        use Value::*;
        let (ra, rb) = (self.order_rank(), other.order_rank());
        if ra != rb {
            return ra.cmp(&rb);
        }
        match (self, other) {
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                let (an, bn) = (self.is_nan(), other.is_nan());
                match (an, bn) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => self.cypher_cmp(other).unwrap_or(Ordering::Equal),
                }
            }
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.order(y) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Map(a), Map(b)) => {
                let mut ka: Vec<&std::string::String> = a.keys().collect();
                let mut kb: Vec<&std::string::String> = b.keys().collect();
                ka.sort();
                kb.sort();
                for (x, y) in ka.iter().zip(kb.iter()) {
                    match x.cmp(y) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                    if let (Some(vx), Some(vy)) = (a.get(*x), b.get(*y)) {
                        match vx.order(vy) {
                            Ordering::Equal => {}
                            o => return o,
                        }
                    }
                }
                ka.len().cmp(&kb.len())
            }
            (Node(a), Node(b)) => a.cmp(b),
            (Rel(a), Rel(b)) => a.cmp(b),
            (Path(a), Path(b)) => a.nodes.cmp(&b.nodes).then_with(|| a.rels.cmp(&b.rels)),
            (Duration(a), Duration(b)) => {
                (a.months, a.days, a.seconds, a.nanos).cmp(&(b.months, b.days, b.seconds, b.nanos))
            }
            _ => self.cypher_cmp(other).unwrap_or(Ordering::Equal),
        }
    }

    fn is_nan(&self) -> bool {
        matches!(self, Value::Float(f) if f.is_nan())
    }

    /// Equivalence, as grouping and DISTINCT use it: like equality, but null is
    /// equivalent to null and NaN to NaN, and the answer is never unknown.
    pub fn equivalent(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Null, _) | (_, Null) => false,
            (Float(a), Float(b)) if a.is_nan() && b.is_nan() => true,
            (List(a), List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equivalent(y))
            }
            (Map(a), Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, x)| b.get(k).is_some_and(|y| x.equivalent(y)))
            }
            _ => self.cypher_eq(other).unwrap_or(false),
        }
    }

    /// Feeds a hash consistent with [`Value::equivalent`] (integral floats hash as
    /// integers, map keys in sorted order) so values can key hash maps for grouping.
    pub fn hash_equivalent<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        match self {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Int(i) => (2u8, i).hash(h),
            Value::Float(f) => {
                if f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64 {
                    (2u8, *f as i64).hash(h)
                } else if f.is_nan() {
                    3u8.hash(h)
                } else {
                    (4u8, f.to_bits()).hash(h)
                }
            }
            Value::String(s) => (5u8, s).hash(h),
            Value::Date(d) => (6u8, d).hash(h),
            Value::Duration(d) => (7u8, d).hash(h),
            Value::List(items) => {
                (8u8, items.len()).hash(h);
                for v in items {
                    v.hash_equivalent(h);
                }
            }
            Value::Map(m) => {
                9u8.hash(h);
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    k.hash(h);
                    if let Some(v) = m.get(k) {
                        v.hash_equivalent(h);
                    }
                }
            }
            Value::Node(n) => (10u8, n).hash(h),
            Value::Rel(r) => (11u8, r).hash(h),
            Value::Path(p) => (12u8, p).hash(h),
        }
    }
}

/// Compares an integer with a float exactly (no precision loss for large integers).
fn int_float_cmp(a: i64, b: f64) -> Option<Ordering> {
    if b.is_nan() {
        return None;
    }
    if b >= 9.3e18 {
        return Some(Ordering::Less);
    }
    if b <= -9.3e18 {
        return Some(Ordering::Greater);
    }
    let bt = b.trunc();
    match a.cmp(&(bt as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(b - bt)),
        o => Some(o),
    }
}

/// Structural equality (null equals null): what tests and golden files mean by "the
/// same value". Use [`Value::cypher_eq`] for the query language's `=`.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (String(a), String(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Duration(a), Duration(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Node(a), Node(b)) => a == b,
            (Rel(a), Rel(b)) => a == b,
            (Path(a), Path(b)) => a == b,
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Arc::from(s))
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Value {
        Value::Date(d)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// Formats a float the way openCypher tools print it: always with a decimal point
/// or exponent, so `1.0` stays distinguishable from the integer `1`.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let s = format!("{f:?}");
    // Rust's Debug gives "1e20" / "1.5e-7"; add ".0" to a bare mantissa.
    if let Some(pos) = s.find('e') {
        let (m, e) = s.split_at(pos);
        if m.contains('.') {
            s
        } else {
            format!("{m}.0{e}")
        }
    } else {
        s
    }
}

/// Writes a string as a single-quoted Cypher literal with escapes.
pub fn quote_string(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// Writes a map key: bare when it is a plain identifier, else back-quoted.
pub fn format_key(k: &str, out: &mut String) {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        out.push_str(k);
    } else {
        out.push('`');
        out.push_str(&k.replace('`', "``"));
        out.push('`');
    }
}

impl fmt::Display for Duration {
    /// ISO 8601, as openCypher prints durations: `P1Y2M3DT4H5M6.5S`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::from("P");
        let (y, m) = (self.months / 12, self.months % 12);
        if y != 0 {
            s += &format!("{y}Y");
        }
        if m != 0 {
            s += &format!("{m}M");
        }
        if self.days != 0 {
            s += &format!("{}D", self.days);
        }
        let total_nanos = self.seconds as i128 * 1_000_000_000 + self.nanos as i128;
        if total_nanos != 0 {
            s.push('T');
            let neg = total_nanos < 0;
            let abs = total_nanos.unsigned_abs();
            let secs = abs / 1_000_000_000;
            let nanos = abs % 1_000_000_000;
            let (h, mi, se) = (secs / 3600, (secs % 3600) / 60, secs % 60);
            let sign = if neg { "-" } else { "" };
            if h != 0 {
                s += &format!("{sign}{h}H");
            }
            if mi != 0 {
                s += &format!("{sign}{mi}M");
            }
            if se != 0 || nanos != 0 {
                if nanos != 0 {
                    let frac = format!("{nanos:09}");
                    s += &format!("{sign}{se}.{}S", frac.trim_end_matches('0'));
                } else {
                    s += &format!("{sign}{se}S");
                }
            }
        }
        if s == "P" {
            s += "T0S";
        }
        f.write_str(&s)
    }
}

impl fmt::Display for Value {
    /// The Cypher literal form (strings single-quoted). Graph elements print by id
    /// here; `query::render` prints them with labels and properties.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(self, &mut out);
        f.write_str(&out)
    }
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(x) => out.push_str(&format_float(*x)),
        Value::String(s) => quote_string(s, out),
        Value::Date(d) => {
            out.push('\'');
            out.push_str(&format_date(*d));
            out.push('\'');
        }
        Value::Duration(d) => {
            out.push('\'');
            out.push_str(&d.to_string());
            out.push('\'');
        }
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                format_key(k, out);
                out.push_str(": ");
                write_value(x, out);
            }
            out.push('}');
        }
        Value::Node(n) => out.push_str(&format!("Node({})", n.0)),
        Value::Rel(r) => out.push_str(&format!("Rel({})", r.0)),
        Value::Path(p) => {
            out.push_str("Path(");
            for (i, n) in p.nodes.iter().enumerate() {
                if i > 0 {
                    out.push_str(&format!(
                        "-[{}]-",
                        p.rels.get(i - 1).map(|r| r.0).unwrap_or(0)
                    ));
                }
                out.push_str(&n.0.to_string());
            }
            out.push(')');
        }
    }
}

/// A date as `YYYY-MM-DD` (years outside 0..=9999 get a sign, as ISO 8601 allows).
pub fn format_date(d: NaiveDate) -> String {
    let y = d.year();
    if (0..=9999).contains(&y) {
        format!("{:04}-{:02}-{:02}", y, d.month(), d.day())
    } else {
        format!("{:+05}-{:02}-{:02}", y, d.month(), d.day())
    }
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_equality_is_unknown() {
        assert_eq!(Value::Null.cypher_eq(&Value::Int(1)), None);
        assert_eq!(Value::Int(1).cypher_eq(&Value::Float(1.0)), Some(true));
        assert_eq!(Value::Int(1).cypher_eq(&Value::str("1")), Some(false));
        let a = Value::List(vec![Value::Int(1), Value::Null]);
        let b = Value::List(vec![Value::Int(2), Value::Null]);
        assert_eq!(a.cypher_eq(&b), Some(false));
        assert_eq!(a.cypher_eq(&a.clone()), None);
    }

    #[test]
    fn orderability_puts_null_last_and_nan_after_numbers() {
        let mut v = [
            Value::Null,
            Value::Float(f64::NAN),
            Value::Int(3),
            Value::str("a"),
            Value::Float(1.5),
            Value::Bool(false),
            Value::List(vec![]),
        ];
        v.sort_by(|a, b| a.order(b));
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["[]", "'a'", "false", "1.5", "3", "NaN", "null"]);
    }

    #[test]
    fn large_integers_compare_exactly_with_floats() {
        let big = Value::Int(9_007_199_254_740_993);
        let f = Value::Float(9_007_199_254_740_992.0);
        assert_eq!(big.cypher_cmp(&f), Some(Ordering::Greater));
    }

    #[test]
    fn durations_print_as_iso() {
        let d = Duration {
            months: 14,
            days: 3,
            seconds: 3723,
            nanos: 500_000_000,
        };
        assert_eq!(d.to_string(), "P1Y2M3DT1H2M3.5S");
        assert_eq!(Duration::default().to_string(), "PT0S");
    }

    #[test]
    fn floats_keep_a_decimal_point() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(1e20), "1e20".replace("e", ".0e"));
        assert_eq!(format_float(0.1), "0.1");
    }
}

/// The JSON form of values in dossier's interchange format (`docs/formats.md`):
/// null, booleans, strings, integers and lists map to JSON as themselves; floats
/// always carry a decimal point or exponent (`1.0`), so they read back as floats;
/// what JSON has no type for is a one-key object: `{"$date": "2016-12-12"}`,
/// `{"$duration": "P1D"}`, `{"$float": "NaN"}` (also `Infinity`, `-Infinity`).
/// Maps (only in query results) are objects. Graph elements are written by id as
/// `{"$node": 3}` / `{"$rel": 5}`.
pub mod json {
    use super::{Duration, Map, Value, format_date, parse_date};
    use serde_json::Value as J;

    /// A value as JSON.
    pub fn to_json(v: &Value) -> J {
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => J::Number(n),
                None => tagged("$float", J::String(super::format_float(*f))),
            },
            Value::String(s) => J::String(s.to_string()),
            Value::Date(d) => tagged("$date", J::String(format_date(*d))),
            Value::Duration(d) => tagged("$duration", J::String(d.to_string())),
            Value::List(items) => J::Array(items.iter().map(to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
            Value::Node(n) => tagged("$node", J::from(n.0)),
            Value::Rel(r) => tagged("$rel", J::from(r.0)),
            Value::Path(p) => {
                let mut o = serde_json::Map::new();
                o.insert(
                    "nodes".into(),
                    J::Array(p.nodes.iter().map(|n| J::from(n.0)).collect()),
                );
                o.insert(
                    "relationships".into(),
                    J::Array(p.rels.iter().map(|r| J::from(r.0)).collect()),
                );
                tagged("$path", J::Object(o))
            }
        }
    }

    fn tagged(tag: &str, v: J) -> J {
        let mut o = serde_json::Map::new();
        o.insert(tag.to_string(), v);
        J::Object(o)
    }

    /// A property value from JSON; `key` is the property's name, because the
    /// synthetic benchmark files carry dates as plain `YYYY-MM-DD` strings in
    /// properties named `date` and `published`. Errors say what is wrong.
    pub fn property_from_json(key: &str, j: &J) -> Result<Value, String> {
        if let (J::String(s), "date" | "published") = (j, key)
            && let Some(d) = parse_date(s)
        {
            return Ok(Value::Date(d));
        }
        from_json(j)
    }

    /// A value from JSON (the inverse of [`to_json`] for everything but graph elements).
    pub fn from_json(j: &J) -> Result<Value, String> {
        Ok(match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if n.is_u64() {
                    return Err(format!("integer {n} is out of range"));
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            J::String(s) => Value::str(s),
            J::Array(items) => Value::List(items.iter().map(from_json).collect::<Result<_, _>>()?),
            J::Object(o) => {
                if o.len() == 1
                    && let Some((k, J::String(s))) = o.iter().next()
                {
                    match k.as_str() {
                        "$date" => {
                            return parse_date(s)
                                .map(Value::Date)
                                .ok_or_else(|| format!("bad date {s:?} (expected YYYY-MM-DD)"));
                        }
                        "$duration" => {
                            return parse_duration(s)
                                .map(|d| Value::Duration(Box::new(d)))
                                .ok_or_else(|| format!("bad duration {s:?}"));
                        }
                        "$float" => {
                            return match s.as_str() {
                                "NaN" => Ok(Value::Float(f64::NAN)),
                                "Infinity" => Ok(Value::Float(f64::INFINITY)),
                                "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
                                _ => Err(format!("bad float {s:?}")),
                            };
                        }
                        _ => {}
                    }
                }
                let mut m = Map::new();
                for (k, v) in o {
                    m.insert(k.clone(), from_json(v)?);
                }
                Value::Map(Box::new(m))
            }
        })
    }

    /// Parses the ISO 8601 form [`Duration`]'s `Display` writes (`P1Y2M3DT4H5M6.5S`).
    pub fn parse_duration(s: &str) -> Option<Duration> {
        let rest = s.strip_prefix('P')?;
        let (date, time) = match rest.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (rest, None),
        };
        let mut d = Duration::default();
        let mut num = String::new();
        for c in date.chars() {
            match c {
                'Y' => d.months += num.parse::<i64>().ok()? * 12,
                'M' => d.months += num.parse::<i64>().ok()?,
                'W' => d.days += num.parse::<i64>().ok()? * 7,
                'D' => d.days += num.parse::<i64>().ok()?,
                c if c.is_ascii_digit() || c == '-' => {
                    num.push(c);
                    continue;
                }
                _ => return None,
            }
            num.clear();
        }
        if let Some(t) = time {
            let mut nanos: i128 = 0;
            for c in t.chars() {
                let unit: i128 = match c {
                    'H' => 3_600_000_000_000,
                    'M' => 60_000_000_000,
                    'S' => 1_000_000_000,
                    c if c.is_ascii_digit() || c == '-' || c == '.' => {
                        num.push(c);
                        continue;
                    }
                    _ => return None,
                };
                let x: f64 = num.parse().ok()?;
                // Whole and fractional parts apart, so nanoseconds are exact.
                let (whole, frac) = match num.split_once('.') {
                    Some((w, f)) => (w.parse::<i128>().ok()?, format!("0.{f}")),
                    None => (num.parse::<i128>().ok()?, "0".into()),
                };
                let frac: f64 = frac.parse().ok()?;
                let sign = if x < 0.0 { -1.0 } else { 1.0 };
                nanos += whole * unit + (sign * frac * unit as f64).round() as i128;
                num.clear();
            }
            d.seconds = (nanos / 1_000_000_000) as i64;
            d.nanos = (nanos % 1_000_000_000) as i32;
        }
        if !num.is_empty() {
            return None;
        }
        Some(d)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trip_keeps_types() {
            let vals = vec![
                Value::Int(1),
                Value::Float(1.0),
                Value::Float(f64::NAN),
                Value::str("2016-12-12"),
                Value::Date(parse_date("2016-12-12").unwrap_or_default()),
                Value::Duration(Box::new(Duration {
                    months: 1,
                    days: 2,
                    seconds: 3,
                    nanos: 4,
                })),
                Value::List(vec![Value::Int(1), Value::str("a")]),
            ];
            for v in vals {
                let j = to_json(&v);
                let text = serde_json::to_string(&j).unwrap_or_default();
                let back: J = serde_json::from_str(&text).unwrap_or(J::Null);
                let r = from_json(&back).unwrap_or(Value::Null);
                assert!(
                    r == v || (v.type_name() == "FLOAT" && r.type_name() == "FLOAT"),
                    "{v} -> {text} -> {r}"
                );
            }
        }

        #[test]
        fn bench_dates_import_as_dates() {
            let v = property_from_json("published", &J::String("2016-12-12".into()));
            assert_eq!(v.map(|v| v.type_name()), Ok("DATE"));
            let v = property_from_json("title", &J::String("2016-12-12".into()));
            assert_eq!(v.map(|v| v.type_name()), Ok("STRING"));
        }
    }
}
