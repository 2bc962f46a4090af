//! Signing keys in the app: the passwords the UI collects, keys unlocked
//! once per session, and the commands that make a key or take one made
//! elsewhere ("Use an existing key…").
//!
//! A command that needs an encrypted key and has no password for it (given
//! with the call, or unlocked earlier this session) answers
//! [`ErrorKind::NeedsPassword`](crate::error::ErrorKind) naming whose key
//! and which, before anything is written; the UI asks and calls again. An
//! unlocked key stays in this process's memory until the app quits.
//!
//! Never: a password written anywhere, logged, kept (only the key it
//! unlocked is), or sent back to the webview.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use signet_core::keys::{self, KeyFile, Keyring, Password, Passwords, Protection, Unprotected};
use signet_core::model::Person;
use signet_core::seal::SigningKey;
use tauri::{AppHandle, Runtime, State};

use crate::dialog::{Choose, FileDialog};
use crate::error::{AppError, LockedKey, Result};
use crate::signoff::{person_key, PersonKey};
use crate::state::{lock, AppState};

/// A key file is a few hundred bytes: anything far larger is not one, and
/// is not read whole.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// The password the UI collected for one call, if any. Its Debug output
/// never shows it, and it is wiped when dropped (core's [`Password`]).
pub struct Given {
    password: Option<Password>,
    /// For a new key: "no password (not recommended)" was chosen.
    unencrypted: bool,
}

impl Given {
    /// The password of an existing key (none: core's refusal).
    pub fn existing(password: Option<String>) -> Given {
        Given {
            password: password.filter(|p| !p.is_empty()).map(Password::new),
            unencrypted: false,
        }
    }

    /// How to protect a new key: with `password`, or with none when
    /// `unencrypted` was chosen explicitly.
    pub fn new_key(password: Option<String>, unencrypted: bool) -> Given {
        Given {
            password: password.filter(|p| !p.is_empty()).map(Password::new),
            unencrypted,
        }
    }
}

impl std::fmt::Debug for Given {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Given(…)")
    }
}

impl Passwords for Given {
    fn existing(&self, what: &str) -> signet_core::Result<Password> {
        match &self.password {
            Some(p) => Ok(p.clone()),
            None => Unprotected.existing(what),
        }
    }

    fn for_new_key(&self, what: &str) -> signet_core::Result<Protection> {
        let invalid = |m: String| signet_core::Error::Invalid(m);
        match (&self.password, self.unencrypted) {
            (None, true) => Ok(Protection::Unencrypted),
            (Some(_), true) => Err(invalid(format!(
                "{what}: choose a password or no password, not both"
            ))),
            (None, false) => Err(invalid(format!(
                "{what} needs a password to be encrypted with (or choose “no password”, not recommended)"
            ))),
            // Said before any work, in core's words (keys::MIN_PASSWORD).
            (Some(p), false) => {
                p.strong_enough()?;
                Ok(Protection::Password(p.clone()))
            }
        }
    }
}

/// A key this session unlocked, with the encrypted file it came from: a key
/// file replaced since (rotated, imported) is asked for again.
struct Unlocked {
    file_text: String,
    key: Arc<SigningKey>,
}

/// A key file chosen for "Use an existing key…", read and checked, waiting
/// for its password (still encrypted).
struct Picked {
    path: PathBuf,
    file: KeyFile,
}

/// The keys unlocked this session, by handle, and the key file being
/// imported. Managed by the app (see `builder`).
#[derive(Default)]
pub struct Session {
    unlocked: Mutex<HashMap<String, Unlocked>>,
    picked: Mutex<Option<Picked>>,
}

impl Session {
    /// `person`'s key on this machine, opened for signing: unencrypted, or
    /// unlocked earlier this session, or with `password`. None for an
    /// encrypted key, or a wrong one, is [`AppError::needs_password`] (the
    /// cache is filled only by a password that opened the key).
    pub fn signing_key(
        &self,
        keyring: &Keyring,
        person: &Person,
        password: Option<String>,
    ) -> Result<Arc<SigningKey>> {
        let handle = &person.handle;
        let file = keyring.read(handle)?;
        if !file.is_encrypted() {
            return Ok(Arc::new(file.open(&Unprotected)?));
        }
        {
            let mut cache = lock(&self.unlocked);
            match cache.get(handle) {
                Some(u) if u.file_text == file.text() => return Ok(u.key.clone()),
                Some(_) => {
                    cache.remove(handle);
                }
                None => {}
            }
        }
        let locked = LockedKey {
            handle: handle.clone(),
            name: person.name.clone(),
            key_id: person.key_id.clone(),
            file: None,
            wrong_password: false,
        };
        let given = Given::existing(password);
        if given.password.is_none() {
            let id = person.key_id.as_deref().unwrap_or("on this machine");
            return Err(AppError::needs_password(
                locked,
                format!(
                    "{}'s signing key {id} is encrypted: enter its password",
                    person.name
                ),
            ));
        }
        let key = Arc::new(file.open(&given).map_err(|e| wrong_password(e, locked))?);
        lock(&self.unlocked).insert(
            handle.clone(),
            Unlocked {
                file_text: file.text().to_string(),
                key: key.clone(),
            },
        );
        Ok(key)
    }
}

/// Core's refusal of a wrong password, as the prompt's error; any other
/// error as it is.
fn wrong_password(e: signet_core::Error, mut locked: LockedKey) -> AppError {
    match &e {
        signet_core::Error::WrongPassword { .. } => {
            locked.wrong_password = true;
            AppError::needs_password(locked, e.to_string())
        }
        _ => e.into(),
    }
}

/// Creates the person's key pair on this machine, encrypted with
/// `password` (or, only when `unencrypted` is chosen, not at all), and
/// registers the public key; refused when another key is registered for
/// them (core's rule). A key already on this machine is registered as it
/// is.
#[tauri::command]
pub async fn create_key(
    state: State<'_, AppState>,
    person: String,
    password: Option<String>,
    unencrypted: bool,
) -> Result<PersonKey> {
    let given = Given::new_key(password, unencrypted);
    let mut store = state.store()?;
    let (p, _) = keys::init(
        &mut store,
        &state.keyring(),
        &person,
        false,
        &given,
        &state.actor(),
    )?;
    drop(store);
    Ok(person_key(&state, p))
}

/// The key file "Use an existing key…" chose.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PickedKey {
    /// Its file name.
    pub file: String,
    /// Whether it asks for a password (an unencrypted one signs for whoever
    /// can read it).
    pub encrypted: bool,
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Asks for a minisign secret key file (made by `minisign -G` or another
/// Signet) and checks it is one; [`import_key`] then registers it. `None`
/// when the user cancels. The dialog is opened here so the webview never
/// names a file to read.
#[tauri::command]
pub async fn pick_key_file<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, Session>,
) -> Result<Option<PickedKey>> {
    let dialog = FileDialog::new("Use an existing signing key")
        .filter("Minisign secret keys", &["key"])
        .filter("All files", &["*"]);
    match crate::dialog::ask_path(&app, dialog, Choose::File).await? {
        None => Ok(None),
        Some(path) => session.pick(&path).map(Some),
    }
}

impl Session {
    /// Reads and checks the secret key file at `path` (not opened), and
    /// keeps it for [`import_key`].
    pub fn pick(&self, path: &std::path::Path) -> Result<PickedKey> {
        let file = read_key_file(path)?;
        let out = PickedKey {
            file: file_name(path),
            encrypted: file.is_encrypted(),
        };
        *lock(&self.picked) = Some(Picked {
            path: path.to_path_buf(),
            file,
        });
        Ok(out)
    }
}

fn read_key_file(path: &std::path::Path) -> Result<KeyFile> {
    let io = |e: std::io::Error| signet_core::Error::io(path, &e);
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_KEY_FILE {
        return Err(signet_core::Error::Invalid(format!(
            "{}: not a minisign secret key (a key file is a few hundred bytes, this one is {len})",
            path.display()
        ))
        .into());
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    Ok(KeyFile::parse(&path.display().to_string(), &text)?)
}

/// Registers the key file [`pick_key_file`] chose as `person`'s signing key
/// and keeps it on this machine as it came (still under its own password).
/// An encrypted file without `password`, or with a wrong one, is
/// [`AppError::needs_password`]; nothing is written then.
#[tauri::command]
pub async fn import_key(
    state: State<'_, AppState>,
    session: State<'_, Session>,
    person: String,
    password: Option<String>,
) -> Result<PersonKey> {
    let mut picked = lock(&session.picked);
    let Some(Picked { path, file }) = picked.as_ref() else {
        return Err(AppError::refused(
            "choose the key file first (“Use an existing key…”)",
        ));
    };
    let mut store = state.store()?;
    let p = store.person(&person)?;
    let given = Given::existing(password);
    let locked = LockedKey {
        handle: p.handle.clone(),
        name: p.name.clone(),
        key_id: None,
        file: Some(file_name(path)),
        wrong_password: false,
    };
    if file.is_encrypted() && given.password.is_none() {
        return Err(AppError::needs_password(
            locked,
            format!(
                "{} is encrypted: enter its password to use it as {}'s signing key",
                file_name(path),
                p.name
            ),
        ));
    }
    let imported = keys::import(
        &mut store,
        &state.keyring(),
        &p.handle,
        file,
        false,
        &given,
        &state.actor(),
    )
    .map_err(|e| wrong_password(e, locked))?;
    drop(store);
    *picked = None;
    Ok(person_key(&state, imported.person))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_needs_a_long_enough_password_or_an_explicit_none() {
        let what = "ana's signing key";
        assert!(matches!(
            Given::new_key(Some("correct horse".into()), false).for_new_key(what),
            Ok(Protection::Password(_))
        ));
        assert!(matches!(
            Given::new_key(None, true).for_new_key(what),
            Ok(Protection::Unencrypted)
        ));
        // An empty password is no password.
        assert!(matches!(
            Given::new_key(Some(String::new()), true).for_new_key(what),
            Ok(Protection::Unencrypted)
        ));
        for (given, says) in [
            (Given::new_key(None, false), "needs a password"),
            (
                Given::new_key(Some(String::new()), false),
                "needs a password",
            ),
            (Given::new_key(Some("short".into()), false), "at least 8"),
            (Given::new_key(Some("long enough".into()), true), "not both"),
        ] {
            let err = given.for_new_key(what).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let g = Given::existing(Some("s3cret-pass".into()));
        assert_eq!(format!("{g:?}"), "Given(…)");
    }
}
