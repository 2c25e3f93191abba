//! Which TCK queries dossier does not attempt, and why (one line each).

/// Temporal types dossier does not have (it has dates and durations only).
const UNSUPPORTED_TEMPORAL: &[&str] = &["time", "localtime", "datetime", "localdatetime"];

/// Why a query cannot run here, if it calls a temporal function dossier lacks
/// (`datetime(...)`, `localtime.truncate(...)`, `date.truncate(...)`). String
/// literals are blanked first so `'a time...'` is not a call.
pub fn unsupported(query: &str) -> Option<String> {
    let mut code = String::with_capacity(query.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                code.push(' ');
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                code.push(c.to_ascii_lowercase());
            }
        }
    }
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_alphabetic() || chars[i] == '_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
        {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if chars.get(j) != Some(&'(') {
            continue;
        }
        let head = name.split('.').next().unwrap_or("");
        if UNSUPPORTED_TEMPORAL.contains(&head)
            || (head == "date" && name != "date" && name != "date.truncate")
        {
            return Some(format!(
                "calls {name}(): only date and duration temporal values are supported"
            ));
        }
    }
    None
}
