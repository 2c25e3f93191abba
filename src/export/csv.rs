//! CSV in the layout of `neo4j-admin database import`: `nodes.csv` with `:ID` and
//! `:LABEL` columns, `relationships.csv` with `:START_ID`, `:END_ID` and `:TYPE`,
//! and one typed column per property key (`name:string`, `born:date`,
//! `score:double`, `tags:string[]`, …).
//!
//! A first pass finds each key's type; a key whose values differ in type (or a
//! string list with an element holding the array delimiter `;`) is a plain
//! `string` column holding each value's text. Labels are joined by `;` as
//! neo4j-admin expects. Fields are quoted by the csv crate when needed; fields with
//! line breaks need neo4j-admin's `--multiline-fields=true` (docs/export.md).

use std::io::Write;
use std::path::Path;

use indexmap::IndexMap;

use super::{Numbering, Subgraph, plain_text};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::value::Value;

/// The array delimiter neo4j-admin uses by default.
const ARRAY_DELIMITER: char = ';';

/// A neo4j-admin column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Long,
    Double,
    Boolean,
    String,
    Date,
    Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ColTy {
    scalar: Scalar,
    array: bool,
}

impl ColTy {
    const TEXT: ColTy = ColTy {
        scalar: Scalar::String,
        array: false,
    };

    fn scalar_of(v: &Value) -> Option<Scalar> {
        Some(match v {
            Value::Int(_) => Scalar::Long,
            Value::Float(_) => Scalar::Double,
            Value::Bool(_) => Scalar::Boolean,
            Value::String(_) => Scalar::String,
            Value::Date(_) => Scalar::Date,
            Value::Duration(_) => Scalar::Duration,
            _ => return None,
        })
    }

    /// The column type one value needs (`None`: an empty list, which fits any array).
    fn of(v: &Value) -> Option<ColTy> {
        match v {
            Value::List(items) => {
                let mut scalar = None;
                for x in items {
                    let s = ColTy::scalar_of(x)?;
                    if let Value::String(t) = x
                        && t.contains(ARRAY_DELIMITER)
                    {
                        return Some(ColTy::TEXT);
                    }
                    match scalar {
                        None => scalar = Some(s),
                        Some(p) if p != s => return Some(ColTy::TEXT),
                        _ => {}
                    }
                }
                scalar.map(|scalar| ColTy {
                    scalar,
                    array: true,
                })
            }
            v => Some(ColTy::scalar_of(v).map_or(ColTy::TEXT, |scalar| ColTy {
                scalar,
                array: false,
            })),
        }
    }

    fn header(&self) -> String {
        let s = match self.scalar {
            Scalar::Long => "long",
            Scalar::Double => "double",
            Scalar::Boolean => "boolean",
            Scalar::String => "string",
            Scalar::Date => "date",
            Scalar::Duration => "duration",
        };
        if self.array {
            format!("{s}[]")
        } else {
            s.to_string()
        }
    }
}

/// Property key -> column type (`None` until a non-empty value is seen; an
/// all-empty-lists column is a `string[]`).
type Columns = IndexMap<String, Option<ColTy>>;

fn collect<'a>(cols: &mut Columns, props: impl Iterator<Item = (&'a str, &'a Value)>) {
    for (k, v) in props {
        let t = ColTy::of(v);
        let slot = cols.entry(k.to_string()).or_insert(None);
        *slot = match (*slot, t) {
            (None, t) => t,
            (s, None) => s.filter(|s| s.array).or(Some(ColTy::TEXT)),
            (Some(a), Some(b)) if a == b => Some(a),
            _ => Some(ColTy::TEXT),
        };
    }
}

fn header(fixed: &[&str], cols: &Columns) -> Vec<String> {
    let mut h: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    for (k, t) in cols {
        let t = t.unwrap_or(ColTy {
            scalar: Scalar::String,
            array: true,
        });
        h.push(format!("{k}:{}", t.header()));
    }
    h
}

fn field(ty: Option<ColTy>, v: Option<&Value>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    match (ty, v) {
        // A column of nothing but empty lists.
        (None, _) => String::new(),
        (Some(t), Value::List(items)) if t.array => {
            let parts: Vec<String> = items.iter().map(scalar_text).collect();
            parts.join(&ARRAY_DELIMITER.to_string())
        }
        (_, v) => scalar_text(v),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        // Java's Double.parseDouble reads NaN and Infinity in this spelling.
        Value::Float(f) => crate::value::format_float(*f),
        other => plain_text(other),
    }
}

fn csv_err(e: ::csv::Error) -> Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => super::io_err(e),
        other => crate::errinternal!("csv: {other:?}"),
    }
}

/// Writes `nodes.csv`.
pub fn write_nodes(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<()> {
    let mut cols = Columns::new();
    for n in &sub.nodes {
        collect(&mut cols, graph.node_props(*n).into_iter());
    }
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(header(&[":ID", ":LABEL"], &cols))
        .map_err(csv_err)?;
    let mut rec: Vec<String> = Vec::with_capacity(cols.len() + 2);
    for (i, n) in sub.nodes.iter().enumerate() {
        rec.clear();
        rec.push(format!("n{i}"));
        rec.push(graph.node_labels(*n).join(&ARRAY_DELIMITER.to_string()));
        let props = graph.node_props(*n);
        for (k, t) in &cols {
            let v = props.iter().find(|(pk, _)| pk == k).map(|(_, v)| *v);
            rec.push(field(*t, v));
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush().map_err(super::io_err)
}

/// Writes `relationships.csv`.
pub fn write_rels(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<()> {
    let mut cols = Columns::new();
    for r in &sub.rels {
        collect(&mut cols, graph.rel_props(*r).into_iter());
    }
    let numbering = Numbering::new(sub);
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(header(&[":START_ID", ":END_ID", ":TYPE"], &cols))
        .map_err(csv_err)?;
    let mut rec: Vec<String> = Vec::with_capacity(cols.len() + 3);
    for r in &sub.rels {
        let (s, e) = numbering.ends(graph, *r)?;
        rec.clear();
        rec.push(format!("n{s}"));
        rec.push(format!("n{e}"));
        rec.push(graph.rel_type(*r).unwrap_or("").to_string());
        let props = graph.rel_props(*r);
        for (k, t) in &cols {
            let v = props.iter().find(|(pk, _)| pk == k).map(|(_, v)| *v);
            rec.push(field(*t, v));
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush().map_err(super::io_err)
}

/// Writes `nodes.csv` and `relationships.csv` into `dir` (created if missing).
pub fn write_dir(graph: &Graph, sub: &Subgraph, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create folder {}", dir.display()), e))?;
    let write_file = |name: &str, f: &dyn Fn(&mut dyn Write) -> Result<()>| -> Result<()> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        let mut w = std::io::BufWriter::new(file);
        f(&mut w)?;
        w.flush()
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    };
    write_file("nodes.csv", &|w| write_nodes(graph, sub, w))?;
    write_file("relationships.csv", &|w| write_rels(graph, sub, w))
}
