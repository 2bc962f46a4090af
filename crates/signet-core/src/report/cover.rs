//! The cover: what a reader asks first — can we ship? Release, due date,
//! progress, the verdict, who signed (name, role, time), the override and
//! the items still open by section and title. Every renderer (markdown,
//! HTML, PDF) lays out the same [`Cover`]; none derives these facts itself.

use super::model::{Counts, Override, Report};
use super::text::override_line;
use crate::model::Status;
use crate::seal::{Seal, Signature};

/// The answer to "can we ship?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not signed off: a draft of the release as it stands.
    Draft,
    /// Signed off with every item done or n/a.
    SignedOff,
    /// Signed off although items were open, on an approver's say-so.
    SignedOffWithOverride,
}

impl Verdict {
    /// The verdict in a few words, for a badge.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Draft => "Draft — not signed off",
            Verdict::SignedOff => "Signed off",
            Verdict::SignedOffWithOverride => "Signed off with an override",
        }
    }

    /// A class name for styling (`draft`, `signed`, `override`).
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Draft => "draft",
            Verdict::SignedOff => "signed",
            Verdict::SignedOffWithOverride => "override",
        }
    }
}

/// An item not done or n/a, named by its section and title, never by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem<'a> {
    /// The checklist's title, when the release has several.
    pub checklist: Option<&'a str>,
    pub number: &'a str,
    /// The section's title (plain text).
    pub section: &'a str,
    pub status: Status,
    /// The item's title (plain text).
    pub title: &'a str,
}

#[derive(Debug, Clone)]
pub struct Cover<'a> {
    pub due_date: Option<&'a str>,
    /// Every open or blocked item, in document order.
    pub open_items: Vec<OpenItem<'a>>,
    pub override_: Option<&'a Override>,
    pub progress: Counts,
    pub release: &'a str,
    pub revision: u32,
    /// Approvers in signing order; empty for a draft.
    pub signers: &'a [Signature],
    pub verdict: Verdict,
}

/// The cover facts of a report (with its seal, when signed).
pub fn cover<'a>(report: &'a Report, seal: Option<&'a Seal>) -> Cover<'a> {
    let verdict = match (&report.override_, report.is_draft()) {
        (_, true) => Verdict::Draft,
        (Some(_), false) => Verdict::SignedOffWithOverride,
        (None, false) => Verdict::SignedOff,
    };
    let several = report.runs.len() > 1;
    let open_items = report
        .items()
        .filter(|(_, _, i)| !i.status.is_closed())
        .map(|(run, section, item)| OpenItem {
            checklist: several.then_some(run.title.as_str()),
            number: &item.number,
            section: &section.plain,
            status: item.status,
            title: &item.plain,
        })
        .collect();
    Cover {
        due_date: report.release.due_date.as_deref(),
        open_items,
        override_: report.override_.as_ref(),
        progress: report.progress,
        release: &report.release.name,
        revision: report.revision,
        signers: seal.map_or(&[], |s| s.signatures.as_slice()),
        verdict,
    }
}

impl<'a> Cover<'a> {
    /// At most `limit` open items and how many more there are ("+N more").
    pub fn open_shown(&self, limit: usize) -> (&[OpenItem<'a>], usize) {
        let n = self.open_items.len().min(limit);
        (&self.open_items[..n], self.open_items.len() - n)
    }

    /// One sentence answering "can we ship?".
    pub fn answer(&self) -> String {
        let open = self.open_items.len();
        let items = |n: usize| if n == 1 { "item" } else { "items" };
        match self.verdict {
            Verdict::SignedOff => format!(
                "Yes — signed off (revision {}); every item is done or not applicable.",
                self.revision
            ),
            Verdict::SignedOffWithOverride => format!(
                "Yes, on an approver's override (revision {}) — {open} {} still open.",
                self.revision,
                items(open)
            ),
            Verdict::Draft if open == 0 && self.progress.total > 0 => {
                "Not yet — every item is done or not applicable; waiting for sign-off.".into()
            }
            Verdict::Draft => format!(
                "Not yet — {open} {} open{}; not signed off.",
                items(open),
                if self.progress.blocked > 0 {
                    format!(" ({} blocked)", self.progress.blocked)
                } else {
                    String::new()
                }
            ),
        }
    }

    /// The override in one line, naming the approver and their reason.
    pub fn override_line(&self) -> Option<String> {
        self.override_.map(override_line)
    }
}

/// How an open item reads on the cover: `Section › 2.3 Title (blocked)`,
/// the checklist first when there are several.
pub fn open_item_line(i: &OpenItem<'_>) -> String {
    let mut s = String::new();
    if let Some(c) = i.checklist {
        s.push_str(c);
        s.push_str(" › ");
    }
    s.push_str(i.section);
    s.push_str(" › ");
    s.push_str(i.number);
    s.push(' ');
    s.push_str(i.title);
    if i.status != Status::Open {
        s.push_str(&format!(" ({})", i.status.label()));
    }
    s
}
