//! Full-text search through the query language: `CALL db.search(labels, words)`
//! ranks by BM25 and stays in step with every write made by queries, including a
//! query that fails half-way and is rolled back.

use dossier::query::{self, Params, QueryOptions};
use dossier::{Store, Value};

fn run(store: &mut Store, q: &str) -> Vec<Vec<Value>> {
    match query::execute(store, q, &Params::new(), &QueryOptions::default()) {
        Ok(r) => r.rows,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// The `id` properties of the hits, best first.
fn search(store: &mut Store, labels: &str, words: &str) -> Vec<i64> {
    let q = format!(
        "CALL db.search('{labels}', '{words}') YIELD node, score RETURN node.id AS id, score"
    );
    let rows = run(store, &q);
    let mut last = f64::INFINITY;
    rows.iter()
        .map(|r| {
            let Some(Value::Float(score)) = r.get(1) else {
                panic!("score is not a float: {r:?}")
            };
            assert!(*score <= last, "results are not best first: {rows:?}");
            last = *score;
            match r.first() {
                Some(Value::Int(i)) => *i,
                other => panic!("id is not an integer: {other:?}"),
            }
        })
        .collect()
}

fn store() -> Store {
    let mut s = Store::in_memory();
    run(
        &mut s,
        "CREATE (:Post {id: 1, text: 'Bunker busters hit the bunker near the river'}),
                (:Post {id: 2, text: 'The river flooded the town'}),
                (:Person {id: 3, name: 'Zoë Bunker', bio: 'Writes about rivers'}),
                (:Place {id: 4, name: 'Bunker Hill'})",
    );
    s
}

#[test]
fn ranks_and_filters_by_label() {
    let mut s = store();
    assert_eq!(search(&mut s, "Post", "bunker busters"), vec![1]);
    assert_eq!(search(&mut s, "Post|Person", "bunker"), vec![1, 3]);
    // BM25 normalises by length: the two-word place name outranks the long post.
    assert_eq!(search(&mut s, "", "bunker"), vec![4, 1, 3]);
    // Diacritics and case fold: `zoe` finds `Zoë`.
    assert_eq!(search(&mut s, "Person", "ZOE"), vec![3]);
    assert!(search(&mut s, "", "absent words").is_empty());
}

#[test]
fn follows_set_remove_delete_and_labels() {
    let mut s = store();
    assert_eq!(search(&mut s, "Post", "river"), vec![2, 1]);
    run(&mut s, "MATCH (p:Post {id: 2}) SET p.text = 'quiet day'");
    assert_eq!(search(&mut s, "Post", "river"), vec![1]);
    assert_eq!(search(&mut s, "Post", "quiet"), vec![2]);
    run(&mut s, "MATCH (p:Post {id: 1}) REMOVE p.text");
    assert!(search(&mut s, "Post", "river").is_empty());
    run(&mut s, "MATCH (p:Person {id: 3}) SET p:Post");
    assert_eq!(search(&mut s, "Post", "bunker"), vec![3]);
    run(&mut s, "MATCH (p:Person {id: 3}) DETACH DELETE p");
    assert!(search(&mut s, "Post", "bunker").is_empty());
    run(&mut s, "CREATE (:Post {id: 5, text: 'a new river post'})");
    assert_eq!(search(&mut s, "Post", "river"), vec![5]);
}

#[test]
fn a_failed_query_leaves_the_index_as_it_was() {
    let mut s = store();
    assert_eq!(search(&mut s, "Post", "bunker"), vec![1]);
    // The SET happens, then the division by zero fails the query: all of it is undone.
    let r = query::execute(
        &mut s,
        "MATCH (p:Post {id: 1}) SET p.text = 'nothing here' WITH p RETURN 1 / 0",
        &Params::new(),
        &QueryOptions::default(),
    );
    assert!(r.is_err(), "the query should fail");
    assert_eq!(search(&mut s, "Post", "bunker"), vec![1]);
    assert!(search(&mut s, "Post", "nothing").is_empty());
}
