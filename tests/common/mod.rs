//! Helpers shared by the shell tests: a small graph with Unicode names, and golden
//! file comparison (`UPDATE_GOLDENFILES=1 cargo test` rewrites the expectations).

#![allow(dead_code)]

use std::path::Path;

use dossier::Value;
use dossier::store::Store;

/// A small news graph: people (Latin, Arabic, CJK and emoji names), an
/// organisation, places and two posts, with the relationships between them.
pub fn fixture() -> Store {
    let mut store = Store::in_memory();
    let built = store.write(|t| {
        let s = |x: &str| Value::str(x);
        let date = |y, m, d| match chrono::NaiveDate::from_ymd_opt(y, m, d) {
            Some(d) => Value::Date(d),
            None => Value::Null,
        };
        let lina = t.create_node(
            &["Person"],
            vec![
                ("name".into(), s("Lina shamy")),
                ("handle".into(), s("@Linashamy")),
            ],
        )?;
        let mo = t.create_node(&["Person"], vec![("name".into(), s("محمد الأحمد"))])?;
        let wang = t.create_node(&["Person"], vec![("name".into(), s("王小明"))])?;
        let zoe = t.create_node(&["Person"], vec![("name".into(), s("Zoë 🌹"))])?;
        let helmets =
            t.create_node(&["Organisation"], vec![("name".into(), s("White Helmets"))])?;
        let aleppo = t.create_node(
            &["Place"],
            vec![
                ("name".into(), s("Aleppo")),
                ("alias".into(), s("حلب")),
                ("kind".into(), s("city")),
            ],
        )?;
        let syria = t.create_node(
            &["Place"],
            vec![("name".into(), s("Syria")), ("kind".into(), s("country"))],
        )?;
        let p1 = t.create_node(
            &["Post"],
            vec![
                (
                    "text".into(),
                    s("East Aleppo tonight: no hospitals left.\nPlease share."),
                ),
                ("date".into(), date(2016, 12, 12)),
                ("likes".into(), Value::Int(1200)),
            ],
        )?;
        let p2 = t.create_node(
            &["Post"],
            vec![
                ("text".into(), s("الخوذ البيضاء في حلب")),
                ("date".into(), date(2016, 12, 13)),
                ("likes".into(), Value::Int(87)),
            ],
        )?;
        t.create_rel(lina, p1, "POSTED", vec![])?;
        t.create_rel(mo, p2, "POSTED", vec![])?;
        t.create_rel(
            p1,
            aleppo,
            "MENTIONS",
            vec![("offset".into(), Value::Int(5))],
        )?;
        t.create_rel(p2, helmets, "MENTIONS", vec![])?;
        t.create_rel(p2, aleppo, "MENTIONS", vec![])?;
        t.create_rel(aleppo, syria, "PART_OF", vec![])?;
        t.create_rel(wang, helmets, "MEMBER_OF", vec![])?;
        t.create_rel(zoe, lina, "KNOWS", vec![("since".into(), Value::Int(2015))])?;
        Ok(())
    });
    if let Err(e) = built {
        panic!("the fixture graph must build: {e}");
    }
    store
}

/// Compares `actual` with the golden file at `path` (relative to the crate), or
/// rewrites the file when `UPDATE_GOLDENFILES=1`.
#[track_caller]
pub fn check_golden(path: &Path, actual: &str) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_GOLDENFILES").is_some_and(|v| v == "1") {
        if let Some(dir) = full.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            panic!("cannot create {}: {e}", dir.display());
        }
        if let Err(e) = std::fs::write(&full, actual) {
            panic!("cannot write {}: {e}", full.display());
        }
        return;
    }
    let expected = match std::fs::read_to_string(&full) {
        Ok(s) => s,
        Err(e) => panic!(
            "cannot read golden file {} ({e}); run with UPDATE_GOLDENFILES=1 to create it",
            full.display()
        ),
    };
    if expected != actual {
        let mut diff = String::new();
        let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
        for i in 0..e.len().max(a.len()) {
            let (x, y) = (e.get(i).copied(), a.get(i).copied());
            if x != y {
                diff.push_str(&format!(
                    "line {}:\n  expected: {}\n  actual:   {}\n",
                    i + 1,
                    x.unwrap_or("<none>"),
                    y.unwrap_or("<none>")
                ));
            }
        }
        panic!(
            "{} differs from the golden file (UPDATE_GOLDENFILES=1 rewrites it after review):\n{diff}",
            path.display()
        );
    }
}
