//! Release-to-release comparison: which items are newly done, regressed,
//! added or removed since an earlier release. Pure: two reports in, one
//! [`Comparison`] out; the store chooses the base and the trend.

use std::collections::HashMap;

use super::model::{ChangeList, Comparison, ItemChange, ItemReport, Report, TrendPoint};
use crate::model::Status;

/// Items pair by checklist (template name) and stable key: keys survive
/// template versions, so an item reworded by an upgrade is still the same.
type Key<'a> = (&'a str, &'a str);

fn change(
    section: &str,
    item: &ItemReport,
    status: Option<Status>,
    was: Option<Status>,
) -> ItemChange {
    ItemChange {
        number: item.number.clone(),
        section: section.to_string(),
        status,
        title: item.plain.clone(),
        was,
    }
}

fn push(list: &mut ChangeList, c: impl FnOnce() -> ItemChange) {
    if list.items.len() < ChangeList::LIMIT {
        list.items.push(c());
    }
    list.total += 1;
}

/// What changed from `base` (revision `base_revision`, 0 for its live
/// state) to `current`. `trend` is passed through.
pub fn compare(
    current: &Report,
    base: &Report,
    base_revision: u32,
    trend: Vec<TrendPoint>,
) -> Comparison {
    let mut before: HashMap<Key<'_>, (&str, &ItemReport)> = HashMap::new();
    for (run, section, item) in base.items() {
        before.insert((&run.template, &item.key), (&section.plain, item));
    }
    let mut out = Comparison {
        base: base.release.name.clone(),
        base_revision,
        trend,
        ..Comparison::default()
    };
    for (run, section, item) in current.items() {
        match before.remove(&(run.template.as_str(), item.key.as_str())) {
            None => push(&mut out.added, || {
                change(&section.plain, item, Some(item.status), None)
            }),
            Some((_, old)) => {
                let (now, was) = (item.status.is_closed(), old.status.is_closed());
                if now && !was {
                    push(&mut out.newly_done, || {
                        change(&section.plain, item, Some(item.status), Some(old.status))
                    });
                } else if was && !now {
                    push(&mut out.regressed, || {
                        change(&section.plain, item, Some(item.status), Some(old.status))
                    });
                }
            }
        }
    }
    // What is left of the base was removed; listed in the base's order.
    for (run, _, item) in base.items() {
        if let Some((section, old)) = before.get(&(run.template.as_str(), item.key.as_str())) {
            push(&mut out.removed, || {
                change(section, old, None, Some(old.status))
            });
        }
    }
    out
}

/// This report as the newest point of a trend.
pub fn trend_point(report: &Report) -> TrendPoint {
    TrendPoint {
        closed: report.progress.closed(),
        percent: report.progress.percent,
        release: report.release.name.clone(),
        signed_off: !report.is_draft(),
        total: report.progress.total,
    }
}
