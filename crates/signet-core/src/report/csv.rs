//! CSV: one row per item, a column per table field seen in the release.

use super::model::Report;
use crate::error::{Error, Result};

/// Spreadsheets run cells starting with these as formulas; a leading
/// apostrophe makes them text (OWASP's CSV-injection advice).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub fn render(report: &Report) -> Result<Vec<u8>> {
    let mut field_names: Vec<&str> = Vec::new();
    for (_, _, item) in report.items() {
        for f in &item.fields {
            if !field_names.contains(&f.name.as_str()) {
                field_names.push(&f.name);
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec![
        "release",
        "revision",
        "template",
        "section",
        "number",
        "key",
        "title",
        "status",
        "owner",
        "owner_name",
        "reason",
        "evidence",
        "notes",
        "initially_checked",
        "updated_at",
        "updated_by",
    ];
    header.extend(field_names.iter().copied());
    w.write_record(&header)?;
    let revision = report.revision.to_string();
    for (run, section, item) in report.items() {
        let mut row: Vec<String> = vec![
            cell(&report.release.name),
            revision.clone(),
            run.template.clone(),
            cell(&format!("{} {}", section.number, section.plain)),
            item.number.clone(),
            item.key.clone(),
            cell(&item.plain),
            item.status.label().to_string(),
            cell(item.owner.as_deref().unwrap_or("")),
            cell(item.owner_name.as_deref().unwrap_or("")),
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
    w.into_inner()
        .map_err(|e| Error::Invalid(format!("csv: {e}")))
}
