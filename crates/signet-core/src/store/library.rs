//! The library beyond import: a template's outline to read, its versions
//! with what changed from one to the next, archiving (table
//! `template_archive`, migration 0009: a local view preference, neither
//! audited nor synced), and the stored text's mojibake repair.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::templates::{by_id, resolve};
use super::Store;
use crate::error::{Error, Result};
use crate::import::{import_bytes, ImportOptions};
use crate::matching::{self, MatchKind, Side};
use crate::model::{Field, ImportOutcome, ImportReport, TemplateInfo};
use crate::time_fmt;

/// A template to read: its description and every section and item, depth
/// first, each with its depth (a flat list: the UI needs no recursion).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TemplateOutline {
    pub template: TemplateInfo,
    /// Prose before the first section (markdown).
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description_html: Option<String>,
    pub sections: Vec<TemplateSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TemplateSection {
    pub number: String,
    pub title: String,
    pub plain: String,
    pub description: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub depth: i64,
    /// Sanitised HTML of `title` and `description`, filled for the desktop UI only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description_html: Option<String>,
    /// This section's own items (not its sub-sections'), depth first.
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TemplateItem {
    pub number: String,
    pub title: String,
    pub plain: String,
    pub detail: String,
    pub fields: Vec<Field>,
    /// Depth under the section's top-level items (0 for them).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub depth: i64,
    /// Done in the source (a ticked box, a Status cell saying so).
    pub initially_checked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub detail_html: Option<String>,
}

/// One version of a template and what changed since the one before.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TemplateVersion {
    pub template: TemplateInfo,
    /// None for the first version.
    pub changes: Option<VersionChanges>,
}

/// What a version changed from the previous one, items paired as an
/// upgrade pairs them (`matching`): the same key, the same text elsewhere
/// (moved), a similar text (reworded); the rest were added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VersionChanges {
    /// Items the same in both (case, punctuation and spacing aside).
    pub kept: usize,
    pub added: Vec<VersionItem>,
    pub removed: Vec<VersionItem>,
    /// Moved and reworded items, old → new, in the new version's order.
    pub changed: Vec<VersionMatch>,
    /// False when too many items differ to look for rewordings.
    pub rewordings_compared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VersionItem {
    pub number: String,
    pub plain: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VersionMatch {
    pub kind: MatchKind,
    /// How similar the normalised texts are, in thousandths.
    pub similarity: u32,
    pub old: VersionItem,
    pub new: VersionItem,
}

/// A template's items as the matcher and the version list need them.
struct VersionRow {
    key: String,
    section: String,
    item: VersionItem,
}

fn version_rows(conn: &Connection, template_id: i64) -> Result<Vec<VersionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.key, c.key, i.number, i.plain FROM item i JOIN section c ON c.id = i.section_id
         WHERE i.template_id = ?1 ORDER BY i.position",
    )?;
    let rows = stmt.query_map([template_id], |r| {
        Ok(VersionRow {
            key: r.get(0)?,
            section: r.get(1)?,
            item: VersionItem {
                number: r.get(2)?,
                plain: r.get(3)?,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn changes(old: &[VersionRow], new: &[VersionRow]) -> VersionChanges {
    fn sides(rows: &[VersionRow]) -> Vec<Side<'_>> {
        rows.iter()
            .map(|r| Side {
                key: &r.key,
                section: &r.section,
                plain: &r.item.plain,
            })
            .collect()
    }
    let m = matching::match_items(&sides(old), &sides(new));
    let mut old_paired = vec![false; old.len()];
    let mut new_paired = vec![false; new.len()];
    let mut kept = 0;
    let mut changed = Vec::new();
    for p in &m.pairs {
        old_paired[p.old] = true;
        new_paired[p.new] = true;
        if p.kind == MatchKind::Exact {
            kept += 1;
        } else {
            changed.push(VersionMatch {
                kind: p.kind,
                similarity: p.similarity.per_mille(),
                old: old[p.old].item.clone(),
                new: new[p.new].item.clone(),
            });
        }
    }
    let unpaired = |rows: &[VersionRow], paired: &[bool]| {
        rows.iter()
            .zip(paired)
            .filter(|(_, p)| !**p)
            .map(|(r, _)| r.item.clone())
            .collect()
    };
    VersionChanges {
        kept,
        added: unpaired(new, &new_paired),
        removed: unpaired(old, &old_paired),
        changed,
        rewordings_compared: m.rewordings_compared,
    }
}

/// Refuses to start a release from an archived template.
pub(crate) fn ensure_not_archived(template: &TemplateInfo) -> Result<()> {
    if template.archived {
        return Err(Error::Invalid(format!(
            "template '{}' is archived; unarchive it to start releases from it",
            template.slug
        )));
    }
    Ok(())
}

impl Store {
    /// Puts every version of a template away: hidden from the library list
    /// by default, and no new release starts from it on this database.
    pub fn archive_template(&mut self, name: &str, actor: &str) -> Result<TemplateInfo> {
        self.write(|tx| {
            let t = resolve(tx, name)?;
            tx.execute(
                "INSERT INTO template_archive (slug, archived_at, archived_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT (slug) DO NOTHING",
                params![t.slug, time_fmt::now(), actor],
            )?;
            by_id(tx, t.id)
        })
    }

    /// Brings an archived template back to the library.
    pub fn unarchive_template(&mut self, name: &str) -> Result<TemplateInfo> {
        self.write(|tx| {
            let t = resolve(tx, name)?;
            tx.execute("DELETE FROM template_archive WHERE slug = ?1", [&t.slug])?;
            by_id(tx, t.id)
        })
    }

    /// A template version to read, section by section.
    pub fn template_outline(&self, name: &str) -> Result<TemplateOutline> {
        let conn = self.conn();
        let t = resolve(conn, name)?;
        let description: String = conn.query_row(
            "SELECT description FROM template WHERE id = ?1",
            [t.id],
            |r| r.get(0),
        )?;
        let mut sections_stmt = conn.prepare(
            "SELECT id, number, title, plain, description, depth FROM section
             WHERE template_id = ?1 ORDER BY position",
        )?;
        let mut sections: Vec<(i64, TemplateSection)> = sections_stmt
            .query_map([t.id], |r| {
                Ok((
                    r.get(0)?,
                    TemplateSection {
                        number: r.get(1)?,
                        title: r.get(2)?,
                        plain: r.get(3)?,
                        description: r.get(4)?,
                        depth: r.get(5)?,
                        title_html: None,
                        description_html: None,
                        items: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let index: std::collections::HashMap<i64, usize> = sections
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        // Item positions run in document order across the template, so
        // each section's items arrive depth first.
        let mut items_stmt = conn.prepare(
            "SELECT section_id, number, title, plain, detail, fields, depth, initially_checked
             FROM item WHERE template_id = ?1 ORDER BY position",
        )?;
        let mut rows = items_stmt.query([t.id])?;
        while let Some(r) = rows.next()? {
            let fields: String = r.get(5)?;
            let item = TemplateItem {
                number: r.get(1)?,
                title: r.get(2)?,
                plain: r.get(3)?,
                detail: r.get(4)?,
                fields: serde_json::from_str(&fields)?,
                depth: r.get(6)?,
                initially_checked: r.get(7)?,
                title_html: None,
                detail_html: None,
            };
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                sections[i].1.items.push(item);
            }
        }
        Ok(TemplateOutline {
            template: t,
            description,
            description_html: None,
            sections: sections.into_iter().map(|(_, s)| s).collect(),
        })
    }

    /// Every version of a template, newest first, each with what changed
    /// since the version before it.
    pub fn template_versions(&self, name: &str) -> Result<Vec<TemplateVersion>> {
        let conn = self.conn();
        let slug = resolve(conn, name)?.slug;
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM template WHERE slug = ?1 ORDER BY version")?
            .query_map([&slug], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        let mut previous: Option<Vec<VersionRow>> = None;
        for id in ids {
            let rows = version_rows(conn, id)?;
            out.push(TemplateVersion {
                template: by_id(conn, id)?,
                changes: previous.as_deref().map(|old| changes(old, &rows)),
            });
            previous = Some(rows);
        }
        out.reverse();
        Ok(out)
    }

    /// Imports a stored version's text again with its mojibake repaired
    /// (as `signet import --repair-mojibake` would the file): the next
    /// version of the template, or Unchanged when nothing needed repair or
    /// the repaired text is already stored.
    pub fn repair_mojibake(
        &mut self,
        name: &str,
        actor: &str,
    ) -> Result<(ImportReport, ImportOutcome)> {
        let t = resolve(self.conn(), name)?;
        let raw = self.template_markdown(&format!("{}@{}", t.slug, t.version))?;
        let opts = ImportOptions {
            repair_mojibake: true,
            ..ImportOptions::default()
        };
        let imported = import_bytes(&t.source_name, raw.into_bytes(), &opts)?;
        if !imported
            .report
            .warnings
            .iter()
            .any(|w| w.kind == crate::model::WarningKind::Mojibake)
        {
            return Err(Error::Invalid(format!(
                "{}@{} has no text that looks like mojibake; nothing to repair",
                t.slug, t.version
            )));
        }
        let outcome = self.import(&imported, actor)?;
        Ok((imported.report, outcome))
    }
}

#[cfg(test)]
mod tests;
