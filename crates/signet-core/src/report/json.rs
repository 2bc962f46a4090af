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

pub fn render(report: &Report, seal: Option<&Seal>) -> Result<Vec<u8>> {
    let seal = seal.map(|s| Seal {
        payload: String::new(),
        ..s.clone()
    });
    let file = File {
        schema: SCHEMA.to_string(),
        report: report.clone(),
        seal,
    };
    let mut out = serde_json::to_vec_pretty(&file)?;
    out.push(b'\n');
    Ok(out)
}
