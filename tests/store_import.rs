//! Import: the bulk path (empty store) and the transaction path (a store with
//! data) must load the same graph; an import survives a reopen; a failed import
//! leaves nothing behind.

use dossier::graph::Graph;
use dossier::store::{self, OpenOptions, Store, import};

const GRAPH: &str = r#"{"nodes":[
 {"id":"p1","labels":["Person"],"properties":{"name":"Ann","born":{"$date":"1990-01-02"},"n":1,"x":1.0}},
 {"id":"p2","labels":["Person","Author"],"properties":{"name":"عمر","handle":"@omar"}},
 {"id":7,"labels":["Document"],"properties":{"title":"T \"quoted\" \\ back","published":"2016-12-12"}},
 {"id":"x1","labels":["Post"],"properties":{"date":"2016-12-13","text":"hi 👋","tags":["a","b"],"z":null,
   "d":{"$duration":"P1D"},"nan":{"$float":"NaN"}}}],
 "meta": {"ignored": [1, {"a": "]"}]},
 "relationships":[
 {"id":"r1","type":"POSTED","startNode":"p1","endNode":"x1","properties":{}},
 {"type":"MENTIONS","startNode":7,"endNode":"p2","properties":{"count":2}},
 {"id":"r3","type":"MENTIONS","startNode":"7","endNode":"p1"}]}"#;

/// The graph's content without store ids: nodes in id order, relationships by
/// the positions of their ends.
fn shape(g: &Graph, skip_first: usize) -> Vec<String> {
    let nodes: Vec<_> = g.node_ids().skip(skip_first).collect();
    let pos = |id| nodes.iter().position(|n| *n == id);
    let mut out: Vec<String> = nodes
        .iter()
        .map(|&n| format!("{:?} {:?}", g.node_labels(n), g.node_props(n)))
        .collect();
    for r in g.rel_ids() {
        if let Some((a, b)) = g.rel_ends(r)
            && let (Some(a), Some(b)) = (pos(a), pos(b))
        {
            out.push(format!("{a}-{:?}->{b} {:?}", g.rel_type(r), g.rel_props(r)));
        }
    }
    out
}

#[test]
fn bulk_and_transaction_imports_load_the_same_graph() {
    let mut bulk = Store::in_memory();
    let s = import(&mut bulk, GRAPH.as_bytes(), "g.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.nodes, s.relationships), (4, 3));
    let mut txn = Store::in_memory();
    txn.write(|t| t.create_node(&["Other"], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    let s = import(&mut txn, GRAPH.as_bytes(), "g.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.nodes, s.relationships), (4, 3));
    assert_eq!(shape(bulk.graph(), 0), shape(txn.graph(), 1));
    let g = bulk.graph();
    // Dates by property name, tagged values, order of properties, indexes.
    let d = g.nodes_with_label("Document").next();
    let v = d
        .and_then(|d| g.node_prop(d, "published"))
        .map(|v| v.type_name());
    assert_eq!(v, Some("DATE"));
    assert_eq!(
        g.index_lookup("Person", "handle", &dossier::Value::str("@omar"))
            .map(|v| v.len()),
        Some(1)
    );
    assert!(g.verify_indexes().is_empty());
}

#[test]
fn an_import_survives_reopening_and_a_failed_one_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let rw = OpenOptions { read_only: false };
    let mut s = Store::open(&dir, &rw).unwrap_or_else(|e| panic!("{e}"));
    import(&mut s, GRAPH.as_bytes(), "g.json").unwrap_or_else(|e| panic!("{e}"));
    let want = store::dump(s.graph());
    // A second, bad import (through the log: the store is not empty) changes nothing.
    let bad = GRAPH.replace("\"endNode\":\"p1\"", "\"endNode\":\"nobody\"");
    let e = import(&mut s, bad.as_bytes(), "bad.json")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("bad.json: relationship 3 (id \"r3\"): endNode \"nobody\" is not a node in the file")
    );
    // (Only the in-memory id counters moved: rolled-back ids are never handed out again.)
    let data = |d: String| d.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(data(store::dump(s.graph())), data(want.clone()));
    drop(s);
    let s = Store::open(&dir, &OpenOptions { read_only: true }).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store::dump(s.graph()), want);
    // A bad import into an empty store leaves it empty.
    let tmp2 = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut s = Store::open(&tmp2.path().join("db"), &rw).unwrap_or_else(|e| panic!("{e}"));
    assert!(import(&mut s, bad.as_bytes(), "bad.json").is_err());
    assert_eq!(s.graph().node_count(), 0);
    drop(s);
    let s = Store::open(&tmp2.path().join("db"), &rw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.graph().node_count(), 0);
}
