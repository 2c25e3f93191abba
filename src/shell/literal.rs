//! Parameter values: `--param name=value` and `:param name => value` read the value
//! as a Cypher-like literal: integers, floats, strings in single or double quotes,
//! `true`/`false`/`null`, lists, maps, `date('YYYY-MM-DD')` and `duration('P…')`.
//! Anything that is not a literal and does not start like one (a quote, `[`, `{`)
//! is taken as a plain string, so `--param name=Lina` needs no quotes.
//!
//! Written by hand because parameters must be read before (and without) a query:
//! this is a literal reader of some eighty lines, not a second query parser.

use crate::error::{Error, Result};
use crate::value::{Map, Value, json::parse_duration, parse_date};

/// Parses a parameter value (see the module documentation).
pub fn parse_param(text: &str) -> Result<Value> {
    let t = text.trim();
    let mut p = Reader {
        s: t,
        at: 0,
        depth: 0,
    };
    match p.value() {
        Ok(v) if p.rest().trim().is_empty() => Ok(v),
        result => {
            let lower = t.to_ascii_lowercase();
            let call = ["date", "duration"].iter().any(|f| {
                lower
                    .strip_prefix(f)
                    .is_some_and(|r| r.trim_start().starts_with('('))
            });
            if t.starts_with(['\'', '"', '[', '{']) || call {
                let why = match result {
                    Err(e) => e,
                    Ok(_) => format!("unexpected text after the value: {:?}", p.rest().trim()),
                };
                Err(Error::Input(format!("bad parameter value {t:?}: {why}")))
            } else {
                Ok(Value::str(t))
            }
        }
    }
}

/// Splits `name=value` (the `--param` form) or `name => value` (the `:param` form).
pub fn split_assignment(text: &str) -> Result<(&str, &str)> {
    let text = text.trim();
    let (name, value) = text
        .split_once("=>")
        .or_else(|| text.split_once('='))
        .or_else(|| text.split_once(char::is_whitespace))
        .ok_or_else(|| Error::Input(format!("expected name => value, got {text:?}")))?;
    let name = name.trim().trim_start_matches('$');
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !plain {
        return Err(Error::Input(format!(
            "bad parameter name {name:?}: use letters, digits and _"
        )));
    }
    Ok((name, value.trim()))
}

/// A value as a literal [`parse_param`] reads back to the same value (what
/// `:params` prints): strings in double quotes, dates as `date("…")`, durations
/// as `duration("…")`. Graph elements cannot be parameters; they print by id.
pub fn to_literal(v: &Value) -> String {
    let mut out = String::new();
    write_literal(v, &mut out);
    out
}

fn write_literal(v: &Value, out: &mut String) {
    use crate::query::render::double_quoted;
    match v {
        Value::String(s) => double_quoted(s, out),
        Value::Date(d) => {
            out.push_str("date(");
            double_quoted(&crate::value::format_date(*d), out);
            out.push(')');
        }
        Value::Duration(d) => {
            out.push_str("duration(");
            double_quoted(&d.to_string(), out);
            out.push(')');
        }
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                crate::value::format_key(k, out);
                out.push_str(": ");
                write_literal(x, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

struct Reader<'a> {
    s: &'a str,
    at: usize,
    /// Lists and maps open around the cursor: bounded so deep input cannot
    /// overflow the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.s[self.at..]
    }
    fn skip_space(&mut self) {
        let r = self.rest();
        self.at += r.len() - r.trim_start().len();
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{c}' at character {}", self.at + 1))
        }
    }
    fn word(&mut self) -> &str {
        self.skip_space();
        let r = self.rest();
        let n = r
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(r.len());
        let w = &self.s[self.at..self.at + n];
        self.at += n;
        w
    }

    fn value(&mut self) -> Result<Value, String> {
        self.depth += 1;
        let v = if self.depth > MAX_DEPTH {
            Err(format!("lists and maps nest deeper than {MAX_DEPTH}"))
        } else {
            self.value_inner()
        };
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self) -> Result<Value, String> {
        self.skip_space();
        let r = self.rest();
        let c = r.chars().next().ok_or("expected a value")?;
        match c {
            '\'' | '"' => self.string().map(Value::from),
            '[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(']') {
                            break;
                        }
                        self.expect(',')?;
                    }
                }
                Ok(Value::List(items))
            }
            '{' => {
                self.at += 1;
                let mut m = Map::new();
                if !self.eat('}') {
                    loop {
                        self.skip_space();
                        let key = if self.rest().starts_with(['\'', '"', '`']) {
                            self.string()?
                        } else {
                            self.word().to_string()
                        };
                        if key.is_empty() {
                            return Err(format!("expected a key at character {}", self.at + 1));
                        }
                        self.expect(':')?;
                        let v = self.value()?;
                        m.insert(key, v);
                        if self.eat('}') {
                            break;
                        }
                        self.expect(',')?;
                    }
                }
                Ok(Value::Map(Box::new(m)))
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            _ => {
                let w = self.word().to_string();
                match w.to_ascii_lowercase().as_str() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    "date" | "duration" => {
                        self.expect('(')?;
                        self.skip_space();
                        let s = self.string()?;
                        self.expect(')')?;
                        if w.eq_ignore_ascii_case("date") {
                            parse_date(&s)
                                .map(Value::Date)
                                .ok_or_else(|| format!("bad date {s:?} (expected YYYY-MM-DD)"))
                        } else {
                            parse_duration(&s)
                                .map(|d| Value::Duration(Box::new(d)))
                                .ok_or_else(|| format!("bad duration {s:?}"))
                        }
                    }
                    "nan" => Ok(Value::Float(f64::NAN)),
                    "infinity" => Ok(Value::Float(f64::INFINITY)),
                    _ => Err(format!("{w:?} is not a literal")),
                }
            }
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let r = self.rest();
        let n = r
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric()
                    || c == '.'
                    || c == '_'
                    || ((c == '-' || c == '+') && (i == 0 || r[..i].ends_with(['e', 'E']))))
            })
            .map_or(r.len(), |(i, _)| i);
        let text = r[..n].to_string();
        self.at += n;
        let digits = text.replace('_', "");
        let (neg, body) = match digits.strip_prefix('-') {
            Some(b) => (true, b.to_string()),
            None => (false, digits.trim_start_matches('+').to_string()),
        };
        if let Some(hex) = body.strip_prefix("0x") {
            let v =
                i64::from_str_radix(hex, 16).map_err(|e| format!("bad number {text:?}: {e}"))?;
            return Ok(Value::Int(if neg { -v } else { v }));
        }
        if let Ok(i) = digits.trim_start_matches('+').parse::<i64>() {
            return Ok(Value::Int(i));
        }
        if body.contains(['.', 'e', 'E'])
            && let Ok(f) = digits.trim_start_matches('+').parse::<f64>()
        {
            return Ok(Value::Float(f));
        }
        Err(format!("bad number {text:?}"))
    }

    fn string(&mut self) -> Result<String, String> {
        let r = self.rest();
        let mut chars = r.char_indices();
        let q = chars.next().map(|(_, c)| c).ok_or("expected a string")?;
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            if c == q {
                self.at += i + c.len_utf8();
                return Ok(out);
            }
            if c == '\\' {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                        let ch = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("bad escape \\u{hex}"))?;
                        out.push(ch);
                    }
                    other => out.push(other),
                }
            } else {
                out.push(c);
            }
        }
        Err("the string is not closed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Value {
        match parse_param(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(p("42"), Value::Int(42));
        assert_eq!(p("-7"), Value::Int(-7));
        assert_eq!(p("0x1F"), Value::Int(31));
        assert_eq!(p("1.5"), Value::Float(1.5));
        assert_eq!(p("-2e3"), Value::Float(-2000.0));
        assert_eq!(p("true"), Value::Bool(true));
        assert_eq!(p("FALSE"), Value::Bool(false));
        assert!(p("null").is_null());
        assert_eq!(p("'Lina shamy'"), Value::str("Lina shamy"));
        assert_eq!(p("\"it's\""), Value::str("it's"));
        assert_eq!(p(r"'a\'b\n'"), Value::str("a'b\n"));
    }

    #[test]
    fn bare_words_become_strings() {
        assert_eq!(p("Lina shamy"), Value::str("Lina shamy"));
        assert_eq!(p("حلب"), Value::str("حلب"));
        assert_eq!(p("12 December"), Value::str("12 December"));
        assert_eq!(p("@handle"), Value::str("@handle"));
    }

    #[test]
    fn lists_maps_and_dates() {
        assert_eq!(
            p("[1, 'a', [true]]"),
            Value::List(vec![
                Value::Int(1),
                Value::str("a"),
                Value::List(vec![Value::Bool(true)])
            ])
        );
        let m = p("{name: 'Lina', `age`: 30}");
        let Value::Map(m) = m else {
            panic!("expected a map")
        };
        assert_eq!(m.get("name"), Some(&Value::str("Lina")));
        assert_eq!(p("date('2016-12-12')").to_string(), "'2016-12-12'");
        assert_eq!(p("duration('P1D')").to_string(), "'P1D'");
    }

    #[test]
    fn literals_read_back_to_the_same_value() {
        for text in [
            "42",
            "-1.5",
            "1e300",
            "true",
            "null",
            r#"'say "hi" \\ it\'s'"#,
            "[1, 'a', [date('2016-12-12')], {`full name`: 'x', n: duration('P1DT2H')}]",
            "'line\nbreak\ttab'",
            "'حلب 👩‍💻'",
        ] {
            let v = p(text);
            let lit = to_literal(&v);
            assert_eq!(p(&lit), v, "{text:?} printed as {lit:?}");
        }
        assert_eq!(
            to_literal(&p("date('2016-12-12')")),
            r#"date("2016-12-12")"#
        );
    }

    #[test]
    fn broken_literals_are_errors() {
        for bad in ["'open", "[1, 2", "{a 1}", "[1] x", "date('12/12/2016')"] {
            assert!(parse_param(bad).is_err(), "{bad:?} must be refused");
        }
        // Deep nesting is refused, not a stack overflow.
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(parse_param(&deep).is_err());
        let ok = "[".repeat(10) + &"]".repeat(10);
        assert!(parse_param(&ok).is_ok());
    }

    #[test]
    fn assignments() {
        assert!(matches!(split_assignment("x=1"), Ok(("x", "1"))));
        assert!(matches!(
            split_assignment("$name => 'a=b'"),
            Ok(("name", "'a=b'"))
        ));
        assert!(matches!(
            split_assignment("when = date('2016-12-12')"),
            Ok(("when", _))
        ));
        assert!(split_assignment("no value").is_ok());
        assert!(split_assignment("1x=3").is_err());
        assert!(split_assignment("novalue").is_err());
    }
}
