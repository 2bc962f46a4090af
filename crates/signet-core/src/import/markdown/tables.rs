//! Tables whose rows are items: the walk's side of `import/table.rs` —
//! collecting cells, sign-off tables, group rows, and one item per row with
//! its reference, start state and fields.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::super::metadata::{self, fact_value};
use super::super::table::{evidence_links, reason_of, status_of, Columns};
use super::{ballot_box, dedupe, is_inline, Builder, Child, Inline, SecB};
use crate::model::{Field, FromSource, Status, Warning, WarningKind};

/// A table body row: its cells as parsed and as (source, plain, detail).
pub(super) struct Row {
    offset: usize,
    inlines: Vec<Inline>,
    cells: Vec<(String, String, String)>,
}

impl Row {
    /// Empty but for one or two bold cells at the left, in a table with
    /// more columns than that: a group row (`| **Phase 1** | | |`).
    fn is_group(&self, width: usize) -> bool {
        let filled: Vec<usize> = (0..self.cells.len())
            .filter(|&c| !self.cells[c].0.is_empty())
            .collect();
        (1..=2).contains(&filled.len())
            && filled.len() < width
            && filled.iter().all(|&c| c <= 2 && self.inlines[c].is_bold())
    }
}

impl Builder<'_> {
    pub(super) fn table(&mut self, start: usize, end: usize) {
        let mut headers: Vec<String> = Vec::new();
        let mut rows: Vec<(usize, Vec<Inline>)> = Vec::new();
        let mut cell: Option<Inline> = None;
        let edits = &self.shape.edits;
        for (event, range) in &self.events[start + 1..end] {
            match event {
                Event::Start(Tag::TableHead) => rows.push((range.start, Vec::new())),
                Event::End(TagEnd::TableHead) => {
                    if let Some((_, cells)) = rows.pop() {
                        headers = cells.iter().map(|c| c.finish(self.text, edits).1).collect();
                    }
                }
                Event::Start(Tag::TableRow) => rows.push((range.start, Vec::new())),
                Event::Start(Tag::TableCell) => cell = Some(Inline::cell()),
                Event::End(TagEnd::TableCell) => {
                    if let (Some(c), Some((_, cells))) = (cell.take(), rows.last_mut()) {
                        cells.push(c);
                    }
                }
                e if is_inline(e) => {
                    if let Some(c) = cell.as_mut() {
                        c.add(e, range);
                    }
                }
                _ => {}
            }
        }
        let under_signoff = self
            .current
            .is_some_and(|s| metadata::is_signoff_heading(&self.sections[s].plain));
        if let Some(col) = metadata::signoff_table(&headers, under_signoff) {
            // Who signs, not what to check: the roles are the checklist's.
            for (_, cells) in &rows {
                if let Some(c) = cells.get(col) {
                    let role = c.finish(self.text, edits).1;
                    self.add_role(&fact_value(&role));
                }
            }
            return;
        }
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|(offset, inlines)| {
                let cells = inlines.iter().map(|c| c.finish(self.text, edits)).collect();
                Row {
                    offset,
                    inlines,
                    cells,
                }
            })
            .collect();
        let width = rows
            .iter()
            .map(|r| r.cells.len())
            .chain([headers.len()])
            .max()
            .unwrap_or(0);
        let group: Vec<bool> = rows.iter().map(|r| r.is_group(width)).collect();
        let boxes = rows
            .iter()
            .any(|r| r.cells.first().is_some_and(|c| ballot_box(&c.1).is_some()));
        let cols = Columns::read(&headers, width, boxes, |c| {
            rows.iter()
                .zip(&group)
                .filter(|(_, &g)| !g)
                .map(|(r, _)| r.cells.get(c).map_or("", |x| x.1.as_str()))
                .collect()
        });
        let nested = self.enclosing_item().is_some();
        let mut base: Option<usize> = None;
        for (row, is_group) in rows.iter().zip(group) {
            if is_group && !nested {
                let parent = match base {
                    Some(b) => b,
                    None => *base.insert(self.section()),
                };
                self.group_row(parent, row);
            } else {
                self.table_row(row, &headers, &cols);
            }
        }
        self.table_group = None;
    }

    /// `| **WSTG-INFO** | **Information Gathering** | | |`: a sub-section
    /// for the rows below it.
    pub(super) fn group_row(&mut self, parent: usize, row: &Row) {
        let title = row
            .cells
            .iter()
            .map(|c| c.1.as_str())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let sec = self.sections.len();
        self.sections.push(SecB {
            title: title.clone(),
            plain: title,
            description: String::new(),
            line: self.line_of(row.offset),
            children: Vec::new(),
        });
        self.sections[parent].children.push(Child::Section(sec));
        self.table_group = Some(sec);
    }

    pub(super) fn table_row(&mut self, row: &Row, headers: &[String], cols: &Columns) {
        let offset = row.offset;
        let line = self.line_of(offset);
        let cells = &row.cells;
        let Some((title, plain, detail)) = cells.get(cols.title).cloned() else {
            return;
        };
        // Cells built as <details><summary>title</summary>text</details> are
        // understood, not ignored: their tags are no news to the user.
        let html: Vec<String> = row
            .inlines
            .iter()
            .filter(|c| !c.has_summary)
            .flat_map(|c| c.ignored_html.iter().cloned())
            .collect();
        if !html.is_empty() {
            self.warn(
                offset,
                WarningKind::IgnoredHtml,
                format!("inline HTML ignored: {}", dedupe(&html).join(" ")),
            );
        }
        if plain.is_empty() && title.is_empty() {
            if cells.iter().any(|(t, _, _)| !t.is_empty()) {
                let column = match headers.get(cols.title) {
                    Some(h) if !h.is_empty() => format!("'{h}' column"),
                    _ if cols.title == 0 => "first column".into(),
                    _ => format!("column {}", cols.title + 1),
                };
                self.warnings.push(Warning {
                    line,
                    kind: WarningKind::EmptyItem,
                    message: format!("table row with an empty {column} skipped"),
                });
            }
            return;
        }
        let (title, plain) = match cols.reference.and_then(|r| cells.get(r)) {
            Some((rsrc, rplain, _)) if !rplain.is_empty() => {
                (format!("{rsrc} {title}"), format!("{rplain} {plain}"))
            }
            _ => (title, plain),
        };
        let cell = |col: Option<usize>| col.and_then(|c| cells.get(c)).map(|c| c.1.trim());
        let mut status = Status::Open;
        let mut given = FromSource::default();
        if cols.boxes.is_some() && cell(cols.boxes).and_then(ballot_box) == Some(true) {
            status = Status::Done;
        }
        // A Status cell this importer cannot read stays a field, so nothing
        // the author wrote is lost; an empty one leaves the box's word.
        let mut status_kept = false;
        if let Some(text) = cell(cols.status).filter(|t| !t.is_empty()) {
            match status_of(text) {
                Some(said) => {
                    status = said;
                    given.reason = said.needs_reason().then(|| reason_of(text));
                }
                None => status_kept = true,
            }
        }
        given.owner = cell(cols.owner)
            .map(|o| o.trim_start_matches('@').trim())
            .filter(|o| !o.is_empty())
            .map(str::to_string);
        // Links become evidence; a cell with more to say than its links
        // stays a field as well.
        let mut evidence_kept = false;
        if let Some(inline) = cols.evidence.and_then(|c| row.inlines.get(c)) {
            if !inline.is_empty() {
                let (links, only_links) = evidence_links(inline.targets(), &inline.outside_links());
                evidence_kept = !only_links || links.is_empty();
                given.evidence = links;
            }
        }
        let fields = cells
            .iter()
            .enumerate()
            .filter(|&(col, _)| {
                cols.is_field(col)
                    || (status_kept && Some(col) == cols.status)
                    || (evidence_kept && Some(col) == cols.evidence)
            })
            .map(|(col, (src, _, _))| Field {
                name: match headers.get(col) {
                    Some(h) if !h.is_empty() => h.clone(),
                    _ => format!("Column {}", col + 1),
                },
                value: src.clone(),
            })
            .collect();
        let idx = self.new_item(line, false);
        let item = &mut self.items[idx];
        item.title = title;
        item.plain = plain;
        item.detail = detail;
        item.fields = fields;
        item.start = status;
        if given != FromSource::default() {
            item.from_source = Some(Box::new(given));
        }
    }
}
