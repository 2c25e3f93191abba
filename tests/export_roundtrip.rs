//! Issue 7 (export), property-based: for random graphs (random Unicode in labels,
//! types, keys and text; every property type), export → import → export gives
//! identical bytes in both JSON layouts (in process, with the store's importer),
//! and the DOT export renders in Graphviz without a warning.

use dossier::export::{self, ExportOptions};
use dossier::graph::{Graph, Txn};
use dossier::store::Store;
use dossier::value::{Duration, Value};
use proptest::prelude::*;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        any::<String>().prop_map(|s| Value::str(&s)),
        (-9999i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| {
            chrono::NaiveDate::from_ymd_opt(y, m, d).map_or(Value::Null, Value::Date)
        }),
        (0i64..1000, 0i64..1000, 0i64..100_000, 0i32..1_000_000_000).prop_map(
            |(months, days, seconds, nanos)| Value::Duration(Box::new(Duration {
                months,
                days,
                seconds,
                nanos,
            }))
        ),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..4).prop_map(Value::List),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Person".to_string()),
        Just("Post".to_string()),
        Just("مكان".to_string()),
        Just("name".to_string()),
        Just("text".to_string()),
        "\\PC{1,12}",
    ]
}

type Props = Vec<(String, Value)>;

/// A graph to build: nodes as (labels, properties), relationships as
/// (start index, end index, type, properties).
#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<(Vec<String>, Props)>,
    rels: Vec<(usize, usize, String, Props)>,
}

fn props() -> impl Strategy<Value = Props> {
    prop::collection::vec((name(), value()), 0..5).prop_map(|mut v| {
        // One value per key, as the graph keeps them.
        let mut seen = std::collections::HashSet::new();
        v.retain(|(k, _)| seen.insert(k.clone()));
        v
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    prop::collection::vec((prop::collection::vec(name(), 0..3), props()), 0..8).prop_flat_map(
        |nodes| {
            let n = nodes.len();
            let rels = if n == 0 {
                Just(Vec::new()).boxed()
            } else {
                prop::collection::vec((0..n, 0..n, name(), props()), 0..12).boxed()
            };
            (Just(nodes), rels).prop_map(|(nodes, rels)| Spec { nodes, rels })
        },
    )
}

fn build(spec: &Spec) -> Result<Graph, dossier::Error> {
    let mut g = Graph::new();
    let mut t = Txn::new(&mut g);
    let mut ids = Vec::new();
    for (labels, props) in &spec.nodes {
        let mut ls: Vec<&str> = Vec::new();
        for l in labels {
            if !ls.contains(&l.as_str()) {
                ls.push(l);
            }
        }
        ids.push(t.create_node(&ls, props.clone())?);
    }
    for (a, b, ty, props) in &spec.rels {
        t.create_rel(ids[*a], ids[*b], ty, props.clone())?;
    }
    t.commit();
    Ok(g)
}

fn export_json(g: &Graph, compact: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let opts = ExportOptions {
        compact,
        ..ExportOptions::default()
    };
    if let Err(e) = export::export_graph(g, "json", &opts, &mut out) {
        panic!("export: {e}");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn json_round_trip_is_byte_identical(spec in spec(), compact in any::<bool>()) {
        let g = build(&spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let first = export_json(&g, compact);
        let mut store = Store::in_memory();
        dossier::store::import::import(&mut store, &first[..], "export.json")
            .map_err(|e| TestCaseError::fail(format!("import of our own export failed: {e}")))?;
        let second = export_json(store.graph(), compact);
        prop_assert!(
            first == second,
            "round trip differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&first),
            String::from_utf8_lossy(&second)
        );
    }
}

fn render_dot(g: &Graph, max_label: usize) -> Result<(), String> {
    let mut dot = Vec::new();
    let opts = ExportOptions {
        max_label,
        ..ExportOptions::default()
    };
    export::export_graph(g, "dot", &opts, &mut dot).map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run Graphviz's dot ({e}): install graphviz; CI installs it")
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(&dot).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.trim().is_empty() {
        return Err(format!(
            "dot failed or warned ({}): {stderr}\n{}",
            out.status,
            String::from_utf8_lossy(&dot)
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any Unicode in names, captions and types renders without a warning.
    #[test]
    fn random_captions_render_cleanly(spec in spec(), max_label in 0usize..50) {
        let g = build(&spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        render_dot(&g, max_label).map_err(TestCaseError::fail)?;
    }
}
