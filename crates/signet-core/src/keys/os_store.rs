//! The OS secret store as a home for signing keys: the Secret Service
//! (GNOME Keyring, KWallet) on Linux and the BSDs, the Keychain on macOS,
//! the Credential Manager on Windows, all through the `keyring` crate.
//!
//! It holds a key's minisign secret key text — exactly what a key file
//! would hold, encrypted with its password or not — under service
//! [`SERVICE`] and an account that names the config dir and the handle
//! ([`account`]), so two config dirs of one user never share an entry.
//! In the config dir, a marker file ([`marker_text`]) stands where the key
//! file would be and says which account holds the key; it holds no secret.
//!
//! Behind the [`SecretStore`] trait, so the policy in `keys.rs` is tested
//! everywhere with a fake. Never: prompt. Whether a store may take a key is
//! asked without unlocking anything ([`SecretStore::ready`]), and a locked
//! Secret Service collection is reported, not unlocked, so no command ever
//! waits on a dialog nobody can see.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The service name every Signet entry is stored under.
pub const SERVICE: &str = "signet";

/// The first line of a marker file: the key is in the OS store.
pub const MARKER: &str = "signet-key-in-os-store";

/// What a store said when it could not do what was asked: its own words,
/// for an error message that names the store.
pub type StoreResult<T> = std::result::Result<T, String>;

/// An OS secret store, as the keyring needs it.
pub trait SecretStore: Send + Sync {
    /// Its name in messages, e.g. "the Secret Service (GNOME Keyring, KWallet)".
    fn name(&self) -> &str;
    /// Whether a new key can be stored now, without a prompt; Err says why not.
    fn ready(&self) -> StoreResult<()>;
    /// The secret under `account`; None: the store answered and has none.
    fn get(&self, account: &str) -> StoreResult<Option<String>>;
    /// Stores `secret` under `account`, replacing what was there.
    fn set(&self, account: &str, secret: &str) -> StoreResult<()>;
    /// Removes `account`'s entry; one that is not there is not an error.
    fn delete(&self, account: &str) -> StoreResult<()>;
}

/// The account of `handle`'s key for a config dir: the first 16 hex digits
/// of the SHA-256 of the dir's absolute path, a slash, the handle.
pub fn account(config_dir: &Path, handle: &str) -> String {
    let dir = config_dir
        .canonicalize()
        .or_else(|_| std::path::absolute(config_dir))
        .unwrap_or_else(|_| config_dir.to_path_buf());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    format!("{}/{handle}", &crate::hex::encode(&digest)[..16])
}

/// The marker file's text for a key stored under `account`.
pub fn marker_text(store: &str, account: &str) -> String {
    format!(
        "{MARKER}\n\
         # No secret here: the signing key is in {store},\n\
         # under service \"{SERVICE}\" and the account below.\n\
         account: {account}\n"
    )
}

/// The account a marker file names; None: the text is not a marker (a key
/// file, or anything else).
pub fn parse_marker(text: &str) -> Option<Option<String>> {
    let mut lines = text.lines();
    if lines.next()?.trim() != MARKER {
        return None;
    }
    Some(lines.find_map(|l| {
        l.trim()
            .strip_prefix("account:")
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
    }))
}

/// The store of the platform this was built for.
pub fn platform() -> Box<dyn SecretStore> {
    Box::new(Platform)
}

struct Platform;

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
const PLATFORM_NAME: &str = "the Secret Service (GNOME Keyring, KWallet)";
#[cfg(target_os = "macos")]
const PLATFORM_NAME: &str = "the macOS Keychain";
#[cfg(target_os = "windows")]
const PLATFORM_NAME: &str = "the Windows Credential Manager";
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const PLATFORM_NAME: &str = "an OS secret store (none on this platform)";

/// The account `ready` reads to see that the store answers.
const PROBE: &str = "signet-probe";

impl Platform {
    fn entry(account: &str) -> StoreResult<keyring::Entry> {
        keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())
    }
}

impl SecretStore for Platform {
    fn name(&self) -> &str {
        PLATFORM_NAME
    }

    fn ready(&self) -> StoreResult<()> {
        // A read of an entry that need not exist: any answer but a failure
        // means the store works.
        self.get(PROBE).map(|_| ())
    }

    fn get(&self, account: &str) -> StoreResult<Option<String>> {
        default_collection_unlocked()?;
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn set(&self, account: &str, secret: &str) -> StoreResult<()> {
        default_collection_unlocked()?;
        Self::entry(account)?
            .set_password(secret)
            .map_err(|e| e.to_string())
    }

    fn delete(&self, account: &str) -> StoreResult<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The Secret Service's default collection exists and is unlocked: keyring
/// would otherwise ask the service to unlock it, and the service would show
/// a password dialog — on a desktop, or on no screen at all over SSH or in
/// CI, where the command would then wait for ever.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn default_collection_unlocked() -> StoreResult<()> {
    use dbus_secret_service::{EncryptionType, Error, SecretService};
    let ss = SecretService::connect(EncryptionType::Dh).map_err(|e| match e {
        Error::Unavailable | Error::Dbus(_) => {
            format!("no Secret Service answers on the D-Bus session bus ({e})")
        }
        e => e.to_string(),
    })?;
    let collection = ss.get_default_collection().map_err(|e| match e {
        Error::NoResult => "it has no default keyring (collection)".to_string(),
        e => e.to_string(),
    })?;
    if collection.is_locked().map_err(|e| e.to_string())? {
        return Err("its default keyring is locked".into());
    }
    Ok(())
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn default_collection_unlocked() -> StoreResult<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_names_its_account_and_holds_no_key() {
        let text = marker_text("the Test Store", "0123456789abcdef/ana");
        assert!(text.starts_with("signet-key-in-os-store\n"), "{text}");
        assert_eq!(
            parse_marker(&text),
            Some(Some("0123456789abcdef/ana".into()))
        );
        assert_eq!(parse_marker("signet-key-in-os-store\n"), Some(None));
        assert_eq!(parse_marker("untrusted comment: x\nRWQ...\n"), None);
        assert_eq!(parse_marker(""), None);
    }

    #[test]
    fn two_config_dirs_never_share_an_account() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let (x, y) = (account(a.path(), "ana"), account(b.path(), "ana"));
        assert_ne!(x, y);
        assert!(x.ends_with("/ana") && x.len() == 16 + 4, "{x}");
        assert_eq!(account(a.path(), "ana"), x, "stable");
        assert_eq!(account(&a.path().join("."), "ana"), x, "one dir, one name");
    }
}
