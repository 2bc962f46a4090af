//! Domain types shared by import, store and reports. Plain data: no I/O here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::text;

/// Where one item of one run stands.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Status {
    #[default]
    Open,
    Done,
    NotApplicable,
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
            Status::NotApplicable => "not_applicable",
            Status::Blocked => "blocked",
        }
    }

    /// Short label for terminals and markdown.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
            Status::NotApplicable => "n/a",
            Status::Blocked => "blocked",
        }
    }

    /// Done or not applicable: nothing left to do for a sign-off.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::NotApplicable)
    }

    pub fn needs_reason(self) -> bool {
        matches!(self, Status::NotApplicable | Status::Blocked)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Status {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" | "todo" => Ok(Status::Open),
            "done" | "x" | "ok" => Ok(Status::Done),
            "n/a" | "na" | "not_applicable" | "not-applicable" => Ok(Status::NotApplicable),
            "blocked" => Ok(Status::Blocked),
            other => Err(Error::Invalid(format!(
                "unknown status '{other}' (use open, done, n/a or blocked)"
            ))),
        }
    }
}

/// A table column kept with an item: header name and cell markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// A parsed markdown checklist, before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Checklist {
    pub title: String,
    /// Front matter (flattened to `key: value` strings) and `**Key:** value`
    /// lists, in document order.
    pub metadata: Vec<Field>,
    /// Roles a sign-off block asks for (`QA lead: ____ Date: ____`).
    pub approver_roles: Vec<String>,
    /// Prose before the first section.
    pub description: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Section {
    pub key: String,
    /// Outline number, e.g. `4` or `4.3` for a sub-section.
    pub number: String,
    /// Markdown source of the heading text, numbering stripped.
    pub title: String,
    pub plain: String,
    pub description: String,
    pub line: usize,
    pub items: Vec<Item>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Item {
    pub key: String,
    /// Outline number, e.g. `4.2` or `4.2.1`.
    pub number: String,
    /// Markdown source of the item text.
    pub title: String,
    pub plain: String,
    /// Further prose inside the item (sub-bullets that are not items, code).
    pub detail: String,
    pub fields: Vec<Field>,
    /// The status a new run starts this item in, as the source says: a
    /// ticked box, or a table's Status cell.
    pub start: Status,
    /// What else the source gives a new run, when it gives anything: the
    /// reason for a blocked or n/a start, an owner, evidence. Boxed, so the
    /// items of a plain list (nearly all of them) stay small.
    pub from_source: Option<Box<FromSource>>,
    pub line: usize,
    pub items: Vec<Item>,
}

/// What a table row gives a new run beyond its status: the Status cell as
/// the reason for blocked or n/a, an Owner cell, links in an Evidence cell.
/// A new run applies it attributed to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FromSource {
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub evidence: Vec<String>,
}

impl Item {
    /// Done in the source: a ticked box, or a table row whose Status says so.
    pub fn checked(&self) -> bool {
        self.start == Status::Done
    }
}

impl Checklist {
    /// The first metadata value under `name` (exact key).
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }
}

impl Checklist {
    /// Sections in document order, depth first.
    pub fn walk_sections(&self) -> Vec<&Section> {
        let mut out = Vec::new();
        let mut stack: Vec<&Section> = self.sections.iter().rev().collect();
        while let Some(s) = stack.pop() {
            out.push(s);
            stack.extend(s.sections.iter().rev());
        }
        out
    }

    /// Every item with its section, in document order.
    pub fn walk_items(&self) -> Vec<(&Section, &Item)> {
        let mut out = Vec::new();
        for section in self.walk_sections() {
            let mut stack: Vec<&Item> = section.items.iter().rev().collect();
            while let Some(item) = stack.pop() {
                out.push((section, item));
                stack.extend(item.items.iter().rev());
            }
        }
        out
    }
}

/// What an import found, for the user to read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportReport {
    pub file: String,
    pub title: String,
    pub sections: usize,
    pub items: usize,
    pub checked: usize,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum WarningKind {
    EmptyItem,
    Mojibake,
    IgnoredHtml,
    TableOfContents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Warning {
    pub line: usize,
    pub kind: WarningKind,
    pub message: String,
}

/// A stored template (one version of one source checklist).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TemplateInfo {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub slug: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    pub title: String,
    pub source_name: String,
    pub content_hash: String,
    pub imported_at: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub sections: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub items: i64,
    /// The checklist's front matter and `**Key:** value` lists, in order.
    pub metadata: Vec<Field>,
    /// Roles the checklist's sign-off block asks for.
    pub approver_roles: Vec<String>,
    /// Put away from this database's library (every version of the slug):
    /// hidden from the list by default, starts no new release.
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ImportStatus {
    /// First import of this source.
    New,
    /// The source changed: a new template version was stored.
    NewVersion,
    /// Identical bytes were imported before; nothing was written.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportOutcome {
    pub status: ImportStatus,
    pub template: TemplateInfo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ReleaseStatus {
    Open,
    SignedOff,
    Reopened,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Open => "open",
            ReleaseStatus::SignedOff => "signed_off",
            ReleaseStatus::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> ReleaseStatus {
        match s {
            "signed_off" => ReleaseStatus::SignedOff,
            "reopened" => ReleaseStatus::Reopened,
            _ => ReleaseStatus::Open,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Release {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    pub due_date: Option<String>,
    pub status: ReleaseStatus,
    pub created_at: String,
}

/// Counts of items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub not_applicable: usize,
    pub blocked: usize,
    pub open: usize,
}

impl Progress {
    pub fn add(&mut self, status: Status) {
        self.add_many(status, 1);
    }

    pub fn add_many(&mut self, status: Status, n: usize) {
        self.total += n;
        match status {
            Status::Open => self.open += n,
            Status::Done => self.done += n,
            Status::NotApplicable => self.not_applicable += n,
            Status::Blocked => self.blocked += n,
        }
    }

    pub fn merge(&mut self, other: Progress) {
        self.total += other.total;
        self.done += other.done;
        self.not_applicable += other.not_applicable;
        self.blocked += other.blocked;
        self.open += other.open;
    }

    pub fn closed(&self) -> usize {
        self.done + self.not_applicable
    }

    /// Whole percent closed, rounded down so 99.9% never shows as 100%.
    pub fn percent(&self) -> u32 {
        (self.closed() * 100)
            .checked_div(self.total)
            .map_or(100, |p| p as u32)
    }

    pub fn complete(&self) -> bool {
        self.closed() == self.total
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReleaseSummary {
    #[serde(flatten)]
    pub release: Release,
    pub runs: Vec<String>,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Evidence {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub target: String,
    pub label: Option<String>,
    pub added_at: String,
    pub added_by: String,
}

/// One item of one run, with its state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ItemView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub item_id: i64,
    pub number: String,
    pub key: String,
    pub title: String,
    pub plain: String,
    pub detail: String,
    pub fields: Vec<Field>,
    pub initially_checked: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: i64,
    pub status: Status,
    pub owner: Option<String>,
    pub notes: String,
    pub reason: Option<String>,
    pub evidence: Vec<Evidence>,
    pub updated_at: String,
    pub updated_by: String,
    /// Sanitised HTML of `title` and `detail`, filled for the desktop UI only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub detail_html: Option<String>,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SectionView {
    pub number: String,
    pub key: String,
    pub title: String,
    pub plain: String,
    pub description: String,
    pub progress: Progress,
    /// Sanitised HTML of `title` and `description`, filled for the desktop UI only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description_html: Option<String>,
    pub items: Vec<ItemView>,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub template: TemplateInfo,
    pub progress: Progress,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReleaseView {
    pub release: Release,
    pub progress: Progress,
    pub runs: Vec<RunView>,
}

impl ItemView {
    /// This item and its sub-items, depth first.
    pub fn walk(&self) -> Vec<&ItemView> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(i.items.iter().rev());
        }
        out
    }
}

impl SectionView {
    /// Items of this section only (not of sub-sections), depth first.
    pub fn own_items(&self) -> Vec<&ItemView> {
        self.items.iter().flat_map(ItemView::walk).collect()
    }

    /// This section and its sub-sections, depth first.
    pub fn walk(&self) -> Vec<&SectionView> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(s) = stack.pop() {
            out.push(s);
            stack.extend(s.sections.iter().rev());
        }
        out
    }
}

impl RunView {
    pub fn walk_sections(&self) -> Vec<&SectionView> {
        self.sections.iter().flat_map(SectionView::walk).collect()
    }

    pub fn walk_items(&self) -> Vec<&ItemView> {
        self.walk_sections()
            .into_iter()
            .flat_map(SectionView::own_items)
            .collect()
    }
}

impl ReleaseView {
    pub fn item_count(&self) -> usize {
        self.runs.iter().map(|r| r.walk_items().len()).sum()
    }
}

/// What a tick changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct Tick {
    pub status: Option<Status>,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub evidence: Vec<String>,
}

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Event {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub hash: String,
}

/// Builds a forest from nodes listed parents-first (document pre-order), each
/// with the index of its parent. No recursion, so depth is unbounded.
pub fn build_forest<T>(
    nodes: Vec<(T, Option<usize>)>,
    children: fn(&mut T) -> &mut Vec<T>,
) -> Vec<T> {
    let n = nodes.len();
    let mut kids: Vec<Vec<T>> = (0..n).map(|_| Vec::new()).collect();
    let mut roots = Vec::new();
    let mut nodes: Vec<(Option<T>, Option<usize>)> =
        nodes.into_iter().map(|(t, p)| (Some(t), p)).collect();
    for i in (0..n).rev() {
        let Some(mut node) = nodes[i].0.take() else {
            continue;
        };
        let mut mine = std::mem::take(&mut kids[i]);
        mine.reverse();
        *children(&mut node) = mine;
        match nodes[i].1 {
            Some(p) if p < i => kids[p].push(node),
            _ => roots.push(node),
        }
    }
    roots.reverse();
    roots
}

/// Marks plain-text evidence: `note: checked by hand on staging`. Evidence
/// is otherwise a link, and text that merely fails to be one (`not a url`,
/// `https://`) is a mistake, not a note.
pub const EVIDENCE_NOTE_PREFIX: &str = "note:";

/// The accepted forms, for error messages.
const EVIDENCE_FORMS: &str = "use an http(s) URL with a host (https://ci.example/run/81), \
a mailto: link with an address (mailto:qa@example.com), or a plain-text note starting \
with 'note:' (note: checked by hand on staging)";

/// What a host must be, for error messages.
const HOST_FORMS: &str = "is not a host name (letters, digits, '-' and '.') or an IP address";

/// `scheme` and the rest when `t` starts like a URL (`letters:`); one letter
/// is a Windows drive (`C:\…`), not a scheme.
fn split_scheme(t: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = t.split_once(':')?;
    let looks_like_scheme = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    looks_like_scheme.then_some((scheme, rest))
}

/// A host name of letters (of any script, for internationalised names),
/// digits, `-` and `.`; an IPv4 address; or an IPv6 address in brackets.
/// Nothing a browser would decode or rewrite (`%20`, `_`, `~`): the host a
/// link reads as must be the host it goes to.
fn is_host(h: &str) -> bool {
    if let Some(inner) = h.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    h.chars().any(char::is_alphanumeric)
        && h.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// Why text may not be shown as written anywhere: a control character, or
/// a bidirectional control that reorders what follows it (`exe.pdf` shown
/// as `fdp.exe`). Applies to notes as much as to links.
fn hidden_problem(t: &str) -> Option<String> {
    let c = t
        .chars()
        .find(|&c| c.is_control() || text::is_bidi_control(c))?;
    Some(if c.is_control() {
        format!("contains a control character ({})", text::visible_char(c))
    } else {
        format!(
            "contains {}, which changes the order text is shown in",
            text::visible_char(c)
        )
    })
}

/// Whether `s` holds a `%` escape of a space or a control character.
fn escapes_blank(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| {
        let hex = |b: u8| (b as char).to_digit(16);
        match (w[0], hex(w[1]), hex(w[2])) {
            (b'%', Some(hi), Some(lo)) => {
                let byte = hi * 16 + lo;
                byte <= 0x20 || byte == 0x7F
            }
            _ => false,
        }
    })
}

/// Why what follows `http:`/`https:` is not `//host[:port]…`, or None.
fn http_problem(rest: &str) -> Option<String> {
    let no_host = || Some("is not a link: it has no host".to_string());
    let Some(after) = rest.strip_prefix("//") else {
        return no_host();
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        // `https://good.example@evil.example/` goes to evil.example.
        return Some(
            "is refused: it has a user name before '@' (https://name@host), \
             which makes a link read as a site it does not go to"
                .into(),
        );
    }
    let (host, port) = match (authority.starts_with('['), authority.find(']')) {
        (true, Some(end)) => authority.split_at(end + 1),
        (true, None) => (authority, ""),
        (false, _) => match authority.rfind(':') {
            Some(colon) => authority.split_at(colon),
            None => (authority, ""),
        },
    };
    if host.is_empty() {
        return no_host();
    }
    if !is_host(host) {
        return Some(format!("is not a link: its host '{host}' {HOST_FORMS}"));
    }
    let port_ok = match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(p) => {
            p.is_empty() || (p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
        }
    };
    (!port_ok).then(|| format!("is not a link: its port '{port}' is not a number from 0 to 65535"))
}

/// Why what follows `mailto:` is not `local@domain` (or several, with
/// commas), or None.
fn mailto_problem(rest: &str) -> Option<String> {
    let to = rest.split('?').next().unwrap_or("");
    for addr in to.split(',') {
        let Some((local, domain)) = addr.split_once('@').filter(|(l, _)| !l.is_empty()) else {
            return Some("is not a link: it has no e-mail address".into());
        };
        if !is_host(domain) {
            return Some(format!(
                "is not a link: its e-mail domain '{domain}' {HOST_FORMS}"
            ));
        }
        if escapes_blank(local) {
            return Some(format!(
                "is not a link: its e-mail address '{addr}' holds an escaped space or control character"
            ));
        }
    }
    None
}

/// Why `t` (trimmed) may not become a clickable link, or None when it may.
fn link_problem(t: &str) -> Option<String> {
    let Some((scheme, rest)) = split_scheme(t) else {
        return Some("is neither a link nor a note".into());
    };
    let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if !http && !scheme.eq_ignore_ascii_case("mailto") {
        // A ticket id such as `JIRA-12:` is not a scheme anyone meant.
        return Some(if scheme.contains('-') {
            "is neither a link nor a note".into()
        } else {
            format!("is refused: the link scheme '{scheme}:' is not allowed")
        });
    }
    if let Some(problem) = hidden_problem(t) {
        return Some(format!("is not a link: it {problem}"));
    }
    if let Some(c) = t.chars().find(|&c| text::invisible(c)) {
        return Some(format!(
            "is not a link: it contains {}, which cannot be seen",
            text::visible_char(c)
        ));
    }
    if t.contains(' ') {
        return Some("is not a link: it contains a space".into());
    }
    if t.contains('\\') {
        // WHATWG URL parsing reads `\` as `/` in http(s) URLs, so
        // `https://evil.example\@good.example/` goes to evil.example.
        return Some(
            "is refused: it contains a backslash, which browsers read as '/', \
             so the link would not go where it reads"
                .into(),
        );
    }
    if http {
        http_problem(rest)
    } else {
        mailto_problem(rest)
    }
}

/// Whether a report or the UI may turn `target` into a clickable link: an
/// http(s) URL whose host is a plain host name or IP address (no user name,
/// no escapes), or a mailto: link with an address — with no space,
/// backslash, control, bidirectional or invisible character anywhere.
/// Anything else (`https://`, `javascript:…`, paths, notes) is shown as
/// text. Mirrored by `isSafeLink` in ui/src/lib/logic.ts.
pub fn is_safe_link(target: &str) -> bool {
    link_problem(target.trim()).is_none()
}

/// The text of plain-text evidence (`note: …`), or None for anything else.
pub fn evidence_note(target: &str) -> Option<&str> {
    let t = target.trim();
    let prefix = t.get(..EVIDENCE_NOTE_PREFIX.len())?;
    prefix
        .eq_ignore_ascii_case(EVIDENCE_NOTE_PREFIX)
        .then(|| t[EVIDENCE_NOTE_PREFIX.len()..].trim())
}

/// Checks an evidence target and returns it as stored: a link (see
/// [`is_safe_link`]) trimmed, or a note as `note: text`. Anything else is
/// refused with the value (invisible characters written out) and the
/// accepted forms.
pub fn check_evidence(target: &str) -> Result<String, Error> {
    let t = target.trim();
    if t.is_empty() {
        return Err(Error::Invalid(format!(
            "evidence is empty; {EVIDENCE_FORMS}"
        )));
    }
    let refuse = |problem: &str| {
        Error::Invalid(format!(
            "evidence '{}' {problem}; {EVIDENCE_FORMS}",
            text::visible(t)
        ))
    };
    if let Some(problem) = hidden_problem(t) {
        return Err(refuse(&problem));
    }
    if let Some(note) = evidence_note(t) {
        if note.is_empty() {
            return Err(refuse("is an empty note"));
        }
        if note
            .chars()
            .all(|c| c.is_whitespace() || text::invisible(c))
        {
            return Err(refuse(
                "is an empty note: it holds only characters that cannot be seen",
            ));
        }
        return Ok(format!("{EVIDENCE_NOTE_PREFIX} {note}"));
    }
    match link_problem(t) {
        None => Ok(t.to_string()),
        Some(problem) => Err(refuse(&problem)),
    }
}

/// Who the audit trail names when nobody is given.
pub const UNKNOWN_ACTOR: &str = "unknown";

/// Why `name` cannot name who acted, or None. A line break would forge
/// extra lines in `signet history`, a control character can rewrite the
/// terminal it is printed on, and a bidirectional control reorders what
/// follows it: each makes the trail show something it does not hold.
fn actor_problem(name: &str) -> Option<String> {
    let c = name
        .chars()
        .find(|&c| c.is_control() || text::is_line_break(c) || text::is_bidi_control(c))?;
    Some(if text::is_line_break(c) {
        "contains a line break".to_string()
    } else if c.is_control() {
        format!("contains a control character ({})", text::visible_char(c))
    } else {
        format!(
            "contains {}, which changes the order text is shown in",
            text::visible_char(c)
        )
    })
}

/// The actor to record, from the name a front end was given; `source` says
/// where that came from (`--actor`, `SIGNET_ACTOR`, `$USER`) for the error.
/// A blank name is [`UNKNOWN_ACTOR`]; one the history could not show as it
/// is (see [`sanitize_actor`]) is refused.
pub fn check_actor(name: &str, source: &str) -> Result<String, Error> {
    if name.trim().is_empty() {
        return Ok(UNKNOWN_ACTOR.to_string());
    }
    match actor_problem(name) {
        None => Ok(name.to_string()),
        Some(problem) => Err(Error::Invalid(format!(
            "actor '{}' (from {source}) {problem}, so the history would not show it as it is; use a plain name",
            text::visible(name)
        ))),
    }
}

/// [`check_actor`] for a front end that cannot refuse (the desktop app, at
/// start): each character it would refuse becomes U+FFFD, so the trail
/// shows that the name was odd instead of lines that were never written.
pub fn sanitize_actor(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let mut buf = [0u8; 4];
        if actor_problem(c.encode_utf8(&mut buf)).is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        } else {
            out.push(c);
        }
    }
    check_actor(&out, "").unwrap_or_else(|_| UNKNOWN_ACTOR.to_string())
}

/// An owner or approver. `public_key` is their minisign key when they have
/// one; the secret half never leaves their machine's config dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Person {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub handle: String,
    pub name: String,
    pub email: Option<String>,
    pub public_key: Option<String>,
    pub key_id: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_with_a_host_or_address_are_links() {
        for link in [
            "https://ci.example/run/81",
            "HTTP://CI.EXAMPLE",
            "https://ci.example:8443/x?y#z",
            "https://ci.example:/x",
            "http://[::1]:8080/",
            "http://10.0.0.7/",
            "https://bücher.example/",
            "mailto:qa@example.com",
            "mailto:qa@example.com?subject=v2.4.0",
            "mailto:qa@example.com,ops@example.com",
        ] {
            assert!(is_safe_link(link), "{link}");
        }
        for text in [
            "https://",
            "http:///path",
            "https://:443/",
            "https://user@/x",
            "https://user@ci.example:8443/x?y#z",
            "https://good.example@evil.example/",
            "https://evil.example\\@good.example/",
            "https://ci.example\\path",
            "https://%20",
            "https://%00/x",
            "https://ci%2Eexample/",
            "https://ci_example/",
            "https://-/",
            "http://[]/",
            "http://[::1/",
            "http://[::1]x/",
            "https://ci.example:65536/",
            "https://ci.example:+80/",
            "https://ci.example/\u{202E}fdp.exe",
            "https://ci.example/\u{200E}",
            "https://ci.example/\u{2067}",
            "https://ci.\u{200B}example/",
            "https://ci.example/a\u{00A0}b",
            "https://ci.example/\tx",
            "https://ci.example/a b",
            "https:ci.example",
            "https://ci example/",
            "https://ci.example:https/",
            "mailto:",
            "mailto:@example.com",
            "mailto:qa",
            "mailto:%20@%20",
            "mailto:%20@ci.example",
            "mailto:qa@ci.example,",
            "mailto:qa@\u{202E}example.com",
            "mailto:qa@example.com\\x",
            "javascript:alert(1)",
            "note: https://ci.example",
            "ci.example/run/81",
        ] {
            assert!(!is_safe_link(text), "{text}");
        }
    }

    #[test]
    fn an_actor_shows_in_the_history_as_it_is() {
        assert_eq!(
            check_actor("Ana Ruiz Núñez", "--actor").unwrap(),
            "Ana Ruiz Núñez"
        );
        assert_eq!(check_actor("  ", "$USER").unwrap(), UNKNOWN_ACTOR);
        for (bad, says) in [
            (
                "ana\nbo",
                "actor 'ana\\nbo' (from SIGNET_ACTOR) contains a line break",
            ),
            ("ana\u{2028}", "contains a line break"),
            (
                "ana\u{1b}[2J",
                "contains a control character (<U+001B ESCAPE>)",
            ),
            ("\u{202E}ana", "contains <U+202E RIGHT-TO-LEFT OVERRIDE>"),
        ] {
            let err = check_actor(bad, "SIGNET_ACTOR").unwrap_err().to_string();
            assert!(err.contains(says), "{bad:?}: {err}");
        }
        assert_eq!(
            sanitize_actor("evil\nactor\u{202E}"),
            "evil\u{FFFD}actor\u{FFFD}"
        );
        assert_eq!(sanitize_actor("ana"), "ana");
        assert_eq!(sanitize_actor(""), UNKNOWN_ACTOR);
    }

    #[test]
    fn evidence_is_a_link_or_an_explicit_note() {
        assert_eq!(
            check_evidence(" https://ci.example/run/81 ").unwrap(),
            "https://ci.example/run/81"
        );
        assert_eq!(
            check_evidence("NOTE:checked by hand ").unwrap(),
            "note: checked by hand"
        );
        for (bad, says) in [
            (
                "not a url",
                "evidence 'not a url' is neither a link nor a note",
            ),
            (
                "JIRA-123",
                "evidence 'JIRA-123' is neither a link nor a note",
            ),
            ("C:\\reports\\x.pdf", "is neither a link nor a note"),
            (
                "https://",
                "evidence 'https://' is not a link: it has no host",
            ),
            ("mailto:", "it has no e-mail address"),
            ("note:  ", "evidence 'note:' is an empty note"),
            (
                "note:\u{200B}\u{FEFF}",
                "evidence 'note:<U+200B ZERO WIDTH SPACE><U+FEFF ZERO WIDTH NO-BREAK SPACE>' \
                 is an empty note: it holds only characters that cannot be seen",
            ),
            (
                "note: fine\u{202E}",
                "evidence 'note: fine<U+202E RIGHT-TO-LEFT OVERRIDE>' contains \
                 <U+202E RIGHT-TO-LEFT OVERRIDE>, which changes the order text is shown in",
            ),
            (
                "https://ci.example/\u{1b}[2J",
                "contains a control character (<U+001B ESCAPE>)",
            ),
            (
                "https://%20",
                "evidence 'https://%20' is not a link: its host '%20' is not a host name",
            ),
            (
                "https://evil.example\\@good.example/",
                "is refused: it contains a backslash, which browsers read as '/'",
            ),
            (
                "https://good.example@evil.example/",
                "is refused: it has a user name before '@'",
            ),
            (
                "mailto:%20@%20",
                "its e-mail domain '%20' is not a host name",
            ),
            (
                "https://ci.example:99999/",
                "its port ':99999' is not a number",
            ),
            ("https://ci.example/a b", "it contains a space"),
            (
                "javascript:alert(1)",
                "the link scheme 'javascript:' is not allowed",
            ),
            ("", "evidence is empty"),
        ] {
            let err = check_evidence(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(
                err.contains("https://ci.example/run/81")
                    && err.contains("mailto:qa@example.com")
                    && err.contains("'note:'"),
                "{bad}: the accepted forms are named: {err}"
            );
        }
    }
}
