//! The organisation lists (`data/companies.txt`, `data/teams.tsv`, written by
//! `scripts/convert_data.py`) and how the extractor uses them: a name that is also a word, a
//! person's name or a place is never an organisation by itself; a listed company is found
//! where no rule would see it, with its legal form, at the start of a line, but not inside a
//! longer capitalised name; a club's short form names the club only in a sports report, and
//! not where the report puts it "in".

use std::sync::OnceLock;

use dossier::extract::{EntityKind, Extraction, Extractor, Input};

fn extractor() -> &'static Extractor {
    static X: OnceLock<Extractor> = OnceLock::new();
    X.get_or_init(Extractor::new)
}

fn extract(text: &str) -> Extraction {
    extractor().extract(&Input {
        text,
        date: None,
        accounts: &[],
        skip: &[],
    })
}

/// The kinds of the mentions whose text is exactly `name`.
fn kinds(out: &Extraction, name: &str) -> Vec<EntityKind> {
    out.mentions
        .iter()
        .filter(|m| m.text == name)
        .map(|m| m.kind)
        .collect()
}

fn data_lines(s: &str) -> Vec<&str> {
    s.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

const COMPANIES: &str = include_str!("../data/companies.txt");
const TEAMS: &str = include_str!("../data/teams.tsv");

#[test]
fn a_company_named_by_a_common_word_is_listed_only_by_its_full_name() {
    let names = data_lines(COMPANIES);
    for word in ["Apple", "Shell", "Next", "Target", "Visa", "Ford"] {
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case(word)),
            "{word} alone must not be in companies.txt"
        );
    }
    // The full names stay: they are unambiguous.
    for full in ["Apple Inc.", "Shell plc", "Next plc"] {
        assert!(names.contains(&full), "{full} must be in companies.txt");
    }
    // Legal forms are stripped where the short name is unambiguous.
    assert!(names.contains(&"Barclays"), "Barclays PLC -> Barclays");
    assert!(!names.iter().any(|n| n.eq_ignore_ascii_case("Barclays PLC")));
}

#[test]
fn a_common_word_company_is_not_an_organisation_in_plain_text() {
    let out = extract(
        "Shell casings lay on the road near the school. Next week the council will vote. \
         Target practice at the range was cancelled after the storm.",
    );
    for w in ["Shell", "Next", "Target"] {
        assert!(
            !kinds(&out, w).contains(&EntityKind::Organisation),
            "{w} must not be an organisation here: {:?}",
            out.mentions
        );
    }
}

#[test]
fn a_listed_company_is_found_with_its_legal_form_and_at_a_line_start() {
    let out = extract("Investors sold Barclays PLC and bought Diamondback Energy on the news.");
    assert_eq!(
        kinds(&out, "Barclays PLC"),
        vec![EntityKind::Organisation],
        "{:?}",
        out.mentions
    );
    assert_eq!(
        kinds(&out, "Diamondback Energy"),
        vec![EntityKind::Organisation],
        "{:?}",
        out.mentions
    );
    // Case does not matter: "Next plc" is listed ("Next" alone is a word).
    let out = extract("Retailers including Next Plc and Marks reported higher sales.");
    assert_eq!(
        kinds(&out, "Next Plc"),
        vec![EntityKind::Organisation],
        "{:?}",
        out.mentions
    );
    // A price table: one company a line, each line a sentence of its own.
    // (A name in capitals before a number is read as a dateline, "LONDON 2024-03-10": a
    // listed company the gazetteer does not know is no place.)
    let out =
        extract("Airbus 131.20 ( down 0.80 )\nNokia 3.94 ( up 0.02 )\nBMW 55.10 ( up 0.40 )\n");
    for w in ["Airbus", "Nokia", "BMW"] {
        assert_eq!(
            kinds(&out, w),
            vec![EntityKind::Organisation],
            "{w}: {:?}",
            out.mentions
        );
    }
}

#[test]
fn a_listed_name_inside_a_longer_name_or_owned_is_not_taken_alone() {
    let out =
        extract("he said his new phone ran the nokia launcher and my Airbus model kit broke.");
    assert!(
        !kinds(&out, "Airbus").contains(&EntityKind::Organisation),
        "an owned thing is a product: {:?}",
        out.mentions
    );
}

#[test]
fn club_short_forms_are_flagged_for_sports_reports_only() {
    let rows: Vec<Vec<&str>> = data_lines(TEAMS)
        .iter()
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(rows.iter().all(|r| r.len() == 4), "four columns");
    let scope = |form: &str| {
        rows.iter()
            .find(|r| r[0] == form)
            .map(|r| r[3])
            .unwrap_or("missing")
    };
    // A town, a word, a plural of a word: only in a sports report.
    assert_eq!(scope("Leeds"), "sports");
    assert_eq!(scope("Arsenal"), "sports");
    assert_eq!(scope("Wolves"), "sports");
    // A full name, or a short form that is nothing else: anywhere.
    assert_eq!(scope("Leeds United"), "any");
    assert_eq!(scope("Juventus"), "any");
    // A given name and a surname together are no person here.
    assert_eq!(scope("Aston Villa"), "any");
}

#[test]
fn a_club_short_form_is_a_club_in_a_sports_report_and_not_elsewhere() {
    let report = "SOCCER - ENGLISH LEAGUE REPORT\n\
        Wolves have signed a new goalkeeper on a two-year contract, the club said on Friday.\n\
        The match finished 2-1 and the striker scored twice in the second half of the league game.\n\
        The club's new training ground will be built in Leeds next year.\n";
    let out = extract(report);
    assert!(
        kinds(&out, "Wolves").contains(&EntityKind::Organisation),
        "Wolves in a sports report: {:?}",
        out.mentions
    );
    assert!(
        !kinds(&out, "Leeds").contains(&EntityKind::Organisation),
        "in Leeds is the town: {:?}",
        out.mentions
    );
    let plain = extract("Wolves have returned to the hills above the village, rangers said.");
    assert!(
        !kinds(&plain, "Wolves").contains(&EntityKind::Organisation),
        "wolves in plain text: {:?}",
        plain.mentions
    );
    let plain = extract("Wolves have signed a new goalkeeper, the newspaper said.");
    assert!(
        !kinds(&plain, "Wolves").contains(&EntityKind::Organisation),
        "no sports report, no club: {:?}",
        plain.mentions
    );
}

#[test]
fn a_full_club_name_is_an_organisation_anywhere() {
    let out =
        extract("The mayor met officials of Leeds United and Juventus to discuss stadium safety.");
    for w in ["Leeds United", "Juventus"] {
        assert_eq!(
            kinds(&out, w),
            vec![EntityKind::Organisation],
            "{w}: {:?}",
            out.mentions
        );
    }
}
