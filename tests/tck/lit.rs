//! The TCK's value notation, parsed into a tree and compared structurally.
//!
//! Expected cells in TCK result tables are Cypher-literal-like: `1`, `1.0`, `-0.0`,
//! `NaN`, `'text'`, `[1, 2]`, `{k: 1}`, nodes `(:A:B {k: 1})`, relationships
//! `[:T {k: 1}]` and paths `<(:A)-[:T]->(:B)<-[:U]-(:C)>`. Actual values are
//! turned into the same tree straight from the graph ([`from_value`]), so the
//! comparison never depends on how the engine prints things. Maps and property
//! sets compare without order, labels as sets, floats with a small relative
//! tolerance, and lists optionally as multisets ("ignoring element order for
//! lists"). Dates and durations have no literal form in the TCK's tables: they
//! appear as strings (`'2015-07-21'`, `'P1D'`), so that is how actual ones map.

#![allow(dead_code)]

use std::fmt;

use dossier::Graph;
use dossier::value::{Map, Value, format_date, format_float, format_key, quote_string};

/// A value in TCK notation.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Lit>),
    Map(Vec<(String, Lit)>),
    Node {
        labels: Vec<String>,
        props: Vec<(String, Lit)>,
    },
    Rel {
        ty: String,
        props: Vec<(String, Lit)>,
    },
    /// The first node, then (forward?, relationship, next node) per step.
    Path {
        start: Box<Lit>,
        steps: Vec<(bool, Lit, Lit)>,
    },
}

/// Parses one cell. The whole text must be one value.
pub fn parse(text: &str) -> Result<Lit, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos < p.chars.len() {
        return Err(format!(
            "unexpected {:?} at character {} of {text:?}",
            p.chars[p.pos], p.pos
        ));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected {c:?} at character {}, found {:?}",
                self.pos,
                self.peek()
            ))
        }
    }
    fn rest_starts(&self, s: &str) -> bool {
        let n = s.chars().count();
        self.pos + n <= self.chars.len()
            && self.chars[self.pos..self.pos + n]
                .iter()
                .copied()
                .eq(s.chars())
    }
    fn word(&mut self, w: &str) -> bool {
        if self.rest_starts(w)
            && !self
                .chars
                .get(self.pos + w.chars().count())
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            self.pos += w.chars().count();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Lit, String> {
        self.ws();
        let Some(c) = self.peek() else {
            return Err("expected a value, found the end".into());
        };
        match c {
            '\'' | '"' => self.string().map(Lit::Str),
            '[' => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(':') {
                    self.rel_body()
                } else {
                    self.list()
                }
            }
            '{' => {
                self.pos += 1;
                self.map_body().map(Lit::Map)
            }
            '(' => self.node(),
            '<' => self.path(),
            _ => {
                if self.word("null") {
                    Ok(Lit::Null)
                } else if self.word("true") {
                    Ok(Lit::Bool(true))
                } else if self.word("false") {
                    Ok(Lit::Bool(false))
                } else if self.word("NaN") {
                    Ok(Lit::Float(f64::NAN))
                } else if self.word("Infinity") {
                    Ok(Lit::Float(f64::INFINITY))
                } else if self.rest_starts("-Infinity") {
                    self.pos += "-Infinity".len();
                    Ok(Lit::Float(f64::NEG_INFINITY))
                } else {
                    self.number()
                }
            }
        }
    }

    fn number(&mut self) -> Result<Lit, String> {
        let start = self.pos;
        if matches!(self.peek(), Some('-' | '+')) {
            self.pos += 1;
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                self.pos += 1;
            } else if c == '.'
                && self
                    .chars
                    .get(self.pos + 1)
                    .is_some_and(char::is_ascii_digit)
            {
                float = true;
                self.pos += 1;
            } else if (c == 'e' || c == 'E') && self.pos > start {
                float = true;
                self.pos += 1;
                if matches!(self.peek(), Some('-' | '+')) {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if text.is_empty() || text == "-" || text == "+" {
            return Err(format!(
                "expected a value at character {start}, found {:?}",
                self.peek()
            ));
        }
        if float {
            text.parse::<f64>()
                .map(Lit::Float)
                .map_err(|e| format!("bad float {text:?}: {e}"))
        } else {
            text.parse::<i64>()
                .map(Lit::Int)
                .map_err(|e| format!("bad integer {text:?}: {e}"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.peek().unwrap_or('\'');
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated string".into());
            };
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else {
                return Err("unterminated escape".into());
            };
            self.pos += 1;
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = self.chars.iter().skip(self.pos).take(4).collect();
                    let code = u32::from_str_radix(&hex, 16)
                        .map_err(|_| format!("bad \\u escape {hex:?}"))?;
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    self.pos += 4;
                }
                other => out.push(other),
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        self.ws();
        match self.peek() {
            Some('`') => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    match self.peek() {
                        None => return Err("unterminated `name`".into()),
                        Some('`') if self.chars.get(self.pos + 1) == Some(&'`') => {
                            out.push('`');
                            self.pos += 2;
                        }
                        Some('`') => {
                            self.pos += 1;
                            return Ok(out);
                        }
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some('\'' | '"') => self.string(),
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                {
                    self.pos += 1;
                }
                if start == self.pos {
                    return Err(format!("expected a name at character {start}"));
                }
                Ok(self.chars[start..self.pos].iter().collect())
            }
        }
    }

    fn list(&mut self) -> Result<Lit, String> {
        let mut items = Vec::new();
        if self.eat(']') {
            return Ok(Lit::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(']') {
                return Ok(Lit::List(items));
            }
            self.expect(',')?;
        }
    }

    /// After `{`.
    fn map_body(&mut self) -> Result<Vec<(String, Lit)>, String> {
        let mut items = Vec::new();
        if self.eat('}') {
            return Ok(items);
        }
        loop {
            let k = self.name()?;
            self.expect(':')?;
            items.push((k, self.value()?));
            if self.eat('}') {
                return Ok(items);
            }
            self.expect(',')?;
        }
    }

    fn props(&mut self) -> Result<Vec<(String, Lit)>, String> {
        if self.eat('{') {
            self.map_body()
        } else {
            Ok(Vec::new())
        }
    }

    fn node(&mut self) -> Result<Lit, String> {
        self.expect('(')?;
        self.ws();
        // A variable name may precede the labels in hand-written expectations.
        if self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
            self.name()?;
        }
        let mut labels = Vec::new();
        while self.eat(':') {
            labels.push(self.name()?);
        }
        let props = self.props()?;
        self.expect(')')?;
        Ok(Lit::Node { labels, props })
    }

    /// After `[`, at `:`.
    fn rel_body(&mut self) -> Result<Lit, String> {
        self.expect(':')?;
        let ty = self.name()?;
        let props = self.props()?;
        self.expect(']')?;
        Ok(Lit::Rel { ty, props })
    }

    fn path(&mut self) -> Result<Lit, String> {
        self.expect('<')?;
        let start = self.node()?;
        let mut steps = Vec::new();
        loop {
            if self.eat('>') {
                return Ok(Lit::Path {
                    start: Box::new(start),
                    steps,
                });
            }
            let backward = self.eat('<');
            self.expect('-')?;
            self.expect('[')?;
            self.ws();
            let rel = self.rel_body()?;
            self.expect('-')?;
            let forward = self.eat('>');
            if forward == backward {
                return Err("a path step must point one way".into());
            }
            let node = self.node()?;
            steps.push((forward, rel, node));
        }
    }
}

/// The tree for an actual value, reading graph elements from `g`.
pub fn from_value(g: &Graph, v: &Value) -> Lit {
    let props = |pairs: Vec<(&str, &Value)>| -> Vec<(String, Lit)> {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), from_value(g, v)))
            .collect()
    };
    let node = |id| Lit::Node {
        labels: g.node_labels(id).into_iter().map(String::from).collect(),
        props: props(g.node_props(id)),
    };
    let rel = |id| Lit::Rel {
        ty: g.rel_type(id).unwrap_or("").to_string(),
        props: props(g.rel_props(id)),
    };
    match v {
        Value::Null => Lit::Null,
        Value::Bool(b) => Lit::Bool(*b),
        Value::Int(i) => Lit::Int(*i),
        Value::Float(f) => Lit::Float(*f),
        Value::String(s) => Lit::Str(s.to_string()),
        Value::Date(d) => Lit::Str(format_date(*d)),
        Value::Duration(d) => Lit::Str(d.to_string()),
        Value::List(items) => Lit::List(items.iter().map(|x| from_value(g, x)).collect()),
        Value::Map(m) => Lit::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), from_value(g, x)))
                .collect(),
        ),
        Value::Node(id) => node(*id),
        Value::Rel(id) => rel(*id),
        Value::Path(p) => {
            let start = p.nodes.first().map(|n| node(*n)).unwrap_or(Lit::Null);
            let steps = p
                .rels
                .iter()
                .zip(p.nodes.iter().skip(1))
                .enumerate()
                .map(|(i, (r, n))| {
                    let forward = g
                        .rel_ends(*r)
                        .is_some_and(|(s, _)| Some(&s) == p.nodes.get(i));
                    (forward, rel(*r), node(*n))
                })
                .collect();
            Lit::Path {
                start: Box::new(start),
                steps,
            }
        }
    }
}

/// A parameter value from its literal (graph elements cannot be parameters).
pub fn to_value(l: &Lit) -> Result<Value, String> {
    Ok(match l {
        Lit::Null => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::Int(*i),
        Lit::Float(f) => Value::Float(*f),
        Lit::Str(s) => Value::str(s),
        Lit::List(items) => Value::List(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Lit::Map(pairs) => {
            let mut m = Map::new();
            for (k, v) in pairs {
                m.insert(k.clone(), to_value(v)?);
            }
            Value::Map(Box::new(m))
        }
        other => return Err(format!("{other} cannot be a parameter")),
    })
}

fn float_eq(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    // The TCK's floats come from Java's shortest round-trip printing; allow for
    // a different but equally valid last digit of evaluation order.
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn props_eq(a: &[(String, Lit)], b: &[(String, Lit)], unordered: bool) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, x)| {
            b.iter()
                .find(|(kb, _)| kb == k)
                .is_some_and(|(_, y)| equal(x, y, unordered))
        })
}

/// Whether `expected` and `actual` are the same value; with `unordered`, lists
/// (at any depth) compare as multisets.
pub fn equal(expected: &Lit, actual: &Lit, unordered: bool) -> bool {
    use Lit::*;
    match (expected, actual) {
        (Null, Null) => true,
        (Bool(a), Bool(b)) => a == b,
        (Int(a), Int(b)) => a == b,
        (Float(a), Float(b)) => float_eq(*a, *b),
        (Str(a), Str(b)) => a == b,
        (List(a), List(b)) => {
            if a.len() != b.len() {
                return false;
            }
            if unordered {
                multiset_eq(a, b, |x, y| equal(x, y, true))
            } else {
                a.iter().zip(b).all(|(x, y)| equal(x, y, false))
            }
        }
        (Map(a), Map(b)) => props_eq(a, b, unordered),
        (
            Node {
                labels: la,
                props: pa,
            },
            Node {
                labels: lb,
                props: pb,
            },
        ) => {
            la.len() == lb.len() && la.iter().all(|l| lb.contains(l)) && props_eq(pa, pb, unordered)
        }
        (Rel { ty: ta, props: pa }, Rel { ty: tb, props: pb }) => {
            ta == tb && props_eq(pa, pb, unordered)
        }
        (
            Path {
                start: sa,
                steps: a,
            },
            Path {
                start: sb,
                steps: b,
            },
        ) => {
            equal(sa, sb, unordered)
                && a.len() == b.len()
                && a.iter().zip(b).all(|((fa, ra, na), (fb, rb, nb))| {
                    fa == fb && equal(ra, rb, unordered) && equal(na, nb, unordered)
                })
        }
        _ => false,
    }
}

/// Whether every expected item pairs off with a distinct actual item.
pub fn multiset_eq<T>(expected: &[T], actual: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let mut used = vec![false; actual.len()];
    expected.iter().all(|e| {
        match actual
            .iter()
            .enumerate()
            .position(|(i, a)| !used[i] && eq(e, a))
        {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

fn write_props(props: &[(String, Lit)], out: &mut String) {
    if props.is_empty() {
        return;
    }
    out.push_str(" {");
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        format_key(k, out);
        out.push_str(": ");
        out.push_str(&v.to_string());
    }
    out.push('}');
}

impl fmt::Display for Lit {
    /// The TCK notation again (for failure messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        match self {
            Lit::Null => out.push_str("null"),
            Lit::Bool(b) => out.push_str(&b.to_string()),
            Lit::Int(i) => out.push_str(&i.to_string()),
            Lit::Float(x) => out.push_str(&format_float(*x)),
            Lit::Str(s) => quote_string(s, &mut out),
            Lit::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&x.to_string());
                }
                out.push(']');
            }
            Lit::Map(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    format_key(k, &mut out);
                    out.push_str(": ");
                    out.push_str(&v.to_string());
                }
                out.push('}');
            }
            Lit::Node { labels, props } => {
                out.push('(');
                for l in labels {
                    out.push(':');
                    format_key(l, &mut out);
                }
                write_props(props, &mut out);
                out.push(')');
            }
            Lit::Rel { ty, props } => {
                out.push_str("[:");
                format_key(ty, &mut out);
                write_props(props, &mut out);
                out.push(']');
            }
            Lit::Path { start, steps } => {
                out.push('<');
                out.push_str(&start.to_string());
                for (fwd, r, n) in steps {
                    out.push_str(if *fwd { "-" } else { "<-" });
                    out.push_str(&r.to_string());
                    out.push_str(if *fwd { "->" } else { "-" });
                    out.push_str(&n.to_string());
                }
                out.push('>');
            }
        }
        f.write_str(&out)
    }
}
