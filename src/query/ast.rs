//! The syntax tree of a query, as the parser builds it: nothing here knows the graph.
//!
//! Nodes that can fail later (variables, function calls, patterns, clauses) keep the
//! [`Span`] of their text, so the planner and executor point at the right place.
//! `Display` prints canonical query text (keywords upper-case, one space between
//! tokens, every operation parenthesised where precedence could matter); printing and
//! parsing again gives the same tree, which `tests` below check.

use std::fmt;

use crate::error::Span;
use crate::value::{Value, format_key};

/// A whole statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub mode: Mode,
    pub query: Query,
}

/// Run, explain, or profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    Explain,
    Profile,
}

/// Single queries joined by UNION; `all[i]` says whether the i-th join is UNION ALL.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub parts: Vec<SingleQuery>,
    pub union_all: Vec<bool>,
}

/// A sequence of clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
}

/// One clause, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClauseKind {
    Match {
        optional: bool,
        pattern: Vec<PatternPart>,
        where_: Option<Expr>,
    },
    Unwind {
        expr: Expr,
        var: Ident,
    },
    With {
        proj: Projection,
        where_: Option<Expr>,
    },
    Return {
        proj: Projection,
    },
    Create {
        pattern: Vec<PatternPart>,
    },
    Merge {
        part: PatternPart,
        on_create: Vec<SetItem>,
        on_match: Vec<SetItem>,
    },
    Set {
        items: Vec<SetItem>,
    },
    Remove {
        items: Vec<RemoveItem>,
    },
    Delete {
        detach: bool,
        exprs: Vec<Expr>,
    },
    Call {
        name: String,
        args: Option<Vec<Expr>>,
        yields: Option<Yield>,
    },
}

/// YIELD of a CALL.
#[derive(Debug, Clone, PartialEq)]
pub struct Yield {
    /// `YIELD *` is `None`.
    pub items: Option<Vec<(String, Ident)>>,
    pub where_: Option<Expr>,
}

/// A name with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// The body of WITH and RETURN.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    pub star: bool,
    pub items: Vec<ProjItem>,
    pub order: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

/// `expr AS alias`; `text` is the expression as written (the column name without alias).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    Property {
        target: Expr,
        key: String,
        value: Expr,
    },
    Replace {
        var: Ident,
        value: Expr,
    },
    Merge {
        var: Ident,
        value: Expr,
    },
    Labels {
        var: Ident,
        labels: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum RemoveItem {
    Property { target: Expr, key: String },
    Labels { var: Ident, labels: Vec<String> },
}

/// A pattern part: `p = (a)-[r]->(b)` or `shortestPath(…)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternPart {
    pub var: Option<Ident>,
    pub shortest: Option<Shortest>,
    pub nodes: Vec<NodePat>,
    pub rels: Vec<RelPat>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortest {
    One,
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodePat {
    pub var: Option<Ident>,
    pub labels: Vec<String>,
    pub props: Option<Expr>,
    pub span: Span,
}

/// Which way a relationship pattern points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `-->`
    Right,
    /// `<--`
    Left,
    /// `--` (or `<-->`)
    Both,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelPat {
    pub var: Option<Ident>,
    pub types: Vec<String>,
    pub dir: Dir,
    /// Variable length: `Some((min, max))`; `*` alone is `(None, None)`.
    pub range: Option<(Option<u64>, Option<u64>)>,
    pub props: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    StartsWith,
    EndsWith,
    Contains,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Regex => "=~",
            BinOp::StartsWith => "STARTS WITH",
            BinOp::EndsWith => "ENDS WITH",
            BinOp::Contains => "CONTAINS",
            BinOp::In => "IN",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
    Pos,
    IsNull,
    IsNotNull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    All,
    Any,
    None,
    Single,
}

impl Quant {
    fn word(self) -> &'static str {
        match self {
            Quant::All => "all",
            Quant::Any => "any",
            Quant::None => "none",
            Quant::Single => "single",
        }
    }
}

/// The body of `EXISTS { … }` / `COUNT { … }`.
#[derive(Debug, Clone, PartialEq)]
pub enum Subquery {
    Pattern {
        pattern: Vec<PatternPart>,
        where_: Option<Box<Expr>>,
    },
    Query(Box<SingleQuery>),
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Lit(Value),
    Param(String),
    Var(String),
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    HasLabels(Box<Expr>, Vec<String>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Case {
        subject: Option<Box<Expr>>,
        arms: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
    },
    /// A function call; `name` as written (case kept for display).
    Call {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
    },
    CountStar,
    ListComp {
        var: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    PatternComp {
        var: Option<Ident>,
        part: Box<PatternPart>,
        filter: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    Quantifier {
        kind: Quant,
        var: Ident,
        list: Box<Expr>,
        pred: Option<Box<Expr>>,
    },
    /// A pattern as a predicate: true when it has a match.
    PatternPred(Box<PatternPart>),
    /// `shortestPath(…)` as an expression.
    ShortestPath(Box<PatternPart>),
    Exists(Subquery),
    CountSub(Subquery),
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

// ----- Display: canonical query text -----

fn name(s: &str) -> String {
    let mut out = String::new();
    format_key(s, &mut out);
    out
}

fn join<T: fmt::Display>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            Mode::Run => {}
            Mode::Explain => f.write_str("EXPLAIN ")?,
            Mode::Profile => f.write_str("PROFILE ")?,
        }
        write!(f, "{}", self.query)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                let all = self.union_all.get(i - 1).copied().unwrap_or(false);
                f.write_str(if all { " UNION ALL " } else { " UNION " })?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SingleQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join(&self.clauses, " "))
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&name(&self.name))
    }
}

fn pattern_text(p: &[PatternPart]) -> String {
    join(p, ", ")
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ClauseKind::Match {
                optional,
                pattern,
                where_,
            } => {
                if *optional {
                    f.write_str("OPTIONAL ")?;
                }
                write!(f, "MATCH {}", pattern_text(pattern))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            ClauseKind::Unwind { expr, var } => write!(f, "UNWIND {expr} AS {var}"),
            ClauseKind::With { proj, where_ } => {
                write!(f, "WITH {proj}")?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            ClauseKind::Return { proj } => write!(f, "RETURN {proj}"),
            ClauseKind::Create { pattern } => write!(f, "CREATE {}", pattern_text(pattern)),
            ClauseKind::Merge {
                part,
                on_create,
                on_match,
            } => {
                write!(f, "MERGE {part}")?;
                if !on_create.is_empty() {
                    write!(f, " ON CREATE SET {}", join(on_create, ", "))?;
                }
                if !on_match.is_empty() {
                    write!(f, " ON MATCH SET {}", join(on_match, ", "))?;
                }
                Ok(())
            }
            ClauseKind::Set { items } => write!(f, "SET {}", join(items, ", ")),
            ClauseKind::Remove { items } => write!(f, "REMOVE {}", join(items, ", ")),
            ClauseKind::Delete { detach, exprs } => {
                if *detach {
                    f.write_str("DETACH ")?;
                }
                write!(f, "DELETE {}", join(exprs, ", "))
            }
            ClauseKind::Call {
                name: proc,
                args,
                yields,
            } => {
                write!(f, "CALL {proc}")?;
                if let Some(a) = args {
                    write!(f, "({})", join(a, ", "))?;
                }
                if let Some(y) = yields {
                    match &y.items {
                        None => f.write_str(" YIELD *")?,
                        Some(items) => {
                            let s: Vec<String> = items
                                .iter()
                                .map(|(field, v)| {
                                    if *field == v.name {
                                        name(field)
                                    } else {
                                        format!("{} AS {v}", name(field))
                                    }
                                })
                                .collect();
                            write!(f, " YIELD {}", s.join(", "))?;
                        }
                    }
                    if let Some(w) = &y.where_ {
                        write!(f, " WHERE {w}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        let mut items: Vec<String> = Vec::new();
        if self.star {
            items.push("*".into());
        }
        for i in &self.items {
            match &i.alias {
                Some(a) => items.push(format!("{} AS {a}", i.expr)),
                None => items.push(i.expr.to_string()),
            }
        }
        f.write_str(&items.join(", "))?;
        if !self.order.is_empty() {
            let keys: Vec<String> = self
                .order
                .iter()
                .map(|s| {
                    if s.descending {
                        format!("{} DESC", s.expr)
                    } else {
                        s.expr.to_string()
                    }
                })
                .collect();
            write!(f, " ORDER BY {}", keys.join(", "))?;
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        Ok(())
    }
}

fn labels_text(labels: &[String]) -> String {
    labels.iter().map(|l| format!(":{}", name(l))).collect()
}

impl fmt::Display for SetItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { target, key, value } => {
                write!(f, "{target}.{} = {value}", name(key))
            }
            SetItem::Replace { var, value } => write!(f, "{var} = {value}"),
            SetItem::Merge { var, value } => write!(f, "{var} += {value}"),
            SetItem::Labels { var, labels } => write!(f, "{var}{}", labels_text(labels)),
        }
    }
}

impl fmt::Display for RemoveItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key } => write!(f, "{target}.{}", name(key)),
            RemoveItem::Labels { var, labels } => write!(f, "{var}{}", labels_text(labels)),
        }
    }
}

impl fmt::Display for NodePat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.var {
            write!(f, "{v}")?;
        }
        f.write_str(&labels_text(&self.labels))?;
        if let Some(p) = &self.props {
            if self.var.is_some() || !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for RelPat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.dir == Dir::Left { "<-[" } else { "-[" })?;
        if let Some(v) = &self.var {
            write!(f, "{v}")?;
        }
        if !self.types.is_empty() {
            let t: Vec<String> = self.types.iter().map(|t| name(t)).collect();
            write!(f, ":{}", t.join("|"))?;
        }
        if let Some((lo, hi)) = self.range {
            f.write_str("*")?;
            match (lo, hi) {
                (None, None) => {}
                (Some(a), Some(b)) if a == b => write!(f, "{a}")?,
                (lo, hi) => {
                    if let Some(a) = lo {
                        write!(f, "{a}")?;
                    }
                    f.write_str("..")?;
                    if let Some(b) = hi {
                        write!(f, "{b}")?;
                    }
                }
            }
        }
        if let Some(p) = &self.props {
            write!(f, " {p}")?;
        }
        f.write_str(if self.dir == Dir::Right { "]->" } else { "]-" })
    }
}

impl fmt::Display for PatternPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write!(f, "{v} = ")?;
        }
        match self.shortest {
            Some(Shortest::One) => f.write_str("shortestPath(")?,
            Some(Shortest::All) => f.write_str("allShortestPaths(")?,
            None => {}
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if i > 0
                && let Some(r) = self.rels.get(i - 1)
            {
                write!(f, "{r}")?;
            }
            write!(f, "{n}")?;
        }
        if self.shortest.is_some() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Display for Subquery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subquery::Pattern { pattern, where_ } => {
                write!(f, "{{ {}", pattern_text(pattern))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                f.write_str(" }")
            }
            Subquery::Query(q) => write!(f, "{{ {q} }}"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Lit(v) => match v {
                // A negative number prints in parentheses so `a - -1` and `-x ^ 2`
                // read back as the same tree.
                Value::Int(i) if *i < 0 => write!(f, "({v})"),
                Value::Float(x) if *x < 0.0 => write!(f, "({v})"),
                _ => write!(f, "{v}"),
            },
            ExprKind::Param(p) => write!(f, "${}", name(p)),
            ExprKind::Var(v) => f.write_str(&name(v)),
            ExprKind::List(items) => write!(f, "[{}]", join(items, ", ")),
            ExprKind::Map(entries) => {
                let s: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", name(k)))
                    .collect();
                write!(f, "{{{}}}", s.join(", "))
            }
            ExprKind::Prop(e, k) => write!(f, "{e}.{}", name(k)),
            ExprKind::Index(e, i) => write!(f, "{e}[{i}]"),
            ExprKind::Slice(e, a, b) => {
                write!(f, "{e}[")?;
                if let Some(a) = a {
                    write!(f, "{a}")?;
                }
                f.write_str("..")?;
                if let Some(b) = b {
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
            ExprKind::HasLabels(e, ls) => write!(f, "({e}{})", labels_text(ls)),
            ExprKind::Unary(op, e) => match op {
                UnOp::Not => write!(f, "(NOT {e})"),
                UnOp::Neg => write!(f, "(-{e})"),
                UnOp::Pos => write!(f, "(+{e})"),
                UnOp::IsNull => write!(f, "({e} IS NULL)"),
                UnOp::IsNotNull => write!(f, "({e} IS NOT NULL)"),
            },
            ExprKind::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            ExprKind::Case {
                subject,
                arms,
                default,
            } => {
                f.write_str("CASE")?;
                if let Some(s) = subject {
                    write!(f, " {s}")?;
                }
                for (w, t) in arms {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(d) = default {
                    write!(f, " ELSE {d}")?;
                }
                f.write_str(" END")
            }
            ExprKind::Call {
                name: n,
                distinct,
                args,
            } => {
                let parts: Vec<String> = n.split('.').map(name).collect();
                write!(f, "{}(", parts.join("."))?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                write!(f, "{})", join(args, ", "))
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::ListComp {
                var,
                list,
                filter,
                map,
            } => {
                write!(f, "[{var} IN {list}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                if let Some(m) = map {
                    write!(f, " | {m}")?;
                }
                f.write_str("]")
            }
            ExprKind::PatternComp {
                var,
                part,
                filter,
                map,
            } => {
                f.write_str("[")?;
                if let Some(v) = var {
                    write!(f, "{v} = ")?;
                }
                write!(f, "{part}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                write!(f, " | {map}]")
            }
            ExprKind::Quantifier {
                kind,
                var,
                list,
                pred,
            } => {
                write!(f, "{}({var} IN {list}", kind.word())?;
                if let Some(p) = pred {
                    write!(f, " WHERE {p}")?;
                }
                f.write_str(")")
            }
            ExprKind::PatternPred(p) => write!(f, "{p}"),
            ExprKind::ShortestPath(p) => write!(f, "{p}"),
            ExprKind::Exists(s) => write!(f, "EXISTS {s}"),
            ExprKind::CountSub(s) => write!(f, "COUNT {s}"),
        }
    }
}
