//! The digest of a template version: its title, source, raw markdown,
//! metadata and approver roles, every section and item with what a report
//! shows of it, and the state the file gives new runs. The import event
//! records it, so an item renamed, removed or marked "checked in the file"
//! behind Signet's back is a difference the replay names.
//!
//! Two ways to the same bytes: [`stored`] reads a template back from the
//! tables (the replay's side), [`of_rows`] digests the rows an import is
//! about to insert (the import's side, which would otherwise read 100k rows
//! back in key order right after writing them). A test holds them equal on
//! every fixture; any change to one must be made to the other.

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// A template row, as the digest reads it.
pub(crate) struct TemplateRow<'a> {
    pub title: &'a str,
    pub source_name: &'a str,
    pub content_hash: &'a str,
    pub raw_markdown: &'a str,
    pub metadata: &'a str,
    pub description: &'a str,
    pub approver_roles: &'a str,
}

/// A section row: parents by key, never by row id, so the digest says what
/// the tree is.
pub(crate) struct SectionRow<'a> {
    pub key: &'a str,
    pub parent: Option<&'a str>,
    /// The parent's index among the rows, for the insert.
    pub parent_row: Option<usize>,
    pub position: i64,
    pub depth: i64,
    pub number: &'a str,
    pub title: &'a str,
    pub plain: &'a str,
    pub description: &'a str,
    pub line: i64,
}

/// An item row and, for the few items a file says more about, its
/// `source_state` row.
pub(crate) struct ItemRow<'a> {
    pub key: &'a str,
    pub section: &'a str,
    /// The section's index among the rows, for the insert.
    pub section_row: usize,
    pub parent: Option<&'a str>,
    pub position: i64,
    pub depth: i64,
    pub number: &'a str,
    pub title: &'a str,
    pub plain: &'a str,
    pub detail: &'a str,
    pub fields: String,
    pub checked: bool,
    pub line: i64,
    pub source: Option<SourceRow<'a>>,
}

pub(crate) struct SourceRow<'a> {
    pub status: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub evidence: Option<String>,
}

/// Feeds values as SQLite returns them: length-prefixed bytes, integers in
/// decimal, NULL apart from every text.
struct Hasher(Sha256);

impl Hasher {
    fn put(&mut self, v: ValueRef<'_>) {
        let owned;
        let bytes: &[u8] = match v {
            ValueRef::Null => {
                self.0.update(u64::MAX.to_le_bytes());
                return;
            }
            ValueRef::Integer(i) => {
                owned = i.to_string();
                owned.as_bytes()
            }
            ValueRef::Real(f) => {
                owned = f.to_string();
                owned.as_bytes()
            }
            ValueRef::Text(t) | ValueRef::Blob(t) => t,
        };
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn text(&mut self, s: &str) {
        self.put(ValueRef::Text(s.as_bytes()));
    }

    fn opt(&mut self, s: Option<&str>) {
        self.put(s.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())));
    }

    fn int(&mut self, i: i64) {
        self.put(ValueRef::Integer(i));
    }

    fn end_part(&mut self) {
        self.text("--");
    }

    fn finish(self) -> String {
        format!("sha256:{}", crate::hex::encode(&self.0.finalize()))
    }
}

// The queries' columns and order are the digest's definition; `of_rows`
// follows them value for value.
const QUERIES: [&str; 4] = [
    "SELECT title, source_name, content_hash, raw_markdown, metadata, description, approver_roles
     FROM template WHERE id = ?1",
    "SELECT s.key, p.key, s.position, s.depth, s.number, s.title, s.plain, s.description
     FROM section s LEFT JOIN section p ON p.id = s.parent_id
     WHERE s.template_id = ?1 ORDER BY s.key",
    "SELECT i.key, s.key, p.key, i.position, i.depth, i.number, i.title, i.plain, i.detail,
            i.fields, i.initially_checked
     FROM item i JOIN section s ON s.id = i.section_id LEFT JOIN item p ON p.id = i.parent_id
     WHERE i.template_id = ?1 ORDER BY i.key",
    "SELECT i.key, g.status, g.reason, g.owner, g.evidence
     FROM source_state g JOIN item i ON i.id = g.item_id
     WHERE i.template_id = ?1 ORDER BY i.key",
];

/// The digest of a stored template version, read from the tables.
pub(crate) fn stored(conn: &Connection, template_id: i64) -> Result<String> {
    let mut h = Hasher(Sha256::new());
    for sql in QUERIES {
        let mut stmt = conn.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([template_id])?;
        while let Some(r) = rows.next()? {
            for c in 0..columns {
                h.put(r.get_ref(c)?);
            }
        }
        h.end_part();
    }
    Ok(h.finish())
}

/// The same digest from the rows an import inserts. Keys are unique per
/// template (the tables' UNIQUE constraints), and Rust orders strings by
/// their bytes as SQLite's BINARY collation does.
pub(crate) fn of_rows(
    template: &TemplateRow<'_>,
    sections: &[SectionRow<'_>],
    items: &[ItemRow<'_>],
) -> String {
    let mut h = Hasher(Sha256::new());
    let t = template;
    for v in [
        t.title,
        t.source_name,
        t.content_hash,
        t.raw_markdown,
        t.metadata,
        t.description,
        t.approver_roles,
    ] {
        h.text(v);
    }
    h.end_part();
    let mut sections: Vec<&SectionRow<'_>> = sections.iter().collect();
    sections.sort_unstable_by(|a, b| a.key.cmp(b.key));
    for s in sections {
        h.text(s.key);
        h.opt(s.parent);
        h.int(s.position);
        h.int(s.depth);
        h.text(s.number);
        h.text(s.title);
        h.text(s.plain);
        h.text(s.description);
    }
    h.end_part();
    let mut items: Vec<&ItemRow<'_>> = items.iter().collect();
    items.sort_unstable_by(|a, b| a.key.cmp(b.key));
    for i in &items {
        h.text(i.key);
        h.text(i.section);
        h.opt(i.parent);
        h.int(i.position);
        h.int(i.depth);
        h.text(i.number);
        h.text(i.title);
        h.text(i.plain);
        h.text(i.detail);
        h.text(&i.fields);
        h.int(i64::from(i.checked));
    }
    h.end_part();
    for i in &items {
        if let Some(g) = &i.source {
            h.text(i.key);
            h.opt(g.status);
            h.opt(g.reason);
            h.opt(g.owner);
            h.opt(g.evidence.as_deref());
        }
    }
    h.end_part();
    h.finish()
}
