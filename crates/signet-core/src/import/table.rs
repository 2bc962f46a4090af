//! How a checklist table is read: which column is the item's title, which is
//! its reference (an ID such as `WSTG-INFO-02`), which give its starting
//! status, owner and evidence, and what a Status cell means. Headers decide,
//! in any case and with any parenthetical (`Status (✅/⚠️/❌)`); cells decide
//! only whether a first column holds IDs. Pure: strings in, decisions out.

use crate::model::{is_safe_link, Status};

/// A header's words, lowercased, without a parenthetical or trailing `:?`.
fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0u32;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    let t = out.trim().trim_end_matches([':', '?', '*']).trim();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn last_word(h: &str) -> &str {
    h.rsplit([' ', '_', '-']).next().unwrap_or(h)
}

/// `ID`, `Test ID`, `#`, `No.`, `Ref`: a column of references.
fn is_id_header(h: &str) -> bool {
    matches!(
        last_word(h),
        "id" | "ids"
            | "#"
            | "no"
            | "no."
            | "nr"
            | "nr."
            | "num"
            | "ref"
            | "ref."
            | "reference"
            | "code"
    ) || h == "number"
}

/// How well a header names the thing to check: 0 best, None not at all.
fn title_rank(h: &str) -> Option<u8> {
    if is_id_header(h) {
        return None;
    }
    const THING: &[&str] = &[
        "item",
        "items",
        "task",
        "tasks",
        "check",
        "checks",
        "checkpoint",
        "test",
        "tests",
        "test case",
        "criteria",
        "criterion",
        "control",
        "controls",
        "requirement",
        "requirements",
        "name",
        "title",
        "step",
        "action",
        "activity",
        "question",
        "deliverable",
        "deliverables",
    ];
    const DESCRIBES: &[&str] = &["description", "details", "summary", "what"];
    let last = last_word(h);
    if THING.contains(&h) || THING.contains(&last) {
        Some(0)
    } else if DESCRIBES.contains(&h) || DESCRIBES.contains(&last) {
        Some(1)
    } else {
        None
    }
}

fn is_status_header(h: &str) -> bool {
    matches!(
        h,
        "status"
            | "done"
            | "result"
            | "results"
            | "state"
            | "outcome"
            | "verdict"
            | "complete"
            | "completed"
            | "pass/fail"
            | "go/no-go"
            | "go / no-go"
            | "✓"
            | "✔"
            | "✅"
    )
}

fn is_owner_header(h: &str) -> bool {
    matches!(
        h,
        "owner"
            | "owners"
            | "owned by"
            | "assignee"
            | "assignees"
            | "assigned to"
            | "responsible"
            | "dri"
            | "who"
    )
}

fn is_evidence_header(h: &str) -> bool {
    matches!(
        h,
        "evidence" | "link" | "links" | "proof" | "url" | "artifact" | "artefact" | "artifacts"
    )
}

/// A short code: `ABC-12`, `WSTG-INFO-02`, `1.2.3`, `T7`, `#12`.
pub(crate) fn is_reference(plain: &str) -> bool {
    let t = plain.trim();
    let len = t.chars().count();
    (1..=24).contains(&len)
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_alphanumeric() || "-_./:#".contains(c))
}

/// What each column of a table is for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    /// A first column of ballot boxes (`☐`, `☑`): done or open.
    pub boxes: Option<usize>,
    pub title: usize,
    pub reference: Option<usize>,
    pub status: Option<usize>,
    pub owner: Option<usize>,
    pub evidence: Option<usize>,
}

impl Columns {
    /// `headers` as plain text; `column` gives the plain cells of a column
    /// (of rows that are items, not group rows).
    pub(crate) fn read<'c>(
        headers: &[String],
        width: usize,
        boxes: bool,
        column: impl Fn(usize) -> Vec<&'c str>,
    ) -> Columns {
        let names: Vec<String> = (0..width)
            .map(|c| headers.get(c).map(|h| normalise(h)).unwrap_or_default())
            .collect();
        // A first column headed "Status" reads as one, ✅ or not.
        let boxes = (boxes && !names.first().is_some_and(|h| is_status_header(h))).then_some(0);
        let find = |f: fn(&str) -> bool| {
            (0..width).find(|&c| Some(c) != boxes && !names[c].is_empty() && f(&names[c]))
        };
        let mut cols = Columns {
            boxes,
            status: find(is_status_header),
            owner: find(is_owner_header),
            evidence: find(is_evidence_header),
            ..Columns::default()
        };
        let free: Vec<usize> = (0..width)
            .filter(|&c| {
                Some(c) != cols.boxes
                    && Some(c) != cols.status
                    && Some(c) != cols.owner
                    && Some(c) != cols.evidence
            })
            .collect();
        let Some(&first) = free.first() else {
            // Nothing but special columns: the first one after the boxes is
            // the title, as it always was, and loses its special meaning.
            let title = usize::from(cols.boxes.is_some()).min(width.saturating_sub(1));
            for special in [&mut cols.status, &mut cols.owner, &mut cols.evidence] {
                if *special == Some(title) {
                    *special = None;
                }
            }
            cols.title = title;
            return cols;
        };
        let named = (0..=1u8).find_map(|rank| {
            free.iter()
                .copied()
                .find(|&c| title_rank(&names[c]) == Some(rank))
        });
        let ids = || {
            let cells = column(first);
            is_id_header(&names[first])
                || (cells.iter().any(|c| !c.trim().is_empty())
                    && cells.iter().all(|c| c.trim().is_empty() || is_reference(c)))
        };
        match named {
            Some(title) => {
                cols.title = title;
                if first != title && first < title && ids() {
                    cols.reference = Some(first);
                }
            }
            None => match free.get(1) {
                Some(&second) if ids() => {
                    cols.reference = Some(first);
                    cols.title = second;
                }
                _ => cols.title = first,
            },
        }
        cols
    }

    /// Columns kept as named fields: all but the ones read into the item.
    /// Status and evidence cells the item could not use stay fields too
    /// (decided per row by the caller).
    pub(crate) fn is_field(&self, col: usize) -> bool {
        Some(col) != self.boxes
            && col != self.title
            && Some(col) != self.reference
            && Some(col) != self.status
            && Some(col) != self.owner
            && Some(col) != self.evidence
    }
}

/// The reason a blocked or n/a Status cell gives: the cell without its
/// leading marker symbol (`⚠️ waiting on the vendor` → `waiting on the
/// vendor`), or the whole cell when the marker is all it says.
pub(crate) fn reason_of(cell: &str) -> String {
    let cell = cell.trim();
    let rest = cell
        .trim_start_matches(|c: char| symbol_status(c).is_some() || c == '\u{fe0f}')
        .trim_start();
    if rest.is_empty() || rest.len() == cell.len() {
        cell.to_string()
    } else {
        rest.to_string()
    }
}

/// The status a marker symbol says on its own, at the start of a cell.
fn symbol_status(c: char) -> Option<Status> {
    match c {
        '✅' | '✔' | '☑' | '✓' | '☒' | '🟢' => Some(Status::Done),
        '❌' | '✗' | '✘' | '❎' | '🔴' | '☐' => Some(Status::Open),
        '⚠' | '🚧' | '⛔' | '🟡' | '🟠' => Some(Status::Blocked),
        '⏭' | '➖' => Some(Status::NotApplicable),
        _ => None,
    }
}

/// What a Status cell says. `None`: not a status this importer knows (the
/// item starts open and the cell stays a field, so nothing is lost).
/// A failed or "no" check is not done yet: it starts open.
pub(crate) fn status_of(cell: &str) -> Option<Status> {
    let t: String = cell
        .chars()
        .filter(|&c| c != '\u{fe0f}')
        .flat_map(char::to_lowercase)
        .collect();
    let t = t.trim();
    if t.is_empty() {
        return Some(Status::Open);
    }
    let by_symbol = symbol_status(t.chars().next()?);
    if by_symbol.is_some() {
        return by_symbol;
    }
    const WORDS: &[(&str, Status)] = &[
        ("not applicable", Status::NotApplicable),
        ("not started", Status::Open),
        ("not done", Status::Open),
        ("in progress", Status::Open),
        ("at risk", Status::Blocked),
        ("on hold", Status::Blocked),
        ("no-go", Status::Open),
        ("no go", Status::Open),
        ("n/a", Status::NotApplicable),
        ("n.a.", Status::NotApplicable),
        ("na", Status::NotApplicable),
        ("skipped", Status::NotApplicable),
        ("skip", Status::NotApplicable),
        ("waived", Status::NotApplicable),
        ("blocked", Status::Blocked),
        ("completed", Status::Done),
        ("complete", Status::Done),
        ("passed", Status::Done),
        ("pass", Status::Done),
        ("done", Status::Done),
        ("yes", Status::Done),
        ("okay", Status::Done),
        ("ok", Status::Done),
        ("go", Status::Done),
        ("failed", Status::Open),
        ("fail", Status::Open),
        ("no", Status::Open),
        ("open", Status::Open),
        ("todo", Status::Open),
        ("to do", Status::Open),
        ("pending", Status::Open),
        ("wip", Status::Open),
        ("tbd", Status::Open),
    ];
    // Single characters only on their own: `x` ticked, `-` not applicable.
    match t {
        "x" | "y" => return Some(Status::Done),
        "n" => return Some(Status::Open),
        "-" | "–" | "—" => return Some(Status::NotApplicable),
        _ => {}
    }
    WORDS.iter().find_map(|&(word, status)| {
        let rest = t.strip_prefix(word)?;
        rest.chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            .then_some(status)
    })
}

/// http(s) links with a host in an Evidence cell: its link targets and any
/// bare URLs. `only_links` is false when the cell says more than its links.
pub(crate) fn evidence_links(targets: &[String], plain_outside_links: &str) -> (Vec<String>, bool) {
    let web = |t: &str| {
        let lower = t.trim().to_ascii_lowercase();
        (lower.starts_with("http://") || lower.starts_with("https://")) && is_safe_link(t)
    };
    let mut links: Vec<String> = targets.iter().filter(|t| web(t)).cloned().collect();
    let mut only_links = targets.iter().all(|t| web(t));
    for word in plain_outside_links.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        if word.is_empty() || word.chars().all(|c| c.is_ascii_punctuation() || c == '·') {
            continue;
        }
        if web(word) {
            links.push(word.trim().to_string());
        } else {
            only_links = false;
        }
    }
    (links, only_links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(headers: &[&str], cells: &[&[&str]]) -> Columns {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let width = headers.len();
        Columns::read(&headers, width, false, |c| {
            cells
                .iter()
                .map(|row| row.get(c).copied().unwrap_or(""))
                .collect()
        })
    }

    #[test]
    fn headers_name_the_title_status_owner_and_evidence() {
        let c = read(&["Test ID", "Test Name", "Status", "Notes"], &[]);
        assert_eq!((c.title, c.reference, c.status), (1, Some(0), Some(2)));
        let c = read(&["Item", "Status (✅/⚠️/❌)", "Owner", "Notes"], &[]);
        assert_eq!((c.title, c.status, c.owner), (0, Some(1), Some(2)));
        let c = read(
            &[
                "Criteria",
                "Weight",
                "Pass Threshold",
                "Status (Pass/Fail)",
                "Comments",
            ],
            &[],
        );
        assert_eq!((c.title, c.status, c.reference), (0, Some(3), None));
        let c = read(&["Check name", "Short Description", "Level A"], &[]);
        assert_eq!(c.title, 0);
        let c = read(
            &["Area", "Description", "Evidence"],
            &[&["API", "Has tests", ""]],
        );
        assert_eq!((c.title, c.reference, c.evidence), (1, None, Some(2)));
        // An owner *role* is a field, not a person.
        let c = read(&["Check", "Owner role", "Evidence"], &[]);
        assert_eq!((c.title, c.owner), (0, None));
    }

    #[test]
    fn a_first_column_of_codes_is_the_reference() {
        let c = read(
            &["", "Thing", "Why"],
            &[&["ABC-12", "Backups", "x"], &["1.2.3", "b", "y"]],
        );
        assert_eq!((c.reference, c.title), (Some(0), 1));
        let c = read(&["Area", "Thing"], &[&["Payments", "Backups"]]);
        assert_eq!((c.reference, c.title), (None, 0));
        assert!(is_reference("WSTG-INFO-02"));
        assert!(!is_reference("Backups restore"));
        assert!(!is_reference("API"));
    }

    #[test]
    fn status_cells_in_every_spelling() {
        for done in [
            "✅", "✔", "✔️", "☑", "x", "X", "Pass", "PASSED", "Done", "yes", "OK", "Complete",
            "✅ Pass", "Go",
        ] {
            assert_eq!(status_of(done), Some(Status::Done), "{done}");
        }
        for open in [
            "",
            "❌",
            "✗",
            "Fail",
            "failed: timeout",
            "No",
            "No-Go",
            "In progress",
            "TBD",
        ] {
            assert_eq!(status_of(open), Some(Status::Open), "{open}");
        }
        for blocked in ["⚠️", "⚠️ waiting on vendor", "Blocked", "At risk"] {
            assert_eq!(status_of(blocked), Some(Status::Blocked), "{blocked}");
        }
        // The reason drops the marker symbol, not the words.
        assert_eq!(reason_of("⚠️ waiting on vendor"), "waiting on vendor");
        assert_eq!(reason_of("⚠️ At risk"), "At risk");
        assert_eq!(reason_of("⚠️"), "⚠️");
        assert_eq!(reason_of("Blocked"), "Blocked");
        assert_eq!(
            reason_of("⏭️  skipped this quarter"),
            "skipped this quarter"
        );
        for na in [
            "N/A",
            "na",
            "–",
            "-",
            "Skip",
            "skipped: no UI",
            "Not applicable",
        ] {
            assert_eq!(status_of(na), Some(Status::NotApplicable), "{na}");
        }
        for unknown in ["Nope", "Waiting", "Okra", "42"] {
            assert_eq!(status_of(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn evidence_cells_give_web_links_only() {
        let (links, only) = evidence_links(&["https://ci.example/1".into()], "");
        assert_eq!(
            (links, only),
            (vec!["https://ci.example/1".to_string()], true)
        );
        let (links, only) = evidence_links(&[], "https://ci.example/2, see wiki");
        assert_eq!(
            (links, only),
            (vec!["https://ci.example/2".to_string()], false)
        );
        let (links, only) = evidence_links(&["runbook.md".into()], "");
        assert_eq!((links.len(), only), (0, false));
        let (links, _) = evidence_links(&["mailto:qa@example.com".into()], "");
        assert!(links.is_empty());
    }
}
