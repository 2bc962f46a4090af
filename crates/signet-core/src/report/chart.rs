//! The progress chart's data: one bar per section, named by the section's
//! own title, grouped under its checklist's title (said once, not per bar).
//! Renderers draw it; none decides which sections make a bar.

use super::model::{Counts, Report, RunReport, TrendPoint};

#[derive(Debug, Clone, PartialEq)]
pub struct ChartBar<'a> {
    pub counts: Counts,
    /// The section's title (plain text), whole: renderers wrap, never cut.
    pub label: &'a str,
    pub number: &'a str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartGroup<'a> {
    pub bars: Vec<ChartBar<'a>>,
    /// The checklist's title, the group's label.
    pub title: &'a str,
}

/// The depth whose sections make the bars: the top level, or the level
/// below a checklist that wraps everything in one heading (one bar saying
/// "Release checklist 40%" tells nothing).
fn bar_depth(run: &RunReport) -> usize {
    let mut depth = 0;
    loop {
        let at: Vec<_> = run.sections.iter().filter(|s| s.depth == depth).collect();
        let below = run.sections.iter().any(|s| s.depth == depth + 1);
        if at.len() == 1 && at[0].items.is_empty() && below {
            depth += 1;
        } else {
            return depth;
        }
    }
}

/// Each run's chart group; sections with nothing to count make no bar.
pub fn groups(report: &Report) -> Vec<ChartGroup<'_>> {
    report
        .runs
        .iter()
        .map(|run| {
            let depth = bar_depth(run);
            ChartGroup {
                bars: run
                    .sections
                    .iter()
                    .filter(|s| s.depth == depth && s.progress.total > 0)
                    .map(|s| ChartBar {
                        counts: s.progress,
                        label: &s.plain,
                        number: &s.number,
                    })
                    .collect(),
                title: &run.title,
            }
        })
        .filter(|g| !g.bars.is_empty())
        .collect()
}

/// The progress of earlier releases and this one, oldest first; empty
/// without a comparison.
pub fn trend(report: &Report) -> &[TrendPoint] {
    report
        .comparison
        .as_ref()
        .map_or(&[], |c| c.trend.as_slice())
}

/// A bar's segments in drawing order, with the status each stands for:
/// done, n/a, blocked, then open (the empty rest).
pub fn segments(c: &Counts) -> [(crate::model::Status, usize); 4] {
    use crate::model::Status;
    [
        (Status::Done, c.done),
        (Status::NotApplicable, c.not_applicable),
        (Status::Blocked, c.blocked),
        (Status::Open, c.open),
    ]
}
