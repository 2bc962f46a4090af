//! CSV export: one row per item, a column per table field seen in the release.

use crate::error::{Error, Result};
use crate::model::ReleaseView;

/// Spreadsheets run cells starting with these as formulas; a leading
/// apostrophe makes them text (OWASP's CSV-injection advice).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub fn render(view: &ReleaseView) -> Result<Vec<u8>> {
    let mut field_names: Vec<&str> = Vec::new();
    for run in &view.runs {
        for item in run.walk_items() {
            for f in &item.fields {
                if !field_names.contains(&f.name.as_str()) {
                    field_names.push(&f.name);
                }
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec![
        "release",
        "template",
        "section",
        "number",
        "key",
        "title",
        "status",
        "owner",
        "reason",
        "evidence",
        "notes",
        "initially_checked",
        "updated_at",
        "updated_by",
    ];
    header.extend(field_names.iter().copied());
    w.write_record(&header)?;
    for run in &view.runs {
        for section in run.walk_sections() {
            for item in section.own_items() {
                let mut row: Vec<String> = vec![
                    cell(&view.release.name),
                    run.template.slug.clone(),
                    cell(&format!("{} {}", section.number, section.plain)),
                    item.number.clone(),
                    item.key.clone(),
                    cell(&item.plain),
                    item.status.label().to_string(),
                    cell(item.owner.as_deref().unwrap_or("")),
                    cell(item.reason.as_deref().unwrap_or("")),
                    cell(
                        &item
                            .evidence
                            .iter()
                            .map(|e| e.target.as_str())
                            .collect::<Vec<_>>()
                            .join(" | "),
                    ),
                    cell(&item.notes),
                    item.initially_checked.to_string(),
                    item.updated_at.clone(),
                    cell(&item.updated_by),
                ];
                for name in &field_names {
                    let v = item
                        .fields
                        .iter()
                        .find(|f| f.name == *name)
                        .map_or("", |f| f.value.as_str());
                    row.push(cell(v));
                }
                w.write_record(&row)?;
            }
        }
    }
    w.into_inner()
        .map_err(|e| Error::Invalid(format!("csv: {e}")))
}
