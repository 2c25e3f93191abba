//! Bad and unusual input never panics the extractor, and every offset it reports slices the
//! input at character boundaries to the reported text (property tests over arbitrary text,
//! skip spans and accounts, including Arabic, emoji and combining marks).

use std::sync::OnceLock;

use dossier::extract::{Account, Extractor, Input};
use proptest::prelude::*;

fn extractor() -> &'static Extractor {
    static X: OnceLock<Extractor> = OnceLock::new();
    X.get_or_init(Extractor::new)
}

fn check(
    text: &str,
    skip: &[(usize, usize)],
    accounts: &[Account],
    date: Option<chrono::NaiveDate>,
) {
    let out = extractor().extract(&Input {
        text,
        date,
        accounts,
        skip,
    });
    let chars: Vec<char> = text.chars().collect();
    for m in &out.mentions {
        assert!(
            m.start < m.end && m.end <= chars.len(),
            "mention {m:?} out of range"
        );
        let s: String = chars[m.start..m.end].iter().collect();
        assert_eq!(s, m.text);
        assert!(m.entity < out.entities.len());
    }
    for e in &out.entities {
        assert!(e.part_of.iter().all(|&p| p < out.entities.len()));
    }
    for ev in &out.events {
        assert!(ev.start <= ev.end && ev.end <= chars.len());
        assert!(ev.places.iter().all(|&p| p < out.entities.len()));
        assert!(ev.involved.iter().all(|(p, _)| *p < out.entities.len()));
    }
    for a in accounts {
        assert!(
            out.entities
                .iter()
                .any(|e| e.handle.as_deref() == Some(a.handle.trim_start_matches('@'))),
            "account @{} must come back",
            a.handle
        );
    }
}

const PIECES: &[&str] = &[
    "Aleppo",
    "Syrian",
    "government",
    "UN",
    "'s",
    "eastern",
    "E.",
    "killed",
    "82",
    "civilians",
    "\n",
    " ",
    ",",
    ".",
    "also known as",
    "the",
    "Mr.",
    "Bilal",
    "Abdul",
    "Kareem",
    "#Aleppo",
    "@x_y",
    "هادي",
    "العبدالله",
    "😀",
    "👍🏽",
    "e\u{301}",
    "December",
    "13",
    "2016",
    "-",
    "(",
    ")",
    "Monday",
    "yesterday",
    "—",
    "https://t.co/x",
    "’s",
    "President",
    "of",
    "Ministry",
    "Inc.",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        check(&s, &[], &[], None);
    }

    #[test]
    fn word_salad_with_spans_and_accounts(
        parts in proptest::collection::vec(0..PIECES.len(), 0..80),
        spans in proptest::collection::vec((0usize..400, 0usize..400), 0..4),
        handles in proptest::collection::vec((0usize..400, 0usize..400, any::<bool>()), 0..3),
    ) {
        let mut text = String::new();
        for (k, p) in parts.iter().enumerate() {
            if k > 0 && k % 3 == 0 {
                text.push(' ');
            }
            text.push_str(PIECES[*p]);
        }
        let accounts: Vec<Account> = handles
            .iter()
            .enumerate()
            .map(|(k, &(a, b, named))| Account {
                display_name: named.then(|| format!("The Name {k}")),
                handle: format!("h{k}"),
                start: a,
                end: b,
            })
            .collect();
        check(&text, &spans, &accounts, chrono::NaiveDate::from_ymd_opt(1, 1, 1));
    }
}
