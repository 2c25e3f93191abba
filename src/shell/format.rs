//! Query results as text: a boxed table sized by display width, CSV, TSV, JSON,
//! JSON Lines and Markdown. The shell and `dossier query` share this module, so a
//! result prints the same way in both.
//!
//! Every format is deterministic: the same result always gives the same bytes.
//! Colour (table only) is added after widths are computed, so escapes never upset
//! the alignment.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

use serde_json::Value as J;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::query::{QueryResult, render};
use crate::value::{Value, json::to_json};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Tsv,
    Json,
    Jsonl,
    Markdown,
}

impl Format {
    /// Every format's name, as `--format` and `:format` take them.
    pub const NAMES: &'static [&'static str] =
        &["table", "csv", "tsv", "json", "jsonl", "markdown"];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "markdown" | "md" => Format::Markdown,
            other => {
                return Err(Error::Input(format!(
                    "unknown format {other:?}; use one of {}",
                    Format::NAMES.join(", ")
                )));
            }
        })
    }
}

/// How a table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// The widest a table may be, in terminal columns (`None`: no limit).
    pub max_width: Option<usize>,
    /// Whether to use ANSI colours.
    pub color: bool,
}

/// A table cell: its text and how to show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    /// Right-aligned (numbers).
    pub right: bool,
    /// Shown dimmed when colour is on (nulls).
    pub dim: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
}

/// Writes `result` in `format`. The table format ends with no footer: see [`footer`].
pub fn write_result(g: &Graph, result: &QueryResult, format: Format, style: &Style) -> String {
    match format {
        Format::Table => {
            if result.columns.is_empty() {
                return String::new();
            }
            let rows: Vec<Vec<Cell>> = result
                .rows
                .iter()
                .map(|r| r.iter().map(|v| value_cell(g, v)).collect())
                .collect();
            table(&result.columns, &rows, style)
        }
        Format::Csv => csv(g, result),
        Format::Tsv => tsv(g, result),
        Format::Json => {
            let mut out = String::from("[");
            for (i, row) in result.rows.iter().enumerate() {
                out.push_str(if i == 0 { "\n  " } else { ",\n  " });
                out.push_str(&json_row(g, &result.columns, row));
            }
            out.push_str(if result.rows.is_empty() {
                "]\n"
            } else {
                "\n]\n"
            });
            out
        }
        Format::Jsonl => {
            let mut out = String::new();
            for row in &result.rows {
                out.push_str(&json_row(g, &result.columns, row));
                out.push('\n');
            }
            out
        }
        Format::Markdown => markdown(g, result),
    }
}

/// A value as plain text: strings, dates and durations as they are, null as
/// nothing, everything else in the literal notation of `query::render` (nodes as
/// `(:Person {name: "Lina"})`).
pub fn value_text(g: &Graph, v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Null => String::new(),
        Value::Date(d) => crate::value::format_date(*d),
        Value::Duration(d) => d.to_string(),
        v => render::value(g, v),
    }
}

/// A value as a table cell: control characters escaped so a row stays one line.
pub fn value_cell(g: &Graph, v: &Value) -> Cell {
    match v {
        Value::Null => Cell {
            text: "null".into(),
            right: false,
            dim: true,
        },
        Value::Int(_) | Value::Float(_) => Cell {
            text: render::value(g, v),
            right: true,
            dim: false,
        },
        v => Cell::new(escape_controls(&value_text(g, v))),
    }
}

/// Replaces line breaks, tabs and other control characters by visible escapes.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The display width of `s` in a terminal (CJK and emoji count two columns).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with `…` when something was cut. Cuts
/// only between grapheme clusters, so no character (or accent) is split.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

const MIN_COLUMN: usize = 3;

/// Column widths that fit `max` overall: the widest columns give way first
/// (a water level over the natural widths), none below [`MIN_COLUMN`].
fn fit_widths(natural: &[usize], max: Option<usize>) -> Vec<usize> {
    let Some(max) = max else {
        return natural.to_vec();
    };
    let frame = 3 * natural.len() + 1;
    let budget = max.saturating_sub(frame);
    if natural.iter().sum::<usize>() <= budget {
        return natural.to_vec();
    }
    // The highest level `cap` at which the capped widths still fit the budget.
    let total = |cap: usize| -> usize { natural.iter().map(|&w| w.min(cap.max(MIN_COLUMN))).sum() };
    let (mut lo, mut hi) = (0, natural.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    natural.iter().map(|&w| w.min(lo.max(MIN_COLUMN))).collect()
}

/// A boxed table (without a header line when every column name is empty):
///
/// ```text
/// ┌──────┬─────┐
/// │ name │ age │
/// ├──────┼─────┤
/// │ Lina │  30 │
/// └──────┴─────┘
/// ```
pub fn table(header: &[String], rows: &[Vec<Cell>], style: &Style) -> String {
    let header: Vec<String> = header.iter().map(|h| escape_controls(h)).collect();
    let mut natural: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate().take(natural.len()) {
            natural[i] = natural[i].max(width(&c.text));
        }
    }
    let widths = fit_widths(&natural, style.max_width);
    let paint = |s: &str, code: &str| -> String {
        if style.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let rule = |l: &str, m: &str, r: &str| -> String {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{l}{}{r}\n", parts.join(m))
    };
    let line = |cells: Vec<(String, bool, Option<&str>)>| -> String {
        let mut out = String::from("│");
        for ((text, right, code), &w) in cells.into_iter().zip(&widths) {
            let t = truncate(&text, w);
            let pad = " ".repeat(w - width(&t));
            let t = match code {
                Some(c) => paint(&t, c),
                None => t,
            };
            if right {
                let _ = write!(out, " {pad}{t} │");
            } else {
                let _ = write!(out, " {t}{pad} │");
            }
        }
        out.push('\n');
        out
    };
    let mut out = rule("┌", "┬", "┐");
    // A table whose column names are all empty (a list of pairs) has no header.
    if header.iter().any(|h| !h.is_empty()) {
        out.push_str(&line(
            header.into_iter().map(|h| (h, false, Some("1"))).collect(),
        ));
        out.push_str(&rule("├", "┼", "┤"));
    }
    for row in rows {
        let cells = (0..widths.len())
            .map(|i| match row.get(i) {
                Some(c) => (c.text.clone(), c.right, c.dim.then_some("2")),
                None => (String::new(), false, None),
            })
            .collect();
        out.push_str(&line(cells));
    }
    out.push_str(&rule("└", "┴", "┘"));
    out
}

/// The line under a result: `3 rows`, what it wrote (`created 3 nodes, set 5
/// properties`), and with `timing` the compile and execution times.
pub fn footer(result: &QueryResult, timing: bool) -> String {
    let n = result.rows.len();
    let times = if timing {
        format!(
            ", compiled in {}, executed in {}",
            ms(result.compile_time),
            ms(result.exec_time)
        )
    } else {
        String::new()
    };
    let wrote = result.stats.to_string();
    if result.columns.is_empty() {
        let what = if wrote.is_empty() {
            "no changes"
        } else {
            &wrote
        };
        return format!("{what}{times}");
    }
    let rows = match n {
        0 => "no rows".to_string(),
        1 => "1 row".to_string(),
        n => format!("{n} rows"),
    };
    if wrote.is_empty() {
        format!("{rows}{times}")
    } else {
        format!("{wrote}\n{rows}{times}")
    }
}

/// A duration in milliseconds, with precision where it is small.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn csv(g: &Graph, result: &QueryResult) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; a failure would only lose this output.
    let _ = w.write_record(&result.columns);
    for row in &result.rows {
        let _ = w.write_record(row.iter().map(|v| value_text(g, v)));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Tab-separated values, PostgreSQL's text form: backslash, tab and line breaks
/// escaped, null as an empty field.
fn tsv(g: &Graph, result: &QueryResult) -> String {
    let field = |s: &str| -> String {
        s.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    };
    let mut out = String::new();
    let line = |fields: Vec<String>, out: &mut String| {
        out.push_str(&fields.join("\t"));
        out.push('\n');
    };
    line(result.columns.iter().map(|c| field(c)).collect(), &mut out);
    for row in &result.rows {
        line(
            row.iter().map(|v| field(&value_text(g, v))).collect(),
            &mut out,
        );
    }
    out
}

fn markdown(g: &Graph, result: &QueryResult) -> String {
    if result.columns.is_empty() {
        return String::new();
    }
    let field = |s: &str| -> String {
        escape_controls(
            &s.replace('|', "\\|")
                .replace("\r\n", "<br>")
                .replace('\n', "<br>"),
        )
    };
    let mut out = String::new();
    let line = |fields: Vec<String>, out: &mut String| {
        let _ = writeln!(out, "| {} |", fields.join(" | "));
    };
    line(result.columns.iter().map(|c| field(c)).collect(), &mut out);
    line(
        result.columns.iter().map(|_| "---".to_string()).collect(),
        &mut out,
    );
    for row in &result.rows {
        line(
            row.iter()
                .map(|v| match v {
                    Value::Null => "null".to_string(),
                    v => field(&value_text(g, v)),
                })
                .collect(),
            &mut out,
        );
    }
    out
}

/// One row as a JSON object, keys in column order.
fn json_row(g: &Graph, columns: &[String], row: &[Value]) -> String {
    let mut out = String::from("{");
    for (i, (c, v)) in columns.iter().zip(row).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&J::String(c.clone()).to_string());
        out.push_str(": ");
        out.push_str(&json_value(g, v).to_string());
    }
    out.push('}');
    out
}

/// A value as JSON for query output. Scalars use the interchange codec
/// (`value::json`); graph elements are expanded so the output stands alone:
/// nodes as `{"id", "labels", "properties"}`, relationships as
/// `{"id", "type", "start", "end", "properties"}`, paths as
/// `{"nodes": […], "relationships": […]}`.
pub fn json_value(g: &Graph, v: &Value) -> J {
    let props = |pairs: Vec<(&str, &Value)>| -> J {
        J::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), json_value(g, v)))
                .collect(),
        )
    };
    match v {
        Value::Node(id) => serde_json::json!({
            "id": id.0,
            "labels": g.node_labels(*id),
            "properties": props(g.node_props(*id)),
        }),
        Value::Rel(id) => {
            let (start, end) = g
                .rel_ends(*id)
                .map_or((None, None), |(s, e)| (Some(s.0), Some(e.0)));
            serde_json::json!({
                "id": id.0,
                "type": g.rel_type(*id),
                "start": start,
                "end": end,
                "properties": props(g.rel_props(*id)),
            })
        }
        Value::Path(p) => serde_json::json!({
            "nodes": p.nodes.iter().map(|n| json_value(g, &Value::Node(*n))).collect::<Vec<_>>(),
            "relationships": p.rels.iter().map(|r| json_value(g, &Value::Rel(*r))).collect::<Vec<_>>(),
        }),
        Value::List(items) => J::Array(items.iter().map(|x| json_value(g, x)).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), json_value(g, x)))
                .collect(),
        ),
        v => to_json(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_width_and_graphemes() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        // CJK characters are two columns: five columns hold two of them and the ellipsis.
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        // A combining accent stays with its letter.
        let s = "e\u{301}e\u{301}e\u{301}e\u{301}";
        let t = truncate(s, 3);
        assert_eq!(t, "e\u{301}e\u{301}…");
        assert!(width(&truncate("👩‍💻👩‍💻👩‍💻", 4)) <= 4);
    }

    #[test]
    fn widths_shrink_widest_first() {
        assert_eq!(fit_widths(&[4, 50, 10], None), vec![4, 50, 10]);
        // Frame is 3*3+1 = 10 columns; budget 30 at max 40.
        let w = fit_widths(&[4, 50, 10], Some(40));
        assert_eq!(w, vec![4, 16, 10]);
        assert!(w.iter().sum::<usize>() + 10 <= 40);
        // Never below the minimum, even when that overflows.
        assert_eq!(fit_widths(&[20, 20], Some(5)), vec![3, 3]);
    }

    #[test]
    fn formats_parse_by_name() {
        for n in Format::NAMES {
            let f: Format = n.parse().unwrap_or_default();
            assert_eq!(f.name(), *n);
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
