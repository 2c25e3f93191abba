//! Renders values with the graph at hand: nodes as `(:Label {key: "value"})`,
//! relationships as `[:TYPE {key: "value"}]`, paths as `<(a)-[r]->(b)>`, lists and
//! maps in literal notation. Property keys print in insertion order.
//!
//! Two quote styles share one walk ([`Quotes`]): the shell and `dossier query`
//! print strings inside nodes, lists and maps in double quotes (what analysts
//! expect from a database shell, and an apostrophe in a name needs no escape),
//! while [`Quotes::Single`] keeps the openCypher TCK's notation, the same as
//! `Value`'s `Display`, for whoever compares against TCK-style text.

use crate::graph::{Graph, NodeId, RelId};
use crate::value::{Value, format_date, format_key};

/// How strings (and dates and durations) inside a rendered value are quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quotes {
    /// `"Lina shamy"`, with `"` and `\` escaped: the shell's notation.
    #[default]
    Double,
    /// `'Lina shamy'`, with `'` and `\` escaped: the TCK's and `Display`'s notation.
    Single,
}

/// A value as text, graph elements expanded, strings in double quotes.
pub fn value(g: &Graph, v: &Value) -> String {
    value_with(g, v, Quotes::Double)
}

/// A value as text, graph elements expanded, strings quoted as `q` says.
pub fn value_with(g: &Graph, v: &Value, q: Quotes) -> String {
    let mut out = String::new();
    write(g, v, q, &mut out);
    out
}

fn props<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a Value)>,
    g: &Graph,
    q: Quotes,
    out: &mut String,
) {
    let mut first = true;
    for (k, v) in pairs {
        out.push_str(if first { " {" } else { ", " });
        first = false;
        format_key(k, out);
        out.push_str(": ");
        write(g, v, q, out);
    }
    if !first {
        out.push('}');
    }
}

/// `(:A:B {k: "v"})`.
pub fn node(g: &Graph, id: NodeId, out: &mut String) {
    node_with(g, id, Quotes::Double, out)
}

/// `(:A:B {k: v})`, strings quoted as `q` says.
pub fn node_with(g: &Graph, id: NodeId, q: Quotes, out: &mut String) {
    out.push('(');
    for l in g.node_labels(id) {
        out.push(':');
        format_key(l, out);
    }
    props(g.node_props(id).into_iter(), g, q, out);
    out.push(')');
}

/// `[:T {k: "v"}]`.
pub fn rel(g: &Graph, id: RelId, out: &mut String) {
    rel_with(g, id, Quotes::Double, out)
}

/// `[:T {k: v}]`, strings quoted as `q` says.
pub fn rel_with(g: &Graph, id: RelId, q: Quotes, out: &mut String) {
    out.push_str("[:");
    format_key(g.rel_type(id).unwrap_or(""), out);
    props(g.rel_props(id).into_iter(), g, q, out);
    out.push(']');
}

/// `"text"` with `"`, `\` and line breaks escaped.
pub fn double_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(g: &Graph, v: &Value, q: Quotes, out: &mut String) {
    match v {
        Value::Node(id) => node_with(g, *id, q, out),
        Value::Rel(id) => rel_with(g, *id, q, out),
        Value::Path(p) => {
            out.push('<');
            for (i, n) in p.nodes.iter().enumerate() {
                if i > 0 {
                    let Some(&r) = p.rels.get(i - 1) else { break };
                    let forward = g
                        .rel_ends(r)
                        .is_some_and(|(s, _)| Some(&s) == p.nodes.get(i - 1));
                    out.push_str(if forward { "-" } else { "<-" });
                    rel_with(g, r, q, out);
                    out.push_str(if forward { "->" } else { "-" });
                }
                node_with(g, *n, q, out);
            }
            out.push('>');
        }
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(g, x, q, out);
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
                write(g, x, q, out);
            }
            out.push('}');
        }
        Value::String(s) if q == Quotes::Double => double_quoted(s, out),
        Value::Date(d) if q == Quotes::Double => double_quoted(&format_date(*d), out),
        Value::Duration(d) if q == Quotes::Double => double_quoted(&d.to_string(), out),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Graph, NodeId) {
        let mut g = Graph::new();
        let mut txn = crate::graph::Txn::new(&mut g);
        let id = txn.create_node(
            &["Person"],
            vec![
                ("name".into(), Value::str("Lina \"L\" O'Hara \\ x")),
                (
                    "seen".into(),
                    Value::List(vec![Value::str("a"), Value::Int(1), Value::Null]),
                ),
            ],
        );
        let id = match id {
            Ok(id) => id,
            Err(e) => panic!("cannot create the sample node: {e}"),
        };
        txn.commit();
        (g, id)
    }

    #[test]
    fn double_quotes_escape_quotes_and_backslashes() {
        let (g, id) = sample();
        assert_eq!(
            value(&g, &Value::Node(id)),
            r#"(:Person {name: "Lina \"L\" O'Hara \\ x", seen: ["a", 1, null]})"#
        );
        let date = Value::Date(chrono::NaiveDate::from_ymd_opt(2016, 12, 12).unwrap_or_default());
        assert_eq!(
            value(&g, &Value::List(vec![date, Value::str("it's\n")])),
            r#"["2016-12-12", "it's\n"]"#
        );
    }

    #[test]
    fn single_quotes_keep_the_tck_notation() {
        let (g, id) = sample();
        let v = Value::Node(id);
        assert_eq!(
            value_with(&g, &v, Quotes::Single),
            r#"(:Person {name: 'Lina "L" O\'Hara \\ x', seen: ['a', 1, null]})"#
        );
        // Outside graph elements, the single style is exactly `Display`.
        let list = Value::List(vec![Value::str("O'Hara"), Value::Float(1.5)]);
        assert_eq!(value_with(&g, &list, Quotes::Single), list.to_string());
    }
}
