//! Prints what the extractor finds in a text file, as JSON (a debugging aid; the real command
//! is `dossier extract`). Signature lines `— Name (@handle) Month D, YYYY` are passed as
//! accounts and skipped, the way ingestion does.
//!
//! `cargo run --example extract_demo -- FILE [YYYY-MM-DD]`

use dossier::extract::{Account, Extractor, Input};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: extract_demo FILE [YYYY-MM-DD]");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let date = args
        .next()
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let (accounts, skip) = signatures(&text);
    let x = Extractor::new();
    let out = x.extract(&Input {
        text: &text,
        date,
        accounts: &accounts,
        skip: &skip,
    });
    match serde_json::to_string_pretty(&out) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e}"),
    }
}

/// Accounts and skip spans from signature lines.
fn signatures(text: &str) -> (Vec<Account>, Vec<(usize, usize)>) {
    let mut accounts = Vec::new();
    let mut skip = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        let l = line.trim_end();
        if let Some(rest) = l.strip_prefix("— ").or_else(|| l.strip_prefix("- "))
            && let Some(open) = rest.find("(@")
            && let Some(close) = rest[open..].find(')')
        {
            let name = rest[..open].trim();
            let handle = &rest[open + 2..open + close];
            accounts.push(Account {
                display_name: (!name.is_empty()).then(|| name.to_string()),
                handle: handle.to_string(),
                start: pos,
                end: pos + l.chars().count(),
            });
            skip.push((pos, pos + l.chars().count()));
        }
        pos += n;
    }
    (accounts, skip)
}
