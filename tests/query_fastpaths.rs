//! Differential checks for the executor's fast paths: the compact adjacency and
//! label bitmaps of `graph/adj.rs`, and the counting expansion of `exec.rs`.
//! Every query must give the same rows (as a multiset) with them and without
//! them, on a fresh graph, after writes that leave nodes dirty, and after enough
//! writes that the adjacency is dropped and rebuilt.

use dossier::graph::{AdjMode, set_adj_mode};
use dossier::query::exec::{set_fast_paths, set_parallel_scan_min};
use dossier::query::{Params, QueryOptions, execute, query_graph};
use dossier::{Error, Graph, NodeId, Store, Value};

/// People who post, tag, know each other (with self-loops) and live in places.
fn build(n: usize) -> Store {
    let mut s = Store::in_memory();
    s.write(|t| fill(t, n))
        .unwrap_or_else(|e| panic!("build: {e}"));
    s
}

fn fill(t: &mut dossier::Txn, n: usize) -> dossier::Result<()> {
    let mut people = Vec::new();
    let mut posts = Vec::new();
    let tags: Vec<NodeId> = (0..5)
        .map(|i| {
            t.create_node(
                &["Hashtag"],
                vec![("name".into(), Value::str(&format!("h{i}")))],
            )
            .unwrap_or_else(|e| panic!("tag: {e}"))
        })
        .collect();
    for i in 0..n {
        let labels: &[&str] = if i % 9 == 0 {
            &["Person", "Admin"]
        } else {
            &["Person"]
        };
        let p = t
            .create_node(
                labels,
                vec![
                    ("name".into(), Value::str(&format!("p{}", i % 40))),
                    ("age".into(), Value::Int((i % 7) as i64)),
                ],
            )
            .unwrap_or_else(|e| panic!("person: {e}"));
        people.push(p);
        for k in 0..(i % 4) {
            let post = t
                .create_node(
                    if k == 2 {
                        &["Post", "Draft"]
                    } else {
                        &["Post"]
                    },
                    vec![("text".into(), Value::str(&format!("post {i} {k}")))],
                )
                .unwrap_or_else(|e| panic!("post: {e}"));
            posts.push(post);
            t.create_rel(p, post, "POSTED", vec![])
                .unwrap_or_else(|e| panic!("posted: {e}"));
            t.create_rel(post, tags[(i + k) % tags.len()], "TAGGED", vec![])
                .unwrap_or_else(|e| panic!("tagged: {e}"));
        }
    }
    for i in 0..n {
        let a = people[i];
        let b = people[(i * 7 + 3) % n];
        t.create_rel(a, b, "KNOWS", vec![("w".into(), Value::Int(i as i64 % 3))])
            .unwrap_or_else(|e| panic!("knows: {e}"));
        if i % 11 == 0 {
            t.create_rel(a, a, "KNOWS", vec![])
                .unwrap_or_else(|e| panic!("loop: {e}"));
        }
    }
    Ok(())
}

const QUERIES: &[&str] = &[
    "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC, p.name LIMIT 10",
    "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n",
    "MATCH (p:Person)-[r:POSTED]->(t:Post:Draft) RETURN p, count(r), count(*)",
    "MATCH (p:Person)-[:KNOWS]-(q) RETURN p.name, count(q)",
    "MATCH (p:Person)<-[:KNOWS]-(q:Admin) RETURN p.age, count(*)",
    "MATCH (p:Person)-[:KNOWS|POSTED]->(x) RETURN p.age, count(x)",
    "MATCH (p:Person)-->(x) RETURN count(*)",
    "MATCH (p:Person)-[]-(x:Person) RETURN p.name, count(DISTINCT x)",
    "MATCH (p:Person)-[r:KNOWS]->(q) RETURN p.name, count(r), sum(r.w)",
    "MATCH (p:Person)-[:KNOWS]->(q {age: 3}) RETURN count(q)",
    "MATCH (p:Person)-[:KNOWS]->(q) WHERE q.age = p.age RETURN count(*)",
    "MATCH (p:Person)-[:POSTED]->(:Post)-[:TAGGED]->(h:Hashtag) RETURN h.name, count(*) AS c ORDER BY c DESC, h.name",
    "MATCH (a:Person)-[:KNOWS*1..3]->(b:Admin) RETURN count(*)",
    "MATCH (a:Person {name: 'p3'})-[:KNOWS*..2]-(b) RETURN b.name, count(*)",
    "MATCH p = shortestPath((a:Person {name: 'p1'})-[*..6]-(b:Person {name: 'p30'})) RETURN length(p)",
    "MATCH (h:Hashtag)<-[:TAGGED]-(t)<-[:POSTED]-(p) RETURN h.name, p.name, t.text",
    "MATCH (p:Person) OPTIONAL MATCH (p)-[:POSTED]->(t) RETURN p.name, count(t)",
    "MATCH (p:Person) WHERE (p)-[:POSTED]->(:Draft) RETURN count(p)",
    "MATCH (t:Post) WHERE t.text CONTAINS '1' RETURN count(t)",
    "MATCH (p:Person) WHERE p.age > 2 RETURN p.name, count(*), count(p.age)",
    "MATCH (p:Person) RETURN p.age, count(*) AS n ORDER BY n DESC, p.age LIMIT 3",
    "MATCH (p:Person) RETURN p.age % 3 AS k, count(*) AS n ORDER BY n, k SKIP 1 LIMIT 1",
];

/// Runs every query with and without the fast paths and compares the row sets.
fn check_all(g: &Graph, when: &str) {
    for q in QUERIES {
        set_adj_mode(AdjMode::Never);
        set_fast_paths(false);
        let want = rows(g, q);
        set_adj_mode(AdjMode::Always);
        set_fast_paths(true);
        // Split every label scan that qualifies, however small.
        set_parallel_scan_min(2);
        // Twice: the first run may build the adjacency midway, the second uses it.
        let first = rows(g, q);
        let second = rows(g, q);
        set_adj_mode(AdjMode::Auto);
        assert_eq!(first, want, "{when}: {q} (first run with fast paths)");
        assert_eq!(second, want, "{when}: {q} (second run with fast paths)");
        assert!(
            !want.is_empty(),
            "{when}: {q} returned nothing, a weak check"
        );
    }
}

fn rows(g: &Graph, q: &str) -> Vec<String> {
    let r = query_graph(g, q, &Params::new(), &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut v: Vec<String> = r.rows.iter().map(|r| format!("{r:?}")).collect();
    v.sort();
    v
}

fn run(s: &mut Store, q: &str) {
    execute(s, q, &Params::new(), &QueryOptions::default()).unwrap_or_else(|e| panic!("{q}: {e}"));
}

#[test]
fn fast_paths_agree_before_and_after_writes() {
    let mut s = build(300);
    check_all(s.graph(), "fresh");
    // A few writes: the touched nodes become dirty and are read the slow way.
    run(
        &mut s,
        "MATCH (p:Person {name: 'p3'})-[r:POSTED]->() DELETE r",
    );
    run(
        &mut s,
        "MATCH (a:Person {name: 'p5'}), (b:Person {name: 'p6'}) CREATE (a)-[:KNOWS]->(b), (b)-[:POSTED]->(:Post:Draft {text: 'new'})",
    );
    run(&mut s, "MATCH (p:Person {name: 'p7'}) SET p:Admin");
    run(&mut s, "MATCH (p:Admin {name: 'p9'}) REMOVE p:Admin");
    run(&mut s, "MATCH (p:Person {name: 'p11'}) DETACH DELETE p");
    run(
        &mut s,
        "CREATE (:Person {name: 'p30'})-[:POSTED]->(:Post {text: 'late'})",
    );
    check_all(s.graph(), "after a few writes");
    // Many writes: more nodes dirty than the adjacency tolerates, so it is dropped
    // and built again on the next demand.
    run(
        &mut s,
        "MATCH (p:Person)-[r:KNOWS]->(q) WHERE p.age = 2 DELETE r",
    );
    run(
        &mut s,
        "MATCH (p:Person) WHERE p.age = 4 CREATE (p)-[:KNOWS]->(p)",
    );
    run(
        &mut s,
        "UNWIND range(1, 1200) AS i CREATE (:Person {name: 'n' + toString(i % 40), age: i % 7})-[:POSTED]->(:Post {text: 'bulk'})",
    );
    check_all(s.graph(), "after many writes");
}

/// A rolled-back transaction leaves the adjacency answering as before.
#[test]
fn fast_paths_agree_after_rollback() {
    let mut s = build(120);
    check_all(s.graph(), "fresh");
    let r = execute(
        &mut s,
        "MATCH (p:Person)-[r:POSTED]->(x) DELETE r CREATE (p)-[:KNOWS]->(x) WITH count(*) AS n RETURN n / 0",
        &Params::new(),
        &QueryOptions::default(),
    );
    assert!(
        matches!(r, Err(Error::Query(_))),
        "the write should fail: {r:?}"
    );
    check_all(s.graph(), "after rollback");
}
