//! Where a person's secret signing key lives on this machine: one minisign
//! key file per person in the user's config dir (`~/.config/signet/keys/`),
//! directory 0700, file 0600. Never in the database, never in a report.
//! [`init`] makes a person's key here and registers its public half.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Person;
use crate::seal::SigningKey;
use crate::store::{may_register_key, Store};

/// `$XDG_CONFIG_HOME/signet` (`~/.config/signet`).
pub fn default_config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "signet").map(|d| d.config_dir().to_path_buf())
}

pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    /// A keyring under a config dir (keys go in its `keys/` sub-directory).
    pub fn new(config_dir: &Path) -> Keyring {
        Keyring {
            dir: config_dir.join("keys"),
        }
    }

    pub fn secret_path(&self, handle: &str) -> PathBuf {
        self.dir.join(format!("{handle}.key"))
    }

    pub fn public_path(&self, handle: &str) -> PathBuf {
        self.dir.join(format!("{handle}.pub"))
    }

    pub fn has_key(&self, handle: &str) -> bool {
        self.secret_path(handle).exists()
    }

    /// Creates a key pair for `handle`. Refuses to replace an existing one
    /// unless `replace`: a lost key cannot sign again, but an overwritten one
    /// is gone for good.
    pub fn generate(&self, handle: &str, replace: bool) -> Result<SigningKey> {
        let path = self.secret_path(handle);
        if path.exists() && !replace {
            return Err(Error::AlreadyExists {
                what: "signing key",
                name: format!("{handle} ({})", path.display()),
            });
        }
        create_private_dir(&self.dir)?;
        let key = SigningKey::generate()?;
        let comment = format!("signet secret key of {handle} (unencrypted)");
        write_private(&path, key.secret_text(&comment)?.as_bytes())?;
        let pub_path = self.public_path(handle);
        let text = key.public_text(&format!("signet public key of {handle}"));
        crate::report::write_atomic(&pub_path, text.as_bytes())?;
        Ok(key)
    }

    pub fn load(&self, handle: &str) -> Result<SigningKey> {
        let path = self.secret_path(handle);
        let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Invalid(format!(
                "{handle} has no signing key on this machine ({} is missing); run `signet key init --as {handle}`",
                path.display()
            )),
            _ => Error::io(&path, &e),
        })?;
        SigningKey::from_text(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
    }
}

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInit {
    /// The key on this machine already was the registered one: nothing
    /// changed.
    AlreadyRegistered,
    /// A key pair was made on this machine and registered.
    Created,
    /// The person had no registered key; the one already on this machine
    /// now is.
    RegisteredExisting,
    /// Asked to replace: a new key pair replaced the registered key
    /// `old_key_id`.
    Replaced { old_key_id: String },
}

/// Gives `who` a signing key on this machine and registers its public half.
/// Another key already registered for them is refused unless `replace` (see
/// `store::may_register_key`), and that is checked before any key file is
/// written, so a refusal leaves nothing behind. Without `replace`, a key
/// already on this machine is used rather than a new one made.
pub fn init(
    store: &mut Store,
    keyring: &Keyring,
    who: &str,
    replace: bool,
    actor: &str,
) -> Result<(Person, KeyInit)> {
    let person = store.person(who)?;
    let handle = person.handle.clone();
    if replace {
        let key = keyring.generate(&handle, true)?;
        let p = store.replace_public_key(&handle, &key.public_key(), actor)?;
        let outcome = match person.key_id {
            Some(old_key_id) => KeyInit::Replaced { old_key_id },
            None => KeyInit::Created,
        };
        return Ok((p, outcome));
    }
    if keyring.has_key(&handle) {
        let key = keyring.load(&handle)?;
        let p = store.set_public_key(&handle, &key.public_key(), actor)?;
        let outcome = if person.public_key.is_some() {
            KeyInit::AlreadyRegistered
        } else {
            KeyInit::RegisteredExisting
        };
        return Ok((p, outcome));
    }
    may_register_key(&person, None, false)?;
    let key = keyring.generate(&handle, false)?;
    let p = store.set_public_key(&handle, &key.public_key(), actor)?;
    Ok((p, KeyInit::Created))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, &e))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(dir, &e))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))
}

/// Writes a file that only its owner can read, atomically: the temp file
/// gets its 0600 mode before any key byte is written.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, &e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, &e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
    tmp.persist(path).map_err(|e| Error::io(path, &e.error))?;
    Ok(())
}
