//! Commands for people, sign-off, reports and verification (signing keys:
//! `keys.rs`). File
//! dialogs for export and verify are opened here, on the Rust side, so the
//! webview never chooses a path to write or read.

use std::path::Path;

use serde::{Deserialize, Serialize};
use signet_core::gate::{self, Policy, Verdict};
use signet_core::model::{Person, Release};
use signet_core::report::{self, Format, Paper};
use signet_core::revocation::{standing, Standing};
use signet_core::store::{
    CompareChoices, CompareWith, RevisionInfo, SignoffOutcome, SignoffRequest,
};
use signet_core::verify::Verification;
use tauri::{AppHandle, Runtime, State};

use crate::dialog::{ask_path, Choose, FileDialog};
use crate::error::Result;
use crate::keys::Session;
use crate::state::AppState;

/// A person, and whether their secret key is on this machine (only then can
/// they sign here).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PersonKey {
    pub person: Person,
    pub local_key: bool,
    /// The key on this machine is stored without a password: whoever can
    /// read its file can sign as this person.
    pub unencrypted: bool,
}

/// Open items the sign-off dialog lists before "… and N more".
const OPEN_SHOWN: usize = 8;

/// What the sign-off dialog shows.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignoffStatus {
    pub verdict: Verdict,
    /// How many items are not done or n/a right now (0 once frozen).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub open_count: usize,
    /// The first [`OPEN_SHOWN`] of them: a 10k-item release would otherwise
    /// send a megabyte the dialog never shows. The verdict's own list is
    /// left empty for the same reason.
    pub open_items: Vec<String>,
    pub revisions: Vec<RevisionInfo>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Exported {
    pub path: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: usize,
    /// False for drafts of releases that are not signed off.
    pub signed: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revision: u32,
}

/// What a report compares with, as the export dialog asks (core's
/// `CompareWith`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// What core picks: the previous release sharing a checklist, or the
    /// comparison a signed report was signed with.
    Previous,
    /// A draft without a comparison.
    Nothing,
    /// This release, by name.
    Release(String),
}

impl Compare {
    fn with(&self) -> CompareWith<'_> {
        match self {
            Compare::Previous => CompareWith::Previous,
            Compare::Nothing => CompareWith::Nothing,
            Compare::Release(name) => CompareWith::Release(name),
        }
    }
}

pub(crate) fn person_key(state: &AppState, p: Person) -> PersonKey {
    let keyring = state.keyring();
    let local_key = keyring.has_key(&p.handle);
    PersonKey {
        local_key,
        // A key file that cannot be read says so when it is used.
        unencrypted: local_key && keyring.read(&p.handle).is_ok_and(|f| !f.is_encrypted()),
        person: p,
    }
}

#[tauri::command]
pub async fn list_people(state: State<'_, AppState>) -> Result<Vec<PersonKey>> {
    let people = state.store()?.people()?;
    Ok(people.into_iter().map(|p| person_key(&state, p)).collect())
}

#[tauri::command]
pub async fn add_person(
    state: State<'_, AppState>,
    name: String,
    email: Option<String>,
) -> Result<PersonKey> {
    let email = email.filter(|e| !e.trim().is_empty());
    let p = state
        .store()?
        .add_person(&name, email.as_deref(), None, &state.actor())?;
    Ok(person_key(&state, p))
}

#[tauri::command]
pub async fn signoff_status(state: State<'_, AppState>, release: String) -> Result<SignoffStatus> {
    let store = state.store()?;
    let mut verdict = gate::check(&store, &release, &Policy::default())?;
    let mut open_items = std::mem::take(&mut verdict.open_items);
    // Frozen releases list the override's items in the verdict, not open work.
    if verdict.revision.is_some() {
        open_items.clear();
    }
    let open_count = open_items.len();
    open_items.truncate(OPEN_SHOWN);
    Ok(SignoffStatus {
        verdict,
        open_count,
        open_items,
        revisions: store.revisions(&release)?,
    })
}

#[tauri::command]
pub async fn sign_off(
    state: State<'_, AppState>,
    session: State<'_, Session>,
    release: String,
    person: String,
    role: String,
    override_reason: Option<String>,
    password: Option<String>,
) -> Result<SignoffOutcome> {
    let p = state.store()?.person(&person)?;
    // A missing or wrong password is refused here, before anything is
    // written; the key is unlocked without holding the database, so its
    // password's key derivation holds up no other command.
    let key = session.signing_key(&state.keyring(), &p, password)?;
    let mut store = state.store()?;
    let over = override_reason.filter(|r| !r.trim().is_empty());
    let req = SignoffRequest {
        release: &release,
        person: &p.handle,
        role: &role,
        override_reason: over.as_deref(),
        actor: &state.actor(),
    };
    Ok(store.sign_off(&req, &key)?)
}

#[tauri::command]
pub async fn reopen_release(
    state: State<'_, AppState>,
    release: String,
    reason: String,
) -> Result<Release> {
    Ok(state.store()?.reopen(&release, &reason, &state.actor())?)
}

/// What the export dialog offers to compare with: the frozen base of a
/// signed release, else the earlier releases sharing a checklist.
#[tauri::command]
pub async fn compare_choices(
    state: State<'_, AppState>,
    release: String,
) -> Result<CompareChoices> {
    Ok(state.store()?.compare_choices(&release)?)
}

/// Writes a release's report (newest frozen revision, or a draft compared
/// as `compare` says) to `path`.
pub fn export_to(
    state: &AppState,
    release: &str,
    (format, paper): (Format, Paper),
    compare: &Compare,
    path: &Path,
) -> Result<Exported> {
    let (r, seal) = state
        .store()?
        .report_compared(release, None, compare.with())?;
    let bytes = report::render(&r, seal.as_ref(), format, paper)?;
    report::write_atomic(path, &bytes)?;
    Ok(Exported {
        path: path.display().to_string(),
        bytes: bytes.len(),
        signed: seal.is_some(),
        revision: r.revision,
    })
}

/// Asks where to save, then exports. `None` when the user cancels.
#[tauri::command]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    release: String,
    format: Format,
    paper: Paper,
    compare: Compare,
) -> Result<Option<Exported>> {
    let (label, ext) = match format {
        Format::Markdown => ("Markdown", "md"),
        Format::Html => ("HTML", "html"),
        Format::Pdf => ("PDF", "pdf"),
        Format::Json => ("JSON", "json"),
        Format::Csv => ("CSV", "csv"),
    };
    let name = format!("{release}-report.{ext}");
    let dialog = FileDialog::new("Export report")
        .file_name(name)
        .filter(label, &[ext]);
    match ask_path(&app, dialog, Choose::SaveAs).await? {
        None => Ok(None),
        Some(path) => export_to(&state, &release, (format, paper), &compare, &path).map(Some),
    }
}

/// Verifies one report file.
pub fn verify_file(path: &Path, trusted_keys: &[String]) -> Result<Verification> {
    let bytes = signet_core::verify::read_report(path)?;
    Ok(signet_core::verify::verify(
        &path.display().to_string(),
        &bytes,
        trusted_keys,
    )?)
}

/// Asks for a report file, then verifies it against the keys of the people
/// in this database. `None` when the user cancels.
#[tauri::command]
pub async fn verify_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<Verification>> {
    let dialog = FileDialog::new("Verify a signed report")
        .filter("Signet reports", &["json", "md", "html", "pdf"]);
    let Some(path) = ask_path(&app, dialog, Choose::File).await? else {
        return Ok(None);
    };
    let mut v = verify_file(&path, &[])?;
    mark_known_keys(&state, &mut v)?;
    Ok(Some(v))
}

/// Marks each signature trusted when its key is one this database ever
/// registered for that person (a rotated-out key still vouches for what it
/// signed) and was not revoked before the signature's time; untrusted
/// otherwise (unknown person or key, or a signature after a revocation).
pub fn mark_known_keys(state: &AppState, v: &mut Verification) -> Result<()> {
    let keys = state.store()?.key_records()?;
    for s in &mut v.signatures {
        let registered = keys
            .iter()
            .any(|k| k.handle == s.handle && k.public_key == s.public_key);
        let revoked = matches!(
            standing(&keys, &s.public_key, &s.signed_at),
            Standing::Revoked(_)
        );
        s.trusted = Some(registered && !revoked);
    }
    Ok(())
}
