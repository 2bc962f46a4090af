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
    /// JSON; `[]` for most items, without an allocation each.
    pub fields: std::borrow::Cow<'static, str>,
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
/// decimal, NULL apart from every text. Values gather in a buffer that goes
/// to SHA-256 in large pieces: one update per value would pass each through
/// the hasher's block buffer, a copy and a call per few bytes.
struct Hasher {
    sha: Sha256,
    buf: Vec<u8>,
}

/// How much the buffer gathers before it is hashed.
const SPILL: usize = 1 << 16;

/// Appends one value's encoding to `out`.
fn encode(out: &mut Vec<u8>, v: ValueRef<'_>) {
    use std::io::Write;
    let bytes = match v {
        ValueRef::Null => {
            out.extend_from_slice(&u64::MAX.to_le_bytes());
            return;
        }
        ValueRef::Integer(i) => return number(out, format_args!("{i}")),
        ValueRef::Real(f) => return number(out, format_args!("{f}")),
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
    };
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);

    /// A number's decimal text, length first, without a String per value.
    fn number(out: &mut Vec<u8>, n: std::fmt::Arguments<'_>) {
        let at = out.len();
        out.extend_from_slice(&[0; 8]);
        // Writing to a Vec cannot fail.
        let _ = out.write_fmt(n);
        let len = (out.len() - at - 8) as u64;
        out[at..at + 8].copy_from_slice(&len.to_le_bytes());
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    encode(out, ValueRef::Text(s.as_bytes()));
}

fn opt(out: &mut Vec<u8>, s: Option<&str>) {
    encode(
        out,
        s.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())),
    );
}

fn int(out: &mut Vec<u8>, i: i64) {
    encode(out, ValueRef::Integer(i));
}

impl Hasher {
    fn new() -> Hasher {
        Hasher {
            sha: Sha256::new(),
            buf: Vec::with_capacity(2 * SPILL),
        }
    }

    fn put(&mut self, v: ValueRef<'_>) {
        match v {
            // A large text (the raw markdown) goes straight to the hash.
            ValueRef::Text(t) | ValueRef::Blob(t) if t.len() >= SPILL => {
                self.sha.update(&self.buf);
                self.buf.clear();
                self.sha.update((t.len() as u64).to_le_bytes());
                self.sha.update(t);
            }
            _ => {
                encode(&mut self.buf, v);
                self.spill();
            }
        }
    }

    /// Bytes already encoded (see [`encode`]).
    fn encoded(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.spill();
    }

    fn spill(&mut self) {
        if self.buf.len() >= SPILL {
            self.sha.update(&self.buf);
            self.buf.clear();
        }
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

    fn finish(mut self) -> String {
        self.sha.update(&self.buf);
        format!("sha256:{}", crate::hex::encode(&self.sha.finalize()))
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
    let mut h = Hasher::new();
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
    let mut h = Hasher::new();
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
    // Items are encoded in document order, which reads their strings
    // where the parser left them one after another, then hashed in key
    // order: hashing straight in key order jumped across the heap for every
    // value (a cache miss each, most of this digest's time on 100k items).
    let size: usize = items
        .iter()
        .map(|i| {
            let source = i.source.as_ref().map_or(0, |g| {
                [g.status, g.reason, g.owner, g.evidence.as_deref()]
                    .iter()
                    .map(|v| v.map_or(0, str::len) + 8)
                    .sum::<usize>()
                    + i.key.len()
                    + 8
            });
            [
                i.key, i.section, i.number, i.title, i.plain, i.detail, &*i.fields,
            ]
            .iter()
            .map(|v| v.len() + 8)
            .sum::<usize>()
                + i.parent.map_or(0, str::len)
                + 8
                + 4 * 28
                + source
        })
        .sum();
    let mut encoded: Vec<u8> = Vec::with_capacity(size);
    let mut order: Vec<Encoded<'_>> = Vec::with_capacity(items.len());
    for i in items {
        let start = encoded.len();
        text(&mut encoded, i.key);
        text(&mut encoded, i.section);
        opt(&mut encoded, i.parent);
        int(&mut encoded, i.position);
        int(&mut encoded, i.depth);
        text(&mut encoded, i.number);
        text(&mut encoded, i.title);
        text(&mut encoded, i.plain);
        text(&mut encoded, i.detail);
        text(&mut encoded, &i.fields);
        int(&mut encoded, i64::from(i.checked));
        let row = start..encoded.len();
        let source = i.source.as_ref().map(|g| {
            let start = encoded.len();
            text(&mut encoded, i.key);
            opt(&mut encoded, g.status);
            opt(&mut encoded, g.reason);
            opt(&mut encoded, g.owner);
            opt(&mut encoded, g.evidence.as_deref());
            start..encoded.len()
        });
        order.push(Encoded {
            prefix: prefix(i.key),
            key: i.key,
            row,
            source,
        });
    }
    order.sort_unstable_by(|a, b| a.prefix.cmp(&b.prefix).then_with(|| a.key.cmp(b.key)));
    for e in &order {
        h.encoded(&encoded[e.row.clone()]);
    }
    h.end_part();
    for e in &order {
        if let Some(source) = &e.source {
            h.encoded(&encoded[source.clone()]);
        }
    }
    h.end_part();
    h.finish()
}

/// An item's encoded row (and `source_state` row) in [`of_rows`]'s buffer.
struct Encoded<'a> {
    /// The key's first 16 bytes, zero-padded, big-endian: ordering by it
    /// orders as the key's bytes do (ties go to the whole key), and it
    /// sorts without following a pointer. Keys are 12 hex digits.
    prefix: u128,
    key: &'a str,
    row: std::ops::Range<usize>,
    source: Option<std::ops::Range<usize>>,
}

fn prefix(key: &str) -> u128 {
    let mut p = [0u8; 16];
    let n = key.len().min(16);
    p[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(p)
}
