//! signet-core: everything Signet knows, with no UI and no CLI.
//!
//! - [`import`]: markdown → checklist tree (pure)
//! - [`store`]: SQLite persistence, the only place with SQL
//! - [`report`]: the report model (`signet.report/1`) and its five renderers
//! - [`seal`], [`keys`]: canonical payload digests, minisign signatures, and
//!   where each person's secret key lives, encrypted
//! - [`revocation`]: which key was good when (rotation and revocation)
//! - [`verify`]: checking a report file on its own; [`gate`]: whether a
//!   release may ship
//! - [`sync`]: team sync through git — signed operations, their transport
//! - [`matching`]: which item of a template's new version is which old one
//! - [`owners`]: which registered person an item's owner names; [`identity`]:
//!   who a front end acts as
//!
//! Invariant: this crate never depends on Tauri or clap.

pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod gate;
mod hex;
pub mod identity;
pub mod import;
pub mod keys;
pub mod matching;
pub mod model;
pub mod owners;
pub mod render;
pub mod report;
pub mod revocation;
pub mod seal;
pub mod starter;
pub mod store;
pub mod sync;
mod text;
mod time_fmt;
pub mod verify;

pub use time_fmt::now;

pub use error::{Error, Result};
