//! Dates as news text and post signatures write them.
//!
//! One recogniser serves both signatures (`December 12, 2016`, `12 Dec 2016`,
//! `10:32 AM - 12 Dec 2016`, `2016-12-12`, `12/12/2016`) and metadata fields
//! (`2016-12-12T10:00:00Z`, RFC 2822). Written by hand on top of `regex` because
//! chrono's parsers want one fixed format, and a signature's date runs straight into
//! whatever text follows it in a flattened article (`December 12, 2016With the…`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// An optional time of day and separator before the date, as Twitter's older embed
/// code and its web client write it (`10:32 AM - 12 Dec 2016`, `3:04 PM · Dec 12, 2016`).
const TIME: &str = r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[-–—·•,|]\s*)?)?";

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let pat = format!(
        r"(?ix)^(?:[·•|,]\s*)?(?:on\s+)?{TIME}(?:
            (?P<m1>{MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})
          | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTHS})\.?,?\s+(?P<y2>\d{{4}})
          | (?P<y3>\d{{4}})-(?P<m3>\d{{1,2}})-(?P<d3>\d{{1,2}})
          | (?P<y4>\d{{4}})/(?P<m4>\d{{1,2}})/(?P<d4>\d{{1,2}})
          | (?P<a5>\d{{1,2}})(?P<s5>[/.])(?P<b5>\d{{1,2}})[/.](?P<y5>\d{{4}})
        )"
    );
    Regex::new(&pat).unwrap_or_else(|e| panic!("date pattern: {e}"))
});

/// The month number of an English month name or abbreviation.
fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let m = match n.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// Years a news article or a post can plausibly carry; others are not dates.
fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    (1990..=2100).contains(&d.year()).then_some(d)
}

/// Parses a date at the very start of `s` (after optional `on` and a time of day).
/// Returns the date and the number of bytes it took. The date must not run on into
/// more digits (`2016` in `20161` is not a year); letters may follow directly,
/// because flattened text glues the next sentence to it.
pub fn date_at(s: &str) -> Option<(NaiveDate, usize)> {
    date_at_near(s, None)
}

/// [`date_at`], with a date known to be close (the document's): an ambiguous numeric
/// date (`11/06/2022`) is read whichever way lands nearer to it.
pub fn date_at_near(s: &str, near: Option<NaiveDate>) -> Option<(NaiveDate, usize)> {
    let c = DATE.captures(s)?;
    let end = c.get(0)?.end();
    if s[end..].starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let year = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<i32>().ok());
    let date = if let Some(m) = c.name("m1") {
        NaiveDate::from_ymd_opt(year("y1")?, month_number(m.as_str())?, num("d1")?)
    } else if let Some(m) = c.name("m2") {
        NaiveDate::from_ymd_opt(year("y2")?, month_number(m.as_str())?, num("d2")?)
    } else if c.name("y3").is_some() {
        NaiveDate::from_ymd_opt(year("y3")?, num("m3")?, num("d3")?)
    } else if c.name("y4").is_some() {
        NaiveDate::from_ymd_opt(year("y4")?, num("m4")?, num("d4")?)
    } else {
        let (a, b, y) = (num("a5")?, num("b5")?, year("y5")?);
        let dotted = c.name("s5").is_some_and(|m| m.as_str() == ".");
        // Slashes: month first (as Twitter's English clients write), unless the first
        // number cannot be a month. Dots: day first, as European dates are written.
        let (month, day) = if dotted || a > 12 { (b, a) } else { (a, b) };
        let first = NaiveDate::from_ymd_opt(y, month, day);
        let other = NaiveDate::from_ymd_opt(y, day, month);
        match (near, first, other) {
            (Some(n), Some(f), Some(o)) if a <= 12 && b <= 12 => {
                let dist = |d: NaiveDate| (d - n).num_days().abs();
                Some(if dist(o) < dist(f) { o } else { f })
            }
            _ => first,
        }
    };
    Some((plausible(date?)?, end))
}

/// Parses a metadata date (`published`, `<time datetime>`, `article:published_time`):
/// ISO 8601 / RFC 3339 with or without a time, RFC 2822, or any form [`date_at`] reads.
pub fn parse_meta_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return plausible(dt.date_naive());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return plausible(dt.date_naive());
    }
    // `Mon, 12 Dec 2016 …` without a valid RFC 2822 tail: drop the weekday.
    let s = match s.split_once(',') {
        Some((wd, rest)) if wd.len() <= 9 && wd.chars().all(|c| c.is_ascii_alphabetic()) => {
            rest.trim_start()
        }
        _ => s,
    };
    date_at(s).map(|(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn signature_date_forms() {
        let cases = [
            ("December 12, 2016", d(2016, 12, 12)),
            ("Dec 12, 2016", d(2016, 12, 12)),
            ("Dec. 12 2016", d(2016, 12, 12)),
            ("12 December 2016", d(2016, 12, 12)),
            ("13 Dec 2016", d(2016, 12, 13)),
            ("2016-12-12", d(2016, 12, 12)),
            ("12/13/2016", d(2016, 12, 13)),
            ("13/12/2016", d(2016, 12, 13)),
            ("13.12.2016", d(2016, 12, 13)),
            ("10:32 AM - 12 Dec 2016", d(2016, 12, 12)),
            ("3:04 PM · Dec 12, 2016", d(2016, 12, 12)),
            ("September 3rd, 2019", d(2019, 9, 3)),
            ("Sept 3, 2019", d(2019, 9, 3)),
            ("on March 1, 2020", d(2020, 3, 1)),
            ("· Dec 12, 2016", d(2016, 12, 12)),
            ("December 12, 2016With the", d(2016, 12, 12)),
        ];
        for (s, want) in cases {
            assert_eq!(date_at(s).map(|x| x.0), want, "parsing {s:?}");
        }
    }

    #[test]
    fn non_dates_are_refused() {
        for s in [
            "December 32, 2016",
            "2016-13-01",
            "12 apples 2016",
            "20161",
            "December 12, 20161",
            "Mayor 12, 2016",
        ] {
            assert_eq!(date_at(s), None, "{s:?} is not a date");
        }
    }

    #[test]
    fn ambiguous_dates_lean_on_the_document_date() {
        let near = d(2022, 6, 11);
        assert_eq!(
            date_at_near("11/06/2022", near).map(|x| x.0),
            d(2022, 6, 11)
        );
        assert_eq!(
            date_at_near("06/11/2022", near).map(|x| x.0),
            d(2022, 6, 11)
        );
        assert_eq!(
            date_at_near("11/06/2022", None).map(|x| x.0),
            d(2022, 11, 6)
        );
        assert_eq!(
            date_at_near("13/06/2022", d(2022, 1, 1)).map(|x| x.0),
            d(2022, 6, 13)
        );
    }

    #[test]
    fn metadata_dates() {
        assert_eq!(
            parse_meta_date("2016-12-12T10:00:00+01:00"),
            d(2016, 12, 12)
        );
        assert_eq!(
            parse_meta_date("Mon, 12 Dec 2016 10:00:00 GMT"),
            d(2016, 12, 12)
        );
        assert_eq!(parse_meta_date(" 2016-12-12 "), d(2016, 12, 12));
        assert_eq!(
            parse_meta_date("Monday, December 12, 2016"),
            d(2016, 12, 12)
        );
        assert_eq!(parse_meta_date("soon"), None);
    }
}
