//! The shell's meta-commands as data: names, arguments and help text. Completion,
//! hints and `:help` all read this one table.

/// A meta-command.
pub struct Command {
    /// The name without the colon.
    pub name: &'static str,
    /// The argument syntax, shown by `:help` and as a hint while typing.
    pub args: &'static str,
    /// One line for the `:help` list.
    pub summary: &'static str,
    /// More, for `:help NAME` (may be empty).
    pub detail: &'static str,
}

/// Every meta-command, in the order `:help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        args: "[COMMAND|formats|keys|params]",
        summary: "this list, or help on one command or topic",
        detail: "",
    },
    Command {
        name: "schema",
        args: "",
        summary: "labels, relationship types and property keys, with counts and examples",
        detail: "Reads the whole graph once; on a large store this takes a moment.",
    },
    Command {
        name: "stats",
        args: "",
        summary: "the store's path and its node and relationship counts",
        detail: "",
    },
    Command {
        name: "ingest",
        args: "PATH…",
        summary: "ingest files and folders into the store",
        detail: "Paths with spaces go in quotes. Tab completes file names. Ctrl-C stops the \
ingest before its next batch; what went in before stays.",
    },
    Command {
        name: "source",
        args: "FILE",
        summary: "run the statements and meta-commands in FILE",
        detail: "Statements end with ';'. The script stops at its first error, which is \
reported with the file name and line. Ctrl-C cancels the statement running and skips the rest.",
    },
    Command {
        name: "param",
        args: "NAME => VALUE",
        summary: "set the parameter $NAME",
        detail: "VALUE is a literal: 42, 1.5, 'text', true, null, [1, 2], {k: 'v'}, \
date('2016-12-12'). A bare word that is not a literal is a string.",
    },
    Command {
        name: "params",
        args: "[clear]",
        summary: "list the parameters, or remove them all",
        detail: "",
    },
    Command {
        name: "format",
        args: "table|csv|tsv|json|jsonl|markdown",
        summary: "how results are printed",
        detail: "",
    },
    Command {
        name: "export",
        args: "FORMAT FILE [--induced]",
        summary: "write the last result's subgraph to FILE (dot, json, graphml, …)",
        detail: "--induced adds the relationships among the result's nodes.",
    },
    Command {
        name: "timing",
        args: "on|off",
        summary: "show compile and execution times under results",
        detail: "",
    },
    Command {
        name: "maxwidth",
        args: "N|off",
        summary: "the widest a table may be; longer values end with …",
        detail: "Defaults to the terminal's width; off never truncates.",
    },
    Command {
        name: "explain",
        args: "QUERY",
        summary: "show the plan of QUERY without running it",
        detail: "",
    },
    Command {
        name: "history",
        args: "[N]",
        summary: "the last N statements (default 20)",
        detail: "",
    },
    Command {
        name: "clear",
        args: "",
        summary: "clear the screen",
        detail: "",
    },
    Command {
        name: "quit",
        args: "",
        summary: "leave the shell (also :exit, Ctrl-D)",
        detail: "",
    },
];

/// Other names a command answers to.
pub const ALIASES: &[(&str, &str)] = &[("exit", "quit"), ("q", "quit"), ("h", "help")];

/// Finds a command by name or alias.
pub fn find(name: &str) -> Option<&'static Command> {
    let name = ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map_or(name, |(_, n)| n);
    COMMANDS.iter().find(|c| c.name == name)
}

pub const FORMATS: &str = "\
Output formats (:format NAME, or --format NAME for `dossier query`):
  table     a boxed table sized by display width, with a footer (the default)
  csv       RFC 4180 CSV with a header row; null is an empty field
  tsv       tab-separated, backslash escapes for tab, newline and backslash
  json      one JSON array of row objects, keys in column order
  jsonl     one JSON object per row and line
  markdown  a Markdown table
Nodes print as (:Label {key: \"value\"}) in text formats and as
{\"id\", \"labels\", \"properties\"} objects in JSON.
";

pub const KEYS: &str = "\
Keys:
  Enter        run the statement once it ends with ; (else continue on the next line)
  Tab          complete keywords, functions, :labels, [:TYPES, .keys, $params,
               meta-commands and file names
  Up / Down    previous / next history entry      Ctrl-R  search the history
  Ctrl-C       cancel the running query, :ingest or :source; clear the line;
               twice on an empty line: leave
  Ctrl-D       leave the shell
";

pub const PARAMS: &str = "\
Parameters: :param name => value sets $name for every later statement.
  :param who => 'Lina shamy'
  :param day => date('2016-12-12')
  MATCH (p:Person {name: $who}) RETURN p;
:params lists them; :params clear removes them.
`dossier query --param who='Lina shamy'` does the same on the command line.
";

/// The `:help` text for `topic` (empty: the command list).
pub fn help(topic: &str) -> Option<String> {
    let topic = topic.trim().trim_start_matches(':');
    match topic {
        "" => {
            let mut out = String::from("Statements end with ;. Meta-commands:\n");
            let w = COMMANDS
                .iter()
                .map(|c| c.name.len() + c.args.chars().count() + 2)
                .max()
                .unwrap_or(0);
            for c in COMMANDS {
                let head = if c.args.is_empty() {
                    format!(":{}", c.name)
                } else {
                    format!(":{} {}", c.name, c.args)
                };
                let pad = w.saturating_sub(head.chars().count());
                out.push_str(&format!("  {head}{}  {}\n", " ".repeat(pad), c.summary));
            }
            out.push_str("More: :help formats, :help keys, :help params, :help COMMAND.\n");
            Some(out)
        }
        "formats" | "format" => Some(FORMATS.to_string()),
        "keys" => Some(KEYS.to_string()),
        "params" | "param" => Some(PARAMS.to_string()),
        name => find(name).map(|c| {
            let mut out = format!(":{} {}\n  {}\n", c.name, c.args, c.summary);
            if !c.detail.is_empty() {
                out.push_str(&format!("  {}\n", c.detail));
            }
            out
        }),
    }
}
