//! Where a person's secret signing key lives on this machine: one minisign
//! key file per person in the user's config dir (`~/.config/signet/keys/`),
//! directory 0700, file 0600. Never in the database, never in a report.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::seal::SigningKey;

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
