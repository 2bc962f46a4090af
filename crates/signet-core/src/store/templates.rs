//! Templates: imported checklists, their sections and items.

use std::borrow::Cow;

use rusqlite::{params, Connection, OptionalExtension, ToSql, Transaction};

use super::events::{append, NewEvent};
use super::tree::{self, ItemRow, SectionRow, SourceRow, TemplateRow};
use super::Store;
use crate::error::{Error, Result};
use crate::import::Imported;
use crate::model::{Field, ImportOutcome, ImportStatus, Item, Section, TemplateInfo};
use crate::sync::op::Change;
use crate::time_fmt;

const TEMPLATE_COLUMNS: &str =
    "t.id, t.slug, t.version, t.title, t.source_name, t.content_hash, t.imported_at,
     (SELECT COUNT(*) FROM section s WHERE s.template_id = t.id),
     (SELECT COUNT(*) FROM item i WHERE i.template_id = t.id),
     t.metadata, t.approver_roles,
     EXISTS (SELECT 1 FROM template_archive a WHERE a.slug = t.slug)";

fn json_column<T: serde::de::DeserializeOwned>(
    r: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Template metadata as stored: an array of `{name, value}` in document
/// order, or (templates imported before 0004) an object of front matter.
fn metadata_of(value: serde_json::Value) -> Vec<Field> {
    match value {
        serde_json::Value::Array(_) => serde_json::from_value(value).unwrap_or_default(),
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(name, v)| Field {
                name,
                value: match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                },
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn row_to_template(r: &rusqlite::Row<'_>) -> rusqlite::Result<TemplateInfo> {
    Ok(TemplateInfo {
        metadata: metadata_of(json_column(r, 9)?),
        approver_roles: json_column(r, 10)?,
        id: r.get(0)?,
        slug: r.get(1)?,
        version: r.get(2)?,
        title: r.get(3)?,
        source_name: r.get(4)?,
        content_hash: r.get(5)?,
        imported_at: r.get(6)?,
        sections: r.get(7)?,
        items: r.get(8)?,
        archived: r.get(11)?,
    })
}

pub(crate) fn by_id(conn: &Connection, id: i64) -> Result<TemplateInfo> {
    let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM template t WHERE t.id = ?1");
    Ok(conn.query_row(&sql, [id], row_to_template)?)
}

/// `launch` is the newest version, `launch@2` a given one.
pub(crate) fn resolve(conn: &Connection, name: &str) -> Result<TemplateInfo> {
    let (slug, version) = match name.rsplit_once('@') {
        Some((s, v)) => match v.parse::<i64>() {
            Ok(v) => (s, Some(v)),
            Err(_) => (name, None),
        },
        None => (name, None),
    };
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM template t WHERE t.slug = ?1 AND (?2 IS NULL OR t.version = ?2)
         ORDER BY t.version DESC LIMIT 1"
    );
    conn.query_row(&sql, params![slug, version], row_to_template)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "template",
            name: name.to_string(),
        })
}

/// The rows of a template's tree, in insertion (document) order: what
/// [`insert_tree`] binds, and what the import event's digest covers.
struct TreeRows<'a> {
    sections: Vec<SectionRow<'a>>,
    items: Vec<ItemRow<'a>>,
}

/// Lays the checklist out as rows: sections depth-first, each followed by
/// its items depth-first, positions counting across the template.
/// `items`: how many there are, so the rows are laid out without a copy
/// of a growing vector.
fn tree_rows(sections: &[Section], items: usize) -> Result<TreeRows<'_>> {
    let mut rows = TreeRows {
        sections: Vec::new(),
        items: Vec::with_capacity(items),
    };
    let mut sections_todo: Vec<(&Section, Option<usize>, i64)> =
        sections.iter().rev().map(|s| (s, None, 0)).collect();
    while let Some((s, parent_row, depth)) = sections_todo.pop() {
        let row = rows.sections.len();
        rows.sections.push(SectionRow {
            key: &s.key,
            parent: parent_row.map(|p| rows.sections[p].key),
            parent_row,
            position: rows.sections.len() as i64,
            depth,
            number: &s.number,
            title: &s.title,
            plain: &s.plain,
            description: &s.description,
            line: s.line as i64,
        });
        let mut items_todo: Vec<(&Item, Option<&str>, i64)> =
            s.items.iter().rev().map(|i| (i, None, 0)).collect();
        while let Some((item, parent_item, idepth)) = items_todo.pop() {
            let fields = if item.fields.is_empty() {
                Cow::Borrowed("[]")
            } else {
                Cow::Owned(serde_json::to_string(&item.fields)?)
            };
            // Blocked and n/a need a row; open and done are the box.
            let status = item.start.needs_reason().then(|| item.start.as_str());
            let given = item.from_source.as_deref();
            let source = if status.is_some() || given.is_some() {
                let evidence = match given {
                    Some(g) if !g.evidence.is_empty() => Some(serde_json::to_string(&g.evidence)?),
                    _ => None,
                };
                Some(SourceRow {
                    status,
                    reason: given.and_then(|g| g.reason.as_deref()),
                    owner: given.and_then(|g| g.owner.as_deref()),
                    evidence,
                })
            } else {
                None
            };
            rows.items.push(ItemRow {
                key: &item.key,
                section: &s.key,
                section_row: row,
                parent: parent_item,
                position: rows.items.len() as i64,
                depth: idepth,
                number: &item.number,
                title: &item.title,
                plain: &item.plain,
                detail: &item.detail,
                fields,
                checked: item.checked(),
                line: item.line as i64,
                source,
            });
            items_todo.extend(
                item.items
                    .iter()
                    .rev()
                    .map(|c| (c, Some(item.key.as_str()), idepth + 1)),
            );
        }
        sections_todo.extend(s.sections.iter().rev().map(|c| (c, Some(row), depth + 1)));
    }
    Ok(rows)
}

/// Inserts `rows` with one prepared statement (`head` names `columns`
/// columns), a row per execution. Not many rows per statement: a statement
/// that could fail after its first row keeps a statement journal, a copy of
/// every page it touches (measured on 100k items: 64 rows a statement
/// made the inserts half again as slow).
fn insert_each<'a, R>(
    tx: &Transaction<'_>,
    head: &str,
    columns: usize,
    rows: &'a [R],
    values: impl Fn(&'a R, &mut Vec<&'a dyn ToSql>),
) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "{head} VALUES ({})",
        vec!["?"; columns].join(", ")
    ))?;
    let mut params: Vec<&dyn ToSql> = Vec::with_capacity(columns);
    for r in rows {
        params.clear();
        values(r, &mut params);
        stmt.execute(params.as_slice())?;
    }
    Ok(())
}

/// An item's row id and those of its section and parent item.
struct ItemIds {
    id: i64,
    section: i64,
    parent: Option<i64>,
}

/// The id SQLite would give the next row of `table`: ids are assigned here
/// so that a row's parent is known before it is inserted.
fn next_id(tx: &Transaction<'_>, table: &str) -> Result<i64> {
    let max: i64 = tx.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    max.checked_add(1)
        .ok_or_else(|| Error::Invalid(format!("the {table} table has no row id left")))
}

/// The item table's unique indexes (migration 0010 creates them; a test
/// holds the two equal): dropped for the first import into an empty table
/// and built again after its rows are in, one sort each instead of a seek
/// into a growing B-tree per row (a tenth of a 100k-item import's CPU).
pub(crate) const ITEM_INDEXES: [(&str, &str); 2] = [
    (
        "item_key",
        "CREATE UNIQUE INDEX item_key ON item (template_id, key)",
    ),
    (
        "item_number",
        "CREATE UNIQUE INDEX item_number ON item (template_id, number)",
    ),
];

/// Inserts the rows with the ids SQLite would have given them (one more
/// than the largest, in document order), parents resolved to those ids.
fn insert_tree(tx: &Transaction<'_>, template_id: i64, rows: &TreeRows<'_>) -> Result<()> {
    let first_section = next_id(tx, "section")?;
    let first_item = next_id(tx, "item")?;
    // No item yet (ids start at 1): nothing for the indexes to hold but
    // these rows. On any other table they stay: a rebuild would sort every
    // template's items for one template's sake.
    let build_indexes_after = first_item == 1 && !rows.items.is_empty();
    if build_indexes_after {
        for (name, _) in ITEM_INDEXES {
            tx.execute_batch(&format!("DROP INDEX {name}"))?;
        }
    }
    let section_id = |row: usize| first_section + row as i64;
    let section_ids: Vec<(i64, Option<i64>)> = (0..rows.sections.len())
        .map(|row| {
            (
                section_id(row),
                rows.sections[row].parent_row.map(section_id),
            )
        })
        .collect();
    let sections: Vec<(&SectionRow<'_>, &(i64, Option<i64>))> =
        rows.sections.iter().zip(&section_ids).collect();
    insert_each(
        tx,
        "INSERT INTO section (id, template_id, parent_id, position, depth, number, key, title, plain, description, line)",
        11,
        &sections,
        |(s, (id, parent)), p| {
            p.extend([
                id as &dyn ToSql,
                &template_id,
                parent,
                &s.position,
                &s.depth,
                &s.number,
                &s.key,
                &s.title,
                &s.plain,
                &s.description,
                &s.line,
            ])
        },
    )?;
    // An item's parent is the item placed last at the depth above it
    // (depth-first order), so a stack of ids stands in for a map.
    let mut stack: Vec<i64> = Vec::new();
    let mut ids: Vec<ItemIds> = Vec::with_capacity(rows.items.len());
    for (n, i) in rows.items.iter().enumerate() {
        let id = first_item + n as i64;
        stack.truncate(i.depth as usize);
        let parent = i.parent.and_then(|_| stack.last().copied());
        stack.push(id);
        ids.push(ItemIds {
            id,
            section: section_id(i.section_row),
            parent,
        });
    }
    let items: Vec<(&ItemRow<'_>, &ItemIds)> = rows.items.iter().zip(&ids).collect();
    insert_each(
        tx,
        "INSERT INTO item (id, template_id, section_id, parent_id, position, depth, number, key, title, plain,
                           detail, fields, initially_checked, line)",
        14,
        &items,
        |(i, ids), p| {
            p.extend([
                &ids.id as &dyn ToSql,
                &template_id,
                &ids.section,
                &ids.parent,
                &i.position,
                &i.depth,
                &i.number,
                &i.key,
                &i.title,
                &i.plain,
                &i.detail,
                &i.fields,
                &i.checked,
                &i.line,
            ])
        },
    )?;
    if build_indexes_after {
        for (_, create) in ITEM_INDEXES {
            tx.execute_batch(create)?;
        }
    }
    // Only items the source says more about (table rows with a Status,
    // Owner or Evidence cell) get a row here.
    let sources: Vec<(&SourceRow<'_>, &i64)> = rows
        .items
        .iter()
        .zip(&ids)
        .filter_map(|(i, ids)| i.source.as_ref().map(|g| (g, &ids.id)))
        .collect();
    insert_each(
        tx,
        "INSERT INTO source_state (item_id, status, reason, owner, evidence)",
        5,
        &sources,
        |(g, id), p| {
            p.extend([
                *id as &dyn ToSql,
                &g.status,
                &g.reason,
                &g.owner,
                &g.evidence,
            ])
        },
    )
}

impl Store {
    /// Stores an imported checklist. Identical bytes for the same source are a
    /// no-op; changed bytes become the next version of the template.
    pub fn import(&mut self, imported: &Imported, actor: &str) -> Result<ImportOutcome> {
        self.write(|tx| {
            let out = import_in(tx, imported, (actor, &time_fmt::now()))?;
            if out.status != ImportStatus::Unchanged {
                super::oplog::record_lazy(tx, actor, || Change::TemplateImport {
                    content_hash: imported.content_hash.clone(),
                    markdown: imported.raw.clone(),
                    source: imported.source_name.clone(),
                })?;
            }
            Ok(out)
        })
    }

    /// Every stored template version, newest version of each slug first.
    pub fn templates(&self) -> Result<Vec<TemplateInfo>> {
        let sql =
            format!("SELECT {TEMPLATE_COLUMNS} FROM template t ORDER BY t.slug, t.version DESC");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], row_to_template)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn template(&self, name: &str) -> Result<TemplateInfo> {
        resolve(self.conn(), name)
    }

    /// The markdown a template was imported from.
    pub fn template_markdown(&self, name: &str) -> Result<String> {
        let t = resolve(self.conn(), name)?;
        Ok(self.conn().query_row(
            "SELECT raw_markdown FROM template WHERE id = ?1",
            [t.id],
            |r| r.get(0),
        )?)
    }
}

/// A template's sections with their item counts, for the library view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SectionSummary {
    pub number: String,
    pub title: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub depth: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub items: i64,
}

impl Store {
    pub fn template_sections(&self, name: &str) -> Result<Vec<SectionSummary>> {
        let t = resolve(self.conn(), name)?;
        let mut stmt = self.conn().prepare(
            "SELECT s.number, s.plain, s.depth, (SELECT COUNT(*) FROM item i WHERE i.section_id = s.id)
             FROM section s WHERE s.template_id = ?1 ORDER BY s.position",
        )?;
        let rows = stmt.query_map([t.id], |r| {
            Ok(SectionSummary {
                number: r.get(0)?,
                title: r.get(1)?,
                depth: r.get(2)?,
                items: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Stores an imported checklist in `tx` (see [`Store::import`]).
pub(crate) fn import_in(
    tx: &Transaction<'_>,
    imported: &Imported,
    (actor, at): (&str, &str),
) -> Result<ImportOutcome> {
    let latest: Option<(i64, i64, String)> = tx
            .query_row(
                "SELECT id, version, content_hash FROM template WHERE slug = ?1 ORDER BY version DESC LIMIT 1",
                [&imported.slug],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
    let (version, status) = match &latest {
        Some((id, _, hash)) if *hash == imported.content_hash => {
            return Ok(ImportOutcome {
                status: ImportStatus::Unchanged,
                template: by_id(tx, *id)?,
            });
        }
        Some((_, v, _)) => (v + 1, ImportStatus::NewVersion),
        None => (1, ImportStatus::New),
    };
    let c = &imported.checklist;
    let metadata = serde_json::to_string(&c.metadata)?;
    let roles = serde_json::to_string(&c.approver_roles)?;
    tx.execute(
            "INSERT INTO template (slug, version, title, source_name, content_hash, raw_markdown, metadata,
                                   description, imported_at, approver_roles)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                imported.slug,
                version,
                c.title,
                imported.source_name,
                imported.content_hash,
                imported.raw,
                metadata,
                c.description,
                at,
                roles
            ],
        )?;
    let template_id = tx.last_insert_rowid();
    let rows = tree_rows(&c.sections, imported.report.items)?;
    let template = TemplateRow {
        title: &c.title,
        source_name: &imported.source_name,
        content_hash: &imported.content_hash,
        raw_markdown: &imported.raw,
        metadata: &metadata,
        description: &c.description,
        approver_roles: &roles,
    };
    let digest = std::thread::scope(|scope| {
        // The digest hashes every byte of the template (the raw markdown
        // and each row) and needs only the rows: it runs beside the
        // inserts, on a second core where there is one.
        let beside = std::thread::Builder::new()
            .spawn_scoped(scope, || {
                tree::of_rows(&template, &rows.sections, &rows.items)
            })
            .ok();
        insert_tree(tx, template_id, &rows)?;
        Ok::<_, Error>(match beside.map(|h| h.join()) {
            Some(Ok(digest)) => digest,
            // No thread to be had (or it died): the same digest, here.
            _ => tree::of_rows(&template, &rows.sections, &rows.items),
        })
    })?;
    let subject = format!("{}@{}", imported.slug, version);
    let summary = format!(
        "{} ({} items); tree {digest}",
        imported.source_name, imported.report.items,
    );
    append(
        tx,
        NewEvent {
            actor,
            action: "template.import",
            subject: &subject,
            new: Some(&summary),
            ..Default::default()
        },
    )?;
    Ok(ImportOutcome {
        status,
        template: by_id(tx, template_id)?,
    })
}
