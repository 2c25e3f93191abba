//! Properties of the query engine that hold for every input:
//! - no input makes the parser, planner or executor panic (random bytes, random
//!   well-formed queries);
//! - printing a parsed query and parsing it again gives the same tree;
//! - the planner's index seek and a plain label scan give the same answers;
//! - a cancelled query stops, even an unbounded variable-length one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dossier::error::QueryErrorKind;
use dossier::query::{Params, QueryOptions, execute, parser, query_graph};
use dossier::{Error, Graph, Store, Txn, Value};
use proptest::prelude::*;

/// A small graph: people who know each other and post.
fn build(g: &mut Graph) {
    let mut t = Txn::new(g);
    let mut people = Vec::new();
    for i in 0..12i64 {
        let id = t
            .create_node(
                &["Person"],
                vec![
                    ("name".into(), Value::str(&format!("p{}", i % 7))),
                    ("age".into(), Value::Int(20 + i)),
                ],
            )
            .unwrap_or_else(|e| panic!("create: {e}"));
        people.push(id);
    }
    for i in 0..people.len() {
        let a = people[i];
        let b = people[(i * 5 + 3) % people.len()];
        t.create_rel(a, b, "KNOWS", vec![("w".into(), Value::Int(i as i64 % 3))])
            .unwrap_or_else(|e| panic!("rel: {e}"));
        let p = t
            .create_node(
                &["Post"],
                vec![("text".into(), Value::str(&format!("post {i}")))],
            )
            .unwrap_or_else(|e| panic!("post: {e}"));
        t.create_rel(a, p, "POSTED", vec![])
            .unwrap_or_else(|e| panic!("rel: {e}"));
    }
    t.commit();
}

fn store() -> Store {
    let mut s = Store::in_memory();
    let text = "UNWIND range(0, 9) AS i CREATE (a:Person {name: 'p' + toString(i % 4), age: i})-[:KNOWS {w: i}]->(b:Post {text: 'post ' + toString(i)})";
    execute(&mut s, text, &Params::new(), &QueryOptions::default())
        .unwrap_or_else(|e| panic!("setup: {e}"));
    s
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("a.name".to_string()),
        Just("b.age".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        (-5i64..5).prop_map(|i| i.to_string()),
        Just("1.5".to_string()),
        Just("'x'".to_string()),
        Just("[1, 2, null]".to_string()),
        Just("{k: 1}".to_string()),
        Just("$p".to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec![
                    "+",
                    "-",
                    "*",
                    "/",
                    "%",
                    "^",
                    "=",
                    "<>",
                    "<",
                    ">=",
                    "AND",
                    "OR",
                    "XOR",
                    "IN",
                    "STARTS WITH",
                    "CONTAINS",
                    "=~",
                ])
            )
                .prop_map(|(x, y, op)| format!("({x} {op} {y})")),
            inner.clone().prop_map(|x| format!("NOT {x}")),
            inner.clone().prop_map(|x| format!("-{x}")),
            inner.clone().prop_map(|x| format!("{x} IS NULL")),
            inner.clone().prop_map(|x| format!("[{x}, 1][0]")),
            inner
                .clone()
                .prop_map(|x| format!("[y IN [1, 2] WHERE y > 0 | {x}]")),
            inner
                .clone()
                .prop_map(|x| format!("CASE WHEN {x} THEN 1 ELSE 2 END")),
            inner.clone().prop_map(|x| format!("size([{x}])")),
            inner.clone().prop_map(|x| format!("coalesce({x}, 0)")),
            (inner.clone(), inner).prop_map(|(x, y)| format!("any(z IN [{x}] WHERE z = {y})")),
        ]
    })
}

fn query() -> impl Strategy<Value = String> {
    let pattern = prop::sample::select(vec![
        "(a:Person)-[r:KNOWS]->(b)",
        "(a)-[r*1..2]-(b)",
        "(a:Person {name: 'p1'})-->(b)",
        "(a), (b:Post)",
        "(a)<-[r]-(b)",
        "p = (a)-[*0..2]->(b)",
    ]);
    (pattern, expr(), expr(), expr(), 0usize..6).prop_map(|(pat, w, x, y, shape)| match shape {
        0 => format!("MATCH {pat} WHERE {w} RETURN {x} AS x, {y} AS y"),
        1 => format!("MATCH {pat} RETURN {x} AS k, count(*) AS c ORDER BY k LIMIT 3"),
        2 => format!("MATCH {pat} WITH a, b WHERE {w} RETURN DISTINCT {x} AS x ORDER BY x SKIP 1"),
        3 => format!("OPTIONAL MATCH {pat} RETURN collect({x}) AS xs, {y} AS y"),
        4 => format!("MATCH {pat} SET a.v = {x} RETURN a.v"),
        _ => format!("UNWIND [{x}, {y}] AS a WITH a AS b RETURN b UNION RETURN {w} AS b"),
    })
}

fn params() -> Params {
    let mut p = Params::new();
    p.insert("p".into(), Value::Int(1));
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes).to_string();
        let mut s = Store::in_memory();
        let _ = execute(&mut s, &text, &params(), &QueryOptions::default());
    }

    #[test]
    fn random_text_from_query_tokens_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "MATCH", "(", ")", "[", "]", "{", "}", "-", "->", "<-", ":", "a", "b", "Person", "RETURN",
        "WHERE", "WITH", "*", "..", "1", "'s'", ",", "=", "AS", "ORDER BY", "LIMIT", "CREATE",
        "DELETE", "UNWIND", "count", "$p", "|", "CASE", "WHEN", "END", ".", "null", "OPTIONAL",
    ]), 0..30)) {
        let text = tokens.join(" ");
        let mut s = store();
        let _ = execute(&mut s, &text, &params(), &QueryOptions::default());
    }

    #[test]
    fn random_well_formed_queries_never_panic(q in query()) {
        let mut s = store();
        let opts = QueryOptions { max_rows: Some(10_000), ..Default::default() };
        let r = execute(&mut s, &q, &params(), &opts);
        // Syntax must always be fine for generated queries.
        if let Err(Error::Query(e)) = &r {
            prop_assert!(e.code.as_deref() != Some("UnexpectedSyntax"), "{q}: {e}");
            // Every error, compile-time or run-time, points into the query (only
            // resource limits such as max_rows concern no expression).
            prop_assert!(
                e.kind == QueryErrorKind::Runtime || (e.span.is_some() && e.source.is_some()),
                "{q}: an error without a position: {e}"
            );
        }
    }

    #[test]
    fn printing_and_parsing_again_gives_the_same_tree(q in query()) {
        let a = parser::parse(&q).map_err(|e| TestCaseError::fail(format!("{q}: {e}")))?;
        let printed = a.to_string();
        let b = parser::parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(printed, b.to_string());
    }
}

/// The same queries on a graph with the default indexes (index seeks) and on one
/// without any index (label scans) give the same rows.
#[test]
fn index_seek_and_label_scan_agree() {
    let mut with = Graph::new();
    let mut without = Graph::empty();
    build(&mut with);
    build(&mut without);
    assert!(with.has_index("Person", "name") && !without.has_index("Person", "name"));
    let queries = [
        "MATCH (p:Person {name: 'p3'}) RETURN p.age ORDER BY p.age",
        "MATCH (p:Person) WHERE p.name = 'p2' RETURN p.age ORDER BY p.age",
        "MATCH (p:Person {name: 'p1'})-[:KNOWS]->(q) RETURN q.name, q.age ORDER BY q.age",
        "MATCH (a:Person {name: 'p0'}), (b:Person {name: 'p5'}) MATCH p = shortestPath((a)-[*..6]-(b)) RETURN length(p) ORDER BY length(p)",
        "MATCH (p:Person {name: 'p4'})-[:POSTED]->(t) RETURN count(t)",
        "MATCH (p:Person) WHERE p.name = 'nobody' RETURN count(p)",
    ];
    for q in queries {
        let a = query_graph(&with, q, &Params::new(), &QueryOptions::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        let b = query_graph(&without, q, &Params::new(), &QueryOptions::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(a.rows, b.rows, "{q}");
    }
    let mut s = Store::in_memory();
    let r = execute(
        &mut s,
        "EXPLAIN MATCH (p:Person {name: 'x'}) RETURN p",
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("explain: {e}"));
    assert!(r.plan.unwrap_or_default().contains("NodeIndexSeek"));
}

/// An unbounded variable-length query over a dense graph stops soon after the
/// cancel flag is raised. (The bound is generous: this checks that cancellation is
/// honoured inside the expansion, not how fast the machine is.)
#[test]
fn unbounded_variable_length_query_can_be_cancelled() {
    let mut s = Store::in_memory();
    execute(
        &mut s,
        "UNWIND range(0, 199) AS i CREATE (:N {i: i})",
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("setup: {e}"));
    execute(
        &mut s,
        "MATCH (a:N), (b:N) WHERE b.i = (a.i * 7 + 1) % 200 OR b.i = (a.i + 1) % 200 CREATE (a)-[:R]->(b)",
        &Params::new(),
        &QueryOptions::default(),
    )
    .unwrap_or_else(|e| panic!("setup: {e}"));
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        flag.store(true, Ordering::Relaxed);
        Instant::now()
    });
    let opts = QueryOptions {
        cancel: Some(cancel),
        ..Default::default()
    };
    let r = execute(
        &mut s,
        "MATCH p = (a)-[*]-(b) RETURN count(p)",
        &Params::new(),
        &opts,
    );
    let ended = Instant::now();
    let raised = stopper.join().unwrap_or_else(|_| Instant::now());
    assert!(
        matches!(r, Err(Error::Cancelled(_))),
        "expected a cancellation, got {r:?}"
    );
    let lag = ended.saturating_duration_since(raised);
    assert!(
        lag < Duration::from_secs(2),
        "stopped {lag:?} after the flag was raised"
    );
}

/// Rows that flow straight into the final count (nested UNWINDs: the inner loop
/// never starts another operator) still notice the deadline. Each query runs on a
/// thread and the test fails if no answer comes within a generous bound (a
/// behaviour check, not a timing one). The second query has fewer outer rows than
/// the executor's check interval, so only a check on the streamed rows themselves
/// can stop it before it has counted 200 million rows.
#[test]
fn deadline_stops_rows_streaming_into_the_final_count() {
    for q in [
        "UNWIND range(1,100000) AS x UNWIND range(1,100000) AS y RETURN count(*)",
        "UNWIND range(1,200) AS x UNWIND range(1,1000000) AS y RETURN count(*)",
    ] {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut s = Store::in_memory();
            let opts = QueryOptions {
                deadline: Some(Instant::now() + Duration::from_millis(200)),
                ..Default::default()
            };
            let r = execute(&mut s, q, &Params::new(), &opts);
            let _ = tx.send(r.map(|r| r.rows));
        });
        let r = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{q}: ignored its 200 ms deadline for 30 s"));
        assert!(
            matches!(r, Err(Error::Cancelled(_))),
            "{q}: expected a cancellation, got {r:?}"
        );
    }
}

/// A deadline cancels too, and max_rows refuses an oversized result.
#[test]
fn deadline_and_max_rows() {
    let mut s = Store::in_memory();
    let opts = QueryOptions {
        deadline: Some(Instant::now()),
        ..Default::default()
    };
    let r = execute(
        &mut s,
        "UNWIND range(1, 100000) AS x RETURN x",
        &Params::new(),
        &opts,
    );
    assert!(matches!(r, Err(Error::Cancelled(_))), "{r:?}");
    let opts = QueryOptions {
        max_rows: Some(10),
        ..Default::default()
    };
    let r = execute(
        &mut s,
        "UNWIND range(1, 11) AS x RETURN x",
        &Params::new(),
        &opts,
    );
    assert!(r.is_err(), "11 rows with max_rows 10 must fail");
    let r = execute(
        &mut s,
        "UNWIND range(1, 10) AS x RETURN x",
        &Params::new(),
        &opts,
    );
    assert_eq!(r.map(|r| r.rows.len()).ok(), Some(10));
}

/// A query that fails half-way writes nothing.
#[test]
fn writes_are_all_or_nothing() {
    let mut s = Store::in_memory();
    let r = execute(
        &mut s,
        "UNWIND [1, 2, 0] AS x CREATE (:N {v: 10 / x})",
        &Params::new(),
        &QueryOptions::default(),
    );
    assert!(r.is_err());
    assert_eq!(
        s.graph().node_count(),
        0,
        "the failed query left nodes behind"
    );
}

/// Deep or long input gets an answer or an error, never a stack overflow: nested
/// brackets up to the limit, long operator chains, runs of prefix operators.
#[test]
fn deep_and_long_queries_do_not_overflow_the_stack() {
    let cases = [
        (
            format!("RETURN {}1{}", "[".repeat(99), "]".repeat(99)),
            true,
        ),
        (
            format!("RETURN {}1{}", "(".repeat(99), ")".repeat(99)),
            true,
        ),
        (format!("RETURN 1{}", " + 1".repeat(990)), true),
        (format!("RETURN 1{}", " < 2".repeat(990)), true),
        (
            format!("WITH 1 AS a RETURN a{} AS x, count(*)", " + a".repeat(900)),
            true,
        ),
        (format!("RETURN [{}1]", "1, ".repeat(20000)), true),
        (
            format!("RETURN {}1{}", "[".repeat(5000), "]".repeat(5000)),
            false,
        ),
        (format!("RETURN {}true", "NOT ".repeat(20000)), false),
        (format!("RETURN {}1", "- ".repeat(20000)), false),
        (format!("RETURN 1{}", " + 1".repeat(20000)), false),
        (format!("RETURN {{a: 1}}{}", ".a".repeat(20000)), false),
    ];
    for (q, ok) in cases {
        let mut s = Store::in_memory();
        let r = execute(&mut s, &q, &Params::new(), &QueryOptions::default());
        assert_eq!(
            r.is_ok(),
            ok,
            "{}…: {:?}",
            &q[..40],
            r.err().map(|e| e.to_string())
        );
    }
}
