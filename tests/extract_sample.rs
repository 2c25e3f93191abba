//! The acceptance checks on the sample article (seeds/), plus resolution behaviours on
//! small texts of our own. The extractor holds no string of the sample: these pass by rules
//! and data.

#[path = "extract/common.rs"]
mod common;

use dossier::extract::{EntityKind, Extraction, Extractor, Input};

fn run(x: &Extractor, text: &str) -> Extraction {
    let (accounts, skip) = common::signatures(text);
    x.extract(&Input {
        text,
        date: chrono::NaiveDate::from_ymd_opt(2016, 12, 13),
        accounts: &accounts,
        skip: &skip,
    })
}

fn find(x: &Extraction, kind: EntityKind, form: &str) -> Option<usize> {
    x.entities
        .iter()
        .position(|e| e.kind == kind && (e.name == form || e.aliases.iter().any(|a| a == form)))
}

#[test]
fn sample_article_acceptance() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/000_860fc3546b822400.txt"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert!(!text.is_empty(), "sample article missing");
    let ex = Extractor::new();
    let x = run(&ex, &text);
    let org = EntityKind::Organisation;
    let place = EntityKind::Place;
    // The civil defense, the White Helmets and @SyriaCivilDef are one organisation.
    let wh = find(&x, org, "White Helmets");
    assert!(wh.is_some(), "White Helmets: {:#?}", x.entities);
    assert_eq!(find(&x, org, "Syrian civil defense"), wh);
    let whi = wh.unwrap_or(0);
    assert_eq!(x.entities[whi].handle.as_deref(), Some("SyriaCivilDef"));
    // eastern Aleppo PART_OF Aleppo PART_OF Syria.
    let east = find(&x, place, "eastern Aleppo").expect("eastern Aleppo");
    let aleppo = find(&x, place, "Aleppo").expect("Aleppo");
    let syria = find(&x, place, "Syria").expect("Syria");
    assert!(x.entities[east].part_of.contains(&aleppo));
    assert!(x.entities[aleppo].part_of.contains(&syria));
    assert_eq!(
        find(&x, place, "E. Aleppo"),
        Some(east),
        "abbreviation resolved"
    );
    // Syria and the Syrian civil defense never merge.
    assert_ne!(Some(syria), wh);
    // 82 civilians shot: an event with count 82 in (eastern) Aleppo.
    let shot = x
        .events
        .iter()
        .find(|e| e.count == Some(82))
        .expect("an event with count 82");
    assert!(shot.places.contains(&aleppo) || shot.places.contains(&east));
    // The government offensive involves the Syrian government.
    let gov = find(&x, org, "Syrian government").expect("Syrian government");
    assert!(
        x.events
            .iter()
            .any(|e| e.kind == "offensive" && e.involved.iter().any(|(i, _)| *i == gov)),
        "offensive with the Syrian government: {:#?}",
        x.events
    );
    // No entities for sentence-initial capitals.
    for w in ["Residents", "Amid", "Meanwhile", "Across", "Perhaps"] {
        assert!(
            !x.entities.iter().any(|e| e.name == w),
            "{w} is not an entity"
        );
    }
    // Every account came back with its handle.
    let (accounts, _) = common::signatures(&text);
    for a in &accounts {
        assert!(
            x.entities
                .iter()
                .any(|e| e.handle.as_deref() == Some(a.handle.as_str())),
            "@{}",
            a.handle
        );
    }
}

#[test]
fn aliases_acronyms_surnames_and_possessives_resolve() {
    let ex = Extractor::new();
    let x = run(
        &ex,
        "The World Health Organization (WHO) warned on Tuesday. Officials at the WHO said \
         Maria Van Kerkhove would travel to Geneva. Van Kerkhove said Geneva's hospitals were full. \
         Kerkhove later left.",
    );
    let who = find(&x, EntityKind::Organisation, "World Health Organization");
    assert!(who.is_some(), "{:#?}", x.entities);
    assert_eq!(find(&x, EntityKind::Organisation, "WHO"), who);
    let geneva: Vec<_> = x.mentions.iter().filter(|m| m.text == "Geneva").collect();
    assert_eq!(
        geneva.len(),
        2,
        "possessive Geneva's is a mention of Geneva"
    );
    assert_eq!(geneva[0].entity, geneva[1].entity);
}

#[test]
fn different_entities_sharing_a_word_stay_apart() {
    let ex = Extractor::new();
    let x = run(
        &ex,
        "The Syrian civil defense rescued families in Syria. The Syrian army said Syria was calm.",
    );
    let syria = find(&x, EntityKind::Place, "Syria");
    let defense = find(&x, EntityKind::Organisation, "Syrian civil defense");
    assert!(syria.is_some() && defense.is_some(), "{:#?}", x.entities);
    assert_ne!(syria, defense);
}

#[test]
fn same_entity_in_two_documents_has_one_key() {
    let ex = Extractor::new();
    let a = run(&ex, "Protesters gathered in Bogotá on Friday.");
    let b = run(
        &ex,
        "Police in BOGOTA said the march was peaceful. Officials in Bogota agreed.",
    );
    let ka: Vec<String> = a.entities.iter().map(|e| e.key()).collect();
    let kb: Vec<String> = b.entities.iter().map(|e| e.key()).collect();
    assert!(
        ka.iter().any(|k| kb.contains(k)),
        "a shared key: {ka:?} / {kb:?}"
    );
}

#[test]
fn arabic_emoji_and_combining_marks_do_not_break_offsets() {
    let ex = Extractor::new();
    let text = "😀 هادي العبدالله قال. Cafe\u{301} owners in Paris met Ahmed Hassan 👍🏽 on Monday.";
    let x = run(&ex, text);
    for m in &x.mentions {
        let slice: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(slice, m.text);
    }
    assert!(
        find(&x, EntityKind::Place, "Paris").is_some(),
        "{:#?}",
        x.entities
    );
}

#[test]
fn events_have_counts_places_and_dates() {
    let ex = Extractor::new();
    let x = run(
        &ex,
        "Gunmen killed 23 villagers in Maiduguri on 4 March 2016, police said.",
    );
    let e = x
        .events
        .iter()
        .find(|e| e.kind == "killing")
        .expect("a killing");
    assert_eq!(e.count, Some(23));
    assert_eq!(e.date, chrono::NaiveDate::from_ymd_opt(2016, 3, 4));
    assert!(e.date_stated);
    let place = find(&x, EntityKind::Place, "Maiduguri").expect("Maiduguri");
    assert!(e.places.contains(&place));
}

#[test]
fn affiliations_from_roles() {
    let ex = Extractor::new();
    let x = run(
        &ex,
        "Jane Okafor, a spokeswoman for the Red Cross, said aid had arrived. \
         Amnesty International researcher Tom Mills confirmed it.",
    );
    let names: Vec<(String, String)> = x
        .affiliations
        .iter()
        .map(|a| {
            (
                x.entities[a.person].name.clone(),
                x.entities[a.organisation].name.clone(),
            )
        })
        .collect();
    assert!(
        names.iter().any(|(p, _)| p == "Jane Okafor"),
        "affiliations: {names:?} entities: {:#?}",
        x.entities
    );
    assert!(
        names
            .iter()
            .any(|(p, o)| p == "Tom Mills" && o == "Amnesty International")
    );
}
