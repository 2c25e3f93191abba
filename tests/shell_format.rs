//! Result formats on hand-built results over the fixture graph: every format of
//! each result is compared with `tests/golden/shell/formats/*.txt`, and tables are
//! checked to align by display width whatever the script (Arabic, CJK, emoji).

mod common;

use std::path::Path;
use std::time::Duration;

use dossier::graph::{Graph, NodeId, RelId};
use dossier::query::QueryResult;
use dossier::shell::format::{self, Format, Style};
use dossier::shell::schema::unknown_name_notes;
use dossier::value::{Map, Path as GPath};
use dossier::{Value, WriteStats};
use unicode_width::UnicodeWidthStr;

fn node(g: &Graph, name: &str) -> NodeId {
    match g
        .node_ids()
        .find(|&n| g.node_prop(n, "name") == Some(&Value::str(name)))
    {
        Some(n) => n,
        None => panic!("the fixture has no node named {name:?}"),
    }
}

fn rel(g: &Graph, a: NodeId, b: NodeId) -> RelId {
    match g.rel_ids().find(|&r| g.rel_ends(r) == Some((a, b))) {
        Some(r) => r,
        None => panic!("the fixture has no relationship {a:?} -> {b:?}"),
    }
}

fn result(columns: &[&str], rows: Vec<Vec<Value>>) -> QueryResult {
    QueryResult {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
        ..QueryResult::default()
    }
}

fn people(g: &Graph) -> QueryResult {
    let rows = ["Lina shamy", "محمد الأحمد", "王小明", "Zoë 🌹"]
        .iter()
        .map(|name| {
            let n = node(g, name);
            vec![
                Value::str(name),
                g.node_prop(n, "handle").cloned().unwrap_or(Value::Null),
                Value::Node(n),
                Value::Int(name.chars().count() as i64),
            ]
        })
        .collect();
    result(&["name", "handle", "p", "length"], rows)
}

fn mixed(g: &Graph) -> QueryResult {
    let lina = node(g, "Lina shamy");
    let aleppo = node(g, "Aleppo");
    let post = match g
        .rel_ids()
        .filter(|&r| g.rel_type(r) == Some("POSTED"))
        .find_map(|r| g.rel_ends(r).filter(|&(s, _)| s == lina))
    {
        Some((_, p)) => p,
        None => panic!("Lina's post is missing from the fixture"),
    };
    let posted = rel(g, lina, post);
    let mentions = rel(g, post, aleppo);
    let path = Value::Path(Box::new(GPath {
        nodes: vec![lina, post, aleppo],
        rels: vec![posted, mentions],
    }));
    let mut m = Map::new();
    m.insert("who".into(), Value::Node(lina));
    m.insert("score".into(), Value::Float(0.5));
    m.insert(
        "tags".into(),
        Value::List(vec![Value::str("a|b"), Value::str("c,d")]),
    );
    let day = g.node_prop(post, "date").cloned().unwrap_or(Value::Null);
    let text = g.node_prop(post, "text").cloned().unwrap_or(Value::Null);
    result(
        &["r", "path", "map", "nothing", "ratio", "day", "text"],
        vec![
            vec![
                Value::Rel(mentions),
                path,
                Value::Map(Box::new(m)),
                Value::Null,
                Value::Float(2.0),
                day,
                text,
            ],
            vec![
                Value::Null,
                Value::Null,
                Value::List(vec![]),
                Value::str("null"),
                Value::Float(-0.125),
                Value::Null,
                Value::str("tab\there \"quoted\" back\\slash"),
            ],
        ],
    )
}

fn all_formats(g: &Graph, r: &QueryResult, style: &Style) -> String {
    let mut out = String::new();
    for name in Format::NAMES {
        let f: Format = match name.parse() {
            Ok(f) => f,
            Err(e) => panic!("{name}: {e}"),
        };
        out.push_str(&format!("== {name} ==\n"));
        out.push_str(&format::write_result(g, r, f, style));
        out.push_str(&format!("-- footer: {}\n", format::footer(r, false)));
    }
    out
}

/// Every line of a table has the same display width, and is within `max`.
#[track_caller]
fn assert_aligned(table: &str, max: Option<usize>) {
    let widths: Vec<usize> = table.lines().map(UnicodeWidthStr::width).collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "table lines differ in width {widths:?}:\n{table}"
    );
    if let (Some(max), Some(&w)) = (max, widths.first()) {
        assert!(w <= max, "table is {w} wide, more than {max}:\n{table}");
    }
}

#[test]
fn formats_of_people_with_unicode_names() {
    let store = common::fixture();
    let g = store.graph();
    let r = people(g);
    let table = format::write_result(g, &r, Format::Table, &Style::default());
    assert_aligned(&table, None);
    common::check_golden(
        Path::new("tests/golden/shell/formats/people.txt"),
        &all_formats(g, &r, &Style::default()),
    );
}

#[test]
fn formats_of_graph_elements_and_awkward_strings() {
    let store = common::fixture();
    let g = store.graph();
    let r = mixed(g);
    let table = format::write_result(g, &r, Format::Table, &Style::default());
    assert_aligned(&table, None);
    // CSV reads back to the same fields.
    let csv = format::write_result(g, &r, Format::Csv, &Style::default());
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().filter_map(Result::ok).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][6], "tab\there \"quoted\" back\\slash");
    // Each JSON Lines row parses, keys in column order.
    let jsonl = format::write_result(g, &r, Format::Jsonl, &Style::default());
    for line in jsonl.lines() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => panic!("bad JSON line {line}: {e}"),
        };
        assert!(v.is_object());
        assert!(line.starts_with("{\"r\": "), "{line}");
    }
    common::check_golden(
        Path::new("tests/golden/shell/formats/mixed.txt"),
        &all_formats(g, &r, &Style::default()),
    );
}

#[test]
fn narrow_tables_truncate_by_display_width() {
    let store = common::fixture();
    let g = store.graph();
    let mut out = String::new();
    for max in [60, 40, 24] {
        let style = Style {
            max_width: Some(max),
            color: false,
        };
        for r in [people(g), mixed(g)] {
            let t = format::write_result(g, &r, Format::Table, &style);
            // Columns keep at least 3 characters: too many for the width overflow it.
            assert_aligned(&t, Some(max.max(6 * r.columns.len() + 1)));
            out.push_str(&format!("== maxwidth {max} ==\n{t}"));
        }
    }
    common::check_golden(Path::new("tests/golden/shell/formats/narrow.txt"), &out);
}

#[test]
fn colour_does_not_change_alignment() {
    let store = common::fixture();
    let g = store.graph();
    let style = Style {
        max_width: None,
        color: true,
    };
    let t = format::write_result(g, &mixed(g), Format::Table, &style);
    assert!(t.contains("\x1b["), "colour was asked for");
    let plain: String = {
        let mut s = String::new();
        let mut rest = t.as_str();
        while let Some(i) = rest.find("\x1b[") {
            s.push_str(&rest[..i]);
            rest = rest[i..].split_once('m').map_or("", |x| x.1);
        }
        s.push_str(rest);
        s
    };
    assert_eq!(
        plain,
        format::write_result(g, &mixed(g), Format::Table, &Style::default())
    );
}

#[test]
fn footers_count_rows_writes_and_time() {
    let mut r = result(&["x"], vec![]);
    assert_eq!(format::footer(&r, false), "no rows");
    r.rows.push(vec![Value::Int(1)]);
    assert_eq!(format::footer(&r, false), "1 row");
    r.rows.push(vec![Value::Int(2)]);
    r.compile_time = Duration::from_micros(1500);
    r.exec_time = Duration::from_millis(42);
    assert_eq!(
        format::footer(&r, true),
        "2 rows, compiled in 1.50 ms, executed in 42.0 ms"
    );
    let mut w = result(&[], vec![]);
    assert_eq!(format::footer(&w, false), "no changes");
    w.stats = WriteStats {
        nodes_created: 3,
        props_set: 5,
        ..WriteStats::default()
    };
    assert_eq!(
        format::footer(&w, false),
        "created 3 nodes, set 5 properties"
    );
    r.stats = w.stats;
    assert_eq!(
        format::footer(&r, false),
        "created 3 nodes, set 5 properties\n2 rows"
    );
    // Empty results say so in every format that has room for it.
    let empty = result(&["x"], vec![]);
    let store = common::fixture();
    let t = format::write_result(store.graph(), &empty, Format::Table, &Style::default());
    assert!(t.contains("│ x │"), "{t}");
    assert_eq!(
        format::write_result(store.graph(), &empty, Format::Json, &Style::default()),
        "[]\n"
    );
}

#[test]
fn unknown_names_get_a_suggestion() {
    let store = common::fixture();
    let g = store.graph();
    let notes = unknown_name_notes(
        g,
        "MATCH (p:Persn)-[:POSTD]->(t:Post) WHERE p.nmae = 'x' RETURN p.zzz",
    );
    assert_eq!(
        notes,
        vec![
            "no label :Persn in the graph; did you mean :Person?",
            "no relationship type :POSTD in the graph; did you mean :POSTED?",
            "no property key nmae in the graph; did you mean name?",
            "no property key zzz in the graph",
        ]
    );
    assert!(unknown_name_notes(g, "MATCH (p:Person {name: 'x'}) RETURN p.name").is_empty());
}

#[test]
fn export_writes_the_last_results_subgraph() {
    let store = common::fixture();
    let r = mixed(store.graph());
    let mut shell = dossier::shell::Shell::new(store, dossier::shell::Settings::default());
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    };
    let out = dir.path().join("a b.json");
    // Before any result there is nothing to export.
    let o = shell.execute(&format!(":export json '{}'", out.display()));
    assert!(
        o.error_text()
            .unwrap_or_default()
            .contains("nothing to export yet")
    );
    shell.set_last_result(r);
    let o = shell.execute(&format!(":export json '{}'", out.display()));
    assert!(o.error.is_none(), "{:?}", o.error_text());
    // The path's three nodes and two relationships, and the map's node (Lina, again).
    assert_eq!(
        o.out,
        format!("wrote {}: 3 nodes, 2 relationships (json)\n", out.display())
    );
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    let j: serde_json::Value = serde_json::from_str(&written).unwrap_or_default();
    assert!(j.is_object(), "the export is JSON: {written}");
    assert!(written.contains("Lina shamy") && written.contains("Aleppo"));
    // --induced adds the relationships among those nodes; a bad format is refused.
    let o = shell.execute(&format!(":export dot '{}' --induced", out.display()));
    assert!(o.error.is_none(), "{:?}", o.error_text());
    let o = shell.execute(&format!(":export pdf '{}'", out.display()));
    assert!(
        o.error_text()
            .unwrap_or_default()
            .contains("unknown export format")
    );
}
