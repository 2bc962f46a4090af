//! The release gate: whether a release may pass, and why not. One rule for
//! the CLI's `signet gate` and, later, the app and sign-off.

use serde::Serialize;

use crate::model::ReleaseView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub release: String,
    pub passed: bool,
    pub reasons: Vec<String>,
    /// `number [status] text`, prefixed `template:` when there are several runs.
    pub open_items: Vec<String>,
}

/// Passes only when checklists are attached and every item is done or n/a.
pub fn verdict(view: &ReleaseView) -> Verdict {
    let mut reasons = Vec::new();
    let mut open_items = Vec::new();
    if view.runs.is_empty() {
        reasons.push("no checklists are attached".to_string());
    }
    for run in &view.runs {
        for item in run.walk_items() {
            if !item.status.is_closed() {
                let label = if view.runs.len() > 1 {
                    format!("{}:{}", run.template.slug, item.number)
                } else {
                    item.number.clone()
                };
                open_items.push(format!("{label} [{}] {}", item.status, item.plain));
            }
        }
    }
    if !open_items.is_empty() {
        reasons.push(format!(
            "{} of {} items are not done or n/a",
            open_items.len(),
            view.progress.total
        ));
    }
    Verdict {
        release: view.release.name.clone(),
        passed: reasons.is_empty(),
        reasons,
        open_items,
    }
}
