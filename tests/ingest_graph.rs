//! The graph ingestion writes, checked through the library on an in-memory store:
//! the contract of `docs/model.md` on the sample article, idempotence, merging
//! across documents, and the same graph whatever the number of threads.

use std::path::{Path, PathBuf};

use dossier::graph::Graph;
use dossier::ingest::{self, Options};
use dossier::{Store, Value};
use petgraph::Direction;

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_860fc3546b822400.txt")
}

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ingest/golden")
}

fn ingest_into(store: &mut Store, paths: &[PathBuf], jobs: usize) -> ingest::Summary {
    let opts = Options {
        jobs: Some(jobs),
        // Small batches, so that several transactions are exercised.
        batch_docs: 3,
        ..Options::default()
    };
    match ingest::ingest(store, paths, &opts, &mut |_| {}) {
        Ok(s) => s,
        Err(e) => panic!("ingest failed: {e}"),
    }
}

/// Every node and relationship with labels and properties, in id order.
fn dump(g: &Graph) -> String {
    let mut out = String::new();
    for id in g.node_ids() {
        out += &format!("{:?} {:?} {:?}\n", id, g.node_labels(id), g.node_props(id));
    }
    for r in g.rel_ids() {
        out += &format!(
            "{:?} {:?} {:?} {:?}\n",
            r,
            g.rel_type(r),
            g.rel_ends(r),
            g.rel_props(r)
        );
    }
    out
}

fn prop(g: &Graph, id: dossier::NodeId, key: &str) -> String {
    match g.node_prop(id, key) {
        Some(Value::String(s)) => s.to_string(),
        Some(v) => format!("{v:?}"),
        None => String::new(),
    }
}

#[test]
fn sample_article_follows_the_contract() {
    let mut store = Store::in_memory();
    let s = ingest_into(&mut store, &[seed()], 2);
    assert_eq!((s.documents, s.posts), (1, 9), "{s}");
    assert!(s.failures.is_empty(), "{:?}", s.failures);
    let g = store.graph();
    assert_eq!(g.label_count("Document"), 1);
    assert_eq!(g.label_count("Post"), 9);
    assert_eq!(g.type_count("EMBEDS"), 9);
    assert_eq!(g.type_count("POSTED"), 9, "every post has its author");

    // "Lina shamy" is one author with two posts.
    let lina = g
        .index_lookup("Person", "handle", &Value::str("Linashamy"))
        .unwrap_or_default();
    assert_eq!(lina.len(), 1, "one node for @Linashamy");
    let posted = g.type_id("POSTED");
    assert_eq!(g.rels_of(lina[0], Direction::Outgoing, posted).count(), 2);
    assert_eq!(prop(g, lina[0], "name"), "Lina shamy");

    // The Arabic display name stays intact.
    let hadi = g
        .index_lookup("Person", "handle", &Value::str("HadiAlabdallah"))
        .unwrap_or_default();
    assert_eq!(hadi.len(), 1);
    assert_eq!(prop(g, hadi[0], "name"), "هادي العبدالله Hadi");

    // Dates and hashtags.
    let mut dates: Vec<String> = g
        .nodes_with_label("Post")
        .map(|p| prop(g, p, "date"))
        .collect();
    dates.sort();
    dates.dedup();
    assert_eq!(
        dates.len(),
        2,
        "posts are from 12 and 13 December 2016: {dates:?}"
    );
    let aleppo = g
        .index_lookup("Hashtag", "name", &Value::str("aleppo"))
        .unwrap_or_default();
    assert_eq!(aleppo.len(), 1, "hashtags are lower-cased and merged");
    let tagged = g.type_id("TAGGED");
    assert_eq!(g.rels_of(aleppo[0], Direction::Incoming, tagged).count(), 3);

    // Provenance: every account node lists the document.
    let doc_id = g
        .nodes_with_label("Document")
        .next()
        .map(|d| prop(g, d, "id"));
    for p in g.nodes_with_label("Person") {
        match g.node_prop(p, "documents") {
            Some(Value::List(items)) => assert!(
                items
                    .iter()
                    .any(|v| matches!(v, Value::String(s) if Some(s.to_string()) == doc_id)),
                "documents of {}",
                prop(g, p, "name")
            ),
            other => panic!("no documents list on a Person: {other:?}"),
        }
    }
}

#[test]
fn ingesting_again_changes_nothing() {
    let mut store = Store::in_memory();
    let paths = [golden(), seed()];
    let first = ingest_into(&mut store, &paths, 2);
    let before = dump(store.graph());
    let again = ingest_into(&mut store, &paths, 1);
    assert_eq!(again.documents, 0, "{again}");
    assert_eq!(again.unchanged, first.documents, "{again}");
    assert_eq!(
        dump(store.graph()),
        before,
        "the graph changed on re-ingest"
    );
}

#[test]
fn same_graph_whatever_the_jobs() {
    let paths = [golden(), seed()];
    let mut a = Store::in_memory();
    ingest_into(&mut a, &paths, 1);
    let mut b = Store::in_memory();
    ingest_into(&mut b, &paths, 2);
    assert_eq!(dump(a.graph()), dump(b.graph()));
}

#[test]
fn same_handle_is_one_node_across_documents() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let one = "Prose about the match that went on for quite a while, more than a hundred characters long, surely.\nWhat a game #derby\n— Club News (@clubnews) May 1, 2022\n";
    let two = "Another article entirely, with its own long opening paragraph about the season and the table.\nSeason over. Thanks all\n— Club News Official (@ClubNews) May 20, 2022\n";
    for (n, t) in [("1.txt", one), ("2.txt", two)] {
        if let Err(e) = std::fs::write(dir.path().join(n), t) {
            panic!("{e}");
        }
    }
    let mut store = Store::in_memory();
    let mut s = ingest_into(&mut store, &[dir.path().join("1.txt")], 1);
    let s2 = ingest_into(&mut store, &[dir.path().join("2.txt")], 1);
    s.documents += s2.documents;
    assert_eq!(s.documents, 2);
    let g = store.graph();
    // The account is a Person or an Organisation, as the extractor judges the name.
    let accounts: Vec<dossier::NodeId> = g
        .nodes_with_label("Person")
        .chain(g.nodes_with_label("Organisation"))
        .collect();
    assert_eq!(accounts.len(), 1, "handles match case-insensitively");
    let p = accounts[0];
    assert_eq!(prop(g, p, "name"), "Club News");
    assert_eq!(
        g.node_prop(p, "aliases"),
        Some(&Value::List(vec![Value::str("Club News Official")]))
    );
    match g.node_prop(p, "documents") {
        Some(Value::List(items)) => assert_eq!(items.len(), 2),
        other => panic!("documents: {other:?}"),
    }
    assert_eq!(g.type_count("POSTED"), 2);
}
