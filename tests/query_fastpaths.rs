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

// ----- counting per node (`query/fastagg.rs`) -----

/// People (some sharing a name, some named by a number, one by an integral
/// float equal to another's integer) who post, like and know each other; some
/// posts lost their `Post` label, some people post nothing.
fn build_named(n: usize) -> Store {
    let mut s = Store::in_memory();
    s.write(|t| {
        let mut people = Vec::new();
        for i in 0..n {
            let name = match i % 17 {
                0 => Value::Int(7),
                1 => Value::Float(7.0),
                2 => Value::str("Zoë 😀"),
                // Names held by one person only.
                4 | 9 | 12 => Value::str(&format!("u{i}")),
                _ => Value::str(&format!("n{}", i % 45)),
            };
            let labels: &[&str] = if i % 5 == 0 {
                &["Person", "Admin"]
            } else {
                &["Person"]
            };
            let p = t.create_node(
                labels,
                vec![
                    ("name".into(), name),
                    ("age".into(), Value::Int((i % 6) as i64)),
                ],
            )?;
            people.push(p);
            // Every seventh person posts nothing.
            let posts = if i % 7 == 3 { 0 } else { i % 5 + (i % 11) / 3 };
            for k in 0..posts {
                let labels: &[&str] = match k % 4 {
                    1 => &["Post", "Draft"],
                    3 => &["Note"],
                    _ => &["Post"],
                };
                let post = t.create_node(
                    labels,
                    vec![("text".into(), Value::str(&format!("t{}", (i + k) % 9)))],
                )?;
                t.create_rel(
                    p,
                    post,
                    "POSTED",
                    vec![("w".into(), Value::Int(k as i64 % 2))],
                )?;
                if k % 2 == 0 {
                    t.create_rel(p, post, "LIKED", vec![])?;
                }
            }
        }
        for i in 0..n {
            let (a, b) = (people[i], people[(i * 5 + 2) % n]);
            t.create_rel(a, b, "KNOWS", vec![])?;
            if i % 13 == 0 {
                t.create_rel(a, a, "KNOWS", vec![])?;
            }
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("build_named: {e}"));
    s
}

/// Queries the counting-per-node operator answers, and whether EXPLAIN must show it.
const COUNT_PER_NODE: &[(&str, bool)] = &[
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC, p.name LIMIT 10",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC LIMIT 5",
        true,
    ),
    // Ties on the count, across the cut: the first group seen wins.
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC LIMIT 9",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n LIMIT 25",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY p.name LIMIT 7",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n, p.name SKIP 2 LIMIT 5",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC, p.name",
        true,
    ),
    (
        "MATCH (p:Person)-[r:POSTED]->(t) RETURN p.name AS name, count(r) AS a, count(*) AS b, count(p) AS c",
        true,
    ),
    (
        "MATCH (p:Person:Admin)-[:POSTED]->(t:Post:Draft) RETURN p.name, count(*)",
        true,
    ),
    (
        "MATCH (p:Person)<-[:KNOWS]-(q) RETURN p.name, count(q)",
        true,
    ),
    (
        "MATCH (p:Person)-[:KNOWS]-(q:Person) RETURN p.name, count(*) AS n ORDER BY n DESC, p.name LIMIT 3",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED|LIKED]->(t:Post) RETURN p.name, count(t)",
        true,
    ),
    ("MATCH (p:Person)-->(t) RETURN p.name, count(t)", true),
    (
        "MATCH (p:Person)-[:NOSUCHTYPE]->(t) RETURN p.name, count(t)",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) WHERE p.age > $min RETURN p.name, count(t) AS n ORDER BY n DESC, p.name LIMIT 4",
        true,
    ),
    (
        "MATCH (p:Person {age: $age})-[:POSTED]->(t:Post) RETURN p.name, count(*)",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post {text: $text}) RETURN p.name, count(*)",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p, count(t)",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN id(p) % 3 AS k, count(t)",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.age, count(t) AS n ORDER BY n DESC LIMIT 2",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN toLower(toString(p.name)) AS k, p.age, count(*) AS n ORDER BY n DESC, k, p.age LIMIT 5",
        true,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) WITH p.name AS name, count(t) AS n WHERE n > 2 RETURN name, n ORDER BY n, toString(name)",
        true,
    ),
    (
        "MATCH (x:Admin) WITH count(x) AS c MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, c, count(*)",
        true,
    ),
    // Planned, but fed two rows at run time: the original operators run.
    (
        "UNWIND [1, 2] AS x WITH DISTINCT x MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(*)",
        true,
    ),
    // Not this operator: what it cannot answer exactly.
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(DISTINCT t.text)",
        false,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t.text)",
        false,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) WHERE t.text <> 't1' RETURN p.name, count(*)",
        false,
    ),
    (
        "MATCH (p:Person)-[r:POSTED]->(t:Post) WHERE r.w = 1 RETURN p.name, count(*)",
        false,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, rand() < 2.0 AS r, count(*)",
        false,
    ),
    // Counted per far node.
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN t.text, count(*)",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:POSTED]->(t:Post) RETURN t.text, count(*) AS c ORDER BY c DESC, t.text LIMIT 5",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) WHERE b <> a RETURN b.name, count(*) AS c ORDER BY c DESC, b.name LIMIT 6",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) WHERE b <> a RETURN b.name, count(*) AS c ORDER BY c DESC LIMIT 6",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN b.name, count(b)",
        true,
    ),
    (
        "MATCH (a:Person {name: $name})-[:KNOWS]-(m)-[:KNOWS]-(b:Person) WHERE b <> a RETURN b.name, count(*) AS c ORDER BY c DESC, b.name LIMIT 5",
        true,
    ),
    ("MATCH (a:Person)-[:KNOWS]-(b) RETURN b, count(*)", true),
    (
        "MATCH (a:Person)-[r1:KNOWS]->(b)-[r2:KNOWS]->(c) RETURN c.name, count(r2)",
        true,
    ),
    (
        "UNWIND [1, 2] AS x MATCH (a:Person {name: $name})-[:KNOWS]->(b) RETURN b.name, count(*)",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN b.name, b.age, count(*) AS c ORDER BY c DESC, b.age LIMIT 4",
        true,
    ),
    (
        "MATCH (a:Person)-[:POSTED|LIKED]->(t) RETURN t.text, count(*) AS c ORDER BY c, t.text LIMIT 3",
        true,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN a.name, b.name, count(*)",
        false,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN b.name, count(a)",
        false,
    ),
    (
        "MATCH (a:Person)-[r:POSTED]->(t) WHERE r.w = 1 RETURN t.text, count(*)",
        false,
    ),
    (
        "MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN toLower(toString(b.name)) AS k, count(*)",
        false,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, sum(p.age)",
        false,
    ),
    (
        "MATCH (p:Person)-[:KNOWS*1..2]->(q) RETURN p.name, count(*)",
        false,
    ),
    (
        "MATCH (p:Person)-[:KNOWS]->(p) RETURN p.name, count(*)",
        false,
    ),
    (
        "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN count(*)",
        false,
    ),
];

fn count_params() -> Params {
    let mut p = Params::new();
    p.insert("min".into(), Value::Int(2));
    p.insert("age".into(), Value::Int(3));
    p.insert("text".into(), Value::str("t4"));
    p.insert("name".into(), Value::str("n4"));
    p
}

/// Rows in the order the query returns them.
fn ordered_rows(g: &Graph, q: &str) -> Vec<String> {
    let r = query_graph(g, q, &count_params(), &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    r.rows.iter().map(|r| format!("{r:?}")).collect()
}

fn plan_text(g: &Graph, q: &str) -> String {
    let r = query_graph(
        g,
        &format!("EXPLAIN {q}"),
        &count_params(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("EXPLAIN {q}: {e}"));
    r.plan.unwrap_or_default()
}

/// Every query gives the same rows in the same order with the operator (with
/// and without the adjacency) as without any fast path, and the operator is
/// planned exactly where it should be.
fn check_count_per_node(g: &Graph, when: &str) {
    for (q, planned) in COUNT_PER_NODE {
        set_fast_paths(false);
        assert!(
            !plan_text(g, q).contains("CountPerNode"),
            "{when}: {q}: planned with the fast paths off"
        );
        set_fast_paths(true);
        assert_eq!(
            plan_text(g, q).contains("CountPerNode"),
            *planned,
            "{when}: {q}: whether CountPerNode is planned"
        );
        // Without ORDER BY, rows come in the order groups were first met, which
        // follows the order relationships are read in: compare within a mode.
        for mode in [AdjMode::Never, AdjMode::Always] {
            set_adj_mode(mode);
            set_fast_paths(false);
            let want = ordered_rows(g, q);
            set_fast_paths(true);
            // Split every counting scan, however small.
            set_parallel_scan_min(2);
            let first = ordered_rows(g, q);
            let second = ordered_rows(g, q);
            assert_eq!(first, want, "{when}: {q} (fast paths, {mode:?}, first run)");
            assert_eq!(
                second, want,
                "{when}: {q} (fast paths, {mode:?}, second run)"
            );
        }
        set_adj_mode(AdjMode::Auto);
    }
}

#[test]
fn count_per_node_agrees_with_the_general_operators() {
    let mut s = build_named(400);
    check_count_per_node(s.graph(), "fresh");
    // Names change, relationships and labels come and go; one person loses
    // the name (the index no longer holds every person).
    for q in [
        "MATCH (p:Person) WHERE p.age = 2 SET p.name = 'n1'",
        "MATCH (p:Person {name: 'n4'})-[r:POSTED]->() DELETE r",
        "MATCH (t:Post:Draft) WITH t LIMIT 5 REMOVE t:Post",
        "MATCH (t:Note) WITH t LIMIT 5 SET t:Post",
        "MATCH (p:Person {name: 'n9'}) DETACH DELETE p",
        "MATCH (a:Person {name: 'n10'}), (b:Post) WITH a, b LIMIT 3 CREATE (a)-[:POSTED]->(b)",
        "CREATE (:Person {name: 'n2'})-[:POSTED]->(:Post {text: 'late'})",
    ] {
        run(&mut s, q);
    }
    check_count_per_node(s.graph(), "after writes");
    run(&mut s, "MATCH (p:Person {name: 'n3'}) REMOVE p.name");
    run(
        &mut s,
        "MATCH (p:Person {name: 'n5'}) SET p.name = 0.0 / 0.0",
    );
    check_count_per_node(s.graph(), "with unnamed people");
    // A failed write is rolled back: every name is indexed again.
    run(
        &mut s,
        "MATCH (p:Person) WHERE p.name IS NULL OR p.name <> p.name DETACH DELETE p",
    );
    let r = execute(
        &mut s,
        "MATCH (p:Person)-[r:POSTED]->(t) SET p.name = null DELETE r WITH count(*) AS n RETURN n / 0",
        &Params::new(),
        &QueryOptions::default(),
    );
    assert!(
        matches!(r, Err(Error::Query(_))),
        "the write should fail: {r:?}"
    );
    check_count_per_node(s.graph(), "after rollback");
}

/// What PROFILE answers for `q`: the plan it prints (with rows and times) and
/// the rows.
fn profile(g: &Graph, q: &str) -> (String, Vec<Vec<Value>>) {
    let r = query_graph(
        g,
        &format!("PROFILE {q}"),
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("PROFILE: {e}"));
    (r.plan.unwrap_or_default(), r.rows)
}

/// PROFILE reports the rows of the operators feeding a count per far node.
#[test]
fn count_per_far_node_profiles() {
    let s = build_named(100);
    let q = "MATCH (a:Person {name: 'n4'})-[:KNOWS]-(m)-[:KNOWS]-(b:Person) WHERE b <> a RETURN b.name, count(*) AS c ORDER BY c DESC, b.name LIMIT 3";
    let (plan, _) = profile(s.graph(), q);
    let lines: Vec<&str> = plan.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("CountPerNode"))
        .unwrap_or_else(|| panic!("no CountPerNode in\n{plan}"));
    assert!(
        lines[at].contains("over Expand (m)-[_:KNOWS]-(b:Person), Filter (b <> a)"),
        "what it counts: {plan}"
    );
    let seek = lines
        .iter()
        .find(|l| l.contains("NodeIndexSeek (a:Person"))
        .unwrap_or_else(|| panic!("no seek under the operator:\n{plan}"));
    let named = query_graph(
        s.graph(),
        "MATCH (a:Person {name: 'n4'}) RETURN count(*)",
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("count: {e}"));
    let n = match named.rows.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) if *n > 0 => *n,
        other => panic!("people named n4: {other:?}"),
    };
    assert!(
        seek.contains(&format!("[rows: {n}]")),
        "the seek's rows under PROFILE ({n} people named n4): {plan}"
    );
}

/// PROFILE runs the operator and reports its rows.
#[test]
fn count_per_node_profiles() {
    let s = build_named(100);
    let q = "MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t) AS n ORDER BY n DESC, p.name LIMIT 3";
    let (plan, rows) = profile(s.graph(), q);
    let line = plan
        .lines()
        .find(|l| l.contains("CountPerNode"))
        .unwrap_or_else(|| panic!("no CountPerNode in\n{plan}"));
    assert!(line.contains("[rows: 3"), "rows of the operator: {plan}");
    assert!(
        line.contains("NodeByLabelScan (p:Person), Expand (p)-[_:POSTED]->(t:Post)"),
        "what it counts: {plan}"
    );
    assert_eq!(rows.len(), 3, "PROFILE returns the rows too");
    assert_eq!(
        rows,
        query_graph(s.graph(), q, &Params::new(), &QueryOptions::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .rows,
        "PROFILE changes no answer"
    );
}
