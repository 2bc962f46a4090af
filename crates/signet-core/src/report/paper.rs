//! Paper sizes for the PDF report, shared by every PDF layout.

use std::str::FromStr;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub(crate) fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// Which paper a PDF we wrote uses, from its first page's media box.
    pub fn of_pdf(bytes: &[u8]) -> Paper {
        // Layout 1 (pdf-writer) writes a space before the array, layout 2
        // (krilla) does not.
        let letter = b"/MediaBox [0 0 612 792]";
        let compact = b"/MediaBox[0 0 612 792]";
        let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
        if has(letter) || has(compact) {
            Paper::Letter
        } else {
            Paper::A4
        }
    }
}

impl FromStr for Paper {
    type Err = Error;
    fn from_str(s: &str) -> Result<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" | "us-letter" => Ok(Paper::Letter),
            other => Err(Error::Invalid(format!(
                "unknown paper size '{other}' (use a4 or letter)"
            ))),
        }
    }
}
