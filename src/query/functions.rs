//! Scalar functions of the Cypher-like language.
//!
//! The executor evaluates a call's arguments and hands them here by lower-cased
//! name ([`call`]); the planner asks [`is_scalar`] and [`arity`] to reject unknown
//! functions and wrong argument counts before anything runs. Semantics follow
//! openCypher 9: most functions return null when their (first) argument is null,
//! and a value of the wrong type is a `TypeError` with the TCK code
//! `InvalidArgumentValue` (the error the TCK expects when the bad type is only
//! known at run time). Arguments out of range are `ArgumentError`s
//! (`NumberOutOfRange`, `InvalidArgumentValue`).
//!
//! Temporal support is deliberately small: dates (`date(...)`) and durations
//! (`duration(...)`, `duration.between`, `duration.inMonths/inDays/inSeconds`);
//! times and datetimes with zones are not part of dossier's data model.
//! [`temporal_property`] gives the executor `d.year`, `dur.days` and friends, and
//! [`add_duration`] the date arithmetic behind `date + duration`.

// The interface the executor calls returns `QueryError` unboxed (it is built and
// then decorated with a span by the caller); errors are rare, so the size is fine.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::error::{QueryError, QueryErrorKind};
use crate::graph::Graph;
use crate::value::{Duration, Map, Path, Value, format_date, format_float};

type R = Result<Value, QueryError>;

/// Every scalar function with its (min, max) argument count; `usize::MAX` = variadic.
const FUNCTIONS: &[(&str, usize, usize)] = &[
    // graph elements
    ("id", 1, 1),
    ("labels", 1, 1),
    ("type", 1, 1),
    ("keys", 1, 1),
    ("properties", 1, 1),
    ("startnode", 1, 1),
    ("endnode", 1, 1),
    ("nodes", 1, 1),
    ("relationships", 1, 1),
    ("length", 1, 1),
    // lists
    ("size", 1, 1),
    ("head", 1, 1),
    ("last", 1, 1),
    ("tail", 1, 1),
    ("range", 2, 3),
    ("reverse", 1, 1),
    ("coalesce", 1, usize::MAX),
    ("isempty", 1, 1),
    // strings
    ("tolower", 1, 1),
    ("toupper", 1, 1),
    ("lower", 1, 1),
    ("upper", 1, 1),
    ("trim", 1, 1),
    ("ltrim", 1, 1),
    ("rtrim", 1, 1),
    ("replace", 3, 3),
    ("split", 2, 2),
    ("substring", 2, 3),
    ("left", 2, 2),
    ("right", 2, 2),
    ("char_length", 1, 1),
    ("character_length", 1, 1),
    // conversion
    ("tostring", 1, 1),
    ("tointeger", 1, 1),
    ("tofloat", 1, 1),
    ("toboolean", 1, 1),
    ("tostringornull", 1, 1),
    ("tointegerornull", 1, 1),
    ("tofloatornull", 1, 1),
    ("tobooleanornull", 1, 1),
    ("valuetype", 1, 1),
    // numbers
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("floor", 1, 1),
    ("round", 1, 3),
    ("sign", 1, 1),
    ("sqrt", 1, 1),
    ("exp", 1, 1),
    ("log", 1, 1),
    ("log10", 1, 1),
    ("e", 0, 0),
    ("pi", 0, 0),
    ("rand", 0, 0),
    ("sin", 1, 1),
    ("cos", 1, 1),
    ("tan", 1, 1),
    ("cot", 1, 1),
    ("asin", 1, 1),
    ("acos", 1, 1),
    ("atan", 1, 1),
    ("atan2", 2, 2),
    ("degrees", 1, 1),
    ("radians", 1, 1),
    ("haversin", 1, 1),
    // temporal
    ("date", 0, 1),
    ("date.truncate", 2, 3),
    ("duration", 1, 1),
    ("duration.between", 2, 2),
    ("duration.inmonths", 2, 2),
    ("duration.indays", 2, 2),
    ("duration.inseconds", 2, 2),
];

/// Whether `name` (lower-cased) is a known scalar function.
pub fn is_scalar(name: &str) -> bool {
    FUNCTIONS.iter().any(|(n, _, _)| *n == name)
}

/// The (min, max) number of arguments of scalar function `name` (max is
/// `usize::MAX` for variadic functions), so the planner can reject a wrong count
/// at compile time (`SyntaxError: InvalidNumberOfArguments`).
pub fn arity(name: &str) -> Option<(usize, usize)> {
    FUNCTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, a, b)| (*a, *b))
}

/// Whether `name` (lower-cased) gives the same result for the same arguments:
/// false only for `rand()`. The planner can use it to reject `count(rand())`
/// (`SyntaxError: NonConstantExpression`) and to fold calls on literals.
pub fn is_deterministic(name: &str) -> bool {
    name != "rand"
}

/// Functions whose usual spelling is not all lower case, for messages.
const SPELLINGS: &[&str] = &[
    "startNode",
    "endNode",
    "isEmpty",
    "toLower",
    "toUpper",
    "toString",
    "toInteger",
    "toFloat",
    "toBoolean",
    "toStringOrNull",
    "toIntegerOrNull",
    "toFloatOrNull",
    "toBooleanOrNull",
    "valueType",
    "duration.inMonths",
    "duration.inDays",
    "duration.inSeconds",
];

/// `tointeger` as a user writes it: `toInteger`.
fn spelled(name: &str) -> &str {
    SPELLINGS
        .iter()
        .find(|s| s.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or(name)
}

fn type_err(fname: &str, expected: &str, got: &Value) -> QueryError {
    let fname = spelled(fname);
    QueryError::new(
        QueryErrorKind::TypeError,
        format!(
            "{fname}() expects {expected}, got {}",
            got.type_name().to_lowercase()
        ),
    )
    .with_code("InvalidArgumentValue")
}

fn arg_err(code: &str, msg: String) -> QueryError {
    QueryError::new(QueryErrorKind::ArgumentError, msg).with_code(code)
}

fn overflow(fname: &str) -> QueryError {
    arg_err(
        "NumberOutOfRange",
        format!("{fname}(): the result does not fit in a 64-bit integer"),
    )
}

fn s(text: impl Into<String>) -> Value {
    Value::String(Arc::from(text.into()))
}

/// Calls scalar function `name` (lower-cased, may be namespaced like `duration.between`)
/// with evaluated arguments.
pub fn call(g: &Graph, name: &str, args: &[Value]) -> R {
    let Some((min, max)) = arity(name) else {
        return Err(QueryError::new(
            QueryErrorKind::SyntaxError,
            format!("unknown function {name}()"),
        )
        .with_code("UnknownFunction"));
    };
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        let name = spelled(name);
        return Err(QueryError::new(
            QueryErrorKind::SyntaxError,
            format!(
                "{name}() takes {want} argument{}, got {}",
                if max == 1 && min == 1 { "" } else { "s" },
                args.len()
            ),
        )
        .with_code("InvalidNumberOfArguments"));
    }
    let a0 = args.first().unwrap_or(&Value::Null);
    let a1 = args.get(1).unwrap_or(&Value::Null);
    match name {
        "coalesce" => Ok(args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or_default()),
        "e" => Ok(Value::Float(std::f64::consts::E)),
        "pi" => Ok(Value::Float(std::f64::consts::PI)),
        "rand" => Ok(Value::Float(rand_f64())),
        "date" => date(args.first()),
        "date.truncate" => date_truncate(args),
        "range" => range(args),
        "replace" => replace(args),
        "substring" => substring(args),
        "left" | "right" => left_right(name, a0, a1),
        "split" => split(a0, a1),
        "round" => round(args),
        "atan2" => match (num(name, a0)?, num(name, a1)?) {
            (Some(y), Some(x)) => Ok(Value::Float(y.atan2(x))),
            _ => Ok(Value::Null),
        },
        "duration.between" | "duration.inmonths" | "duration.indays" | "duration.inseconds" => {
            duration_between(name, a0, a1)
        }
        _ if a0.is_null() => Ok(Value::Null),
        _ => unary(g, name, a0),
    }
}

/// Functions of one argument that return null for null (checked by the caller).
fn unary(g: &Graph, name: &str, v: &Value) -> R {
    match name {
        "id" => match v {
            Value::Node(n) => Ok(Value::Int(n.0 as i64)),
            Value::Rel(r) => Ok(Value::Int(r.0 as i64)),
            _ => Err(type_err(name, "a node or relationship", v)),
        },
        "labels" => match v {
            Value::Node(n) => Ok(Value::List(
                g.node_labels(*n).into_iter().map(Value::str).collect(),
            )),
            _ => Err(type_err(name, "a node", v)),
        },
        "type" => match v {
            Value::Rel(r) => Ok(g.rel_type(*r).map(Value::str).unwrap_or_default()),
            _ => Err(type_err(name, "a relationship", v)),
        },
        "keys" => match v {
            Value::Node(n) => Ok(Value::List(
                g.node_props(*n)
                    .into_iter()
                    .map(|(k, _)| Value::str(k))
                    .collect(),
            )),
            Value::Rel(r) => Ok(Value::List(
                g.rel_props(*r)
                    .into_iter()
                    .map(|(k, _)| Value::str(k))
                    .collect(),
            )),
            Value::Map(m) => Ok(Value::List(m.keys().map(|k| Value::str(k)).collect())),
            _ => Err(type_err(name, "a node, relationship or map", v)),
        },
        "properties" => {
            let pairs = match v {
                Value::Node(n) => g.node_props(*n),
                Value::Rel(r) => g.rel_props(*r),
                Value::Map(_) => return Ok(v.clone()),
                _ => return Err(type_err(name, "a node, relationship or map", v)),
            };
            let m: Map = pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            Ok(Value::Map(Box::new(m)))
        }
        "startnode" | "endnode" => match v {
            Value::Rel(r) => Ok(g
                .rel_ends(*r)
                .map(|(a, b)| Value::Node(if name == "startnode" { a } else { b }))
                .unwrap_or_default()),
            _ => Err(type_err(name, "a relationship", v)),
        },
        "nodes" => match v {
            Value::Path(p) => Ok(Value::List(
                p.nodes.iter().map(|n| Value::Node(*n)).collect(),
            )),
            _ => Err(type_err(name, "a path", v)),
        },
        "relationships" => match v {
            Value::Path(p) => Ok(Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect())),
            _ => Err(type_err(name, "a path", v)),
        },
        "length" => match v {
            Value::Path(p) => Ok(Value::Int(p.rels.len() as i64)),
            _ => Err(type_err(name, "a path", v)),
        },
        "size" | "char_length" | "character_length" => match v {
            Value::List(l) if name == "size" => Ok(Value::Int(l.len() as i64)),
            Value::String(t) => Ok(Value::Int(t.chars().count() as i64)),
            _ => Err(type_err(name, "a string or list", v)),
        },
        "isempty" => match v {
            Value::List(l) => Ok(Value::Bool(l.is_empty())),
            Value::String(t) => Ok(Value::Bool(t.is_empty())),
            Value::Map(m) => Ok(Value::Bool(m.is_empty())),
            _ => Err(type_err(name, "a string, list or map", v)),
        },
        "head" | "last" | "tail" => match v {
            Value::List(l) => Ok(match name {
                "head" => l.first().cloned().unwrap_or_default(),
                "last" => l.last().cloned().unwrap_or_default(),
                _ => Value::List(l.iter().skip(1).cloned().collect()),
            }),
            _ => Err(type_err(name, "a list", v)),
        },
        "reverse" => match v {
            Value::List(l) => Ok(Value::List(l.iter().rev().cloned().collect())),
            // By character: reversing bytes would split a character.
            Value::String(t) => Ok(s(t.chars().rev().collect::<String>())),
            _ => Err(type_err(name, "a string or list", v)),
        },
        "tolower" | "lower" | "toupper" | "upper" | "trim" | "ltrim" | "rtrim" => {
            let Value::String(t) = v else {
                return Err(type_err(name, "a string", v));
            };
            Ok(s(match name {
                "tolower" | "lower" => t.to_lowercase(),
                "toupper" | "upper" => t.to_uppercase(),
                "trim" => t.trim().to_string(),
                "ltrim" => t.trim_start().to_string(),
                _ => t.trim_end().to_string(),
            }))
        }
        "tostring" => to_string(v).ok_or_else(|| type_err(name, "a scalar value", v)),
        "tostringornull" => Ok(to_string(v).unwrap_or_default()),
        "tointeger" => {
            to_integer(v)?.ok_or_else(|| type_err(name, "a string, number or boolean", v))
        }
        "tointegerornull" => Ok(to_integer(v).ok().flatten().unwrap_or_default()),
        "tofloat" => to_float(v).ok_or_else(|| type_err(name, "a string or number", v)),
        "tofloatornull" => Ok(to_float(v).unwrap_or_default()),
        "toboolean" => {
            to_boolean(v).ok_or_else(|| type_err(name, "a string, boolean or integer", v))
        }
        "tobooleanornull" => Ok(to_boolean(v).unwrap_or_default()),
        "valuetype" => Ok(Value::str(&value_type(v))),
        "abs" => match v {
            Value::Int(i) => i
                .checked_abs()
                .map(Value::Int)
                .ok_or_else(|| overflow(name)),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            _ => Err(type_err(name, "a number", v)),
        },
        "sign" => match v {
            Value::Int(i) => Ok(Value::Int(i.signum())),
            Value::Float(f) if f.is_nan() => Ok(Value::Float(f64::NAN)),
            Value::Float(f) => Ok(Value::Int(if *f > 0.0 {
                1
            } else if *f < 0.0 {
                -1
            } else {
                0
            })),
            _ => Err(type_err(name, "a number", v)),
        },
        "duration" => duration(v),
        _ => {
            let Some(x) = num(name, v)? else {
                return Ok(Value::Null);
            };
            let r = match name {
                "ceil" => x.ceil(),
                "floor" => x.floor(),
                "sqrt" => x.sqrt(),
                "exp" => x.exp(),
                "log" => x.ln(),
                "log10" => x.log10(),
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tan" => x.tan(),
                "cot" => 1.0 / x.tan(),
                "asin" => x.asin(),
                "acos" => x.acos(),
                "atan" => x.atan(),
                "degrees" => x.to_degrees(),
                "radians" => x.to_radians(),
                "haversin" => (1.0 - x.cos()) / 2.0,
                _ => {
                    return Err(QueryError::new(
                        QueryErrorKind::Runtime,
                        format!("internal: function {name}() has no implementation"),
                    ));
                }
            };
            Ok(Value::Float(r))
        }
    }
}

/// A numeric argument as f64 (`None` for null).
fn num(fname: &str, v: &Value) -> Result<Option<f64>, QueryError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        _ => Err(type_err(fname, "a number", v)),
    }
}

/// An integer argument (`None` for null); floats are not accepted.
fn int_arg(fname: &str, v: &Value) -> Result<Option<i64>, QueryError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        _ => Err(type_err(fname, "an integer", v)),
    }
}

/// A pseudo-random float in [0, 1). Hand-written (a splitmix64 stream seeded from
/// std's per-process random hasher keys) because `rand()` needs no cryptographic
/// quality and the crate's `rand` is only a dev-dependency.
fn rand_f64() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, AtomicOrdering::Relaxed);
    if x == 0 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0);
        x = h.finish() | 1;
        STATE.store(x, AtomicOrdering::Relaxed);
    }
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The most elements `range()` builds: a guard against `range(0, 10^18)` eating memory.
pub const MAX_RANGE: i64 = 10_000_000;

fn range(args: &[Value]) -> R {
    let mut ints = [0i64, 0, 1];
    for (i, v) in args.iter().enumerate() {
        match v {
            Value::Int(x) => ints[i] = *x,
            Value::Null => return Ok(Value::Null),
            _ => {
                return Err(arg_err(
                    "InvalidArgumentType",
                    format!(
                        "range() expects integer arguments, got {}",
                        v.type_name().to_lowercase()
                    ),
                ));
            }
        }
    }
    let [start, end, step] = ints;
    if step == 0 {
        return Err(arg_err(
            "NumberOutOfRange",
            "range() step must not be 0".into(),
        ));
    }
    let (start, end, step) = (start as i128, end as i128, step as i128);
    let count = if (step > 0 && end < start) || (step < 0 && end > start) {
        0
    } else {
        (end - start) / step + 1
    };
    if count > MAX_RANGE as i128 {
        return Err(arg_err(
            "NumberOutOfRange",
            format!("range() would build {count} elements; the limit is {MAX_RANGE}"),
        ));
    }
    Ok(Value::List(
        (0..count)
            .map(|i| Value::Int((start + i * step) as i64))
            .collect(),
    ))
}

fn str_arg<'a>(fname: &str, v: &'a Value) -> Result<Option<&'a str>, QueryError> {
    match v {
        Value::Null => Ok(None),
        Value::String(t) => Ok(Some(t)),
        _ => Err(type_err(fname, "a string", v)),
    }
}

fn replace(args: &[Value]) -> R {
    let mut parts = Vec::with_capacity(3);
    for v in args {
        parts.push(str_arg("replace", v)?);
    }
    match parts[..] {
        [Some(orig), Some(search), Some(with)] => Ok(s(if search.is_empty() {
            orig.to_string()
        } else {
            orig.replace(search, with)
        })),
        _ => Ok(Value::Null),
    }
}

fn split(a: &Value, d: &Value) -> R {
    match (str_arg("split", a)?, d) {
        (None, _) | (_, Value::Null) => Ok(Value::Null),
        (Some(t), Value::String(delim)) if delim.is_empty() => {
            Ok(Value::List(t.chars().map(|c| s(c.to_string())).collect()))
        }
        (Some(t), Value::String(delim)) => {
            Ok(Value::List(t.split(&**delim).map(Value::str).collect()))
        }
        (Some(t), Value::List(delims)) => {
            // Several delimiters: split on any of them.
            let ds: Vec<&str> = delims
                .iter()
                .filter_map(|d| match d {
                    Value::String(x) if !x.is_empty() => Some(&**x),
                    _ => None,
                })
                .collect();
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut rest = t;
            'outer: while !rest.is_empty() {
                for d in &ds {
                    if let Some(r) = rest.strip_prefix(d) {
                        out.push(s(std::mem::take(&mut cur)));
                        rest = r;
                        continue 'outer;
                    }
                }
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
                rest = chars.as_str();
            }
            out.push(s(cur));
            Ok(Value::List(out))
        }
        (_, other) => Err(type_err("split", "a string delimiter", other)),
    }
}

fn non_negative(fname: &str, what: &str, v: &Value) -> Result<Option<usize>, QueryError> {
    match int_arg(fname, v)? {
        None => Ok(None),
        Some(i) if i < 0 => Err(arg_err(
            "NumberOutOfRange",
            format!("{fname}(): {what} must not be negative, got {i}"),
        )),
        Some(i) => Ok(Some(i as usize)),
    }
}

/// `substring(s, start[, length])`, counting characters (never splitting one).
fn substring(args: &[Value]) -> R {
    let t = str_arg("substring", &args[0])?;
    let start = non_negative("substring", "start", &args[1])?;
    let len = match args.get(2) {
        Some(v) => match non_negative("substring", "length", v)? {
            Some(l) => Some(l),
            None => return Ok(Value::Null),
        },
        None => None,
    };
    let (Some(t), Some(start)) = (t, start) else {
        return Ok(Value::Null);
    };
    let it = t.chars().skip(start);
    Ok(s(match len {
        Some(l) => it.take(l).collect::<String>(),
        None => it.collect::<String>(),
    }))
}

fn left_right(fname: &str, a: &Value, n: &Value) -> R {
    let t = str_arg(fname, a)?;
    if t.is_none() {
        return Ok(Value::Null);
    }
    let n = match non_negative(fname, "length", n)? {
        Some(n) => n,
        None => {
            return Err(arg_err(
                "InvalidArgumentValue",
                format!("{fname}(): length must not be null"),
            ));
        }
    };
    let t = t.unwrap_or_default();
    let count = t.chars().count();
    Ok(s(if fname == "left" {
        t.chars().take(n).collect::<String>()
    } else {
        t.chars().skip(count.saturating_sub(n)).collect::<String>()
    }))
}

/// `round(x[, precision[, mode]])`: `HALF_UP` (half away from zero, as Java's
/// `BigDecimal` names it) unless a mode is given.
fn round(args: &[Value]) -> R {
    let Some(x) = num("round", &args[0])? else {
        return Ok(Value::Null);
    };
    let precision = match args.get(1) {
        Some(v) => match int_arg("round", v)? {
            Some(p) => p,
            None => return Ok(Value::Null),
        },
        None => 0,
    };
    let mode = match args.get(2) {
        Some(Value::String(m)) => m.to_uppercase(),
        Some(Value::Null) => return Ok(Value::Null),
        Some(v) => return Err(type_err("round", "a rounding mode string", v)),
        None => "HALF_UP".into(),
    };
    if !x.is_finite() {
        return Ok(Value::Float(x));
    }
    let factor = 10f64.powi(precision.clamp(-300, 300) as i32);
    let y = x * factor;
    let r = match mode.as_str() {
        "HALF_UP" => y.round(),
        "HALF_DOWN" => {
            if (y.fract().abs() - 0.5).abs() < 1e-9 {
                y.trunc()
            } else {
                y.round()
            }
        }
        "HALF_EVEN" => y.round_ties_even(),
        "CEILING" => y.ceil(),
        "FLOOR" => y.floor(),
        "UP" => {
            if y >= 0.0 {
                y.ceil()
            } else {
                y.floor()
            }
        }
        "DOWN" => y.trunc(),
        "UNNECESSARY" => {
            if y.fract() != 0.0 {
                return Err(arg_err(
                    "InvalidArgumentValue",
                    "round(): rounding is necessary but mode is UNNECESSARY".into(),
                ));
            }
            y
        }
        other => {
            return Err(arg_err(
                "InvalidArgumentValue",
                format!("round(): unknown rounding mode {other}"),
            ));
        }
    };
    Ok(Value::Float(r / factor))
}

fn to_string(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::String(_) => v.clone(),
        Value::Int(i) => s(i.to_string()),
        Value::Float(f) => s(format_float(*f)),
        Value::Bool(b) => s(if *b { "true" } else { "false" }),
        Value::Date(d) => s(format_date(*d)),
        Value::Duration(d) => s(d.to_string()),
        _ => return None,
    })
}

/// `toInteger`: `Ok(None)` is a type the function does not take; a string that is
/// no number gives null, as openCypher says.
fn to_integer(v: &Value) -> Result<Option<Value>, QueryError> {
    Ok(Some(match v {
        Value::Null => Value::Null,
        Value::Int(_) => v.clone(),
        Value::Float(f) => float_to_int(*f).map(Value::Int).unwrap_or_default(),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::String(t) => {
            let t = t.trim();
            match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => t
                    .parse::<f64>()
                    .ok()
                    .filter(|_| looks_numeric(t))
                    .and_then(float_to_int)
                    .map(Value::Int)
                    .unwrap_or_default(),
            }
        }
        _ => return Ok(None),
    }))
}

/// Rust parses "inf" and "NaN"; openCypher number literals do not include them.
fn looks_numeric(t: &str) -> bool {
    t.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

fn float_to_int(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63: exactly the floats whose integer part fits in an i64.
    if f.is_nan() || !(i64::MIN as f64..-(i64::MIN as f64)).contains(&f) {
        None
    } else {
        Some(f.trunc() as i64)
    }
}

fn to_float(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::Float(_) => v.clone(),
        Value::Int(i) => Value::Float(*i as f64),
        Value::String(t) => {
            let t = t.trim();
            t.parse::<f64>()
                .ok()
                .filter(|_| looks_numeric(t))
                .map(Value::Float)
                .unwrap_or_default()
        }
        _ => return None,
    })
}

fn to_boolean(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::Bool(_) => v.clone(),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(t) => match t.trim().to_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        },
        _ => return None,
    })
}

/// `valueType(x)`: the type as GQL names it, `INTEGER NOT NULL`, `LIST<STRING NOT NULL> NOT NULL`.
pub fn value_type(v: &Value) -> String {
    fn inner(v: &Value) -> String {
        match v {
            Value::Null => "NULL".into(),
            Value::Bool(_) => "BOOLEAN".into(),
            Value::Int(_) => "INTEGER".into(),
            Value::Float(_) => "FLOAT".into(),
            Value::String(_) => "STRING".into(),
            Value::Date(_) => "DATE".into(),
            Value::Duration(_) => "DURATION".into(),
            Value::Map(_) => "MAP".into(),
            Value::Node(_) => "NODE".into(),
            Value::Rel(_) => "RELATIONSHIP".into(),
            Value::Path(_) => "PATH".into(),
            Value::List(items) => {
                let mut kinds: Vec<String> = items.iter().map(value_type).collect();
                kinds.sort();
                kinds.dedup();
                let el = match kinds.len() {
                    0 => "NOTHING".to_string(),
                    1 => kinds.remove(0),
                    _ => "ANY".to_string(),
                };
                format!("LIST<{el}>")
            }
        }
    }
    match v {
        Value::Null => "NULL".into(),
        _ => format!("{} NOT NULL", inner(v)),
    }
}

// ----- temporal -----

fn temporal_err(msg: String) -> QueryError {
    arg_err("InvalidArgumentValue", msg)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn date(arg: Option<&Value>) -> R {
    match arg {
        None => Ok(Value::Date(today())),
        Some(Value::Null) => Ok(Value::Null),
        Some(Value::Date(_)) => Ok(arg.cloned().unwrap_or_default()),
        Some(Value::String(t)) => {
            parse_date_text(t)
                .map(Value::Date)
                .ok_or_else(|| match signed_year(t) {
                    Some(y) if !date_year_supported(y) => year_out_of_range(y),
                    _ => temporal_err(format!("date(): cannot parse {t:?} as a date")),
                })
        }
        Some(Value::Map(m)) => date_from_map(m).map(Value::Date),
        Some(v) => Err(type_err("date", "a string or map", v)),
    }
}

/// Whether dossier's dates reach year `y`. openCypher's dates span the years
/// -999,999,999..=999,999,999, but dossier's date value (in queries, the store
/// and every export) is chrono's `NaiveDate`, which spans about ±262,000 years.
/// Widening it would change the value type, the store's encoding and every
/// temporal function for dates no news document holds, so such years are
/// refused with an error that says why (`year_out_of_range`).
fn date_year_supported(y: i64) -> bool {
    (i64::from(NaiveDate::MIN.year())..=i64::from(NaiveDate::MAX.year())).contains(&y)
}

fn year_out_of_range(y: i64) -> QueryError {
    arg_err(
        "InvalidArgumentValue",
        format!(
            "date(): year {y} is outside the years dossier's dates support ({}..={})",
            NaiveDate::MIN.year(),
            NaiveDate::MAX.year()
        ),
    )
}

/// The year of an ISO 8601 date with an explicit sign and an expanded year
/// (`-999999999-01-01`, `+12345-06-07`), which only the dashed form can hold.
fn signed_year(t: &str) -> Option<i64> {
    let t = t.trim();
    let neg = t.starts_with('-');
    let body = t.strip_prefix(['+', '-'])?;
    let (y, rest) = body.split_once('-')?;
    if y.len() < 4 || y.len() > 9 || !y.bytes().all(|b| b.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    let y: i64 = y.parse().ok()?;
    Some(if neg { -y } else { y })
}

/// Parses the ISO 8601 date forms openCypher accepts: `2015-07-21`, `20150721`,
/// `2015-07`, `201507`, `2015-W30-2`, `2015W302`, `2015-W30`, `2015-202`,
/// `2015202`, `2015`.
pub fn parse_date_text(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    // Every form is ASCII; checking once keeps the byte slicing below on boundaries.
    if !t.is_ascii() {
        return None;
    }
    let (sign, body) = match t.strip_prefix(['+', '-']) {
        Some(b) if t.starts_with('-') => (-1, b),
        Some(b) => (1, b),
        None => (1, t),
    };
    // A signed year may have more than four digits in the dashed form.
    let run = body.bytes().take_while(|b| b.is_ascii_digit()).count();
    let ylen = if body.len() != t.len() && run > 4 && body[run..].starts_with('-') {
        run
    } else {
        4
    };
    if body.len() < ylen || !body.is_char_boundary(ylen) {
        return None;
    }
    let year: i32 = body[..ylen].parse::<i32>().ok()? * sign;
    let rest = &body[ylen..];
    let dashed = rest.starts_with('-');
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let digits = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
    if rest.is_empty() {
        return NaiveDate::from_ymd_opt(year, 1, 1);
    }
    if let Some(w) = rest.strip_prefix('W') {
        let (week, dow) = if dashed {
            match w.split_once('-') {
                Some((a, b)) => (a, Some(b)),
                None => (w, None),
            }
        } else if w.len() == 3 {
            (&w[..2], Some(&w[2..]))
        } else {
            (w, None)
        };
        if !digits(week) || week.len() != 2 {
            return None;
        }
        let dow = match dow {
            Some(d) if digits(d) && d.len() == 1 => d.parse().ok()?,
            Some(_) => return None,
            None => 1,
        };
        return NaiveDate::from_isoywd_opt(year, week.parse().ok()?, weekday(dow)?);
    }
    if !digits(&rest.replace('-', "")) {
        return None;
    }
    match (rest.len(), dashed) {
        (2, _) => NaiveDate::from_ymd_opt(year, rest.parse().ok()?, 1),
        (3, _) => NaiveDate::from_yo_opt(year, rest.parse().ok()?),
        (5, true) if rest.as_bytes()[2] == b'-' => {
            NaiveDate::from_ymd_opt(year, rest[..2].parse().ok()?, rest[3..].parse().ok()?)
        }
        (4, false) => {
            NaiveDate::from_ymd_opt(year, rest[..2].parse().ok()?, rest[2..].parse().ok()?)
        }
        _ => None,
    }
}

fn weekday(n: u32) -> Option<Weekday> {
    Some(match n {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        7 => Weekday::Sun,
        _ => return None,
    })
}

fn map_int(m: &Map, key: &str) -> Result<Option<i64>, QueryError> {
    let found = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key));
    match found.map(|(_, v)| v) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(v) => Err(type_err("date", &format!("an integer {key}"), v)),
    }
}

fn u32_in(key: &str, v: i64, lo: i64, hi: i64) -> Result<u32, QueryError> {
    if v < lo || v > hi {
        return Err(temporal_err(format!(
            "date(): {key} must be in {lo}..={hi}, got {v}"
        )));
    }
    Ok(v as u32)
}

/// `date({year, month, day})` and the week (`week`, `dayOfWeek`), quarter
/// (`quarter`, `dayOfQuarter`) and ordinal (`ordinalDay`) forms, optionally based
/// on another date (`{date: d, day: 1}`).
fn date_from_map(m: &Map) -> Result<NaiveDate, QueryError> {
    for k in m.keys() {
        let known = [
            "year",
            "month",
            "day",
            "week",
            "dayofweek",
            "quarter",
            "dayofquarter",
            "ordinalday",
            "date",
        ];
        if !known.contains(&k.to_lowercase().as_str()) {
            return Err(temporal_err(format!("date(): unknown field {k}")));
        }
    }
    let base = match m.iter().find(|(k, _)| k.eq_ignore_ascii_case("date")) {
        Some((_, Value::Date(d))) => Some(*d),
        Some((_, Value::Null)) | None => None,
        Some((_, v)) => return Err(type_err("date", "a date for `date`", v)),
    };
    let year = match (map_int(m, "year")?, base) {
        (Some(y), _) => y,
        (None, Some(b)) => {
            // With a week given, the base contributes its week-based year.
            if map_int(m, "week")?.is_some() {
                b.iso_week().year() as i64
            } else {
                b.year() as i64
            }
        }
        (None, None) => return Err(temporal_err("date(): the map needs a year".into())),
    };
    if !date_year_supported(year) {
        return Err(year_out_of_range(year));
    }
    let year = i32::try_from(year).map_err(|_| year_out_of_range(year))?;
    let bad = || temporal_err("date(): the fields do not make a valid date".into());
    if let Some(w) = map_int(m, "week")? {
        let w = u32_in("week", w, 1, 53)?;
        let dow = match (map_int(m, "dayofweek")?, base) {
            (Some(d), _) => u32_in("dayOfWeek", d, 1, 7)?,
            (None, Some(b)) => b.weekday().number_from_monday(),
            (None, None) => 1,
        };
        return NaiveDate::from_isoywd_opt(year, w, weekday(dow).ok_or_else(bad)?).ok_or_else(bad);
    }
    if let Some(q) = map_int(m, "quarter")? {
        let q = u32_in("quarter", q, 1, 4)?;
        let doq = match (map_int(m, "dayofquarter")?, base) {
            (Some(d), _) => u32_in("dayOfQuarter", d, 1, 92)?,
            (None, Some(b)) => {
                let qs = NaiveDate::from_ymd_opt(b.year(), (b.month() - 1) / 3 * 3 + 1, 1)
                    .ok_or_else(bad)?;
                (b - qs).num_days() as u32 + 1
            }
            (None, None) => 1,
        };
        let start = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
        let d = start
            .checked_add_days(Days::new(doq as u64 - 1))
            .ok_or_else(bad)?;
        if (d.month() - 1) / 3 + 1 != q {
            return Err(bad());
        }
        return Ok(d);
    }
    if let Some(o) = map_int(m, "ordinalday")? {
        return NaiveDate::from_yo_opt(year, u32_in("ordinalDay", o, 1, 366)?).ok_or_else(bad);
    }
    let month = match (map_int(m, "month")?, base) {
        (Some(x), _) => u32_in("month", x, 1, 12)?,
        (None, Some(b)) => b.month(),
        (None, None) => 1,
    };
    let day = match (map_int(m, "day")?, base) {
        (Some(x), _) => u32_in("day", x, 1, 31)?,
        (None, Some(b)) => b.day(),
        (None, None) => 1,
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

/// `date.truncate(unit, d[, map])`: `d` cut down to the start of its millennium,
/// century, decade, year, weekYear, quarter, month, week or day, then the map's
/// fields set on top (`date.truncate('week', d, {dayOfWeek: 2})` is that Tuesday).
fn date_truncate(args: &[Value]) -> R {
    let unit = match &args[0] {
        Value::String(u) => u.to_lowercase(),
        Value::Null => return Ok(Value::Null),
        other => return Err(type_err("date.truncate", "a unit string", other)),
    };
    let d = match &args[1] {
        Value::Date(d) => *d,
        Value::Null => return Ok(Value::Null),
        other => return Err(type_err("date.truncate", "a date", other)),
    };
    let bad = || temporal_err("date.truncate(): the result is not a valid date".into());
    let y = d.year();
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad);
    let t = match unit.as_str() {
        "millennium" => jan1(y - y.rem_euclid(1000))?,
        "century" => jan1(y - y.rem_euclid(100))?,
        "decade" => jan1(y - y.rem_euclid(10))?,
        "year" => jan1(y)?,
        "weekyear" => {
            NaiveDate::from_isoywd_opt(d.iso_week().year(), 1, Weekday::Mon).ok_or_else(bad)?
        }
        "quarter" => NaiveDate::from_ymd_opt(y, (d.month() - 1) / 3 * 3 + 1, 1).ok_or_else(bad)?,
        "month" => NaiveDate::from_ymd_opt(y, d.month(), 1).ok_or_else(bad)?,
        "week" => add_days(d, 1 - d.weekday().number_from_monday() as i64).ok_or_else(bad)?,
        "day" => d,
        other => {
            return Err(temporal_err(format!(
                "date.truncate(): unknown unit {other:?}"
            )));
        }
    };
    let mut m = match args.get(2) {
        Some(Value::Map(m)) if !m.is_empty() => (**m).clone(),
        Some(Value::Map(_) | Value::Null) | None => return Ok(Value::Date(t)),
        Some(other) => return Err(type_err("date.truncate", "a map", other)),
    };
    let has = |m: &Map, k: &str| m.keys().any(|x| x.eq_ignore_ascii_case(k));
    if has(&m, "dayOfWeek") && !has(&m, "week") {
        m.insert("week".into(), Value::Int(t.iso_week().week() as i64));
    }
    m.insert("date".into(), Value::Date(t));
    date_from_map(&m).map(Value::Date)
}

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// The average month and day lengths openCypher uses to spill fractions down.
const SECONDS_PER_MONTH: f64 = 2_629_746.0;
const SECONDS_PER_DAY: i128 = 86_400;

fn duration_from_parts(months: i64, days: i64, nanos: i128) -> Result<Duration, QueryError> {
    let seconds = i64::try_from(nanos / NANOS_PER_SEC).map_err(|_| overflow("duration"))?;
    Ok(Duration {
        months,
        days,
        seconds,
        nanos: (nanos % NANOS_PER_SEC) as i32,
    })
}

fn duration(v: &Value) -> R {
    match v {
        Value::Duration(_) => Ok(v.clone()),
        Value::String(t) => parse_duration_text(t)
            .map(|d| Value::Duration(Box::new(d)))
            .ok_or_else(|| temporal_err(format!("duration(): cannot parse {t:?}"))),
        Value::Map(m) => duration_from_map(m).map(|d| Value::Duration(Box::new(d))),
        _ => Err(type_err("duration", "a string or map", v)),
    }
}

/// ISO 8601 durations (`P1Y2M3W4DT5H6M7.5S`, signs and fractions allowed on each
/// component).
pub fn parse_duration_text(t: &str) -> Option<Duration> {
    let t = t.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let body = t.strip_prefix('P').or_else(|| t.strip_prefix('p'))?;
    let sign = if neg { -1.0 } else { 1.0 };
    if let Some(d) = parse_alternative_duration(body) {
        return spill(d.0 * sign, d.1 * sign, d.2 * sign).ok();
    }
    let mut months = 0f64;
    let mut days = 0f64;
    let mut secs = 0f64;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in body.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && num.is_empty() => in_time = true,
            c if c.is_ascii_digit() || c == '.' || c == ',' || c == '-' || c == '+' => {
                num.push(if c == ',' { '.' } else { c })
            }
            unit => {
                let x: f64 = num.parse().ok()?;
                num.clear();
                any = true;
                match (in_time, unit) {
                    (false, 'Y') => months += x * 12.0,
                    (false, 'M') => months += x,
                    (false, 'W') => days += x * 7.0,
                    (false, 'D') => days += x,
                    (true, 'H') => secs += x * 3600.0,
                    (true, 'M') => secs += x * 60.0,
                    (true, 'S') => secs += x,
                    _ => return None,
                }
            }
        }
    }
    if !num.is_empty() || !any {
        return None;
    }
    spill(months * sign, days * sign, secs * sign).ok()
}

/// ISO 8601's alternative form `PYYYY-MM-DDThh:mm:ss(.f)`, as (months, days, seconds).
fn parse_alternative_duration(body: &str) -> Option<(f64, f64, f64)> {
    let (date, time) = body.split_once('T').unwrap_or((body, ""));
    let mut d = date.split('-');
    let (y, m, dd) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || m.len() != 2 || dd.len() != 2 {
        return None;
    }
    let months = y.parse::<f64>().ok()? * 12.0 + m.parse::<f64>().ok()?;
    let days = dd.parse::<f64>().ok()?;
    let mut secs = 0.0;
    if !time.is_empty() {
        let mut p = time.split(':');
        let (h, mi, se) = (p.next()?, p.next()?, p.next()?);
        if p.next().is_some() {
            return None;
        }
        secs = h.parse::<f64>().ok()? * 3600.0
            + mi.parse::<f64>().ok()? * 60.0
            + se.parse::<f64>().ok()?;
    }
    Some((months, days, secs))
}

/// Whole months and days, fractions spilled down into seconds (average lengths).
fn spill(months: f64, days: f64, secs: f64) -> Result<Duration, QueryError> {
    let whole_months = months.trunc();
    // A fraction of a month becomes whole days and then seconds
    // (`{months: 0.75}` is `P22DT19H51M49.5S`); a fraction of a day becomes seconds.
    let month_secs = (months - whole_months) * SECONDS_PER_MONTH;
    let month_days = (month_secs / SECONDS_PER_DAY as f64).trunc();
    let days = days + month_days;
    let whole_days = days.trunc();
    let extra_secs = month_secs - month_days * SECONDS_PER_DAY as f64
        + (days - whole_days) * SECONDS_PER_DAY as f64
        + secs;
    let nanos = (extra_secs * 1e9).round();
    if !nanos.is_finite() || nanos.abs() > 9.0e27 || whole_months.abs() > 9.0e18 {
        return Err(overflow("duration"));
    }
    duration_from_parts(whole_months as i64, whole_days as i64, nanos as i128)
}

/// `duration({years, months, weeks, days, hours, minutes, seconds, milliseconds,
/// microseconds, nanoseconds})`; integers are exact, floats spill fractions down.
fn duration_from_map(m: &Map) -> Result<Duration, QueryError> {
    let mut months = 0i128;
    let mut days = 0i128;
    let mut nanos = 0i128;
    let (mut fm, mut fd, mut fs) = (0f64, 0f64, 0f64);
    for (k, v) in m.iter() {
        let (unit_months, unit_days, unit_nanos): (i128, i128, i128) =
            match k.to_lowercase().as_str() {
                "years" => (12, 0, 0),
                "quarters" => (3, 0, 0),
                "months" => (1, 0, 0),
                "weeks" => (0, 7, 0),
                "days" => (0, 1, 0),
                "hours" => (0, 0, 3_600 * NANOS_PER_SEC),
                "minutes" => (0, 0, 60 * NANOS_PER_SEC),
                "seconds" => (0, 0, NANOS_PER_SEC),
                "milliseconds" => (0, 0, 1_000_000),
                "microseconds" => (0, 0, 1_000),
                "nanoseconds" => (0, 0, 1),
                _ => return Err(temporal_err(format!("duration(): unknown field {k}"))),
            };
        match v {
            Value::Null => {}
            Value::Int(i) => {
                let i = *i as i128;
                months += i * unit_months;
                days += i * unit_days;
                nanos += i * unit_nanos;
            }
            Value::Float(f) => {
                fm += f * unit_months as f64;
                fd += f * unit_days as f64;
                fs += f * unit_nanos as f64 / 1e9;
            }
            _ => return Err(type_err("duration", &format!("a number for {k}"), v)),
        }
    }
    let frac = spill(fm, fd, fs)?;
    let months = i64::try_from(months + frac.months as i128).map_err(|_| overflow("duration"))?;
    let days = i64::try_from(days + frac.days as i128).map_err(|_| overflow("duration"))?;
    let nanos = nanos + frac.seconds as i128 * NANOS_PER_SEC + frac.nanos as i128;
    duration_from_parts(months, days, nanos)
}

/// `duration.between(a, b)` and `inMonths`/`inDays`/`inSeconds` for dates: whole
/// months first (as far as they go without passing `b`), then the remaining days.
fn duration_between(name: &str, a: &Value, b: &Value) -> R {
    let (a, b) = match (a, b) {
        (Value::Null, _) | (_, Value::Null) => return Ok(Value::Null),
        (Value::Date(a), Value::Date(b)) => (*a, *b),
        (Value::Date(_), other) | (other, _) => {
            return Err(type_err(name, "two dates", other));
        }
    };
    let total_days = (b - a).num_days();
    let d = match name {
        "duration.indays" => Duration {
            days: total_days,
            ..Duration::default()
        },
        "duration.inseconds" => Duration {
            seconds: total_days * SECONDS_PER_DAY as i64,
            ..Duration::default()
        },
        _ => {
            let mut months =
                (b.year() as i64 - a.year() as i64) * 12 + b.month() as i64 - a.month() as i64;
            // Step back while a + months overshoots b (in the direction of travel).
            loop {
                let Some(mid) = add_months(a, months) else {
                    return Err(overflow(name));
                };
                let over = if total_days >= 0 { mid > b } else { mid < b };
                if !over {
                    let days = if name == "duration.inmonths" {
                        0
                    } else {
                        (b - mid).num_days()
                    };
                    break Duration {
                        months,
                        days,
                        ..Duration::default()
                    };
                }
                months += if total_days >= 0 { -1 } else { 1 };
            }
        }
    };
    Ok(Value::Duration(Box::new(d)))
}

fn add_months(d: NaiveDate, months: i64) -> Option<NaiveDate> {
    let m = u32::try_from(months.unsigned_abs()).ok()?;
    if months >= 0 {
        d.checked_add_months(Months::new(m))
    } else {
        d.checked_sub_months(Months::new(m))
    }
}

fn add_days(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// `date + duration` (`sign` 1) and `date - duration` (`sign` -1): months first
/// (clamping the day to the month's end, as openCypher does), then days; the time
/// part counts only in whole days, since a date has no time of day. `None` when the
/// result leaves the representable range.
pub fn add_duration(d: NaiveDate, dur: &Duration, sign: i64) -> Option<NaiveDate> {
    let months = dur.months.checked_mul(sign)?;
    let whole_days = dur.days.checked_add(dur.seconds / SECONDS_PER_DAY as i64)?;
    let days = whole_days.checked_mul(sign)?;
    add_days(add_months(d, months)?, days)
}

/// `a + b` (`sign` 1) or `a - b` (`sign` -1) for durations: component by
/// component (months, days and seconds never mix). `None` on overflow.
pub fn duration_add(a: &Duration, b: &Duration, sign: i64) -> Option<Duration> {
    let nanos = (a.seconds as i128 * NANOS_PER_SEC + a.nanos as i128)
        + sign as i128 * (b.seconds as i128 * NANOS_PER_SEC + b.nanos as i128);
    Some(Duration {
        months: a.months.checked_add(b.months.checked_mul(sign)?)?,
        days: a.days.checked_add(b.days.checked_mul(sign)?)?,
        seconds: i64::try_from(nanos / NANOS_PER_SEC).ok()?,
        nanos: (nanos % NANOS_PER_SEC) as i32,
    })
}

/// `d * factor` (and `d / x` as `d * (1/x)`): each component scaled, fractions of
/// months and days spilled into smaller units as `duration({months: 0.5})` does.
pub fn duration_multiply(d: &Duration, factor: f64) -> Result<Duration, QueryError> {
    let secs = (d.seconds as f64 + d.nanos as f64 / 1e9) * factor;
    spill(d.months as f64 * factor, d.days as f64 * factor, secs)
}

/// A property of a date or duration (`d.year`, `dur.days`), `None` when the value
/// is not temporal or has no such field. Keys are matched case-insensitively.
pub fn temporal_property(v: &Value, key: &str) -> Option<Value> {
    let k = key.to_lowercase();
    let i = |x: i64| Some(Value::Int(x));
    match v {
        Value::Date(d) => match k.as_str() {
            "year" => i(d.year() as i64),
            "month" => i(d.month() as i64),
            "day" => i(d.day() as i64),
            "quarter" => i(((d.month() - 1) / 3 + 1) as i64),
            "week" => i(d.iso_week().week() as i64),
            "weekyear" => i(d.iso_week().year() as i64),
            "dayofweek" | "weekday" => i(d.weekday().number_from_monday() as i64),
            "ordinalday" => i(d.ordinal() as i64),
            "dayofquarter" => {
                let qs = NaiveDate::from_ymd_opt(d.year(), (d.month() - 1) / 3 * 3 + 1, 1)?;
                i((*d - qs).num_days() + 1)
            }
            _ => None,
        },
        Value::Duration(d) => {
            let total_nanos = d.seconds as i128 * NANOS_PER_SEC + d.nanos as i128;
            match k.as_str() {
                "years" => i(d.months / 12),
                "quarters" => i(d.months / 3),
                "months" => i(d.months),
                "weeks" => i(d.days / 7),
                "days" => i(d.days),
                "hours" => i(d.seconds / 3600),
                "minutes" => i(d.seconds / 60),
                "seconds" => i(d.seconds),
                "milliseconds" => i((total_nanos / 1_000_000) as i64),
                "microseconds" => i((total_nanos / 1_000) as i64),
                "nanoseconds" => i64::try_from(total_nanos).ok().map(Value::Int),
                "quartersofyear" => i((d.months % 12) / 3),
                "monthsofyear" => i(d.months % 12),
                "monthsofquarter" => i(d.months % 3),
                "daysofweek" => i(d.days % 7),
                "minutesofhour" => i((d.seconds / 60) % 60),
                "secondsofminute" => i(d.seconds % 60),
                "millisecondsofsecond" => i((d.nanos / 1_000_000) as i64),
                "microsecondsofsecond" => i((d.nanos / 1_000) as i64),
                "nanosecondsofsecond" => i(d.nanos as i64),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A path value from nodes and relationships (for the executor's convenience).
pub fn path(nodes: Vec<crate::graph::NodeId>, rels: Vec<crate::graph::RelId>) -> Value {
    Value::Path(Box::new(Path { nodes, rels }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{NodeId, Txn};

    fn c(name: &str, args: &[Value]) -> R {
        call(&Graph::new(), name, args)
    }
    fn ok(name: &str, args: &[Value]) -> Value {
        match c(name, args) {
            Ok(v) => v,
            Err(e) => panic!("{name}({args:?}) failed: {e}"),
        }
    }
    fn code(name: &str, args: &[Value]) -> (QueryErrorKind, Option<String>) {
        match c(name, args) {
            Ok(v) => panic!("{name}({args:?}) should fail, gave {v}"),
            Err(e) => (e.kind, e.code),
        }
    }
    fn ints(v: &[i64]) -> Value {
        Value::List(v.iter().map(|i| Value::Int(*i)).collect())
    }
    fn st(t: &str) -> Value {
        Value::str(t)
    }

    #[test]
    fn unknown_functions_and_wrong_arity_are_syntax_errors() {
        assert!(is_scalar("tolower") && !is_scalar("count") && !is_scalar("nope"));
        assert_eq!(
            code("nope", &[]),
            (QueryErrorKind::SyntaxError, Some("UnknownFunction".into()))
        );
        assert_eq!(
            code("tolower", &[]),
            (
                QueryErrorKind::SyntaxError,
                Some("InvalidNumberOfArguments".into())
            )
        );
        assert_eq!(arity("coalesce"), Some((1, usize::MAX)));
        assert!(!is_deterministic("rand") && is_deterministic("tolower"));
    }

    #[test]
    fn null_in_null_out() {
        for f in [
            "tolower",
            "toupper",
            "trim",
            "size",
            "head",
            "reverse",
            "abs",
            "sqrt",
            "tostring",
            "tointeger",
            "tofloat",
            "toboolean",
            "labels",
            "keys",
            "length",
            "date",
            "sign",
        ] {
            assert_eq!(ok(f, &[Value::Null]), Value::Null, "{f}(null)");
        }
        assert_eq!(ok("replace", &[st("a"), Value::Null, st("b")]), Value::Null);
        assert_eq!(ok("substring", &[Value::Null, Value::Int(1)]), Value::Null);
        assert_eq!(ok("split", &[st("a,b"), Value::Null]), Value::Null);
        assert_eq!(
            ok("coalesce", &[Value::Null, Value::Int(2), Value::Int(3)]),
            Value::Int(2)
        );
        assert_eq!(ok("coalesce", &[Value::Null]), Value::Null);
    }

    #[test]
    fn wrong_types_are_type_errors() {
        let te = (
            QueryErrorKind::TypeError,
            Some("InvalidArgumentValue".into()),
        );
        assert_eq!(code("tolower", &[Value::Int(1)]), te);
        assert_eq!(code("labels", &[Value::Int(1)]), te);
        assert_eq!(code("tointeger", &[ints(&[])]), te);
        assert_eq!(code("tointeger", &[Value::Map(Box::default())]), te);
        assert_eq!(code("abs", &[st("x")]), te);
        assert_eq!(code("length", &[st("x")]), te);
    }

    #[test]
    fn lists() {
        assert_eq!(
            ok("range", &[Value::Int(0), Value::Int(3)]),
            ints(&[0, 1, 2, 3])
        );
        assert_eq!(
            ok("range", &[Value::Int(10), Value::Int(0), Value::Int(-3)]),
            ints(&[10, 7, 4, 1])
        );
        assert_eq!(
            ok("range", &[Value::Int(0), Value::Int(5), Value::Int(-1)]),
            ints(&[])
        );
        assert_eq!(
            code("range", &[Value::Int(2), Value::Int(8), Value::Int(0)]),
            (
                QueryErrorKind::ArgumentError,
                Some("NumberOutOfRange".into())
            )
        );
        assert_eq!(
            code("range", &[Value::Float(2.0), Value::Int(8)]),
            (
                QueryErrorKind::ArgumentError,
                Some("InvalidArgumentType".into())
            )
        );
        assert!(c("range", &[Value::Int(0), Value::Int(i64::MAX)]).is_err());
        let l = ints(&[1, 2, 3]);
        assert_eq!(ok("head", std::slice::from_ref(&l)), Value::Int(1));
        assert_eq!(ok("last", std::slice::from_ref(&l)), Value::Int(3));
        assert_eq!(ok("tail", std::slice::from_ref(&l)), ints(&[2, 3]));
        assert_eq!(ok("head", &[ints(&[])]), Value::Null);
        assert_eq!(ok("tail", &[ints(&[])]), ints(&[]));
        assert_eq!(ok("reverse", &[l]), ints(&[3, 2, 1]));
        assert_eq!(ok("size", &[ints(&[1, 2])]), Value::Int(2));
    }

    #[test]
    fn strings_count_characters() {
        assert_eq!(ok("size", &[st("héllo👍")]), Value::Int(6));
        assert_eq!(ok("reverse", &[st("añb")]), st("bña"));
        assert_eq!(
            ok("substring", &[st("héllo"), Value::Int(1), Value::Int(3)]),
            st("éll")
        );
        assert_eq!(ok("substring", &[st("héllo"), Value::Int(9)]), st(""));
        assert_eq!(ok("left", &[st("héllo"), Value::Int(2)]), st("hé"));
        assert_eq!(ok("right", &[st("héllo"), Value::Int(10)]), st("héllo"));
        assert_eq!(
            code("substring", &[st("x"), Value::Int(-1)]),
            (
                QueryErrorKind::ArgumentError,
                Some("NumberOutOfRange".into())
            )
        );
        assert_eq!(ok("toupper", &[st("straße")]), st("STRASSE"));
        assert_eq!(ok("trim", &[st("  a b ")]), st("a b"));
        assert_eq!(ok("ltrim", &[st("  a ")]), st("a "));
        assert_eq!(ok("rtrim", &[st("  a ")]), st("  a"));
        assert_eq!(
            ok("replace", &[st("abcabc"), st("b"), st("X")]),
            st("aXcaXc")
        );
        assert_eq!(
            ok("split", &[st("a,b,,c"), st(",")]),
            Value::List(vec![st("a"), st("b"), st(""), st("c")])
        );
        assert_eq!(
            ok("split", &[st("ab"), st("")]),
            Value::List(vec![st("a"), st("b")])
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(ok("tostring", &[Value::Float(1.0)]), st("1.0"));
        assert_eq!(ok("tostring", &[Value::Bool(true)]), st("true"));
        assert_eq!(ok("tointeger", &[st(" 42 ")]), Value::Int(42));
        assert_eq!(ok("tointeger", &[st("4.9")]), Value::Int(4));
        assert_eq!(ok("tointeger", &[st("nope")]), Value::Null);
        assert_eq!(ok("tointeger", &[st("NaN")]), Value::Null);
        assert_eq!(ok("tointeger", &[Value::Float(-2.7)]), Value::Int(-2));
        assert_eq!(ok("tofloat", &[st("1e3")]), Value::Float(1000.0));
        assert_eq!(ok("tofloat", &[Value::Int(3)]), Value::Float(3.0));
        assert_eq!(ok("toboolean", &[st("TRUE")]), Value::Bool(true));
        assert_eq!(ok("toboolean", &[st("yes")]), Value::Null);
        assert_eq!(ok("tobooleanornull", &[ints(&[])]), Value::Null);
        assert_eq!(ok("tostringornull", &[ints(&[])]), Value::Null);
        assert_eq!(ok("valuetype", &[Value::Int(1)]), st("INTEGER NOT NULL"));
        assert_eq!(
            ok("valuetype", &[ints(&[1])]),
            st("LIST<INTEGER NOT NULL> NOT NULL")
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(ok("abs", &[Value::Int(-3)]), Value::Int(3));
        assert_eq!(
            code("abs", &[Value::Int(i64::MIN)]),
            (
                QueryErrorKind::ArgumentError,
                Some("NumberOutOfRange".into())
            )
        );
        assert_eq!(ok("ceil", &[Value::Float(1.2)]), Value::Float(2.0));
        assert_eq!(ok("floor", &[Value::Int(3)]), Value::Float(3.0));
        assert_eq!(ok("round", &[Value::Float(2.5)]), Value::Float(3.0));
        assert_eq!(
            ok("round", &[Value::Float(1.2345), Value::Int(2)]),
            Value::Float(1.23)
        );
        assert_eq!(
            ok(
                "round",
                &[Value::Float(2.5), Value::Int(0), st("HALF_EVEN")]
            ),
            Value::Float(2.0)
        );
        assert_eq!(ok("sign", &[Value::Float(-0.5)]), Value::Int(-1));
        assert_eq!(ok("sqrt", &[Value::Int(16)]), Value::Float(4.0));
        assert_eq!(ok("log10", &[Value::Int(100)]), Value::Float(2.0));
        assert_eq!(ok("haversin", &[Value::Float(0.0)]), Value::Float(0.0));
        for _ in 0..100 {
            let Value::Float(r) = ok("rand", &[]) else {
                panic!("rand() must give a float")
            };
            assert!((0.0..1.0).contains(&r), "rand() gave {r}");
        }
        assert_ne!(ok("rand", &[]), ok("rand", &[]), "two rand() calls agree");
    }

    fn d(t: &str) -> Value {
        Value::Date(parse_date_text(t).unwrap_or_default())
    }

    #[test]
    fn dates_from_text_and_maps() {
        assert_eq!(ok("date", &[st("2015-07-21")]), d("2015-07-21"));
        assert_eq!(ok("date", &[st("20150721")]), d("2015-07-21"));
        assert_eq!(ok("date", &[st("2015-W30-2")]), d("2015-07-21"));
        assert_eq!(ok("date", &[st("2015-202")]), d("2015-07-21"));
        assert_eq!(ok("date", &[st("2015-07")]), d("2015-07-01"));
        assert_eq!(ok("date", &[st("2015")]), d("2015-01-01"));
        assert!(c("date", &[st("2015-13-01")]).is_err());
        assert!(c("date", &[st("bunker")]).is_err());
        for odd in [
            "2015-W1é",
            "2015W1é",
            "201é",
            "2015-é1",
            "",
            "-",
            "+2015-01-01x",
        ] {
            assert!(c("date", &[st(odd)]).is_err(), "{odd:?} should not parse");
        }
        let map = |pairs: &[(&str, Value)]| {
            Value::Map(Box::new(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            ))
        };
        let ymd = map(&[
            ("year", Value::Int(1984)),
            ("month", Value::Int(10)),
            ("day", Value::Int(11)),
        ]);
        assert_eq!(ok("date", &[ymd]), d("1984-10-11"));
        let week = map(&[("year", Value::Int(1817)), ("week", Value::Int(1))]);
        assert_eq!(ok("date", &[week]), d("1816-12-30"));
        let q = map(&[
            ("year", Value::Int(1984)),
            ("quarter", Value::Int(3)),
            ("dayOfQuarter", Value::Int(45)),
        ]);
        assert_eq!(ok("date", &[q]), d("1984-08-14"));
        let based = map(&[("date", d("1816-12-31")), ("week", Value::Int(2))]);
        assert_eq!(ok("date", &[based]), d("1817-01-07"));
        assert!(c("date", &[map(&[("month", Value::Int(1))])]).is_err());
        assert!(matches!(ok("date", &[]), Value::Date(_)));
        let tr = |unit: &str, date: &str, m: Option<(&str, i64)>| {
            let mut args = vec![st(unit), d(date)];
            if let Some((k, v)) = m {
                args.push(map(&[(k, Value::Int(v))]));
            }
            ok("date.truncate", &args).to_string()
        };
        assert_eq!(
            tr("millennium", "2017-10-11", Some(("day", 2))),
            "'2000-01-02'"
        );
        assert_eq!(tr("century", "1984-10-11", None), "'1900-01-01'");
        assert_eq!(
            tr("weekYear", "1984-02-01", Some(("day", 5))),
            "'1984-01-05'"
        );
        assert_eq!(tr("quarter", "1984-11-11", None), "'1984-10-01'");
        assert_eq!(tr("week", "1984-10-11", None), "'1984-10-08'");
        assert_eq!(
            tr("week", "1984-10-11", Some(("dayOfWeek", 2))),
            "'1984-10-09'"
        );
    }

    #[test]
    fn durations_and_date_arithmetic() {
        let p = |t: &str| parse_duration_text(t).map(|d| d.to_string());
        assert_eq!(p("P1Y2M3DT4H5M6.5S").as_deref(), Some("P1Y2M3DT4H5M6.5S"));
        assert_eq!(p("P2W").as_deref(), Some("P14D"));
        assert_eq!(p("PT0.75M").as_deref(), Some("PT45S"));
        assert_eq!(p("P0.5D").as_deref(), Some("PT12H"));
        assert_eq!(p("P0.75M").as_deref(), Some("P22DT19H51M49.5S"));
        assert_eq!(p("P2.5W").as_deref(), Some("P17DT12H"));
        assert_eq!(
            p("P2012-02-02T14:37:21.545").as_deref(),
            Some("P2012Y2M2DT14H37M21.545S")
        );
        assert_eq!(p("nope"), None);
        assert_eq!(p("P"), None);
        let m: Map = [
            ("days".to_string(), Value::Int(14)),
            ("hours".to_string(), Value::Int(16)),
            ("minutes".to_string(), Value::Int(12)),
        ]
        .into_iter()
        .collect();
        let dur = ok("duration", &[Value::Map(Box::new(m))]);
        assert_eq!(dur.to_string(), "'P14DT16H12M'");
        assert_eq!(temporal_property(&dur, "days"), Some(Value::Int(14)));
        assert_eq!(temporal_property(&dur, "minutes"), Some(Value::Int(972)));
        let Value::Date(jan31) = d("2016-01-31") else {
            panic!("date")
        };
        let one_month = Duration {
            months: 1,
            ..Duration::default()
        };
        assert_eq!(
            add_duration(jan31, &one_month, 1)
                .map(format_date)
                .as_deref(),
            Some("2016-02-29")
        );
        assert_eq!(
            add_duration(jan31, &one_month, -1)
                .map(format_date)
                .as_deref(),
            Some("2015-12-31")
        );
        let between = ok("duration.between", &[d("2016-01-31"), d("2016-03-05")]);
        assert_eq!(between.to_string(), "'P1M5D'");
        let back = ok("duration.between", &[d("2016-03-05"), d("2016-01-31")]);
        assert_eq!(back.to_string(), "'P-1M-5D'");
        let Value::Duration(big) = ok("duration", &[st("P12Y5M14DT16H12M70.000000001S")]) else {
            panic!("duration")
        };
        let half = duration_multiply(&big, 0.5).map(|d| d.to_string());
        assert_eq!(half.as_deref(), Ok("P6Y2M22DT13H21M8S"));
        let twice = duration_add(&big, &big, 1).map(|d| d.to_string());
        assert_eq!(twice.as_deref(), Some("P24Y10M28DT32H26M20.000000002S"));
        let zero = duration_add(&big, &big, -1).map(|d| d.to_string());
        assert_eq!(zero.as_deref(), Some("PT0S"));
        let days = ok("duration.indays", &[d("2016-01-31"), d("2016-03-05")]);
        assert_eq!(days.to_string(), "'P34D'");
        assert_eq!(
            temporal_property(&d("2016-03-05"), "year"),
            Some(Value::Int(2016))
        );
        assert_eq!(
            temporal_property(&d("2016-03-05"), "dayOfWeek"),
            Some(Value::Int(6))
        );
        assert_eq!(temporal_property(&Value::Int(1), "year"), None);
    }

    /// Every function, every arity it takes (up to 3), over awkward values: errors
    /// are fine, panics are not.
    #[test]
    fn no_function_panics_on_odd_arguments() {
        let samples = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Float(f64::NAN),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(-0.5),
            Value::Float(1e300),
            st(""),
            st("é👍مُ"),
            st("2015-W30-2"),
            st("P1Y"),
            st("MILLENNIUM"),
            ints(&[]),
            Value::List(vec![Value::Null, st("x")]),
            Value::Map(Box::default()),
            Value::Map(Box::new(
                [("year".to_string(), Value::Int(i64::MAX))]
                    .into_iter()
                    .collect(),
            )),
            Value::Map(Box::new(
                [("days".to_string(), Value::Float(1e300))]
                    .into_iter()
                    .collect(),
            )),
            Value::Node(NodeId(12345)),
            Value::Rel(crate::graph::RelId(7)),
            path(vec![NodeId(1)], vec![]),
            d("2015-07-21"),
            Value::Duration(Box::new(Duration {
                months: i64::MAX,
                days: i64::MIN,
                seconds: i64::MAX,
                nanos: 999_999_999,
            })),
        ];
        let g = Graph::new();
        for (name, lo, hi) in FUNCTIONS {
            if *name == "rand" || *name == "range" {
                continue; // range over extremes is guarded by MAX_RANGE, tested above
            }
            for n in *lo..=(*hi).min(3) {
                let mut idx = vec![0usize; n];
                loop {
                    let args: Vec<Value> = idx.iter().map(|i| samples[*i].clone()).collect();
                    let _ = call(&g, name, &args);
                    // Next combination (odometer); only the first two arguments vary
                    // fully, the third takes a few values to keep the test quick.
                    let mut k = 0;
                    loop {
                        if k == n {
                            break;
                        }
                        let limit = if k < 2 { samples.len() } else { 4 };
                        idx[k] += 1;
                        if idx[k] < limit {
                            break;
                        }
                        idx[k] = 0;
                        k += 1;
                    }
                    if k == n {
                        break;
                    }
                }
            }
        }
        let range = call(&g, "range", &[Value::Int(i64::MIN), Value::Int(i64::MAX)]);
        assert!(range.is_err());
        let huge = Duration {
            months: i64::MAX,
            days: i64::MIN,
            seconds: i64::MAX,
            nanos: 999_999_999,
        };
        assert!(duration_multiply(&huge, 1e300).is_err());
        assert!(duration_add(&huge, &huge, 1).is_none());
        let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        assert!(add_duration(day, &huge, -1).is_none());
    }

    #[test]
    fn graph_functions_read_the_graph() {
        let mut g = Graph::new();
        let (a, b, r) = {
            let mut t = Txn::new(&mut g);
            let a = t
                .create_node(&["A", "B"], vec![("name".into(), st("x"))])
                .unwrap_or(NodeId(99));
            let b = t.create_node(&[], vec![]).unwrap_or(NodeId(99));
            let r = t.create_rel(a, b, "T", vec![("w".into(), Value::Int(1))]);
            t.commit();
            (a, b, r.unwrap_or(crate::graph::RelId(99)))
        };
        let call = |n: &str, v: Value| call(&g, n, &[v]).unwrap_or(Value::str("err"));
        assert_eq!(
            call("labels", Value::Node(a)),
            Value::List(vec![st("A"), st("B")])
        );
        assert_eq!(call("keys", Value::Node(a)), Value::List(vec![st("name")]));
        assert_eq!(call("type", Value::Rel(r)), st("T"));
        assert_eq!(call("startnode", Value::Rel(r)), Value::Node(a));
        assert_eq!(call("endnode", Value::Rel(r)), Value::Node(b));
        assert_eq!(call("id", Value::Node(b)), Value::Int(b.0 as i64));
        let props = call("properties", Value::Rel(r));
        assert_eq!(props.to_string(), "{w: 1}");
        let p = path(vec![a, b], vec![r]);
        assert_eq!(call("length", p.clone()), Value::Int(1));
        assert_eq!(
            call("nodes", p),
            Value::List(vec![Value::Node(a), Value::Node(b)])
        );
    }
}
