//! `signet.report/1` as a file: the report itself plus, when signed, the
//! seal without its payload (the `report` member *is* the payload: its
//! canonical form is what approvers signed). Documented in docs/report-json.md.

use serde::{Deserialize, Serialize};

use super::model::{Report, SCHEMA};
use crate::error::Result;
use crate::seal::Seal;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    pub schema: String,
    pub report: Report,
    pub seal: Option<Seal>,
}

/// What `render` writes: the same shape as [`File`], borrowed, so a 10k-item
/// report is not copied to be written (verification re-renders it).
#[derive(Serialize)]
struct FileOut<'a> {
    schema: &'a str,
    report: &'a Report,
    seal: Option<SealOut<'a>>,
}

/// [`Seal`] without its payload, field for field.
#[derive(Serialize)]
struct SealOut<'a> {
    signet_seal: u32,
    release: &'a str,
    revision: u32,
    digest: &'a str,
    signatures: &'a [crate::seal::Signature],
}

pub fn render(report: &Report, seal: Option<&Seal>) -> Result<Vec<u8>> {
    let file = FileOut {
        schema: SCHEMA,
        report,
        seal: seal.map(|s| SealOut {
            signet_seal: s.signet_seal,
            release: &s.release,
            revision: s.revision,
            digest: &s.digest,
            signatures: &s.signatures,
        }),
    };
    let mut out = serde_json::to_vec_pretty(&file)?;
    out.push(b'\n');
    Ok(out)
}
