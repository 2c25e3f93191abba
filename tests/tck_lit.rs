//! Unit tests for the TCK harness's value notation parser and comparator
//! (`tests/tck/lit.rs`); the harness itself (`tests/tck.rs`) runs without libtest.

#[path = "tck/lit.rs"]
mod lit;

use dossier::graph::{NodeId, RelId, Txn};
use dossier::value::Path;
use dossier::{Graph, Value};
use lit::{Lit, equal, from_value, multiset_eq, parse};

fn p(text: &str) -> Lit {
    match parse(text) {
        Ok(l) => l,
        Err(e) => panic!("{text:?} does not parse: {e}"),
    }
}

#[test]
fn scalars() {
    assert_eq!(p("null"), Lit::Null);
    assert_eq!(p(" true "), Lit::Bool(true));
    assert_eq!(p("-12"), Lit::Int(-12));
    assert_eq!(p("-9223372036854775808"), Lit::Int(i64::MIN));
    assert_eq!(p("1.0"), Lit::Float(1.0));
    assert_eq!(p("1e-3"), Lit::Float(0.001));
    assert_eq!(p(".5e1").to_string(), "5.0");
    assert!(matches!(p("NaN"), Lit::Float(f) if f.is_nan()));
    assert_eq!(p("-Infinity"), Lit::Float(f64::NEG_INFINITY));
    assert_eq!(p(r"'it\'s'"), Lit::Str("it's".into()));
    assert_eq!(p(r#""a\u00e9\\""#), Lit::Str("aé\\".into()));
    assert_eq!(p("'日本 👍'"), Lit::Str("日本 👍".into()));
}

#[test]
fn structures() {
    assert_eq!(
        p("[1, [], {a: 'x', `b c`: null}]"),
        Lit::List(vec![
            Lit::Int(1),
            Lit::List(vec![]),
            Lit::Map(vec![
                ("a".into(), Lit::Str("x".into())),
                ("b c".into(), Lit::Null)
            ]),
        ])
    );
    assert_eq!(
        p("(:A:B {name: 'x'})"),
        Lit::Node {
            labels: vec!["A".into(), "B".into()],
            props: vec![("name".into(), Lit::Str("x".into()))]
        }
    );
    assert_eq!(
        p("()"),
        Lit::Node {
            labels: vec![],
            props: vec![]
        }
    );
    assert_eq!(
        p("[:T {k: 1}]"),
        Lit::Rel {
            ty: "T".into(),
            props: vec![("k".into(), Lit::Int(1))]
        }
    );
    let path = p("<(:A)-[:T]->(:B)<-[:U]-()>");
    let Lit::Path { steps, .. } = &path else {
        panic!("not a path: {path:?}")
    };
    assert_eq!(steps.len(), 2);
    assert!(steps[0].0 && !steps[1].0);
    assert_eq!(path.to_string(), "<(:A)-[:T]->(:B)<-[:U]-()>");
}

#[test]
fn bad_cells_are_errors_not_panics() {
    for bad in [
        "",
        "[1,",
        "{a 1}",
        "'open",
        "(:A",
        "<(:A)-[:T]-(:B)>",
        "1 2",
        "-",
        "[:]",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn comparison_rules() {
    // Maps and labels ignore order; ints and floats differ; floats are approximate.
    assert!(equal(&p("{a: 1, b: 2}"), &p("{b: 2, a: 1}"), false));
    assert!(equal(
        &p("(:A:B {x: 1, y: 2})"),
        &p("(:B:A {y: 2, x: 1})"),
        false
    ));
    assert!(!equal(&p("(:A)"), &p("(:A:B)"), false));
    assert!(!equal(&p("1"), &p("1.0"), false));
    assert!(equal(
        &p("0.30000000000000004"),
        &p("0.3000000000000001"),
        false
    ));
    assert!(!equal(&p("0.3"), &p("0.31"), false));
    assert!(equal(&p("NaN"), &p("NaN"), false));
    // List order matters unless told otherwise, at any depth.
    assert!(!equal(&p("[1, 2]"), &p("[2, 1]"), false));
    assert!(equal(&p("[[1, 2], 3]"), &p("[3, [2, 1]]"), true));
    assert!(!equal(&p("[1, 1, 2]"), &p("[1, 2, 2]"), true));
    assert!(!equal(
        &p("<(:A)-[:T]->(:B)>"),
        &p("<(:A)<-[:T]-(:B)>"),
        false
    ));
    assert!(multiset_eq(&[1, 2, 2], &[2, 1, 2], |a, b| a == b));
    assert!(!multiset_eq(&[1, 2], &[1, 2, 2], |a, b| a == b));
}

#[test]
fn actual_values_read_from_the_graph() {
    let mut g = Graph::new();
    let (a, b, r) = {
        let mut t = Txn::new(&mut g);
        let a = t
            .create_node(&["A"], vec![("name".into(), Value::str("x"))])
            .unwrap_or(NodeId(99));
        let b = t.create_node(&["B"], vec![]).unwrap_or(NodeId(99));
        let r = t
            .create_rel(b, a, "T", vec![("k".into(), Value::Int(1))])
            .unwrap_or(RelId(99));
        t.commit();
        (a, b, r)
    };
    let path = Value::Path(Box::new(Path {
        nodes: vec![a, b],
        rels: vec![r],
    }));
    let l = from_value(&g, &path);
    assert!(
        equal(&p("<(:A {name: 'x'})<-[:T {k: 1}]-(:B)>"), &l, false),
        "got {l}"
    );
    let list = Value::List(vec![Value::Node(b), Value::Float(-0.0), Value::Null]);
    assert_eq!(from_value(&g, &list).to_string(), "[(:B), -0.0, null]");
    let date = Value::Date(chrono::NaiveDate::from_ymd_opt(2015, 7, 21).unwrap_or_default());
    assert!(equal(&p("'2015-07-21'"), &from_value(&g, &date), false));
}

#[test]
fn parameters_convert_to_values() {
    let v = lit::to_value(&p("{a: [1, 'x'], b: 2.5}"));
    assert_eq!(v.map(|v| v.to_string()), Ok("{a: [1, 'x'], b: 2.5}".into()));
    assert!(lit::to_value(&p("(:A)")).is_err());
}
