//! What the shell knows of the graph's schema: the names completion offers (cached,
//! refreshed only when [`Graph::schema_version`] moves, so typing never waits on the
//! graph), the `:schema` report, and "did you mean" notes for names a query used
//! that the graph does not have.

use std::collections::HashMap;

use crate::graph::Graph;
use crate::shell::format::{Cell, Style, table};
use crate::shell::scan::{TokKind, name_of, significant};
use crate::value::Value;

/// Label, relationship type and property key names, as of one schema version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaNames {
    pub(crate) version: Option<u64>,
    pub labels: Vec<String>,
    pub types: Vec<String>,
    pub keys: Vec<String>,
    /// Per label, the keys seen on a sample of its nodes (the first
    /// [`LABEL_KEY_SAMPLE`] by id), sorted: `p.` completes these first when `p`
    /// was written with that label. A sample, so that a refresh on a large graph
    /// stays instant; completion falls back to every key when none of these fit.
    pub label_keys: Vec<(String, Vec<String>)>,
}

/// How many nodes of each label the per-label key lists look at.
pub const LABEL_KEY_SAMPLE: usize = 2_000;

impl SchemaNames {
    /// The keys sampled on nodes of `label` (empty for an unknown label).
    pub fn keys_of_label(&self, label: &str) -> &[String] {
        self.label_keys
            .iter()
            .find(|(l, _)| l == label)
            .map_or(&[], |(_, k)| k.as_slice())
    }

    /// Reloads the names if the graph's schema changed; returns whether it did.
    pub fn refresh(&mut self, g: &Graph) -> bool {
        if self.version == Some(g.schema_version()) {
            return false;
        }
        let sorted = |it: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            let mut v: Vec<String> = it.map(str::to_string).collect();
            v.sort();
            v
        };
        self.labels = sorted(&mut g.label_names());
        self.types = sorted(&mut g.type_names());
        self.keys = sorted(&mut g.key_names());
        self.label_keys = self
            .labels
            .iter()
            .map(|label| {
                let mut seen = std::collections::BTreeSet::new();
                for id in g.nodes_with_label(label).take(LABEL_KEY_SAMPLE) {
                    seen.extend(g.node_props(id).into_iter().map(|(k, _)| k.to_string()));
                }
                (label.clone(), seen.into_iter().collect())
            })
            .collect();
        self.version = Some(g.schema_version());
        true
    }
}

/// The `:schema` report: labels, relationship types and property keys with counts
/// and an example of each. Reads the whole graph once (this is asked for, never
/// done while typing).
pub fn report(g: &Graph, style: &Style) -> String {
    let mut out = String::new();

    let rows: Vec<Vec<Cell>> = label_counts(g)
        .iter()
        .map(|&(l, n)| {
            let example = g
                .nodes_with_label(l)
                .next()
                .map(|id| {
                    let mut s = String::new();
                    crate::query::render::node(g, id, &mut s);
                    s
                })
                .unwrap_or_default();
            vec![
                Cell::new(format!(":{l}")),
                count(n as u64),
                Cell::new(example),
            ]
        })
        .collect();
    out.push_str(&format!("Labels ({})\n", rows.len()));
    if !rows.is_empty() {
        out.push_str(&table(
            &header(&["label", "nodes", "example"]),
            &rows,
            style,
        ));
    }

    // One pass over the relationships: endpoint label patterns per type.
    let mut patterns: HashMap<&str, HashMap<String, u64>> = HashMap::new();
    for r in g.rel_ids() {
        let (Some(t), Some((s, e))) = (g.rel_type(r), g.rel_ends(r)) else {
            continue;
        };
        let lab = |n| {
            g.node_labels(n)
                .first()
                .map_or(String::from("()"), |l| format!("(:{l})"))
        };
        *patterns
            .entry(t)
            .or_default()
            .entry(format!("{}-[:{t}]->{}", lab(s), lab(e)))
            .or_default() += 1;
    }
    let rows: Vec<Vec<Cell>> = type_counts(g)
        .iter()
        .map(|&(t, n)| {
            // The most common pattern, ties broken by name so output is stable.
            let example = patterns
                .get(t)
                .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
                .map(|(p, _)| p.clone())
                .unwrap_or_default();
            vec![Cell::new(format!(":{t}")), count(n), Cell::new(example)]
        })
        .collect();
    out.push_str(&format!("Relationship types ({})\n", rows.len()));
    if !rows.is_empty() {
        out.push_str(&table(
            &header(&["type", "relationships", "example"]),
            &rows,
            style,
        ));
    }

    // One pass over every element's properties: how many have each key, and the
    // first value seen (nodes in id order, then relationships).
    let mut keys: HashMap<&str, (u64, u64, Option<&Value>)> = HashMap::new();
    for n in g.node_ids() {
        for (k, v) in g.node_props(n) {
            let e = keys.entry(k).or_default();
            e.0 += 1;
            e.2.get_or_insert(v);
        }
    }
    for r in g.rel_ids() {
        for (k, v) in g.rel_props(r) {
            let e = keys.entry(k).or_default();
            e.1 += 1;
            e.2.get_or_insert(v);
        }
    }
    let mut keys: Vec<_> = keys.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    let rows: Vec<Vec<Cell>> = keys
        .iter()
        .map(|(k, (nodes, rels, example))| {
            // Literal notation, so 'text' and 12 read apart.
            let example = example.map_or(String::new(), |v| crate::query::render::value(g, v));
            vec![
                Cell::new(*k),
                count(*nodes),
                count(*rels),
                Cell::new(crate::shell::format::escape_controls(&example)),
            ]
        })
        .collect();
    out.push_str(&format!("Property keys ({})\n", rows.len()));
    if !rows.is_empty() {
        out.push_str(&table(
            &header(&["key", "nodes", "relationships", "example"]),
            &rows,
            style,
        ));
    }
    out
}

/// Labels in use with their node counts, by name.
pub fn label_counts(g: &Graph) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = g
        .label_names()
        .map(|l| (l, g.label_count(l)))
        .filter(|&(_, n)| n > 0)
        .collect();
    v.sort();
    v
}

/// Relationship types in use with their counts, by name.
pub fn type_counts(g: &Graph) -> Vec<(&str, u64)> {
    let mut v: Vec<(&str, u64)> = g
        .type_names()
        .map(|t| (t, g.type_count(t)))
        .filter(|&(_, n)| n > 0)
        .collect();
    v.sort();
    v
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn count(n: u64) -> Cell {
    Cell {
        text: n.to_string(),
        right: true,
        dim: false,
    }
}

/// What a name in a query is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Label,
    Type,
    Key,
}

/// Labels (`:Name` in a node pattern or predicate), relationship types (`:NAME`
/// inside `[…]`) and property keys (`x.name`) that `query` mentions, found with the
/// shell's lexer: a `:` directly inside `{…}` is a map key, not a label.
pub fn names_in(query: &str) -> Vec<(NameKind, String)> {
    let toks = significant(query);
    let text = |i: usize| toks.get(i).and_then(|t| name_of(query, t));
    // The open brackets, each with whether a `:` was seen in it (for `[:A|B]`).
    let mut stack: Vec<(char, bool)> = Vec::new();
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::Punct(c @ ('(' | '[' | '{')) => stack.push((c, false)),
            TokKind::Punct(')' | ']' | '}') => {
                stack.pop();
            }
            TokKind::Punct(':') => {
                let inner = stack.last().map(|s| s.0);
                if inner == Some('{') {
                    continue;
                }
                if let Some(top) = stack.last_mut() {
                    top.1 = true;
                }
                if let Some(name) = text(i + 1) {
                    let kind = if inner == Some('[') {
                        NameKind::Type
                    } else {
                        NameKind::Label
                    };
                    out.push((kind, name));
                }
            }
            TokKind::Punct('|') if stack.last() == Some(&('[', true)) => {
                if let Some(name) = text(i + 1) {
                    out.push((NameKind::Type, name));
                }
            }
            TokKind::Punct('.') => {
                let after_name = i > 0
                    && matches!(
                        toks[i - 1].kind,
                        TokKind::Word | TokKind::Punct(')') | TokKind::Quoted { .. }
                    );
                if after_name && let Some(name) = text(i + 1) {
                    out.push((NameKind::Key, name));
                }
            }
            _ => {}
        }
    }
    out
}

/// Notes for names in `query` the graph does not have, each with the nearest
/// existing name when one is close: "no label :Persn in the graph; did you mean
/// :Person?".
pub fn unknown_name_notes(g: &Graph, query: &str) -> Vec<String> {
    let mut notes = Vec::new();
    for (kind, name) in names_in(query) {
        let (known, what, prefix): (Vec<&str>, &str, &str) = match kind {
            NameKind::Label => (
                g.label_names().filter(|l| g.label_count(l) > 0).collect(),
                "label",
                ":",
            ),
            NameKind::Type => (
                g.type_names().filter(|t| g.type_count(t) > 0).collect(),
                "relationship type",
                ":",
            ),
            NameKind::Key => (g.key_names().collect(), "property key", ""),
        };
        if known.contains(&name.as_str()) {
            continue;
        }
        let mut note = format!("no {what} {prefix}{name} in the graph");
        if let Some(best) = nearest(&name, &known) {
            note.push_str(&format!("; did you mean {prefix}{best}?"));
        }
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes
}

/// The closest name to `name` (case-insensitive edit distance), if close enough to
/// be a likely typo.
pub fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_lowercase()), *k))
        .filter(|&(d, _)| d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_by_context() {
        let q = "MATCH (p:Person {name: 'x'})-[:POSTED|MENTIONS]->(t:Post) \
                 WHERE p:Admin AND t.date > 1 RETURN [x IN l | x.size], p.`full name`";
        let names = names_in(q);
        assert_eq!(
            names,
            vec![
                (NameKind::Label, "Person".to_string()),
                (NameKind::Type, "POSTED".to_string()),
                (NameKind::Type, "MENTIONS".to_string()),
                (NameKind::Label, "Post".to_string()),
                (NameKind::Label, "Admin".to_string()),
                (NameKind::Key, "date".to_string()),
                (NameKind::Key, "size".to_string()),
                (NameKind::Key, "full name".to_string()),
            ]
        );
    }

    #[test]
    fn nearest_finds_typos_only() {
        let known = ["Person", "Organisation", "Place"];
        assert_eq!(nearest("Persn", &known), Some("Person"));
        assert_eq!(nearest("person", &known), Some("Person"));
        assert_eq!(nearest("Organization", &known), Some("Organisation"));
        assert_eq!(nearest("Zebra", &known), None);
    }
}
