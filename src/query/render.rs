//! Renders values with the graph at hand: nodes as `(:Label {key: 'value'})`,
//! relationships as `[:TYPE {key: 'value'}]`, paths as `<(a)-[r]->(b)>`, the
//! openCypher TCK's notation. Property keys print in insertion order.

use crate::graph::{Graph, NodeId, RelId};
use crate::value::{Value, format_key};

/// A value as text, graph elements expanded.
pub fn value(g: &Graph, v: &Value) -> String {
    let mut out = String::new();
    write(g, v, &mut out);
    out
}

fn props<'a>(pairs: impl Iterator<Item = (&'a str, &'a Value)>, g: &Graph, out: &mut String) {
    let mut first = true;
    for (k, v) in pairs {
        out.push_str(if first { " {" } else { ", " });
        first = false;
        format_key(k, out);
        out.push_str(": ");
        write(g, v, out);
    }
    if !first {
        out.push('}');
    }
}

/// `(:A:B {k: v})`.
pub fn node(g: &Graph, id: NodeId, out: &mut String) {
    out.push('(');
    for l in g.node_labels(id) {
        out.push(':');
        format_key(l, out);
    }
    props(g.node_props(id).into_iter(), g, out);
    out.push(')');
}

/// `[:T {k: v}]`.
pub fn rel(g: &Graph, id: RelId, out: &mut String) {
    out.push_str("[:");
    format_key(g.rel_type(id).unwrap_or(""), out);
    props(g.rel_props(id).into_iter(), g, out);
    out.push(']');
}

fn write(g: &Graph, v: &Value, out: &mut String) {
    match v {
        Value::Node(id) => node(g, *id, out),
        Value::Rel(id) => rel(g, *id, out),
        Value::Path(p) => {
            out.push('<');
            for (i, n) in p.nodes.iter().enumerate() {
                if i > 0 {
                    let Some(&r) = p.rels.get(i - 1) else { break };
                    let forward = g
                        .rel_ends(r)
                        .is_some_and(|(s, _)| Some(&s) == p.nodes.get(i - 1));
                    out.push_str(if forward { "-" } else { "<-" });
                    rel(g, r, out);
                    out.push_str(if forward { "->" } else { "-" });
                }
                node(g, *n, out);
            }
            out.push('>');
        }
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(g, x, out);
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
                write(g, x, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}
