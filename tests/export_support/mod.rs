//! Graphs the export tests write, built through `graph::Txn` (no query engine
//! needed), and helpers for golden files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dossier::graph::{Graph, NodeId, Txn};
use dossier::value::{Duration, Value, parse_date};

fn s(x: &str) -> Value {
    Value::str(x)
}

fn date(x: &str) -> Value {
    parse_date(x).map_or(Value::Null, Value::Date)
}

fn p(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn node(t: &mut Txn, labels: &[&str], props: &[(&str, Value)]) -> NodeId {
    match t.create_node(labels, p(props)) {
        Ok(n) => n,
        Err(e) => panic!("fixture node: {e}"),
    }
}

fn rel(t: &mut Txn, a: NodeId, b: NodeId, ty: &str, props: &[(&str, Value)]) {
    if let Err(e) = t.create_rel(a, b, ty, p(props)) {
        panic!("fixture relationship: {e}");
    }
}

/// A small news graph with one node of every label of the model.
pub fn news() -> Graph {
    let mut g = Graph::new();
    let mut t = Txn::new(&mut g);
    let alice = node(
        &mut t,
        &["Person"],
        &[("name", s("Alice Example")), ("handle", s("@alice"))],
    );
    let bob = node(&mut t, &["Person"], &[("name", s("Bob Sample"))]);
    let org = node(
        &mut t,
        &["Organisation"],
        &[("name", s("Example Relief Agency"))],
    );
    let city = node(
        &mut t,
        &["Place"],
        &[("name", s("Aleppo")), ("kind", s("city"))],
    );
    let doc = node(
        &mut t,
        &["Document"],
        &[
            ("id", Value::Int(1)),
            ("title", s("Evacuation continues")),
            ("published", date("2016-12-12")),
        ],
    );
    let post = node(
        &mut t,
        &["Post"],
        &[
            ("id", Value::Int(2)),
            (
                "text",
                s(
                    "Buses are leaving the eastern districts this morning, thousands waiting #Aleppo",
                ),
            ),
            ("date", date("2016-12-12")),
            ("handle", s("@alice")),
        ],
    );
    let tag = node(&mut t, &["Hashtag"], &[("name", s("#Aleppo"))]);
    let event = node(
        &mut t,
        &["Event"],
        &[
            ("kind", s("evacuation")),
            ("summary", s("Evacuation of eastern Aleppo")),
            ("date", date("2016-12-12")),
            ("count", Value::Int(3000)),
        ],
    );
    rel(&mut t, alice, post, "POSTED", &[]);
    rel(&mut t, post, tag, "TAGGED", &[]);
    rel(&mut t, doc, post, "QUOTES", &[]);
    rel(&mut t, doc, bob, "MENTIONS", &[("count", Value::Int(2))]);
    rel(
        &mut t,
        bob,
        org,
        "AFFILIATED_WITH",
        &[("role", s("spokesperson")), ("since", date("2015-01-01"))],
    );
    rel(
        &mut t,
        event,
        city,
        "IN",
        &[("confidence", Value::Float(0.75))],
    );
    rel(&mut t, org, event, "INVOLVED_IN", &[]);
    rel(&mut t, doc, event, "REPORTS", &[]);
    t.commit();
    g
}

/// Labels, types, keys and values chosen to break naive escaping: quotes,
/// backslashes, line breaks, `< > { } |`, entities, Arabic, emoji, combining
/// marks, control characters, very long text, special floats, mixed types.
pub fn hostile() -> Graph {
    let long: String = "word ".repeat(400);
    let mut g = Graph::new();
    let mut t = Txn::new(&mut g);
    let a = node(
        &mut t,
        &["Person"],
        &[
            ("name", s("Say \"hi\" \\ to <b>{x}|y</b> & AT&amp;T")),
            ("note", s("line one\nline two\r\nline three\ttabbed")),
        ],
    );
    let b = node(
        &mut t,
        &["Person", "Weird Label"],
        &[("name", s("محمد عبد الله 🇸🇾 👨‍👩‍👧 e\u{301}te\u{301}"))],
    );
    let c = node(
        &mut t,
        &["Post"],
        &[
            ("text", s(&long)),
            ("ctrl", s("bell\u{7}null\u{0}esc\u{1b}end")),
        ],
    );
    let d = node(
        &mut t,
        &[],
        &[
            ("weird key \"q\"", s("v")),
            ("key:with:colons", Value::Int(1)),
            ("back`tick", Value::Bool(true)),
            ("mixed", Value::Int(1)),
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::INFINITY)),
            ("ninf", Value::Float(f64::NEG_INFINITY)),
            ("neg", Value::Int(-42)),
            ("big", Value::Float(1e300)),
        ],
    );
    let e = node(
        &mut t,
        &["Thing`s <&>", "Event"],
        &[
            ("summary", s("}{ ][ \\n literal backslash-n")),
            ("mixed", s("now a string")),
            ("tags", Value::List(vec![s("a"), s("b;c"), s("ç")])),
            ("nums", Value::List(vec![Value::Int(1), Value::Int(2)])),
            ("empty", Value::List(vec![])),
            (
                "took",
                Value::Duration(Box::new(Duration {
                    months: 14,
                    days: 3,
                    seconds: 3723,
                    nanos: 500_000_000,
                })),
            ),
            ("when", date("0001-01-01")),
        ],
    );
    let f = node(&mut t, &["Place"], &[("name", s("\\"))]);
    let g2 = node(&mut t, &["Organisation"], &[("name", s(""))]);
    rel(
        &mut t,
        a,
        b,
        "SAYS \"HI\"",
        &[("text", s("<edge> & \"quote\""))],
    );
    rel(&mut t, b, c, "POSTED", &[]);
    rel(&mut t, c, d, "رد", &[("w", Value::Float(-0.5))]);
    rel(
        &mut t,
        d,
        e,
        "REL`TYPE",
        &[("list", Value::List(vec![Value::Bool(true)]))],
    );
    rel(&mut t, e, f, "IN", &[]);
    rel(&mut t, f, g2, "NEAR", &[]);
    rel(&mut t, a, a, "SELF", &[]);
    rel(&mut t, a, b, "SAYS \"HI\"", &[]);
    t.commit();
    g
}

/// Every fixture by name.
pub fn fixtures() -> Vec<(&'static str, Graph)> {
    vec![
        ("news", news()),
        ("hostile", hostile()),
        ("empty", Graph::new()),
    ]
}

pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/export")
}

/// Compares `actual` with the golden file `name`; with `UPDATE_GOLDENFILES=1`
/// rewrites it instead.
pub fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDENFILES").is_some() {
        if let Err(e) =
            std::fs::create_dir_all(golden_dir()).and_then(|()| std::fs::write(&path, actual))
        {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {} ({e}); run with UPDATE_GOLDENFILES=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let exp = String::from_utf8_lossy(&expected);
        let act = String::from_utf8_lossy(actual);
        let line = exp
            .lines()
            .zip(act.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(exp.lines().count().min(act.lines().count()));
        panic!(
            "{} differs from the export at line {}:\nexpected: {:?}\nactual:   {:?}\n\
             (UPDATE_GOLDENFILES=1 rewrites the golden file; review the diff)",
            path.display(),
            line + 1,
            exp.lines().nth(line),
            act.lines().nth(line)
        );
    }
}

/// Golden files with this extension.
pub fn goldens_with(ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Whether `python3 -c "import <module>"` works; prints why not when it does not.
pub fn python_has(module: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!(
            "SKIPPED: python3 with the `{module}` module is not available \
             (pip install {module}); this check did not run"
        );
    }
    ok
}
