//! The report model, `signet.report/1`: what every renderer shows and what
//! approvers sign. Documented field by field in docs/report-json.md.
//!
//! Canonical form: compact JSON with object keys in byte order. serde writes
//! struct fields in declaration order, so every struct here declares its
//! fields alphabetically (a test checks it) and the canonical bytes are just
//! `serde_json::to_vec`, independent of serde_json's feature flags. Sections
//! and items are flat lists with a `depth`, so any nesting the importer
//! accepted serialises without recursion.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{ItemView, Progress, ReleaseView, SectionView, Status};

pub const SCHEMA: &str = "signet.report/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub audit: Audit,
    /// Who prepared the report for whom (organisation, client, logo), as
    /// set with `signet config` when the report was made. Absent when none,
    /// so reports signed before it existed keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// What changed since an earlier release. Signed reports carry the one
    /// computed when they were frozen; absent when there is nothing to
    /// compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// When the snapshot was frozen (signed reports) or generated (drafts).
    pub generated_at: String,
    /// The seal layout current when the report was made. A signed export of
    /// it never carries an older one: the seal's version is not signed, and
    /// an older layout leaves out what it never drew (the cover, the
    /// branding, a logo). Absent in reports made before it existed, so their
    /// bytes stay as signed; see [`Report::oldest_layout`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<u32>,
    /// Present when sign-off was forced with items still open.
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    pub progress: Counts,
    pub release: ReleaseHead,
    /// 1, 2, … for frozen snapshots; 0 for a draft.
    pub revision: u32,
    pub runs: Vec<RunReport>,
    pub schema: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseHead {
    pub due_date: Option<String>,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub blocked: usize,
    pub done: usize,
    pub not_applicable: usize,
    pub open: usize,
    /// Whole percent done or n/a, rounded down.
    pub percent: u32,
    pub total: usize,
}

impl From<Progress> for Counts {
    fn from(p: Progress) -> Counts {
        Counts {
            blocked: p.blocked,
            done: p.done,
            not_applicable: p.not_applicable,
            open: p.open,
            percent: p.percent(),
            total: p.total,
        }
    }
}

impl Counts {
    pub fn closed(&self) -> usize {
        self.done + self.not_applicable
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The approver who signed with the override (their handle). Reports
    /// frozen before it named the approver hold the acting user here.
    pub by: String,
    /// The approver's name, when the report names the approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
    /// `number [status] text` of every item not done or n/a when signed.
    pub open_items: Vec<String>,
    pub reason: String,
    /// The role the approver signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunReport {
    /// Roles the checklist's sign-off block names. Absent when none, so
    /// reports signed before this field existed keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approver_roles: Vec<String>,
    pub content_hash: String,
    /// The checklist's prose before its first section (markdown). Absent
    /// when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The checklist's front matter and `**Key:** value` facts, in order.
    /// Absent when none, like `approver_roles`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<FieldReport>,
    pub progress: Counts,
    pub sections: Vec<SectionReport>,
    pub source: String,
    pub template: String,
    pub title: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionReport {
    pub depth: usize,
    pub description: String,
    pub items: Vec<ItemReport>,
    pub key: String,
    pub number: String,
    pub plain: String,
    pub progress: Counts,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemReport {
    pub depth: usize,
    pub evidence: Vec<EvidenceReport>,
    pub fields: Vec<FieldReport>,
    pub initially_checked: bool,
    pub key: String,
    pub notes: String,
    pub number: String,
    pub owner: Option<String>,
    /// The registered person `owner` names, by their full name, when that
    /// differs from `owner` (a handle or an e-mail). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    pub plain: String,
    pub reason: Option<String>,
    pub status: Status,
    pub title: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldReport {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceReport {
    pub added_at: String,
    pub added_by: String,
    pub label: Option<String>,
    pub target: String,
}

/// Who prepared a report for whom. Set once per database (`signet config`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
}

impl Branding {
    pub fn is_empty(&self) -> bool {
        self.client_name.is_none() && self.logo.is_none() && self.org_name.is_none()
    }
}

/// An image checked when it was set (see `report::branding`): PNG or SVG,
/// at most [`crate::report::branding::MAX_LOGO_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// The image file, base64 (standard alphabet, padded).
    pub data: String,
    /// `image/png` or `image/svg+xml`.
    pub media_type: String,
}

/// What changed between an earlier release (`base`) and this one. Items
/// pair by checklist (template name) and stable key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Items this release has that the base had not.
    pub added: ChangeList,
    /// The earlier release's name.
    pub base: String,
    /// The base's frozen revision compared with; 0 when its state at the
    /// time (it was not signed off).
    pub base_revision: u32,
    /// Closed (done or n/a) now, open or blocked in the base.
    pub newly_done: ChangeList,
    /// Closed in the base, open or blocked now.
    pub regressed: ChangeList,
    /// Items the base had that this release has not.
    pub removed: ChangeList,
    /// Progress of the releases before this one that share a checklist
    /// with it, oldest first, ending with this release.
    pub trend: Vec<TrendPoint>,
}

/// One kind of change: the first [`ChangeList::LIMIT`] items, and how many
/// there are in all (a new checklist adds thousands at once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeList {
    pub items: Vec<ItemChange>,
    pub total: usize,
}

impl ChangeList {
    pub const LIMIT: usize = 200;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemChange {
    pub number: String,
    /// The section's title (plain text).
    pub section: String,
    /// Status in this release; absent for a removed item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The item's title (plain text).
    pub title: String,
    /// Status in the base; absent for an added item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendPoint {
    /// Items done or n/a.
    pub closed: usize,
    pub percent: u32,
    pub release: String,
    pub signed_off: bool,
    pub total: usize,
}

/// What the report adds to the release view: looked up by the store,
/// decided here.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub branding: Option<Branding>,
    /// Each run's checklist description, by template id.
    pub descriptions: BTreeMap<i64, String>,
    /// The registered people, to name owners.
    pub owners: crate::owners::Owners,
}

/// What the audit trail says about this release at the time of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// Event count per action (`item.status`, `signoff`, …), by name.
    pub actions: Vec<Tally>,
    /// Event count per actor, by name.
    pub actors: Vec<Tally>,
    /// Whether the whole database's hash chain verified when the report was made.
    pub chain_verified: bool,
    /// This release's events.
    pub events: usize,
    pub first_at: Option<String>,
    /// Hash of the newest event in the database: later edits to earlier
    /// events are detectable against it.
    pub head_hash: String,
    pub last_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub count: usize,
    pub name: String,
}

impl Audit {
    /// Summarises a release's events (oldest first).
    pub fn summarise(
        events: &[crate::model::Event],
        chain_verified: bool,
        head_hash: String,
    ) -> Audit {
        let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
        let mut actors: BTreeMap<&str, usize> = BTreeMap::new();
        for e in events {
            *actions.entry(&e.action).or_default() += 1;
            *actors.entry(&e.actor).or_default() += 1;
        }
        let tally = |m: BTreeMap<&str, usize>| {
            m.into_iter()
                .map(|(name, count)| Tally {
                    count,
                    name: name.to_string(),
                })
                .collect()
        };
        Audit {
            actions: tally(actions),
            actors: tally(actors),
            chain_verified,
            events: events.len(),
            first_at: events.first().map(|e| e.at.clone()),
            head_hash,
            last_at: events.last().map(|e| e.at.clone()),
        }
    }
}

fn item_report(i: &ItemView, depth: usize, owners: &crate::owners::Owners) -> ItemReport {
    ItemReport {
        depth,
        evidence: i
            .evidence
            .iter()
            .map(|e| EvidenceReport {
                added_at: e.added_at.clone(),
                added_by: e.added_by.clone(),
                label: e.label.clone(),
                target: e.target.clone(),
            })
            .collect(),
        fields: i
            .fields
            .iter()
            .map(|f| FieldReport {
                name: f.name.clone(),
                value: f.value.clone(),
            })
            .collect(),
        initially_checked: i.initially_checked,
        key: i.key.clone(),
        notes: i.notes.clone(),
        number: i.number.clone(),
        owner: i.owner.clone(),
        owner_name: owner_name(owners, i.owner.as_deref()),
        plain: i.plain.clone(),
        reason: i.reason.clone(),
        status: i.status,
        title: i.title.clone(),
        updated_at: i.updated_at.clone(),
        updated_by: i.updated_by.clone(),
    }
}

/// The registered person's name when the owner text names them some other
/// way (handle, e-mail).
fn owner_name(owners: &crate::owners::Owners, owner: Option<&str>) -> Option<String> {
    let owner = owner?;
    let p = owners.person(owner)?;
    (p.name.trim() != owner.trim()).then(|| p.name.clone())
}

fn sections(roots: &[SectionView], owners: &crate::owners::Owners) -> Vec<SectionReport> {
    let mut out = Vec::new();
    let mut stack: Vec<(&SectionView, usize)> = roots.iter().rev().map(|s| (s, 0)).collect();
    while let Some((s, depth)) = stack.pop() {
        let mut items = Vec::new();
        let mut istack: Vec<(&ItemView, usize)> = s.items.iter().rev().map(|i| (i, 0)).collect();
        while let Some((i, d)) = istack.pop() {
            items.push(item_report(i, d, owners));
            istack.extend(i.items.iter().rev().map(|c| (c, d + 1)));
        }
        out.push(SectionReport {
            depth,
            description: s.description.clone(),
            items,
            key: s.key.clone(),
            number: s.number.clone(),
            plain: s.plain.clone(),
            progress: s.progress.into(),
            title: s.title.clone(),
        });
        stack.extend(s.sections.iter().rev().map(|c| (c, depth + 1)));
    }
    out
}

/// Builds the report of a release as it stands.
pub fn build(
    view: &ReleaseView,
    audit: Audit,
    revision: u32,
    generated_at: &str,
    override_: Option<Override>,
) -> Report {
    build_with(
        view,
        audit,
        revision,
        generated_at,
        override_,
        &Extras::default(),
    )
}

/// [`build`], with what the store looked up beyond the view.
pub fn build_with(
    view: &ReleaseView,
    audit: Audit,
    revision: u32,
    generated_at: &str,
    override_: Option<Override>,
    extras: &Extras,
) -> Report {
    Report {
        audit,
        branding: extras.branding.clone().filter(|b| !b.is_empty()),
        comparison: None,
        generated_at: generated_at.to_string(),
        layout: Some(crate::seal::SEAL_VERSION),
        override_,
        progress: view.progress.into(),
        release: ReleaseHead {
            due_date: view.release.due_date.clone(),
            name: view.release.name.clone(),
            status: if revision > 0 {
                "signed_off".to_string()
            } else {
                view.release.status.as_str().to_string()
            },
        },
        revision,
        runs: view
            .runs
            .iter()
            .map(|r| RunReport {
                approver_roles: r.template.approver_roles.clone(),
                content_hash: r.template.content_hash.clone(),
                description: extras
                    .descriptions
                    .get(&r.template.id)
                    .map(|d| d.trim().to_string())
                    .unwrap_or_default(),
                metadata: r
                    .template
                    .metadata
                    .iter()
                    // The title is the run's own heading already.
                    .filter(|f| !f.name.eq_ignore_ascii_case("title"))
                    .map(|f| FieldReport {
                        name: f.name.clone(),
                        value: f.value.clone(),
                    })
                    .collect(),
                progress: r.progress.into(),
                sections: sections(&r.sections, &extras.owners),
                source: r.template.source_name.clone(),
                template: r.template.slug.clone(),
                title: r.template.title.clone(),
                version: r.template.version,
            })
            .collect(),
        schema: SCHEMA.to_string(),
    }
}

impl Report {
    /// The bytes approvers sign: compact JSON, keys in byte order, UTF-8.
    pub fn canonical(&self) -> Result<Vec<u8>> {
        Ok(serde_json::to_vec(self)?)
    }

    /// Parses canonical (or any) JSON of a report. A field this Signet does
    /// not know comes from a newer one (a teammate's sign-off arrives by
    /// sync, a customer's report by mail): say so rather than only "unknown
    /// field".
    pub fn from_json(bytes: &[u8]) -> Result<Report> {
        serde_json::from_slice(bytes).map_err(|e| {
            if e.to_string().starts_with("unknown field") {
                crate::Error::Invalid(format!(
                    "the report was made by a newer Signet ({e}); update Signet to read it"
                ))
            } else {
                e.into()
            }
        })
    }

    /// Every item with its run and section, in document order.
    pub fn items(&self) -> impl Iterator<Item = (&RunReport, &SectionReport, &ItemReport)> {
        self.runs.iter().flat_map(|r| {
            r.sections
                .iter()
                .flat_map(move |s| s.items.iter().map(move |i| (r, s, i)))
        })
    }

    pub fn is_draft(&self) -> bool {
        self.revision == 0
    }

    /// The oldest seal layout an export of this report may take: the one
    /// it records, and never one older than what it holds. A field added
    /// after layout 1 (branding, a comparison, a checklist's description,
    /// owners' names, the override's approver) means layout 2 or later:
    /// layout 1 was frozen before those fields existed, so it never draws
    /// them. Reports made before `layout` existed are held to that alone.
    pub fn oldest_layout(&self) -> u32 {
        let after_v1 = self.branding.is_some()
            || self.comparison.is_some()
            || self
                .override_
                .as_ref()
                .is_some_and(|o| o.by_name.is_some() || o.role.is_some())
            || self.runs.iter().any(|r| !r.description.is_empty())
            || self.items().any(|(_, _, i)| i.owner_name.is_some());
        let held = if after_v1 { 2 } else { 1 };
        self.layout.unwrap_or(1).max(held)
    }
}
