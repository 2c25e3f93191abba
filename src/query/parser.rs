//! Query text to syntax tree: pest does the grammar (`grammar/cypher.pest`), this
//! module builds the [`ast`](super::ast) with one function per rule and folds
//! operator precedence with pest's `PrattParser`.
//!
//! Before pest sees the text, [`check_depth`] refuses input nested deeper than
//! [`MAX_DEPTH`] brackets: pest and the tree walkers recurse, and a query of ten
//! thousand `(` must get an error, not overflow the stack.

// Errors are rare and carry their position and text; boxing them would only
// add noise to every signature.
#![allow(clippy::result_large_err)]
use std::sync::LazyLock;

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use crate::error::{QueryError, QueryErrorKind, Span};
use crate::value::Value;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

/// Deepest bracket nesting accepted.
pub const MAX_DEPTH: usize = 100;

type PResult<T> = Result<T, QueryError>;

fn syntax(msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::new(QueryErrorKind::SyntaxError, msg).at(span)
}

fn internal(p: &Pair<Rule>) -> QueryError {
    let s = p.as_span();
    QueryError::new(
        QueryErrorKind::SyntaxError,
        format!("internal parser error: unexpected {:?}", p.as_rule()),
    )
    .at(Span::new(s.start(), s.end()))
}

fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Refuses text nested deeper than [`MAX_DEPTH`] brackets (strings and comments skipped).
pub fn check_depth(text: &str) -> PResult<()> {
    let mut depth = 0usize;
    for (i, c) in code_chars(text) {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(syntax(
                        format!("the query is nested too deeply (more than {MAX_DEPTH} levels of brackets)"),
                        Span::new(i, i + 1),
                    )
                    .with_code("UnexpectedSyntax"));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The characters of `text` outside strings, back-quoted names and comments,
/// with their byte offsets: what bracket counting must look at.
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' | '"' | '`' => {
                    // Skip to the closing quote, honouring backslash escapes.
                    while let Some((_, d)) = chars.next() {
                        if d == '\\' && c != '`' {
                            chars.next();
                        } else if d == c {
                            break;
                        }
                    }
                }
                '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => {
                    for (_, d) in chars.by_ref() {
                        if d == '\n' {
                            break;
                        }
                    }
                }
                '/' if chars.peek().is_some_and(|(_, d)| *d == '*') => {
                    chars.next();
                    let mut prev = ' ';
                    for (_, d) in chars.by_ref() {
                        if prev == '*' && d == '/' {
                            break;
                        }
                        prev = d;
                    }
                }
                _ => return Some((i, c)),
            }
        }
        None
    })
}

/// The innermost bracket opened before byte `pos` and not closed by then, with
/// the character that closes it.
fn unclosed_before(text: &str, pos: usize) -> Option<(usize, char)> {
    let mut open: Vec<(usize, char)> = Vec::new();
    for (i, c) in code_chars(text) {
        if i >= pos {
            break;
        }
        match c {
            '(' => open.push((i, ')')),
            '[' => open.push((i, ']')),
            '{' => open.push((i, '}')),
            ')' | ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Longest run of prefix operators (`NOT`, unary `-`/`+`) accepted: pest folds
/// them recursively.
pub const MAX_PREFIX_RUN: usize = 100;

/// Most operators accepted in one query (checked by `check_operator_count` before parsing).
pub const MAX_OPERATORS: usize = 1000;

/// Refuses long runs of prefix operators (`NOT NOT NOT …`, `- - - 1`).
fn check_prefix_runs(text: &str) -> PResult<()> {
    let mut run = 0usize;
    let mut i = 0usize;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let word_not = text
            .get(i..i + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case("not"))
            && !text
                .get(i + 3..)
                .and_then(|r| r.chars().next())
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if word_not || c == b'-' || c == b'+' {
            run += 1;
            if run > MAX_PREFIX_RUN {
                return Err(syntax(
                    format!("too many operators in a row (more than {MAX_PREFIX_RUN})"),
                    Span::new(i, i + 1),
                )
                .with_code("UnexpectedSyntax"));
            }
            i += if word_not { 3 } else { 1 };
        } else {
            run = 0;
            // Skip the rest of this token.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    Ok(())
}

/// Refuses an expression with more than [`MAX_OPERATORS`] operators. An expression
/// tree is at most as deep as its operators and brackets are many (`1 + 1 + … + 1`
/// is as deep as it is long), and the planner and executor walk it recursively.
/// Counting restarts at each clause and at each comma (list items, map entries,
/// arguments and pattern parts sit side by side).
fn check_operator_count(text: &str) -> PResult<()> {
    let mut n = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut word = String::new();
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c.to_ascii_uppercase());
            continue;
        }
        match word.as_str() {
            "AND" | "OR" | "XOR" | "NOT" | "IN" | "IS" | "CONTAINS" | "STARTS" | "ENDS" => n += 1,
            // A new clause starts a new expression.
            "MATCH" | "CREATE" | "MERGE" | "WITH" | "RETURN" | "UNWIND" | "WHERE" | "SET"
            | "DELETE" | "REMOVE" | "CALL" | "UNION" => n = 0,
            _ => {}
        }
        word.clear();
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            // Items of a list, map or argument list nest side by side, not in depth.
            ',' | ';' => n = 0,
            '+' | '-' | '*' | '/' | '%' | '^' | '=' | '<' | '>' | '.' | ':' => n += 1,
            _ => {}
        }
        if n > MAX_OPERATORS {
            return Err(syntax(
                format!("an expression has too many operators (more than {MAX_OPERATORS})"),
                Span::new(i, i + c.len_utf8()),
            )
            .with_code("UnexpectedSyntax"));
        }
    }
    Ok(())
}

/// Parses a statement.
pub fn parse(text: &str) -> PResult<Statement> {
    // pest and the tree builder recurse once per nesting level, with large frames
    // in debug builds: give them room even on a small thread stack. (The memory of
    // a new segment is reserved, not touched, until needed.)
    if needs_big_stack(text) {
        stacker::maybe_grow(ENTRY_RED_ZONE, ENTRY_STACK, || parse_inner(text))
    } else {
        parse_inner(text)
    }
}

/// Whether a query is deep or long enough to need more stack than a thread
/// promises. Most queries are not, and skip the (cheap but not free) stack checks.
pub(crate) fn needs_big_stack(text: &str) -> bool {
    if text.len() > 1024 {
        return true;
    }
    let mut depth = 0usize;
    let mut ops = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > 16 {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'=' | b'<' | b'>' | b'.' | b':' => ops += 1,
            _ => {}
        }
    }
    let words = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| {
            ["not", "and", "or", "xor", "in", "is"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
        })
        .count();
    ops + words > 32
}

/// Below this much free stack, a query's work moves to a fresh segment…
pub(crate) const ENTRY_RED_ZONE: usize = 4 * 1024 * 1024;
/// …of this size.
pub(crate) const ENTRY_STACK: usize = 64 * 1024 * 1024;

fn parse_inner(text: &str) -> PResult<Statement> {
    check_depth(text).map_err(|e| e.with_source(text))?;
    check_prefix_runs(text).map_err(|e| e.with_source(text))?;
    check_operator_count(text).map_err(|e| e.with_source(text))?;
    let mut pairs = CypherParser::parse(Rule::statement, text)
        .map_err(|e| pest_error(text, e).with_source(text))?;
    let stmt = pairs
        .next()
        .ok_or_else(|| syntax("empty query", Span::new(0, 0)))?;
    statement(stmt).map_err(|e| e.with_source(text))
}

/// A readable name for what pest expected.
fn rule_name(r: &Rule) -> String {
    let s = match r {
        Rule::node_pattern => "a node pattern",
        Rule::expression | Rule::atom => "an expression",
        Rule::variable => "a variable",
        Rule::symbolic_name | Rule::plain_name | Rule::escaped_name => "a name",
        Rule::property_key => "a property key",
        Rule::label_name => "a label",
        Rule::rel_type_name => "a relationship type",
        Rule::relationship_pattern => "a relationship pattern",
        Rule::pattern_chain => "a relationship pattern",
        Rule::pattern | Rule::pattern_part | Rule::pattern_element => "a pattern",
        Rule::clause | Rule::single_query => "a clause",
        Rule::match_clause => "MATCH",
        Rule::return_clause => "RETURN",
        Rule::with_clause => "WITH",
        Rule::EOI => "end of input",
        Rule::string | Rule::sq_inner | Rule::dq_inner => "a string",
        Rule::integer => "an integer",
        Rule::float => "a number",
        Rule::map_literal => "a map",
        Rule::parameter => "a parameter",
        Rule::projection_item | Rule::projection_items | Rule::projection_body => "an expression",
        Rule::sort_item => "a sort key",
        Rule::set_item => "a SET item",
        Rule::remove_item => "a REMOVE item",
        Rule::where_clause => "WHERE",
        Rule::order_by => "ORDER BY",
        Rule::skip => "SKIP",
        Rule::limit => "LIMIT",
        Rule::union => "UNION",
        Rule::explain => "EXPLAIN",
        Rule::infix_op
        | Rule::op_or
        | Rule::op_xor
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod
        | Rule::op_pow
        | Rule::op_regex
        | Rule::op_in
        | Rule::op_starts
        | Rule::op_ends
        | Rule::op_contains => "an operator",
        Rule::postfix_op
        | Rule::op_prop
        | Rule::op_index
        | Rule::op_slice
        | Rule::op_labels
        | Rule::op_is_null
        | Rule::op_is_not_null => "an operator",
        other => {
            let d = format!("{other:?}");
            if d.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                return d;
            }
            return d.replace('_', " ");
        }
    };
    s.to_string()
}

fn is_expression_start(r: &Rule) -> bool {
    matches!(
        r,
        Rule::CASE
            | Rule::COUNT
            | Rule::EXISTS
            | Rule::NOT
            | Rule::NULL
            | Rule::ALL
            | Rule::ANY_KW
            | Rule::NONE
            | Rule::SINGLE
            | Rule::SHORTESTPATH
            | Rule::ALLSHORTESTPATHS
            | Rule::shortest_path
            | Rule::shortest_path_expr
            | Rule::node_pattern
            | Rule::op_neg
            | Rule::op_pos
            | Rule::op_not
            | Rule::parenthesized
            | Rule::quantifier
            | Rule::pattern_comprehension
            | Rule::list_comprehension
            | Rule::boolean
            | Rule::TRUE
            | Rule::FALSE
            | Rule::float
            | Rule::integer
            | Rule::string
            | Rule::list_literal
            | Rule::map_literal
            | Rule::parameter
            | Rule::variable
            | Rule::symbolic_name
            | Rule::plain_name
            | Rule::escaped_name
            | Rule::function_call
            | Rule::function_name
            | Rule::pattern_predicate
            | Rule::count_star
            | Rule::count_subquery
            | Rule::exists_subquery
            | Rule::literal
            | Rule::atom
            | Rule::expression
            | Rule::projection_body
            | Rule::projection_items
            | Rule::projection_item
            | Rule::distinct
            | Rule::DISTINCT
            | Rule::star
    )
}

fn pest_error(text: &str, e: pest::error::Error<Rule>) -> QueryError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = found_token(text, pos);
    // pest does not list closing brackets among what it expected. When the
    // innermost open bracket closed right here makes the whole text parse, name
    // it: `RETURN [1, 2` expects `]`. (Only then: a closer that merely moves the
    // error elsewhere would be a guess.)
    let closer = unclosed_before(text, pos).filter(|(_, c)| {
        let (Some(head), Some(tail)) = (text.get(..pos), text.get(pos..)) else {
            return false;
        };
        CypherParser::parse(Rule::statement, &format!("{head}{c}{tail}")).is_ok()
    });
    // Inside `[…]` of a relationship, a bad range or detail is a relationship pattern error.
    let in_rel_detail = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().any(|r| {
                matches!(
                    r,
                    Rule::range
                        | Rule::range_bounds
                        | Rule::range_min
                        | Rule::range_max
                        | Rule::range_exact
                )
            }) || (positives.contains(&Rule::properties) && positives.contains(&Rule::integer))
        }
        ErrorVariant::CustomError { .. } => false,
    };
    let msg = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            // Many alternatives that all start an expression read as one.
            let starts_expr = positives.iter().filter(|r| is_expression_start(r)).count();
            // After an expression, the operator keywords and a label test are
            // operators too: one word instead of ten. Unless a word was found:
            // then it may be a misspelt keyword, and the list is what the shell's
            // "did you mean" hint chooses from.
            let found_word = text
                .get(pos..)
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_alphabetic);
            let after_expr = !found_word && positives.iter().any(|r| rule_name(r) == "an operator");
            let mut names: Vec<String> = positives
                .iter()
                .map(|r| {
                    if starts_expr >= 3 && is_expression_start(r) {
                        "an expression".to_string()
                    } else if after_expr
                        && matches!(
                            r,
                            Rule::AND
                                | Rule::OR
                                | Rule::XOR
                                | Rule::IN
                                | Rule::IS
                                | Rule::STARTS
                                | Rule::ENDS
                                | Rule::CONTAINS
                                | Rule::node_labels
                        )
                    {
                        "an operator".to_string()
                    } else {
                        rule_name(r)
                    }
                })
                .collect();
            names.dedup();
            let mut uniq: Vec<String> = Vec::new();
            if let Some((_, c)) = closer {
                uniq.push(format!("`{c}`"));
            }
            for n in names {
                if !uniq.contains(&n) {
                    uniq.push(n);
                }
            }
            if uniq.is_empty() {
                format!("unexpected {found}")
            } else {
                let list = match uniq.len() {
                    1 => uniq[0].clone(),
                    _ => {
                        let last = uniq.pop().unwrap_or_default();
                        format!("{} or {last}", uniq.join(", "))
                    }
                };
                format!("expected {list}, found {found}")
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let end = (pos + found_len(text, pos)).min(text.len());
    // A dash or minus that is not ASCII (often pasted from a word processor).
    let code = match text.get(pos..).and_then(|r| r.chars().next()) {
        Some('\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}') => {
            "InvalidUnicodeCharacter"
        }
        _ if in_rel_detail => "InvalidRelationshipPattern",
        _ => "UnexpectedSyntax",
    };
    let err = syntax(msg, Span::new(pos, end)).with_code(code);
    // A bracket still open at the end of the text is a mistake wherever pest
    // stumbled (`RETURN count(*`), so it is worth a hint either way.
    match closer.or_else(|| unclosed_before(text, text.len())) {
        Some((at, c)) => {
            let p = crate::error::Position::of(text, at);
            let open = text[at..].chars().next().unwrap_or(c);
            err.with_hint(format!(
                "the `{open}` at {}:{} is not closed",
                p.line, p.column
            ))
        }
        None => err,
    }
}

fn found_len(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.chars();
    match chars.next() {
        None => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i),
        Some(c) => c.len_utf8(),
    }
}

fn found_token(text: &str, pos: usize) -> String {
    let n = found_len(text, pos);
    if n == 0 {
        return "end of input".into();
    }
    format!("`{}`", text.get(pos..pos + n).unwrap_or(""))
}

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_xor, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_regex, Assoc::Left)
            | Op::infix(Rule::op_starts, Assoc::Left)
            | Op::infix(Rule::op_ends, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::postfix(Rule::op_is_null)
            | Op::postfix(Rule::op_is_not_null))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_mod, Assoc::Left))
        .op(Op::infix(Rule::op_pow, Assoc::Left))
        .op(Op::prefix(Rule::op_neg) | Op::prefix(Rule::op_pos))
        .op(Op::postfix(Rule::op_prop)
            | Op::postfix(Rule::op_index)
            | Op::postfix(Rule::op_slice)
            | Op::postfix(Rule::op_labels))
});

fn statement(p: Pair<Rule>) -> PResult<Statement> {
    let mut mode = Mode::Run;
    let mut query_ast = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::explain => {
                let t = c.as_str().to_ascii_lowercase();
                mode = if t.starts_with("explain") {
                    Mode::Explain
                } else {
                    Mode::Profile
                };
            }
            Rule::query => query_ast = Some(query(c)?),
            Rule::EOI => {}
            _ => return Err(internal(&c)),
        }
    }
    let query = query_ast.ok_or_else(|| syntax("expected a query", Span::new(0, 0)))?;
    Ok(Statement { mode, query })
}

fn query(p: Pair<Rule>) -> PResult<Query> {
    let mut parts = Vec::new();
    let mut union_all = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::single_query => parts.push(single_query(c)?),
            Rule::union => union_all.push(c.into_inner().count() > 1),
            _ => return Err(internal(&c)),
        }
    }
    Ok(Query { parts, union_all })
}

fn single_query(p: Pair<Rule>) -> PResult<SingleQuery> {
    let clauses = p.into_inner().map(clause).collect::<PResult<Vec<_>>>()?;
    Ok(SingleQuery { clauses })
}

fn clause(p: Pair<Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::match_clause => match_clause(p)?,
        Rule::unwind_clause => {
            let mut expr = None;
            let mut var = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::UNWIND | Rule::AS => {}
                    Rule::expression => expr = Some(expression(c)?),
                    Rule::variable => var = Some(ident(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            match (expr, var) {
                (Some(expr), Some(var)) => ClauseKind::Unwind { expr, var },
                _ => return Err(syntax("incomplete UNWIND", span)),
            }
        }
        Rule::with_clause => {
            let mut proj = None;
            let mut where_ = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::WITH => {}
                    Rule::projection_body => proj = Some(projection(c)?),
                    Rule::where_clause => where_ = Some(where_clause(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            let proj = proj.ok_or_else(|| syntax("incomplete WITH", span))?;
            ClauseKind::With { proj, where_ }
        }
        Rule::return_clause => {
            let mut proj = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::RETURN => {}
                    Rule::projection_body => proj = Some(projection(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            let proj = proj.ok_or_else(|| syntax("incomplete RETURN", span))?;
            ClauseKind::Return { proj }
        }
        Rule::create_clause => {
            let mut pat = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::CREATE => {}
                    Rule::pattern => pat = pattern(c)?,
                    _ => return Err(internal(&c)),
                }
            }
            ClauseKind::Create { pattern: pat }
        }
        Rule::merge_clause => {
            let mut part = None;
            let mut on_create = Vec::new();
            let mut on_match = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::MERGE => {}
                    Rule::pattern_part => part = Some(pattern_part(c)?),
                    Rule::merge_action => {
                        let mut create = false;
                        let mut items = Vec::new();
                        for a in c.into_inner() {
                            match a.as_rule() {
                                Rule::ON | Rule::SET => {}
                                Rule::on_create => create = true,
                                Rule::on_match => create = false,
                                Rule::set_item => items.push(set_item(a)?),
                                _ => return Err(internal(&a)),
                            }
                        }
                        if create {
                            on_create.extend(items);
                        } else {
                            on_match.extend(items);
                        }
                    }
                    _ => return Err(internal(&c)),
                }
            }
            let part = part.ok_or_else(|| syntax("incomplete MERGE", span))?;
            ClauseKind::Merge {
                part,
                on_create,
                on_match,
            }
        }
        Rule::set_clause => {
            let mut items = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::SET => {}
                    Rule::set_item => items.push(set_item(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            ClauseKind::Set { items }
        }
        Rule::remove_clause => {
            let mut items = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::REMOVE => {}
                    Rule::remove_item => items.push(remove_item(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            ClauseKind::Remove { items }
        }
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::detach => detach = true,
                    Rule::DELETE => {}
                    Rule::expression => exprs.push(expression(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            ClauseKind::Delete { detach, exprs }
        }
        Rule::call_clause => call_clause(p)?,
        _ => return Err(internal(&p)),
    };
    Ok(Clause { kind, span })
}

fn match_clause(p: Pair<Rule>) -> PResult<ClauseKind> {
    let mut optional = false;
    let mut pat = Vec::new();
    let mut where_ = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::optional => optional = true,
            Rule::MATCH => {}
            Rule::pattern => pat = pattern(c)?,
            Rule::where_clause => where_ = Some(where_clause(c)?),
            _ => return Err(internal(&c)),
        }
    }
    Ok(ClauseKind::Match {
        optional,
        pattern: pat,
        where_,
    })
}

fn call_clause(p: Pair<Rule>) -> PResult<ClauseKind> {
    let mut name = String::new();
    let mut args = None;
    let mut yields = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::CALL => {}
            Rule::procedure_name => {
                let parts: PResult<Vec<String>> = c.into_inner().map(symbolic_name).collect();
                name = parts?.join(".");
            }
            Rule::call_args => {
                let a: PResult<Vec<Expr>> = c.into_inner().map(expression).collect();
                args = Some(a?);
            }
            Rule::yield_items => {
                let mut items = Some(Vec::new());
                let mut where_ = None;
                for y in c.into_inner() {
                    match y.as_rule() {
                        Rule::YIELD => {}
                        Rule::star => items = None,
                        Rule::yield_item => {
                            let mut field = String::new();
                            let mut alias = None;
                            let sp = span_of(&y);
                            for f in y.into_inner() {
                                match f.as_rule() {
                                    Rule::symbolic_name => field = symbolic_name(f)?,
                                    Rule::AS => {}
                                    Rule::variable => alias = Some(ident(f)?),
                                    _ => return Err(internal(&f)),
                                }
                            }
                            let alias = alias.unwrap_or(Ident {
                                name: field.clone(),
                                span: sp,
                            });
                            if let Some(v) = items.as_mut() {
                                v.push((field, alias));
                            }
                        }
                        Rule::where_clause => where_ = Some(where_clause(y)?),
                        _ => return Err(internal(&y)),
                    }
                }
                yields = Some(Yield { items, where_ });
            }
            _ => return Err(internal(&c)),
        }
    }
    Ok(ClauseKind::Call { name, args, yields })
}

fn where_clause(p: Pair<Rule>) -> PResult<Expr> {
    for c in p.into_inner() {
        if c.as_rule() == Rule::expression {
            return expression(c);
        }
    }
    Err(syntax(
        "expected an expression after WHERE",
        Span::new(0, 0),
    ))
}

fn projection(p: Pair<Rule>) -> PResult<Projection> {
    let mut proj = Projection {
        distinct: false,
        star: false,
        items: Vec::new(),
        order: Vec::new(),
        skip: None,
        limit: None,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::distinct => proj.distinct = true,
            Rule::projection_items => {
                for i in c.into_inner() {
                    match i.as_rule() {
                        Rule::star => proj.star = true,
                        Rule::projection_item => {
                            let mut expr = None;
                            let mut alias = None;
                            let mut text = String::new();
                            for x in i.into_inner() {
                                match x.as_rule() {
                                    Rule::expression => {
                                        text = x.as_str().trim().to_string();
                                        expr = Some(expression(x)?);
                                    }
                                    Rule::AS => {}
                                    Rule::variable => alias = Some(ident(x)?),
                                    _ => return Err(internal(&x)),
                                }
                            }
                            let expr =
                                expr.ok_or_else(|| syntax("expected an expression", proj_span()))?;
                            proj.items.push(ProjItem { expr, alias, text });
                        }
                        _ => return Err(internal(&i)),
                    }
                }
            }
            Rule::order_by => {
                for s in c.into_inner() {
                    match s.as_rule() {
                        Rule::ORDER | Rule::BY => {}
                        Rule::sort_item => {
                            let mut expr = None;
                            let mut descending = false;
                            for x in s.into_inner() {
                                match x.as_rule() {
                                    Rule::expression => expr = Some(expression(x)?),
                                    Rule::asc => descending = false,
                                    Rule::desc => descending = true,
                                    _ => return Err(internal(&x)),
                                }
                            }
                            let expr =
                                expr.ok_or_else(|| syntax("expected a sort key", proj_span()))?;
                            proj.order.push(SortItem { expr, descending });
                        }
                        _ => return Err(internal(&s)),
                    }
                }
            }
            Rule::skip => proj.skip = Some(last_expression(c)?),
            Rule::limit => proj.limit = Some(last_expression(c)?),
            _ => return Err(internal(&c)),
        }
    }
    Ok(proj)
}

fn proj_span() -> Span {
    Span::new(0, 0)
}

fn last_expression(p: Pair<Rule>) -> PResult<Expr> {
    let sp = span_of(&p);
    for c in p.into_inner() {
        if c.as_rule() == Rule::expression {
            return expression(c);
        }
    }
    Err(syntax("expected an expression", sp))
}

fn set_item(p: Pair<Rule>) -> PResult<SetItem> {
    let sp = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| syntax("expected a SET item", sp))?;
    match inner.as_rule() {
        Rule::set_property => {
            let mut it = inner.into_inner();
            let (target, key) =
                property_expression(it.next().ok_or_else(|| syntax("expected a property", sp))?)?;
            let value = expression(it.next().ok_or_else(|| syntax("expected a value", sp))?)?;
            Ok(SetItem::Property { target, key, value })
        }
        Rule::set_add | Rule::set_all => {
            let add = inner.as_rule() == Rule::set_add;
            let mut it = inner.into_inner();
            let var = ident(it.next().ok_or_else(|| syntax("expected a variable", sp))?)?;
            let value = expression(it.next().ok_or_else(|| syntax("expected a value", sp))?)?;
            Ok(if add {
                SetItem::Merge { var, value }
            } else {
                SetItem::Replace { var, value }
            })
        }
        Rule::set_labels => {
            let (var, labels) = var_labels(inner)?;
            Ok(SetItem::Labels { var, labels })
        }
        _ => Err(internal(&inner)),
    }
}

fn var_labels(p: Pair<Rule>) -> PResult<(Ident, Vec<String>)> {
    let sp = span_of(&p);
    let mut var = None;
    let mut labels = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::variable => var = Some(ident(c)?),
            Rule::node_labels => labels = node_labels(c)?,
            _ => return Err(internal(&c)),
        }
    }
    Ok((
        var.ok_or_else(|| syntax("expected a variable", sp))?,
        labels,
    ))
}

fn remove_item(p: Pair<Rule>) -> PResult<RemoveItem> {
    let sp = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| syntax("expected a REMOVE item", sp))?;
    match inner.as_rule() {
        Rule::set_labels => {
            let (var, labels) = var_labels(inner)?;
            Ok(RemoveItem::Labels { var, labels })
        }
        Rule::property_expression => {
            let (target, key) = property_expression(inner)?;
            Ok(RemoveItem::Property { target, key })
        }
        _ => Err(internal(&inner)),
    }
}

/// `a.b.c`: the target `a.b` and the last key `c`.
fn property_expression(p: Pair<Rule>) -> PResult<(Expr, String)> {
    let sp = span_of(&p);
    let mut it = p.into_inner();
    let first = it
        .next()
        .ok_or_else(|| syntax("expected an expression", sp))?;
    let mut target = atom(first)?;
    let mut keys: Vec<(String, Span)> = Vec::new();
    for k in it {
        let ks = span_of(&k);
        keys.push((property_key(k)?, ks));
    }
    let (last, _) = keys
        .pop()
        .ok_or_else(|| syntax("expected a property key", sp))?;
    for (k, ks) in keys {
        let span = Span::new(target.span.start, ks.end);
        target = Expr::new(ExprKind::Prop(Box::new(target), k), span);
    }
    Ok((target, last))
}

fn pattern(p: Pair<Rule>) -> PResult<Vec<PatternPart>> {
    p.into_inner().map(pattern_part).collect()
}

fn pattern_part(p: Pair<Rule>) -> PResult<PatternPart> {
    let span = span_of(&p);
    let mut var = None;
    let mut part = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::variable => var = Some(ident(c)?),
            Rule::shortest_path => part = Some(shortest_path(c)?),
            Rule::pattern_element => part = Some(pattern_element(c)?),
            _ => return Err(internal(&c)),
        }
    }
    let mut part = part.ok_or_else(|| syntax("expected a pattern", span))?;
    part.var = var;
    part.span = span;
    Ok(part)
}

fn shortest_path(p: Pair<Rule>) -> PResult<PatternPart> {
    let span = span_of(&p);
    let mut kind = Shortest::One;
    let mut part = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::SHORTESTPATH => kind = Shortest::One,
            Rule::ALLSHORTESTPATHS => kind = Shortest::All,
            Rule::pattern_element => part = Some(pattern_element(c)?),
            _ => return Err(internal(&c)),
        }
    }
    let mut part = part.ok_or_else(|| syntax("expected a pattern", span))?;
    part.shortest = Some(kind);
    Ok(part)
}

fn pattern_element(p: Pair<Rule>) -> PResult<PatternPart> {
    let span = span_of(&p);
    let mut part = PatternPart {
        var: None,
        shortest: None,
        nodes: Vec::new(),
        rels: Vec::new(),
        span,
    };
    chain_into(p.into_inner(), &mut part)?;
    if part.nodes.is_empty() {
        return Err(syntax("expected a node pattern", span));
    }
    Ok(part)
}

fn chain_into(pairs: Pairs<Rule>, part: &mut PatternPart) -> PResult<()> {
    for c in pairs {
        match c.as_rule() {
            Rule::node_pattern => part.nodes.push(node_pattern(c)?),
            Rule::pattern_chain => {
                for x in c.into_inner() {
                    match x.as_rule() {
                        Rule::relationship_pattern => part.rels.push(rel_pattern(x)?),
                        Rule::node_pattern => part.nodes.push(node_pattern(x)?),
                        _ => return Err(internal(&x)),
                    }
                }
            }
            Rule::pattern_element => {
                let inner = pattern_element(c)?;
                part.nodes.extend(inner.nodes);
                part.rels.extend(inner.rels);
            }
            _ => return Err(internal(&c)),
        }
    }
    Ok(())
}

fn node_pattern(p: Pair<Rule>) -> PResult<NodePat> {
    let span = span_of(&p);
    let mut n = NodePat {
        var: None,
        labels: Vec::new(),
        props: None,
        span,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::variable => n.var = Some(ident(c)?),
            Rule::node_labels => n.labels = node_labels(c)?,
            Rule::properties => n.props = Some(properties(c)?),
            _ => return Err(internal(&c)),
        }
    }
    Ok(n)
}

fn properties(p: Pair<Rule>) -> PResult<Expr> {
    let sp = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| syntax("expected a map", sp))?;
    atom(inner)
}

fn node_labels(p: Pair<Rule>) -> PResult<Vec<String>> {
    p.into_inner()
        .map(|l| {
            let sp = span_of(&l);
            let n = l
                .into_inner()
                .next()
                .ok_or_else(|| syntax("expected a label", sp))?;
            symbolic_name(n)
        })
        .collect()
}

fn rel_pattern(p: Pair<Rule>) -> PResult<RelPat> {
    let span = span_of(&p);
    let mut left = false;
    let mut right = false;
    let mut r = RelPat {
        var: None,
        types: Vec::new(),
        dir: Dir::Both,
        range: None,
        props: None,
        span,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::rel_detail => {
                for d in c.into_inner() {
                    match d.as_rule() {
                        Rule::variable => r.var = Some(ident(d)?),
                        Rule::rel_types => {
                            for t in d.into_inner() {
                                let sp = span_of(&t);
                                let n = t
                                    .into_inner()
                                    .next()
                                    .ok_or_else(|| syntax("expected a type", sp))?;
                                r.types.push(symbolic_name(n)?);
                            }
                        }
                        Rule::range => r.range = Some(range(d)?),
                        Rule::properties => r.props = Some(properties(d)?),
                        _ => return Err(internal(&d)),
                    }
                }
            }
            _ => return Err(internal(&c)),
        }
    }
    r.dir = match (left, right) {
        (true, false) => Dir::Left,
        (false, true) => Dir::Right,
        _ => Dir::Both,
    };
    Ok(r)
}

fn range(p: Pair<Rule>) -> PResult<(Option<u64>, Option<u64>)> {
    let mut out = (None, None);
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::range_exact => {
                let v = range_int(c)?;
                out = (Some(v), Some(v));
            }
            Rule::range_bounds => {
                for b in c.into_inner() {
                    match b.as_rule() {
                        Rule::range_min => out.0 = Some(range_int(b)?),
                        Rule::range_max => out.1 = Some(range_int(b)?),
                        _ => return Err(internal(&b)),
                    }
                }
            }
            _ => return Err(internal(&c)),
        }
    }
    Ok(out)
}

fn range_int(p: Pair<Rule>) -> PResult<u64> {
    let sp = span_of(&p);
    let text = p.as_str().trim();
    match parse_int(text) {
        Some(v) if v >= 0 => Ok(v as u64),
        _ => Err(syntax(format!("bad range bound `{text}`"), sp)),
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.to_ascii_lowercase();
    if let Some(h) = t.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = t.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else {
        t.parse().ok()
    }
}

/// Parses an integer literal that may be negated (`neg` for a preceding minus), so
/// `-9223372036854775808` is accepted although its absolute value is not an i64.
fn int_literal(text: &str, neg: bool, span: Span) -> PResult<i64> {
    let t = text.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x") {
        (h.to_string(), 16)
    } else if let Some(o) = t.strip_prefix("0o") {
        (o.to_string(), 8)
    } else {
        (t.clone(), 10)
    };
    let signed = if neg { format!("-{digits}") } else { digits };
    i64::from_str_radix(&signed, radix).map_err(|_| {
        syntax(format!("integer literal `{text}` is too large"), span).with_code("IntegerOverflow")
    })
}

fn ident(p: Pair<Rule>) -> PResult<Ident> {
    let span = span_of(&p);
    let inner = p
        .into_inner()
        .find(|c| matches!(c.as_rule(), Rule::symbolic_name | Rule::escaped_name))
        .ok_or_else(|| syntax("expected a name", span))?;
    let name = match inner.as_rule() {
        Rule::escaped_name => escaped(inner),
        _ => symbolic_name(inner)?,
    };
    Ok(Ident { name, span })
}

fn escaped(p: Pair<Rule>) -> String {
    p.into_inner()
        .next()
        .map(|i| i.as_str().replace("``", "`"))
        .unwrap_or_default()
}

fn symbolic_name(p: Pair<Rule>) -> PResult<String> {
    let sp = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| syntax("expected a name", sp))?;
    match inner.as_rule() {
        Rule::escaped_name => Ok(escaped(inner)),
        Rule::plain_name => Ok(inner.as_str().to_string()),
        _ => Err(internal(&inner)),
    }
}

fn property_key(p: Pair<Rule>) -> PResult<String> {
    let sp = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| syntax("expected a property key", sp))?;
    symbolic_name(inner)
}

/// An expression: operands and operators folded by [`PRATT`].
pub(crate) fn expression(p: Pair<Rule>) -> PResult<Expr> {
    // A minus directly before an integer literal is part of the literal, so the
    // smallest i64 can be written.
    let raw: Vec<Pair<Rule>> = p.into_inner().collect();
    let mut negated_ints: Vec<usize> = Vec::new();
    let mut kept: Vec<Pair<Rule>> = Vec::with_capacity(raw.len());
    for (i, x) in raw.iter().enumerate() {
        if x.as_rule() == Rule::op_neg
            && let Some(next) = raw.get(i + 1)
            && next.as_rule() == Rule::integer
        {
            negated_ints.push(next.as_span().start());
            continue;
        }
        kept.push(x.clone());
    }
    let pairs_iter = kept.into_iter();
    PRATT
        .map_primary(|primary| {
            if primary.as_rule() == Rule::integer {
                let start = primary.as_span().start();
                let neg = negated_ints.contains(&start);
                let sp = span_of(&primary);
                return int_literal(primary.as_str(), neg, sp)
                    .map(|i| Expr::new(ExprKind::Lit(Value::Int(i)), sp));
            }
            atom(primary)
        })
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = Span::new(op.as_span().start(), rhs.span.end);
            let u = match op.as_rule() {
                Rule::op_not => UnOp::Not,
                Rule::op_neg => {
                    // Fold a minus on a float literal into the literal.
                    if let ExprKind::Lit(Value::Float(f)) = rhs.kind {
                        return Ok(Expr::new(ExprKind::Lit(Value::Float(-f)), span));
                    }
                    if let ExprKind::Lit(Value::Int(i)) = rhs.kind
                        && let Some(n) = i.checked_neg()
                    {
                        return Ok(Expr::new(ExprKind::Lit(Value::Int(n)), span));
                    }
                    UnOp::Neg
                }
                Rule::op_pos => UnOp::Pos,
                _ => return Err(internal(&op)),
            };
            Ok(Expr::new(ExprKind::Unary(u, Box::new(rhs)), span))
        })
        .map_postfix(|lhs, op| {
            let lhs = lhs?;
            let span = Span::new(lhs.span.start, op.as_span().end());
            let kind = match op.as_rule() {
                Rule::op_is_null => ExprKind::Unary(UnOp::IsNull, Box::new(lhs)),
                Rule::op_is_not_null => ExprKind::Unary(UnOp::IsNotNull, Box::new(lhs)),
                Rule::op_prop => {
                    let sp = span_of(&op);
                    let k = op
                        .into_inner()
                        .next()
                        .ok_or_else(|| syntax("expected a property key", sp))?;
                    ExprKind::Prop(Box::new(lhs), property_key(k)?)
                }
                Rule::op_index => {
                    let sp = span_of(&op);
                    let i = op
                        .into_inner()
                        .next()
                        .ok_or_else(|| syntax("expected an index", sp))?;
                    ExprKind::Index(Box::new(lhs), Box::new(expression(i)?))
                }
                Rule::op_slice => {
                    let mut from = None;
                    let mut to = None;
                    for c in op.into_inner() {
                        let sp = span_of(&c);
                        let rule = c.as_rule();
                        let e = c
                            .into_inner()
                            .next()
                            .ok_or_else(|| syntax("expected an expression", sp))?;
                        let e = Some(Box::new(expression(e)?));
                        if rule == Rule::slice_from {
                            from = e;
                        } else {
                            to = e;
                        }
                    }
                    ExprKind::Slice(Box::new(lhs), from, to)
                }
                Rule::op_labels => {
                    let sp = span_of(&op);
                    let l = op
                        .into_inner()
                        .next()
                        .ok_or_else(|| syntax("expected a label", sp))?;
                    ExprKind::HasLabels(Box::new(lhs), node_labels(l)?)
                }
                _ => return Err(internal(&op)),
            };
            Ok(Expr::new(kind, span))
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let span = Span::new(lhs.span.start, rhs.span.end);
            let b = match op.as_rule() {
                Rule::op_or => BinOp::Or,
                Rule::op_xor => BinOp::Xor,
                Rule::op_and => BinOp::And,
                Rule::op_eq => BinOp::Eq,
                Rule::op_ne => BinOp::Ne,
                Rule::op_lt => BinOp::Lt,
                Rule::op_le => BinOp::Le,
                Rule::op_gt => BinOp::Gt,
                Rule::op_ge => BinOp::Ge,
                Rule::op_regex => BinOp::Regex,
                Rule::op_starts => BinOp::StartsWith,
                Rule::op_ends => BinOp::EndsWith,
                Rule::op_contains => BinOp::Contains,
                Rule::op_in => BinOp::In,
                Rule::op_add => BinOp::Add,
                Rule::op_sub => BinOp::Sub,
                Rule::op_mul => BinOp::Mul,
                Rule::op_div => BinOp::Div,
                Rule::op_mod => BinOp::Mod,
                Rule::op_pow => BinOp::Pow,
                _ => return Err(internal(&op)),
            };
            // `a < b < c` means `a < b AND b < c`, unless `(a < b)` is parenthesised.
            let is_cmp = |o: BinOp| {
                matches!(
                    o,
                    BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
                )
            };
            // The middle operand: the right side of the last comparison on the left
            // (`a < b` alone, or the end of an already chained `a < b AND b = c`).
            let last_cmp = |e: &Expr| -> Option<Expr> {
                match &e.kind {
                    ExprKind::Binary(inner, _, mid) if is_cmp(*inner) => Some((**mid).clone()),
                    ExprKind::Binary(BinOp::And, _, r) => match &r.kind {
                        ExprKind::Binary(inner, _, mid) if is_cmp(*inner) => Some((**mid).clone()),
                        _ => None,
                    },
                    _ => None,
                }
            };
            if is_cmp(b)
                && !parenthesised(op.as_span().get_input(), lhs.span)
                && let Some(mid) = last_cmp(&lhs)
            {
                let right_span = Span::new(mid.span.start, rhs.span.end);
                let right = Expr::new(
                    ExprKind::Binary(b, Box::new(mid), Box::new(rhs)),
                    right_span,
                );
                return Ok(Expr::new(
                    ExprKind::Binary(BinOp::And, Box::new(lhs), Box::new(right)),
                    span,
                ));
            }
            Ok(Expr::new(
                ExprKind::Binary(b, Box::new(lhs), Box::new(rhs)),
                span,
            ))
        })
        .parse(pairs_iter)
}

/// Whether `span` of `text` is one parenthesised group: it opens with `(` whose
/// matching `)` is its last character.
fn parenthesised(text: &str, span: Span) -> bool {
    let Some(t) = text.get(span.start..span.end) else {
        return false;
    };
    if !t.starts_with('(') || !t.ends_with(')') {
        return false;
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in t.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == t.len();
                }
            }
            _ => {}
        }
    }
    false
}

fn atom(p: Pair<Rule>) -> PResult<Expr> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::integer => ExprKind::Lit(Value::Int(int_literal(p.as_str(), false, span)?)),
        Rule::float => {
            let f: f64 = p
                .as_str()
                .parse()
                .map_err(|_| syntax("bad float literal", span))?;
            if f.is_infinite() {
                return Err(
                    syntax("float literal is too large", span).with_code("FloatingPointOverflow")
                );
            }
            ExprKind::Lit(Value::Float(f))
        }
        Rule::string => ExprKind::Lit(Value::str(&string_literal(p)?)),
        Rule::boolean => ExprKind::Lit(Value::Bool(p.as_str().eq_ignore_ascii_case("true"))),
        Rule::null => ExprKind::Lit(Value::Null),
        Rule::parameter => {
            let inner = p
                .into_inner()
                .next()
                .ok_or_else(|| syntax("expected a parameter name", span))?;
            let n = match inner.as_rule() {
                Rule::symbolic_name => symbolic_name(inner)?,
                _ => inner.as_str().to_string(),
            };
            ExprKind::Param(n)
        }
        Rule::variable => ExprKind::Var(ident(p)?.name),
        Rule::parenthesized => {
            let e = p
                .into_inner()
                .next()
                .ok_or_else(|| syntax("expected an expression", span))?;
            // Keep the outer span so errors point at the whole group.
            let mut inner = expression(e)?;
            inner.span = span;
            return Ok(inner);
        }
        Rule::list_literal => ExprKind::List(
            p.into_inner()
                .map(expression)
                .collect::<PResult<Vec<_>>>()?,
        ),
        Rule::map_literal => {
            let mut entries = Vec::new();
            for e in p.into_inner() {
                let mut it = e.into_inner();
                let k = it.next().ok_or_else(|| syntax("expected a key", span))?;
                let v = it.next().ok_or_else(|| syntax("expected a value", span))?;
                entries.push((property_key(k)?, expression(v)?));
            }
            ExprKind::Map(entries)
        }
        Rule::count_star => ExprKind::CountStar,
        Rule::function_call => {
            let mut name = String::new();
            let mut distinct = false;
            let mut args = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::function_name => {
                        let parts: PResult<Vec<String>> =
                            c.into_inner().map(symbolic_name).collect();
                        name = parts?.join(".");
                    }
                    Rule::distinct => distinct = true,
                    Rule::expression => args.push(expression(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            ExprKind::Call {
                name,
                distinct,
                args,
            }
        }
        Rule::case_expr => {
            let mut subject = None;
            let mut arms = Vec::new();
            let mut default = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::CASE | Rule::ELSE | Rule::END => {}
                    Rule::expression => subject = Some(Box::new(expression(c)?)),
                    Rule::case_alternative => {
                        let mut it = c.into_inner().filter(|x| x.as_rule() == Rule::expression);
                        let w = it.next().ok_or_else(|| syntax("expected WHEN", span))?;
                        let t = it.next().ok_or_else(|| syntax("expected THEN", span))?;
                        arms.push((expression(w)?, expression(t)?));
                    }
                    Rule::case_else => {
                        let e = c
                            .into_inner()
                            .next()
                            .ok_or_else(|| syntax("expected an expression", span))?;
                        default = Some(Box::new(expression(e)?));
                    }
                    _ => return Err(internal(&c)),
                }
            }
            ExprKind::Case {
                subject,
                arms,
                default,
            }
        }
        Rule::list_comprehension => {
            let mut var = None;
            let mut list = None;
            let mut filter = None;
            let mut map = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::variable => var = Some(ident(c)?),
                    Rule::IN | Rule::WHERE => {}
                    Rule::expression => list = Some(Box::new(expression(c)?)),
                    Rule::comp_where | Rule::comp_map => {
                        let rule = c.as_rule();
                        let e = c
                            .into_inner()
                            .next()
                            .ok_or_else(|| syntax("expected an expression", span))?;
                        let e = Some(Box::new(expression(e)?));
                        if rule == Rule::comp_where {
                            filter = e;
                        } else {
                            map = e;
                        }
                    }
                    _ => return Err(internal(&c)),
                }
            }
            match (var, list) {
                (Some(var), Some(list)) => ExprKind::ListComp {
                    var,
                    list,
                    filter,
                    map,
                },
                _ => return Err(syntax("incomplete list comprehension", span)),
            }
        }
        Rule::pattern_comprehension => {
            let mut var = None;
            let mut part = None;
            let mut exprs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::variable => var = Some(ident(c)?),
                    Rule::relationships_pattern => part = Some(relationships_pattern(c)?),
                    Rule::WHERE => {}
                    Rule::expression => exprs.push(expression(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            let part = part.ok_or_else(|| syntax("expected a pattern", span))?;
            let map = exprs
                .pop()
                .ok_or_else(|| syntax("expected an expression after `|`", span))?;
            ExprKind::PatternComp {
                var,
                part: Box::new(part),
                filter: exprs.pop().map(Box::new),
                map: Box::new(map),
            }
        }
        Rule::quantifier => {
            let mut kind = Quant::All;
            let mut var = None;
            let mut exprs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::ALL => kind = Quant::All,
                    Rule::ANY_KW => kind = Quant::Any,
                    Rule::NONE => kind = Quant::None,
                    Rule::SINGLE => kind = Quant::Single,
                    Rule::variable => var = Some(ident(c)?),
                    Rule::IN | Rule::WHERE => {}
                    Rule::expression => exprs.push(expression(c)?),
                    _ => return Err(internal(&c)),
                }
            }
            let mut it = exprs.into_iter();
            let list = it.next().ok_or_else(|| syntax("expected a list", span))?;
            let var = var.ok_or_else(|| syntax("expected a variable", span))?;
            ExprKind::Quantifier {
                kind,
                var,
                list: Box::new(list),
                pred: it.next().map(Box::new),
            }
        }
        Rule::pattern_predicate => {
            let inner = p
                .into_inner()
                .next()
                .ok_or_else(|| syntax("expected a pattern", span))?;
            ExprKind::PatternPred(Box::new(relationships_pattern(inner)?))
        }
        Rule::shortest_path_expr => {
            let inner = p
                .into_inner()
                .next()
                .ok_or_else(|| syntax("expected a pattern", span))?;
            ExprKind::ShortestPath(Box::new(shortest_path(inner)?))
        }
        Rule::exists_subquery | Rule::count_subquery => {
            let exists = p.as_rule() == Rule::exists_subquery;
            let body = p
                .into_inner()
                .find(|c| c.as_rule() == Rule::subquery_body)
                .ok_or_else(|| syntax("expected `{`", span))?;
            let mut sq = None;
            let mut pat = None;
            let mut where_ = None;
            for c in body.into_inner() {
                match c.as_rule() {
                    Rule::single_query => sq = Some(single_query(c)?),
                    Rule::pattern => pat = Some(pattern(c)?),
                    Rule::where_clause => where_ = Some(Box::new(where_clause(c)?)),
                    _ => return Err(internal(&c)),
                }
            }
            let sub = match (sq, pat) {
                (Some(q), _) => Subquery::Query(Box::new(q)),
                (None, Some(pattern)) => Subquery::Pattern { pattern, where_ },
                _ => return Err(syntax("empty subquery", span)),
            };
            if exists {
                ExprKind::Exists(sub)
            } else {
                ExprKind::CountSub(sub)
            }
        }
        _ => return Err(internal(&p)),
    };
    Ok(Expr::new(kind, span))
}

fn relationships_pattern(p: Pair<Rule>) -> PResult<PatternPart> {
    let span = span_of(&p);
    let mut part = PatternPart {
        var: None,
        shortest: None,
        nodes: Vec::new(),
        rels: Vec::new(),
        span,
    };
    chain_into(p.into_inner(), &mut part)?;
    Ok(part)
}

fn string_literal(p: Pair<Rule>) -> PResult<String> {
    let span = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .map(|i| i.as_str())
        .unwrap_or_default();
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(n).collect();
                let ch = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| {
                        syntax(format!("bad unicode escape `\\{u}{hex}`"), span)
                            .with_code("InvalidUnicodeLiteral")
                    })?;
                out.push(ch);
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(q: &str) {
        let a = parse(q).unwrap_or_else(|e| panic!("parse {q}: {e}"));
        let printed = a.to_string();
        let b = parse(&printed).unwrap_or_else(|e| panic!("reparse {printed}: {e}"));
        assert_eq!(printed, b.to_string(), "round trip of {q}");
    }

    #[test]
    fn round_trips() {
        for q in [
            "MATCH (a:Person {name: 'x'})-[r:KNOWS|LIKES*1..3]->(b) WHERE a.age > 3 AND NOT b:X RETURN a, count(*) AS c ORDER BY c DESC SKIP 1 LIMIT 2",
            "match (n) return n.x + -1 * 2 ^ 3, [x in range(1, 3) where x > 1 | x * 2], -9223372036854775808",
            "UNWIND [1, 2] AS x WITH DISTINCT x WHERE x IS NOT NULL RETURN x UNION ALL RETURN 3 AS x",
            "MATCH p = shortestPath((a)-[*..6]-(b)) RETURN length(p), CASE WHEN 1 = 1 THEN 'a' ELSE 'b' END",
            "MERGE (a:A {k: 1}) ON CREATE SET a.x = 1, a += {y: 2} ON MATCH SET a:B REMOVE a.z, a:C",
            "MATCH (a) WHERE (a)-[:POSTED]->() AND NOT (a)<--() AND exists { MATCH (a)--(b) } RETURN count { (a)--() } AS n",
            "CALL db.search('Person|Post', 'x') YIELD node, score RETURN node, score",
            "RETURN 0x1F, 0o17, 1.5e3, .5, 'a\\'b', \"c\", $p, {`a b`: [1, null, true]}, x[1..], x[..2][0]",
            "MATCH (a) DETACH DELETE a",
            "RETURN all(x IN [1] WHERE x > 0), any(x IN [] WHERE true), none(x IN [1]), single(x IN [1] WHERE x = 1)",
            "RETURN 1 < 2 < 3, (1 < 2) < 3, 1 = 1 <> 2, 1 < 2 = 2 <> 3",
            "RETURN --0, - -5, -(-9223372036854775808), -(-0.0), 1 - -1",
        ] {
            round_trip(q);
        }
    }

    #[test]
    fn keywords_ignore_case_and_comments_are_skipped() {
        let q = "mAtCh (n) // a comment\n /* block */ ReTuRn n";
        assert!(parse(q).is_ok());
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = parse("MATCH (a)-[]->] RETURN a").err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("expected a node pattern, found `]`"), "{msg}");
        assert!(msg.contains("1:15"), "{msg}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let q = format!("RETURN {}1{}", "(".repeat(5000), ")".repeat(5000));
        let e = parse(&q).err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains("nested too deeply"), "{e}");
    }
}
