//! Aggregate functions: `count`, `collect`, `sum`, `avg`, `min`, `max`,
//! `percentileDisc`, `percentileCont`, `stDev`, `stDevP`.
//!
//! The executor makes one [`Accumulator`] per group and aggregate, feeds it each
//! row's evaluated argument with [`Accumulator::update`] and reads the result with
//! [`Accumulator::finish`]. Every aggregate ignores nulls (`count(*)` is fed
//! `true` for each row). `DISTINCT` keeps a set of the values seen, compared by
//! openCypher equivalence ([`Value::equivalent`]), so `1` and `1.0` are one value
//! and so are two nulls.

// The interface the executor calls returns `QueryError` unboxed (it is built and
// then decorated with a span by the caller); errors are rare, so the size is fine.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::hash::Hasher;

use crate::error::{QueryError, QueryErrorKind};
use crate::value::{Duration, Value};

/// Whether `name` (lower-cased) is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "collect"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "percentiledisc"
            | "percentilecont"
            | "stdev"
            | "stdevp"
    )
}

/// Values seen so far, for DISTINCT: buckets by [`Value::hash_equivalent`], then
/// [`Value::equivalent`] within a bucket.
#[derive(Debug, Default)]
struct Seen {
    buckets: HashMap<u64, Vec<Value>>,
}

impl Seen {
    /// Records `v`; false when an equivalent value was already there.
    fn insert(&mut self, v: &Value) -> bool {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        v.hash_equivalent(&mut h);
        let bucket = self.buckets.entry(h.finish()).or_default();
        if bucket.iter().any(|x| x.equivalent(v)) {
            return false;
        }
        bucket.push(v.clone());
        true
    }
}

#[derive(Debug)]
enum State {
    Count(i64),
    Collect(Vec<Value>),
    Sum(Numeric),
    Avg(Numeric, i64),
    Min(Option<Value>),
    Max(Option<Value>),
    Percentile {
        values: Vec<Value>,
        p: f64,
        cont: bool,
    },
    /// Welford's running mean and sum of squared deviations.
    StDev {
        n: i64,
        mean: f64,
        m2: f64,
        population: bool,
    },
}

/// A running sum that stays an exact integer while every input is one.
#[derive(Debug, Default)]
enum Numeric {
    #[default]
    Empty,
    Int(i128),
    Float(f64),
    Duration(Duration),
}

impl Numeric {
    fn add(&mut self, fname: &str, v: &Value) -> Result<(), QueryError> {
        *self = match (std::mem::take(self), v) {
            (Numeric::Empty, Value::Int(i)) => Numeric::Int(*i as i128),
            (Numeric::Empty, Value::Float(f)) => Numeric::Float(*f),
            (Numeric::Empty, Value::Duration(d)) => Numeric::Duration(**d),
            (Numeric::Int(a), Value::Int(b)) => Numeric::Int(a + *b as i128),
            (Numeric::Int(a), Value::Float(b)) => Numeric::Float(a as f64 + b),
            (Numeric::Float(a), Value::Int(b)) => Numeric::Float(a + *b as f64),
            (Numeric::Float(a), Value::Float(b)) => Numeric::Float(a + b),
            (Numeric::Duration(a), Value::Duration(b)) => {
                let nanos = (a.seconds as i128 + b.seconds as i128) * 1_000_000_000
                    + a.nanos as i128
                    + b.nanos as i128;
                let (Some(months), Some(days), Ok(seconds)) = (
                    a.months.checked_add(b.months),
                    a.days.checked_add(b.days),
                    i64::try_from(nanos / 1_000_000_000),
                ) else {
                    return Err(overflow(fname));
                };
                Numeric::Duration(Duration {
                    months,
                    days,
                    seconds,
                    nanos: (nanos % 1_000_000_000) as i32,
                })
            }
            (_, other) => {
                return Err(QueryError::new(
                    QueryErrorKind::TypeError,
                    format!(
                        "{fname}() expects numbers or durations, got {}",
                        other.type_name().to_lowercase()
                    ),
                )
                .with_code("InvalidArgumentValue"));
            }
        };
        Ok(())
    }
}

fn overflow(fname: &str) -> QueryError {
    QueryError::new(
        QueryErrorKind::ArgumentError,
        format!("{fname}(): the result does not fit in a 64-bit integer"),
    )
    .with_code("NumberOutOfRange")
}

/// The running state of one aggregate over one group.
#[derive(Debug)]
pub struct Accumulator {
    name: &'static str,
    state: State,
    distinct: Option<Seen>,
}

impl Accumulator {
    /// A fresh accumulator for aggregate `name` (lower-cased). `extra` is the
    /// constant second argument of `percentileDisc`/`percentileCont` (else null).
    pub fn new(name: &str, distinct: bool, extra: Value) -> Result<Accumulator, QueryError> {
        let (name, state): (&'static str, State) = match name {
            "count" => ("count", State::Count(0)),
            "collect" => ("collect", State::Collect(Vec::new())),
            "sum" => ("sum", State::Sum(Numeric::Empty)),
            "avg" => ("avg", State::Avg(Numeric::Empty, 0)),
            "min" => ("min", State::Min(None)),
            "max" => ("max", State::Max(None)),
            "percentiledisc" | "percentilecont" => {
                let p = match extra {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    other => {
                        return Err(QueryError::new(
                            QueryErrorKind::TypeError,
                            format!(
                                "{name}() expects a number as percentile, got {}",
                                other.type_name().to_lowercase()
                            ),
                        )
                        .with_code("InvalidArgumentValue"));
                    }
                };
                if !(0.0..=1.0).contains(&p) {
                    return Err(QueryError::new(
                        QueryErrorKind::ArgumentError,
                        format!("{name}(): the percentile must be between 0.0 and 1.0, got {p}"),
                    )
                    .with_code("NumberOutOfRange"));
                }
                let cont = name == "percentilecont";
                (
                    if cont {
                        "percentileCont"
                    } else {
                        "percentileDisc"
                    },
                    State::Percentile {
                        values: Vec::new(),
                        p,
                        cont,
                    },
                )
            }
            "stdev" | "stdevp" => (
                if name == "stdev" { "stDev" } else { "stDevP" },
                State::StDev {
                    n: 0,
                    mean: 0.0,
                    m2: 0.0,
                    population: name == "stdevp",
                },
            ),
            other => {
                return Err(QueryError::new(
                    QueryErrorKind::SyntaxError,
                    format!("unknown aggregate function {other}()"),
                )
                .with_code("UnknownFunction"));
            }
        };
        Ok(Accumulator {
            name,
            state,
            distinct: distinct.then(Seen::default),
        })
    }

    /// Adds `n` non-null values at once to a plain (not DISTINCT) count; false
    /// (and nothing changed) for any other aggregate.
    pub fn add_count(&mut self, n: i64) -> bool {
        match (&mut self.state, &self.distinct) {
            (State::Count(c), None) => {
                *c += n;
                true
            }
            _ => false,
        }
    }

    /// The running total of a plain (not DISTINCT) count, else `None`.
    pub fn count_value(&self) -> Option<i64> {
        match (&self.state, &self.distinct) {
            (State::Count(c), None) => Some(*c),
            _ => None,
        }
    }

    /// Feeds one row's value. Nulls are skipped, as are repeats under DISTINCT.
    pub fn update(&mut self, v: Value) -> Result<(), QueryError> {
        if v.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.distinct
            && !seen.insert(&v)
        {
            return Ok(());
        }
        let name = self.name;
        match &mut self.state {
            State::Count(n) => *n += 1,
            State::Collect(items) => items.push(v),
            State::Sum(acc) => acc.add(name, &v)?,
            State::Avg(acc, n) => {
                acc.add(name, &v)?;
                *n += 1;
            }
            State::Min(best) => {
                if best.as_ref().is_none_or(|b| v.order(b).is_lt()) {
                    *best = Some(v);
                }
            }
            State::Max(best) => {
                if best.as_ref().is_none_or(|b| v.order(b).is_gt()) {
                    *best = Some(v);
                }
            }
            State::Percentile { values, .. } => match v {
                Value::Int(_) | Value::Float(_) => values.push(v),
                other => return Err(number_expected(name, &other)),
            },
            State::StDev { n, mean, m2, .. } => {
                let x = match v {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    other => return Err(number_expected(name, &other)),
                };
                *n += 1;
                let delta = x - *mean;
                *mean += delta / *n as f64;
                *m2 += delta * (x - *mean);
            }
        }
        Ok(())
    }

    /// The aggregate's value over everything fed so far.
    pub fn finish(self) -> Result<Value, QueryError> {
        let name = self.name;
        Ok(match self.state {
            State::Count(n) => Value::Int(n),
            State::Collect(items) => Value::List(items),
            State::Sum(acc) => match acc {
                Numeric::Empty => Value::Int(0),
                Numeric::Int(i) => Value::Int(i64::try_from(i).map_err(|_| overflow(name))?),
                Numeric::Float(f) => Value::Float(f),
                Numeric::Duration(d) => Value::Duration(Box::new(d)),
            },
            State::Avg(acc, n) => match acc {
                Numeric::Empty => Value::Null,
                Numeric::Int(i) => Value::Float(i as f64 / n as f64),
                Numeric::Float(f) => Value::Float(f / n as f64),
                Numeric::Duration(d) => Value::Duration(Box::new(avg_duration(&d, n))),
            },
            State::Min(v) | State::Max(v) => v.unwrap_or_default(),
            State::Percentile {
                mut values,
                p,
                cont,
            } => {
                if values.is_empty() {
                    return Ok(Value::Null);
                }
                values.sort_by(|a, b| a.order(b));
                let n = values.len();
                if cont {
                    let as_f = |v: &Value| match v {
                        Value::Int(i) => *i as f64,
                        Value::Float(f) => *f,
                        _ => f64::NAN,
                    };
                    let pos = p * (n - 1) as f64;
                    let lo = pos.floor() as usize;
                    let hi = pos.ceil() as usize;
                    let (a, b) = (as_f(&values[lo]), as_f(&values[hi.min(n - 1)]));
                    Value::Float(a + (b - a) * (pos - lo as f64))
                } else {
                    // Nearest rank: the smallest value with at least p of the values
                    // at or below it.
                    let rank = (p * n as f64).ceil() as usize;
                    values.swap_remove(rank.clamp(1, n) - 1)
                }
            }
            State::StDev {
                n, m2, population, ..
            } => {
                let denom = if population { n } else { n - 1 };
                if denom <= 0 {
                    Value::Float(0.0)
                } else {
                    Value::Float((m2 / denom as f64).sqrt())
                }
            }
        })
    }
}

fn number_expected(name: &str, v: &Value) -> QueryError {
    QueryError::new(
        QueryErrorKind::TypeError,
        format!(
            "{name}() expects numbers, got {}",
            v.type_name().to_lowercase()
        ),
    )
    .with_code("InvalidArgumentValue")
}

/// A duration divided by `n`, fractions of months and days spilled down as
/// openCypher does (average month length 2629746 s).
fn avg_duration(d: &Duration, n: i64) -> Duration {
    let n128 = n as i128;
    let months = d.months as i128;
    let days = d.days as i128;
    let month_rest_nanos = (months % n128) * 2_629_746_000_000_000;
    let day_rest_nanos = (days % n128) * 86_400_000_000_000;
    let nanos = (d.seconds as i128 * 1_000_000_000 + d.nanos as i128) / n128
        + (month_rest_nanos + day_rest_nanos) / n128;
    Duration {
        months: (months / n128) as i64,
        days: (days / n128) as i64,
        seconds: (nanos / 1_000_000_000) as i64,
        nanos: (nanos % 1_000_000_000) as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, distinct: bool, extra: Value, vals: &[Value]) -> Result<Value, QueryError> {
        let mut acc = Accumulator::new(name, distinct, extra)?;
        for v in vals {
            acc.update(v.clone())?;
        }
        acc.finish()
    }
    fn agg(name: &str, vals: &[Value]) -> Value {
        match run(name, false, Value::Null, vals) {
            Ok(v) => v,
            Err(e) => panic!("{name} failed: {e}"),
        }
    }
    fn i(x: i64) -> Value {
        Value::Int(x)
    }
    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    #[test]
    fn names() {
        assert!(is_aggregate("count") && is_aggregate("stdevp") && !is_aggregate("size"));
        assert!(Accumulator::new("size", false, Value::Null).is_err());
    }

    #[test]
    fn count_and_collect_skip_nulls() {
        let vals = [i(1), Value::Null, i(1), f(1.0), Value::str("a")];
        assert_eq!(agg("count", &vals), i(4));
        assert_eq!(run("count", true, Value::Null, &vals), Ok(i(2)));
        assert_eq!(
            agg("collect", &vals),
            Value::List(vec![i(1), i(1), f(1.0), Value::str("a")])
        );
        assert_eq!(agg("collect", &[Value::Null]), Value::List(vec![]));
        assert_eq!(agg("count", &[]), i(0));
    }

    #[test]
    fn sum_keeps_integers_and_detects_overflow() {
        assert_eq!(agg("sum", &[i(1), i(2), Value::Null]), i(3));
        assert_eq!(agg("sum", &[i(1), f(0.5)]), f(1.5));
        assert_eq!(agg("sum", &[]), i(0));
        let e = run("sum", false, Value::Null, &[i(i64::MAX), i(1)]);
        assert!(e.is_err(), "overflow must be an error: {e:?}");
        // Overflow in the middle that comes back in range is fine (exact sum).
        assert_eq!(agg("sum", &[i(i64::MAX), i(1), i(-2)]), i(i64::MAX - 1));
        let e = run("sum", false, Value::Null, &[i(1), Value::str("x")]);
        assert_eq!(e.map_err(|e| e.kind), Err(QueryErrorKind::TypeError));
    }

    #[test]
    fn avg_min_max() {
        assert_eq!(agg("avg", &[i(1), i(2), Value::Null]), f(1.5));
        assert_eq!(agg("avg", &[]), Value::Null);
        assert_eq!(agg("min", &[i(3), Value::Null, f(1.5), i(2)]), f(1.5));
        assert_eq!(agg("max", &[i(3), Value::Null, f(1.5), i(2)]), i(3));
        assert_eq!(agg("max", &[Value::Null]), Value::Null);
        // Mixed types follow orderability: numbers sort after strings.
        assert_eq!(agg("max", &[Value::str("z"), i(1)]), i(1));
        assert_eq!(agg("min", &[Value::str("z"), i(1)]), Value::str("z"));
    }

    #[test]
    fn percentiles() {
        let vals = [i(10), i(20), i(30), i(40), i(50)];
        let p = |name: &str, x: f64| run(name, false, f(x), &vals);
        assert_eq!(p("percentiledisc", 0.5), Ok(i(30)));
        assert_eq!(p("percentiledisc", 0.0), Ok(i(10)));
        assert_eq!(p("percentiledisc", 1.0), Ok(i(50)));
        assert_eq!(p("percentiledisc", 0.41), Ok(i(30)));
        assert_eq!(p("percentilecont", 0.5), Ok(f(30.0)));
        assert_eq!(p("percentilecont", 0.25), Ok(f(20.0)));
        assert_eq!(p("percentilecont", 0.1), Ok(f(14.0)));
        let e = Accumulator::new("percentiledisc", false, f(1.5)).map(|_| ());
        assert_eq!(
            e.map_err(|e| (e.kind, e.code)),
            Err((
                QueryErrorKind::ArgumentError,
                Some("NumberOutOfRange".into())
            ))
        );
        assert_eq!(run("percentilecont", false, f(0.5), &[]), Ok(Value::Null));
    }

    #[test]
    fn standard_deviation() {
        let vals = [i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9)];
        assert_eq!(agg("stdevp", &vals), f(2.0));
        let Value::Float(s) = agg("stdev", &vals) else {
            panic!("stdev must be a float")
        };
        assert!((s - 2.138_089_935).abs() < 1e-6, "stdev gave {s}");
        assert_eq!(agg("stdev", &[i(1)]), f(0.0));
        assert_eq!(agg("stdev", &[]), f(0.0));
    }

    #[test]
    fn durations_sum_and_average() {
        let d = |days: i64| {
            Value::Duration(Box::new(Duration {
                days,
                ..Duration::default()
            }))
        };
        assert_eq!(agg("sum", &[d(1), d(2)]).to_string(), "'P3D'");
        assert_eq!(agg("avg", &[d(1), d(2)]).to_string(), "'P1DT12H'");
    }
}
