//! Issue 7 (export): every format of every fixture graph against its golden file
//! under tests/golden/export/ (`UPDATE_GOLDENFILES=1` rewrites them), then each
//! golden file checked by the program that reads that format: Graphviz's `dot`
//! for DOT (no warning allowed), the JSON Schema in docs/ for JSON, NetworkX and
//! an XML parser for GraphML.

mod export_support;

use std::process::{Command, Stdio};

use dossier::export::{self, ExportOptions, Format, Subgraph};
use dossier::graph::Graph;
use dossier::value::Value;
use export_support::*;

fn render(g: &Graph, sub: &Subgraph, format: Format, opts: &ExportOptions) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = export::export_subgraph(g, sub, format, opts, &mut out) {
        panic!("export {format:?} failed: {e}");
    }
    out
}

fn csv_files(g: &Graph, sub: &Subgraph) -> (Vec<u8>, Vec<u8>) {
    let (mut n, mut r) = (Vec::new(), Vec::new());
    if let Err(e) = export::csv::write_nodes(g, sub, &mut n)
        .and_then(|()| export::csv::write_rels(g, sub, &mut r))
    {
        panic!("csv export failed: {e}");
    }
    (n, r)
}

/// All goldens are (re)checked here; the tool checks below read the files.
#[test]
fn every_format_matches_its_golden_file() {
    for (name, g) in fixtures() {
        let sub = Subgraph::whole(&g);
        let opts = ExportOptions::default();
        let compact = ExportOptions {
            compact: true,
            ..ExportOptions::default()
        };
        check_golden(
            &format!("{name}.dot"),
            &render(&g, &sub, Format::Dot, &opts),
        );
        check_golden(
            &format!("{name}.json"),
            &render(&g, &sub, Format::Json, &opts),
        );
        check_golden(
            &format!("{name}.compact.json"),
            &render(&g, &sub, Format::Json, &compact),
        );
        check_golden(
            &format!("{name}.graphml"),
            &render(&g, &sub, Format::GraphMl, &opts),
        );
        check_golden(
            &format!("{name}.cypher"),
            &render(&g, &sub, Format::Cypher, &opts),
        );
        check_golden(
            &format!("{name}.cyjs"),
            &render(&g, &sub, Format::Cytoscape, &opts),
        );
        let (nodes, rels) = csv_files(&g, &sub);
        check_golden(&format!("{name}.nodes.csv"), &nodes);
        check_golden(&format!("{name}.relationships.csv"), &rels);
    }
}

/// A query-shaped subgraph: two nodes and a path, with and without --induced,
/// and captions cut short.
#[test]
fn result_subgraphs_match_their_golden_files() {
    let g = news();
    let ids: Vec<_> = g.node_ids().collect();
    let rels: Vec<_> = g.rel_ids().collect();
    let path = Value::Path(Box::new(dossier::value::Path {
        nodes: vec![ids[0], ids[5]],
        rels: vec![rels[0]],
    }));
    // As a RETURN of `[doc, event]`, a path and a count would give them.
    let row = vec![
        Value::List(vec![Value::Node(ids[4]), Value::Node(ids[7])]),
        path,
        Value::Int(1),
    ];
    let result = dossier::query::QueryResult {
        columns: vec!["xs".into(), "p".into(), "n".into()],
        rows: vec![row],
        ..Default::default()
    };
    for (induced, name) in [(false, "result"), (true, "result.induced")] {
        let opts = ExportOptions {
            induced,
            max_label: 12,
            ..ExportOptions::default()
        };
        for (fmt, ext) in [("dot", "dot"), ("json", "json")] {
            let mut out = Vec::new();
            if let Err(e) = export::export_result_with(&g, &result, fmt, &opts, &mut out) {
                panic!("export {fmt}: {e}");
            }
            check_golden(&format!("{name}.{ext}"), &out);
        }
    }
    // The public entry point the REPL uses gives the same bytes.
    let mut a = Vec::new();
    let mut b = Vec::new();
    let ok = export::export_result(&g, &result, "json", true, &mut a).is_ok()
        && export::export_result_with(
            &g,
            &result,
            "json",
            &ExportOptions {
                induced: true,
                ..ExportOptions::default()
            },
            &mut b,
        )
        .is_ok();
    assert!(
        ok && a == b,
        "export_result and export_result_with disagree"
    );
}

#[test]
fn every_dot_golden_renders_without_warnings() {
    let files = goldens_with(".dot");
    assert!(files.len() >= 5, "expected DOT goldens, found {files:?}");
    for f in files {
        let out = Command::new("dot")
            .arg("-Tsvg")
            .arg(&f)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run Graphviz's `dot` ({e}): install Graphviz \
                     (apt-get install graphviz); CI installs it"
                )
            });
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "dot -Tsvg {} failed or warned: status {}, stderr:\n{stderr}",
            f.display(),
            out.status
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("<svg"), "{}: no SVG produced", f.display());
    }
}

#[test]
fn hostile_captions_survive_rendering() {
    let g = hostile();
    let sub = Subgraph::whole(&g);
    let mut svg = Vec::new();
    let r = export::export_subgraph(&g, &sub, Format::Svg, &ExportOptions::default(), &mut svg);
    if let Err(e) = &r {
        panic!("svg export failed (is Graphviz installed? CI installs it): {e}");
    }
    let svg = String::from_utf8_lossy(&svg);
    // Graphviz escapes for XML itself; the text must come through as written.
    for text in [
        "Say &quot;hi&quot; \\ to &lt;b&gt;{x}|y&lt;/b&gt; &amp; AT&amp;amp;T",
        "محمد عبد الله 🇸🇾",
        "SAYS &quot;HI&quot;",
    ] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
}

/// A rendering of the JSON goldens' contents, checked against the value codec: every
/// property value reads back through `value::json::from_json`.
#[test]
fn json_goldens_read_back_through_the_codec() {
    for f in goldens_with(".json") {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let doc: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.display()));
        let nodes = doc["nodes"].as_array().cloned().unwrap_or_default();
        let rels = doc["relationships"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(
                *id,
                format!("n{i}"),
                "{}: ids follow positions",
                f.display()
            );
        }
        for r in &rels {
            for end in ["startNode", "endNode"] {
                let e = r[end].as_str().unwrap_or("");
                assert!(ids.contains(&e), "{}: dangling {end} {e}", f.display());
            }
        }
        for el in nodes.iter().chain(rels.iter()) {
            if let Some(props) = el["properties"].as_object() {
                for (k, v) in props {
                    let back = dossier::value::json::property_from_json(k, v);
                    assert!(
                        back.is_ok(),
                        "{}: {k} does not read back: {back:?}",
                        f.display()
                    );
                }
            }
        }
    }
}

#[test]
fn json_goldens_validate_against_the_schema() {
    if !python_has("jsonschema") {
        return;
    }
    let schema =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/interchange.schema.json");
    let files = goldens_with(".json");
    assert!(files.len() >= 6, "expected JSON goldens, found {files:?}");
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(f, encoding="utf-8"))):
        print(f, e.json_path, e.message); bad += 1
sys.exit(1 if bad else 0)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .args(&files)
        .output();
    let out = out.unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    assert!(
        out.status.success(),
        "schema validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And the schema rejects what the format does not allow.
    let bad = r#"{"nodes":[{"id":"n0","labels":"Person","properties":{}}],"relationships":[]}"#;
    let probe = format!(
        "import json, sys, jsonschema\nv = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\n\
         sys.exit(0 if list(v.iter_errors(json.loads({bad:?}))) else 1)"
    );
    let out = Command::new("python3")
        .args(["-c", &probe])
        .arg(&schema)
        .output();
    assert!(
        out.is_ok_and(|o| o.status.success()),
        "the schema accepted labels given as a string"
    );
}

#[test]
fn graphml_goldens_are_well_formed_xml() {
    use quick_xml::events::Event;
    for f in goldens_with(".graphml") {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let mut reader = quick_xml::Reader::from_str(&text);
        let (mut nodes, mut edges, mut depth) = (0, 0, 0i32);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    depth += 1;
                    match e.name().as_ref() {
                        "node" => nodes += 1,
                        "edge" => edges += 1,
                        _ => {}
                    }
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!(
                    "{}: not well-formed at {}: {e}",
                    f.display(),
                    reader.buffer_position()
                ),
            }
        }
        assert_eq!(depth, 0, "{}: unbalanced elements", f.display());
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let g = fixtures()
            .into_iter()
            .find(|(n, _)| *n == stem)
            .map(|(_, g)| g)
            .unwrap_or_else(|| panic!("no fixture for {}", f.display()));
        assert_eq!(
            (nodes, edges),
            (g.node_count(), g.rel_count()),
            "{}",
            f.display()
        );
    }
}

#[test]
fn networkx_reads_the_graphml_goldens() {
    if !python_has("networkx") {
        return;
    }
    for (name, g) in fixtures() {
        let f = golden_dir().join(format!("{name}.graphml"));
        let script = r#"
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
types = sorted({type(v).__name__ for _, d in g.nodes(data=True) for v in d.values()})
print(g.number_of_nodes(), g.number_of_edges(), ",".join(types))
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(&f)
            .output();
        let out = out.unwrap_or_else(|e| panic!("cannot run python3: {e}"));
        assert!(
            out.status.success(),
            "NetworkX cannot read {}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut parts = text.split_whitespace();
        let n: usize = parts
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(usize::MAX);
        let e: usize = parts
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(usize::MAX);
        assert_eq!(
            (n, e),
            (g.node_count(), g.rel_count()),
            "{name}: NetworkX counts"
        );
        if name == "news" {
            // Typed keys: the integer `id` and `count` come back as Python ints.
            assert!(text.contains("int"), "{name}: no typed integers in {text}");
        }
    }
}

#[test]
fn cytoscape_goldens_have_well_formed_elements() {
    for f in goldens_with(".cyjs") {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let doc: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.display()));
        let nodes = doc["elements"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let edges = doc["elements"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: Vec<&str> = nodes
            .iter()
            .filter_map(|n| n["data"]["id"].as_str())
            .collect();
        assert_eq!(ids.len(), nodes.len(), "{}: node without id", f.display());
        for e in &edges {
            for end in ["source", "target"] {
                let x = e["data"][end].as_str().unwrap_or("");
                assert!(
                    ids.contains(&x),
                    "{}: edge {end} {x} is not a node",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn csv_goldens_have_the_neo4j_admin_headers() {
    for f in goldens_with(".nodes.csv") {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(text.starts_with(":ID,:LABEL"), "{}: header", f.display());
    }
    for f in goldens_with(".relationships.csv") {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(
            text.starts_with(":START_ID,:END_ID,:TYPE"),
            "{}: header",
            f.display()
        );
        // Every row has as many fields as the header, quoting included.
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records() {
            assert!(rec.is_ok(), "{}: {rec:?}", f.display());
        }
    }
}

#[test]
fn csv_to_a_stream_is_refused_with_advice() {
    let g = news();
    let mut out = Vec::new();
    let e = export::export_graph(&g, "csv", &ExportOptions::default(), &mut out);
    assert!(
        e.as_ref().is_err_and(|e| e.to_string().contains("-o DIR")),
        "{e:?}"
    );
}

#[test]
fn csv_to_a_folder_writes_both_files() {
    let g = news();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("out");
    let r = export::export_subgraph_to_path(
        &g,
        &Subgraph::whole(&g),
        Format::Csv,
        &ExportOptions::default(),
        &path,
    );
    assert!(r.is_ok(), "{r:?}");
    let nodes = std::fs::read_to_string(path.join("nodes.csv")).unwrap_or_default();
    let rels = std::fs::read_to_string(path.join("relationships.csv")).unwrap_or_default();
    assert_eq!(nodes.lines().count(), g.node_count() + 1);
    assert_eq!(rels.lines().count(), g.rel_count() + 1);
}
