//! A script of CREATE statements that loads the subgraph into Neo4j, Memgraph or
//! dossier itself: one statement per node, one per relationship, one at the end.
//!
//! Relationships must find their end nodes in a later statement, so each node is
//! created with a temporary label and key, `:_DossierExport {_dossier_id: N}`,
//! each relationship matches its two ends by them, and the last statement removes
//! both. Plain openCypher throughout (no APOC, no vendor syntax); the comment at the
//! top shows the index that makes big scripts fast in Neo4j and Memgraph.
//!
//! Names that are not plain ASCII identifiers are back-quoted; strings are
//! single-quoted with `\` escapes (`\uXXXX` for other control characters); dates
//! and durations are `date('…')` and `duration('…')`; NaN and infinities, which
//! have no literal, are `0.0/0.0` and `±1.0/0.0`.

use std::io::Write;

use super::{Numbering, Subgraph};
use crate::error::Result;
use crate::graph::Graph;
use crate::value::{Value, format_date, format_float};

/// The temporary label and key that tie relationships to their ends.
pub const TEMP_LABEL: &str = "_DossierExport";
pub const TEMP_KEY: &str = "_dossier_id";

/// Writes the subgraph as a script of statements.
pub fn write(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<()> {
    super::buffered(out, |w| write_inner(graph, sub, w))
}

fn write_inner(graph: &Graph, sub: &Subgraph, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "// dossier export: {} nodes, {} relationships.",
        sub.nodes.len(),
        sub.rels.len()
    )?;
    writeln!(
        w,
        "// Nodes carry :{TEMP_LABEL} {{{TEMP_KEY}}} until the last statement removes them."
    )?;
    // No semicolons in comments: a statement splitter that does not skip
    // comments would cut the script there.
    writeln!(w, "// For a big script, create an index first:")?;
    writeln!(
        w,
        "//   Neo4j 5:  CREATE INDEX FOR (n:{TEMP_LABEL}) ON (n.{TEMP_KEY})"
    )?;
    writeln!(
        w,
        "//   Memgraph: CREATE INDEX ON :{TEMP_LABEL}({TEMP_KEY})"
    )?;
    let mut line = String::new();
    for (i, n) in sub.nodes.iter().enumerate() {
        line.clear();
        line.push_str("CREATE (");
        for l in graph.node_labels(*n) {
            line.push(':');
            name(l, &mut line);
        }
        line.push_str(&format!(":{TEMP_LABEL} {{{TEMP_KEY}: {i}"));
        for (k, v) in graph.node_props(*n) {
            line.push_str(", ");
            name(k, &mut line);
            line.push_str(": ");
            literal(v, &mut line);
        }
        line.push_str("});\n");
        w.write_all(line.as_bytes())?;
    }
    let numbering = Numbering::new(sub);
    for r in &sub.rels {
        let (s, e) = numbering
            .ends(graph, *r)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        line.clear();
        line.push_str(&format!(
            "MATCH (a:{TEMP_LABEL} {{{TEMP_KEY}: {s}}}), (b:{TEMP_LABEL} {{{TEMP_KEY}: {e}}}) \
             CREATE (a)-[:"
        ));
        name(graph.rel_type(*r).unwrap_or(""), &mut line);
        let props = graph.rel_props(*r);
        if !props.is_empty() {
            line.push_str(" {");
            for (j, (k, v)) in props.into_iter().enumerate() {
                if j > 0 {
                    line.push_str(", ");
                }
                name(k, &mut line);
                line.push_str(": ");
                literal(v, &mut line);
            }
            line.push('}');
        }
        line.push_str("]->(b);\n");
        w.write_all(line.as_bytes())?;
    }
    if !sub.nodes.is_empty() {
        writeln!(
            w,
            "MATCH (n:{TEMP_LABEL}) REMOVE n:{TEMP_LABEL}, n.{TEMP_KEY};"
        )?;
    }
    Ok(())
}

/// A label, type or key: bare when a plain ASCII identifier, else back-quoted
/// (every engine accepts a back-quoted name; not every one accepts Unicode bare).
pub fn name(s: &str, out: &mut String) {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        out.push_str(s);
    } else {
        out.push('`');
        out.push_str(&s.replace('`', "``"));
        out.push('`');
    }
}

/// A value as a literal expression.
pub fn literal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) if f.is_nan() => out.push_str("0.0/0.0"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "1.0/0.0" } else { "-1.0/0.0" })
        }
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::String(s) => string(s, out),
        Value::Date(d) => {
            out.push_str("date('");
            out.push_str(&format_date(*d));
            out.push_str("')");
        }
        Value::Duration(d) => {
            out.push_str("duration('");
            out.push_str(&d.to_string());
            out.push_str("')");
        }
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(x, out);
            }
            out.push(']');
        }
        // Not storable as properties, so never in an export; written as text
        // rather than failing.
        other => string(&other.to_string(), out),
    }
}

/// A single-quoted string literal.
pub fn string(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_strings_are_quoted() {
        let mut s = String::new();
        name("Person", &mut s);
        s.push(' ');
        name("has space", &mut s);
        s.push(' ');
        name("a`b", &mut s);
        s.push(' ');
        name("مكان", &mut s);
        assert_eq!(s, "Person `has space` `a``b` `مكان`");
        let mut s = String::new();
        string("it's \\ \n \u{1}", &mut s);
        assert_eq!(s, "'it\\'s \\\\ \\n \\u0001'");
    }

    #[test]
    fn special_floats_have_expressions() {
        let mut s = String::new();
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.0] {
            literal(&Value::Float(f), &mut s);
            s.push(' ');
        }
        assert_eq!(s, "0.0/0.0 1.0/0.0 -1.0/0.0 2.0 ");
    }
}
