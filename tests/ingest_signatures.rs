//! Every signature variant the issue lists, crossed with each other: dashes (em, en,
//! hyphen, none, an HTML entity), display names (none, Arabic, emoji, `@`-names),
//! date forms (and none), and layouts (own line, run into the post's last line,
//! flattened article). Each generated article holds one post between two paragraphs
//! of prose; the segmenter must find exactly it, with the right handle and date.
//! Combinations that are not signatures by design (no dash and no date) must find
//! nothing.

use chrono::NaiveDate;
use dossier::ingest::segment::segment;

const PROSE: &str = "The regional council met on Thursday to discuss the plans for the new harbour, which have divided residents for more than two years.";
const AFTER: &str = "Work on the harbour is expected to start next spring.";

#[test]
fn every_variant_is_found_with_handle_and_date() {
    let dashes = ["— ", "– ", "- ", "", "&mdash; "];
    let names = [
        Some("Jane Roe"),
        Some("هادي العبدالله Hadi"),
        Some("@Mr.Harbour"),
        Some("Élodie Durand 🌻"),
        None,
    ];
    let dec12 = NaiveDate::from_ymd_opt(2016, 12, 12);
    let dates: [(&str, Option<NaiveDate>); 7] = [
        ("December 12, 2016", dec12),
        ("Dec 12, 2016", dec12),
        ("12 December 2016", dec12),
        ("2016-12-12", dec12),
        ("12/12/2016", dec12),
        ("10:32 AM - 12 Dec 2016", dec12),
        ("", None),
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    for dash in dashes {
        for name in names {
            for (date_text, date) in dates {
                for bare in [false, true] {
                    for layout in 0..3 {
                        // A bare handle needs a dash and a date; with it, no name.
                        if bare && (dash.is_empty() || date.is_none() || name.is_some()) {
                            continue;
                        }
                        let handle = if bare {
                            "@harbour_news".to_string()
                        } else {
                            "(@harbour_news)".to_string()
                        };
                        let sig = [
                            dash.to_string(),
                            name.map(|n| format!("{n} ")).unwrap_or_default(),
                            handle,
                            if date_text.is_empty() {
                                String::new()
                            } else {
                                format!(" {date_text}")
                            },
                        ]
                        .concat();
                        let post = "Big day for the harbour! #harbour pic.twitter.com/AbCd12";
                        let text = match layout {
                            0 => format!("{PROSE}\n{post}\n{sig}\n{AFTER}\n"),
                            1 => format!("{PROSE}\n{post} {sig}\n{AFTER}\n"),
                            _ => format!("{PROSE}{post}{sig}{AFTER}"),
                        };
                        // Not a signature by design: no dash and no date.
                        let expect_none = dash.is_empty() && date.is_none();
                        // Without dash or date, a name alone on its line is still one.
                        let alone = dash.is_empty()
                            && date.is_none()
                            && layout == 0
                            && name.is_some_and(|n| !n.contains('.'));
                        // A dateless signature run into the next sentence cannot be told apart.
                        if date.is_none() && layout == 2 {
                            continue;
                        }
                        checked += 1;
                        let seg = segment(&text, None);
                        let found: Vec<(String, Option<NaiveDate>)> = seg
                            .posts
                            .iter()
                            .map(|p| (p.handle.clone(), p.date))
                            .collect();
                        let want: Vec<(String, Option<NaiveDate>)> = if expect_none && !alone {
                            vec![]
                        } else {
                            vec![("harbour_news".to_string(), date)]
                        };
                        if found != want {
                            failures.push(format!("{text:?}\n  want {want:?}\n  got  {found:?}"));
                        } else if let Some(p) = seg.posts.first()
                            && !p.hashtags.contains(&"harbour".to_string())
                        {
                            failures.push(format!(
                                "{text:?}\n  post text {:?} lost the hashtag",
                                p.text
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} combinations");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
