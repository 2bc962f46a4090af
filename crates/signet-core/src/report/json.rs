//! `signet.export/1`: the JSON export schema, documented in docs/export-json.md.
//! These structs are the schema; the internal views may change without it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::model::{ItemView, Progress, ReleaseView, SectionView, Status};

pub const SCHEMA: &str = "signet.export/1";

#[derive(Serialize)]
struct Export<'a> {
    schema: &'static str,
    generated_at: &'a str,
    release: Release<'a>,
    progress: Progress,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Release<'a> {
    name: &'a str,
    due_date: Option<&'a str>,
    status: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    template: &'a str,
    title: &'a str,
    version: i64,
    source: &'a str,
    content_hash: &'a str,
    progress: Progress,
    sections: Vec<Section<'a>>,
}

#[derive(Serialize)]
struct Section<'a> {
    number: &'a str,
    key: &'a str,
    title: &'a str,
    description: &'a str,
    progress: Progress,
    items: Vec<Item<'a>>,
    children: Vec<Section<'a>>,
}

#[derive(Serialize)]
struct Evidence<'a> {
    target: &'a str,
    label: Option<&'a str>,
    added_by: &'a str,
    added_at: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    number: &'a str,
    key: &'a str,
    title: &'a str,
    status: Status,
    owner: Option<&'a str>,
    evidence: Vec<Evidence<'a>>,
    notes: &'a str,
    reason: Option<&'a str>,
    fields: BTreeMap<&'a str, &'a str>,
    initially_checked: bool,
    updated_at: &'a str,
    updated_by: &'a str,
    items: Vec<Item<'a>>,
}

// Recursion depth here is bounded by the import (items nest as deep as the
// markdown did); serde_json's own serializer recurses the same way.
fn item(i: &ItemView) -> Item<'_> {
    Item {
        number: &i.number,
        key: &i.key,
        title: &i.title,
        status: i.status,
        owner: i.owner.as_deref(),
        evidence: i
            .evidence
            .iter()
            .map(|e| Evidence {
                target: &e.target,
                label: e.label.as_deref(),
                added_by: &e.added_by,
                added_at: &e.added_at,
            })
            .collect(),
        notes: &i.notes,
        reason: i.reason.as_deref(),
        fields: i
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect(),
        initially_checked: i.initially_checked,
        updated_at: &i.updated_at,
        updated_by: &i.updated_by,
        items: i.items.iter().map(item).collect(),
    }
}

fn section(s: &SectionView) -> Section<'_> {
    Section {
        number: &s.number,
        key: &s.key,
        title: &s.title,
        description: &s.description,
        progress: s.progress,
        items: s.items.iter().map(item).collect(),
        children: s.sections.iter().map(section).collect(),
    }
}

pub fn render(view: &ReleaseView, generated_at: &str) -> Result<Vec<u8>> {
    let export = Export {
        schema: SCHEMA,
        generated_at,
        release: Release {
            name: &view.release.name,
            due_date: view.release.due_date.as_deref(),
            status: view.release.status.as_str(),
        },
        progress: view.progress,
        runs: view
            .runs
            .iter()
            .map(|r| Run {
                template: &r.template.slug,
                title: &r.template.title,
                version: r.template.version,
                source: &r.template.source_name,
                content_hash: &r.template.content_hash,
                progress: r.progress,
                sections: r.sections.iter().map(section).collect(),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&export)?;
    out.push(b'\n');
    Ok(out)
}
