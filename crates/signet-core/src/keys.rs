//! Where a person's secret signing key lives on this machine, and how it is
//! protected. A key is minisign secret key text, encrypted with a password
//! in minisign's own scrypt format (so `minisign -S` can use it too) unless
//! made `--unencrypted`. It is kept either in the OS secret store
//! (`keys/os_store.rs`: Secret Service, Keychain, Credential Manager), with
//! a marker file `<handle>.key` in the config dir saying so, or as the key
//! file `~/.config/signet/keys/<handle>.key` itself (directory 0700, file
//! 0600). New keys go to the OS store when it can take one and the policy
//! ([`KeyStore`]) allows; existing keys stay where they are. Beside either,
//! the public half (`<handle>.pub`), which says which key is there without
//! its password or the store.
//!
//! The flows that pair a key with the database — [`init`], [`rotate`],
//! [`import`] — store the key only after the database accepted its public
//! half, so a refusal leaves nothing behind.
//!
//! Never: a secret key or password in the database, a report, an audit
//! event, a message or the webview. Passwords come from the front end
//! through [`Passwords`]; this module never prompts, and never lets the OS
//! store prompt either.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::Person;
use crate::seal::SigningKey;
use crate::store::{may_register_key, Store};

mod os_store;
pub use os_store::{SecretStore, StoreResult};

/// `$XDG_CONFIG_HOME/signet` (`~/.config/signet`).
pub fn default_config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "signet").map(|d| d.config_dir().to_path_buf())
}

/// A key file's password. Its Debug output never shows it, and its memory
/// is wiped when it is dropped.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(password: impl Into<String>) -> Password {
        Password(Zeroizing::new(password.into()))
    }

    /// Whether two passwords are the same (a prompt's confirmation).
    pub fn matches(&self, other: &Password) -> bool {
        self.0 == other.0
    }

    /// Whether this password may protect a new key ([`MIN_PASSWORD`]).
    pub fn strong_enough(&self) -> Result<()> {
        match self.0.chars().count() {
            0 => Err(Error::Invalid(
                "an empty password protects nothing; choose one, or pass --unencrypted for a throwaway key".into(),
            )),
            n if n < MIN_PASSWORD => Err(Error::Invalid(format!(
                "a signing key's password needs at least {MIN_PASSWORD} characters (this one has {n})"
            ))),
            _ => Ok(()),
        }
    }

    /// A copy for the minisign crate, which takes passwords by value (and
    /// does not wipe its copies: see docs/RELIABILITY.md, Keys).
    fn text(&self) -> String {
        self.0.as_str().to_owned()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// How a new key file is protected.
#[derive(Debug)]
pub enum Protection {
    Password(Password),
    /// Readable by anyone who can read the file: throwaway CI keys only.
    Unencrypted,
}

/// Where passwords come from: each front end implements it (a flag, an
/// environment variable, a terminal prompt), and is asked only when a key
/// file needs one. `what` names the key for a prompt or an error.
pub trait Passwords {
    /// The password of an existing encrypted key file.
    fn existing(&self, what: &str) -> Result<Password>;
    /// How to protect a new key file.
    fn for_new_key(&self, what: &str) -> Result<Protection>;
}

/// One password for everything (an environment variable, a test).
pub struct FixedPassword(pub Password);

impl Passwords for FixedPassword {
    fn existing(&self, _: &str) -> Result<Password> {
        Ok(self.0.clone())
    }
    fn for_new_key(&self, _: &str) -> Result<Protection> {
        Ok(Protection::Password(self.0.clone()))
    }
}

/// No password at all: new keys are unencrypted and encrypted ones cannot
/// be opened. For tests, benchmarks and throwaway keys.
pub struct Unprotected;

impl Passwords for Unprotected {
    fn existing(&self, what: &str) -> Result<Password> {
        Err(Error::Invalid(format!(
            "{what} is encrypted and no password was given"
        )))
    }
    fn for_new_key(&self, _: &str) -> Result<Protection> {
        Ok(Protection::Unencrypted)
    }
}

/// Byte layout of a minisign secret key (after base64): signature, KDF and
/// checksum algorithms, KDF salt and limits, then the part a password
/// encrypts — key id, Ed25519 secret key, checksum.
const SECRET_LEN: usize = 158;
const KDF_ALG: std::ops::Range<usize> = 2..4;
const SEALED: std::ops::Range<usize> = 54..158;

fn not_a_key(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{what}: not a minisign secret key ({detail})"))
}

/// A minisign secret key file, read but not opened.
pub struct KeyFile {
    /// What to call it in prompts and errors (its path, or whose key).
    name: String,
    /// The two lines that make the file: comment and key.
    text: String,
    encrypted: bool,
}

impl KeyFile {
    /// Reads a secret key file's text; `what` names it in prompts and errors.
    pub fn parse(what: &str, text: &str) -> Result<KeyFile> {
        use base64::Engine;
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let comment = lines.next().unwrap_or_default();
        let Some(comment) = comment.strip_prefix("untrusted comment:") else {
            return Err(not_a_key(what, "no 'untrusted comment:' line"));
        };
        let line = lines.next().unwrap_or_default();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| not_a_key(what, "its second line is not base64"))?;
        if bytes.len() != SECRET_LEN || !bytes.starts_with(b"Ed") {
            return Err(not_a_key(
                what,
                "wrong length or algorithm; a public key or signature file?",
            ));
        }
        let encrypted = match &bytes[KDF_ALG] {
            [0, 0] => false,
            b"Sc" => true,
            _ => return Err(not_a_key(what, "unknown password scheme")),
        };
        Ok(KeyFile {
            name: what.to_string(),
            text: format!("untrusted comment:{comment}\n{line}\n"),
            encrypted,
        })
    }

    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The file as stored (encrypted when the key is).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Opens the key; a wrong password is an error that says so.
    pub fn open(&self, passwords: &dyn Passwords) -> Result<SigningKey> {
        let what = self.name.as_str();
        let b = minisign::SecretKeyBox::from_string(&self.text).map_err(|e| not_a_key(what, e))?;
        let sk = if self.encrypted {
            let password = passwords.existing(what)?;
            b.into_secret_key(Some(password.text()))
                .map_err(|e| match e.kind() {
                    minisign::ErrorKind::Verify => Error::WrongPassword {
                        what: what.to_string(),
                    },
                    _ => not_a_key(what, e),
                })?
        } else {
            b.into_unencrypted_secret_key()
                .map_err(|e| not_a_key(what, e))?
        };
        let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|e| not_a_key(what, e))?;
        Ok(SigningKey { sk, pk })
    }
}

/// An existing key's file text under `protection` (`key protect`). An
/// encrypted one is opened again before it is returned, so a file that
/// would not open is never written.
fn seal_key(key: &SigningKey, protection: &Protection, handle: &str) -> Result<String> {
    match protection {
        Protection::Unencrypted => {
            key.secret_text(&format!("signet secret key of {handle} (unencrypted)"))
        }
        Protection::Password(password) => {
            password.strong_enough()?;
            let text = encrypt(
                key,
                password,
                &format!("signet encrypted secret key of {handle}"),
            )?;
            let check = KeyFile::parse(handle, &text)?.open(&FixedPassword(password.clone()))?;
            if check.public_key() != key.public_key() {
                return Err(Error::Invalid(format!(
                    "encrypting {handle}'s key failed a round trip; nothing was written"
                )));
            }
            Ok(text)
        }
    }
}

/// A new key pair's file text and public key. An encrypted one is made by
/// the minisign crate directly (one scrypt run, not the three [`seal_key`]
/// spends on an existing key).
fn new_key_file(protection: &Protection, handle: &str) -> Result<(String, String)> {
    let Protection::Password(password) = protection else {
        let key = SigningKey::generate()?;
        return Ok((seal_key(&key, protection, handle)?, key.public_key()));
    };
    password.strong_enough()?;
    let crypto = |e: minisign::PError| Error::Invalid(format!("making a key: {e}"));
    let kp =
        minisign::KeyPair::generate_encrypted_keypair(Some(password.text())).map_err(crypto)?;
    let comment = format!("signet encrypted secret key of {handle}");
    let text = kp.sk.to_box(Some(&comment)).map_err(crypto)?.to_string();
    Ok((text, kp.pk.to_base64()))
}

/// The shortest password a new key may be encrypted with, in characters:
/// scrypt slows guessing down, it does not make "1234" safe.
pub const MIN_PASSWORD: usize = 8;

/// Encrypts an existing key in minisign's format. The minisign crate keeps
/// its encryption private, so the keystream is taken from the crate
/// itself: a throwaway key pair encrypted under the same password and a
/// fresh salt, XORed with its own decryption, gives the scrypt stream for
/// that salt and password, which then encrypts our key exactly as minisign
/// would (its scheme is that XOR). The KDF stays the library's; only the
/// XOR is ours, and [`seal_key`] checks the result opens to the same key.
fn encrypt(key: &SigningKey, password: &Password, comment: &str) -> Result<String> {
    use base64::Engine;
    let crypto = |e: minisign::PError| Error::Invalid(format!("encrypting a key: {e}"));
    let throwaway = minisign::KeyPair::generate_encrypted_keypair(Some(password.text()))
        .map_err(crypto)?
        .sk;
    let sealed = throwaway.to_bytes();
    // The decrypted stream and our plain key are secrets: wiped on return.
    let opened = Zeroizing::new(
        throwaway
            .to_box(None)
            .map_err(crypto)?
            .into_secret_key(Some(password.text()))
            .map_err(crypto)?
            .to_bytes(),
    );
    let plain = Zeroizing::new(key.sk.to_bytes());
    if [sealed.len(), opened.len(), plain.len()] != [SECRET_LEN; 3] {
        return Err(Error::Invalid(
            "encrypting a key: unexpected key layout".into(),
        ));
    }
    // Algorithms, salt and limits from the encrypted throwaway; key id,
    // secret and checksum ours, XORed with its stream.
    let mut out = sealed[..SEALED.start].to_vec();
    out.extend(SEALED.map(|i| plain[i] ^ sealed[i] ^ opened[i]));
    let line = base64::engine::general_purpose::STANDARD.encode(&out);
    Ok(format!("untrusted comment: {comment}\n{line}\n"))
}

/// Where new keys go (`--key-store`, `SIGNET_KEY_STORE`): the OS secret
/// store when it can take one now and a key file otherwise (`Auto`, the
/// default), always a key file (`File`, as before the OS store), or the OS
/// store and nothing else (`Os`: refused when it cannot take the key).
/// Keys already on this machine stay where they are, whatever the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyStore {
    #[default]
    Auto,
    File,
    Os,
}

impl KeyStore {
    /// The environment variable [`Keyring::new`] reads the policy from.
    pub const ENV: &'static str = "SIGNET_KEY_STORE";

    fn from_env() -> std::result::Result<KeyStore, String> {
        match std::env::var(Self::ENV) {
            Ok(v) if v.trim().is_empty() => Ok(KeyStore::Auto),
            Ok(v) => v.parse(),
            Err(std::env::VarError::NotPresent) => Ok(KeyStore::Auto),
            Err(e) => Err(format!("{}: {e}", Self::ENV)),
        }
    }
}

impl std::str::FromStr for KeyStore {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<KeyStore, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(KeyStore::Auto),
            "file" => Ok(KeyStore::File),
            "os" => Ok(KeyStore::Os),
            other => Err(format!(
                "{}={other:?}: expected auto, file or os",
                KeyStore::ENV
            )),
        }
    }
}

/// Where one person's key is kept on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyHome {
    /// A minisign key file.
    File(PathBuf),
    /// The OS secret store, under service "signet" and `account`; `marker`
    /// is the file in the config dir that says so.
    OsStore {
        store: String,
        account: String,
        marker: PathBuf,
    },
}

impl std::fmt::Display for KeyHome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyHome::File(path) => write!(f, "{}", path.display()),
            KeyHome::OsStore { store, account, .. } => write!(
                f,
                "{store}, service \"{}\", account \"{account}\"",
                os_store::SERVICE
            ),
        }
    }
}

/// What a `<handle>.key` file turned out to hold.
enum Found {
    /// A key file's text.
    Key(String),
    /// A marker: the key is in the OS store under this account.
    Marker(String),
}

/// A key made and staged beside its final place, not yet in it:
/// [`Staged::install`] puts it there once the database accepted it. A key
/// file is written to a temp file now; a key for the OS store waits in
/// memory (the store has no temp entries), with its marker in a temp file.
pub struct Staged<'a> {
    keyring: &'a Keyring,
    handle: String,
    text: String,
    to: Staging,
    /// The OS store entry that held this person's key before, if any:
    /// removed once the new key is in place.
    replaces: Option<String>,
    pub_text: String,
    public_key: String,
}

enum Staging {
    File(tempfile::NamedTempFile),
    Os {
        account: String,
        marker: tempfile::NamedTempFile,
    },
}

impl Staged<'_> {
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Puts the key in place (replacing any there) and writes the public
    /// half beside it. Should the OS store refuse the key now, after it took
    /// nothing but a probe, the key goes to a key file instead: the database
    /// already registered it, and a registered key must not be lost.
    pub fn install(self) -> Result<()> {
        let ring = self.keyring;
        let path = ring.secret_path(&self.handle);
        let mut kept = None;
        match self.to {
            Staging::File(tmp) => {
                tmp.persist(&path).map_err(|e| Error::io(&path, &e.error))?;
            }
            Staging::Os { account, marker } => {
                if ring.os.set(&account, &self.text).is_ok() {
                    marker
                        .persist(&path)
                        .map_err(|e| Error::io(&path, &e.error))?;
                    kept = Some(account);
                } else {
                    drop(marker);
                    write_private_tmp(&path, self.text.as_bytes())?
                        .persist(&path)
                        .map_err(|e| Error::io(&path, &e.error))?;
                }
            }
        }
        if let Some(old) = self.replaces.filter(|old| kept.as_ref() != Some(old)) {
            // The replaced key was rotated or re-imported away; an entry
            // left behind (the store unreachable now) holds only that key.
            let _ = ring.os.delete(&old);
        }
        crate::report::write_atomic(&ring.public_path(&self.handle), self.pub_text.as_bytes())
    }
}

/// The signing keys of one config dir: key files and markers in its
/// `keys/` sub-directory, and the OS secret store entries they name.
pub struct Keyring {
    dir: PathBuf,
    config_dir: PathBuf,
    policy: std::result::Result<KeyStore, String>,
    os: Box<dyn SecretStore>,
}

/// A key opened for signing, and whether its file is encrypted.
pub struct Loaded {
    pub key: SigningKey,
    pub encrypted: bool,
}

impl Keyring {
    /// A keyring under a config dir (keys go in its `keys/` sub-directory),
    /// with this platform's OS store and the policy of `SIGNET_KEY_STORE`
    /// (default: auto). A bad value is reported when a key is made.
    pub fn new(config_dir: &Path) -> Keyring {
        Keyring {
            dir: config_dir.join("keys"),
            config_dir: config_dir.to_path_buf(),
            policy: KeyStore::from_env(),
            os: os_store::platform(),
        }
    }

    /// Where new keys go, overriding `SIGNET_KEY_STORE` (`--key-store`).
    pub fn with_key_store(mut self, policy: KeyStore) -> Keyring {
        self.policy = Ok(policy);
        self
    }

    /// Another OS store than the platform's (tests).
    pub fn with_secret_store(mut self, store: Box<dyn SecretStore>) -> Keyring {
        self.os = store;
        self
    }

    /// The key file of `handle`, or the marker that stands for it when the
    /// key is in the OS store.
    pub fn secret_path(&self, handle: &str) -> PathBuf {
        self.dir.join(format!("{handle}.key"))
    }

    pub fn public_path(&self, handle: &str) -> PathBuf {
        self.dir.join(format!("{handle}.pub"))
    }

    pub fn has_key(&self, handle: &str) -> bool {
        self.secret_path(handle).exists()
    }

    /// Where `handle`'s key is kept (None: there is none, or its file
    /// cannot be read).
    pub fn home(&self, handle: &str) -> Option<KeyHome> {
        match self.found(handle).ok()? {
            Found::Key(_) => Some(KeyHome::File(self.secret_path(handle))),
            Found::Marker(account) => Some(KeyHome::OsStore {
                store: self.os.name().to_string(),
                account,
                marker: self.secret_path(handle),
            }),
        }
    }

    fn what(&self, handle: &str) -> String {
        match self.home(handle) {
            Some(home) => format!("{handle}'s signing key ({home})"),
            None => format!(
                "{handle}'s signing key ({})",
                self.secret_path(handle).display()
            ),
        }
    }

    /// What `<handle>.key` holds, unopened and without asking the OS store.
    fn found(&self, handle: &str) -> Result<Found> {
        let path = self.secret_path(handle);
        let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Invalid(format!(
                "{handle} has no signing key on this machine ({} is missing); run `signet key init --as {handle}`",
                path.display()
            )),
            _ => Error::io(&path, &e),
        })?;
        Ok(match os_store::parse_marker(&text) {
            Some(account) => Found::Marker(
                account.unwrap_or_else(|| os_store::account(&self.config_dir, handle)),
            ),
            None => Found::Key(text),
        })
    }

    /// The error for an OS store that did not answer about `handle`'s key.
    fn unreachable(&self, handle: &str, account: &str, why: &str) -> Error {
        Error::Invalid(format!(
            "{handle}'s signing key is kept in {}, account \"{account}\", which cannot be reached: {why}; \
             nothing was signed or changed. Unlock it and try again: log in to your desktop session, or, \
             without one, run signet inside a D-Bus session with an unlocked keyring \
             (`dbus-run-session`, then `gnome-keyring-daemon --unlock`)",
            self.os.name()
        ))
    }

    /// The key file of `handle`, not opened: read from its file, or from
    /// the OS store when a marker stands there.
    pub fn read(&self, handle: &str) -> Result<KeyFile> {
        let text = match self.found(handle)? {
            Found::Key(text) => text,
            Found::Marker(account) => match self.os.get(&account) {
                Ok(Some(text)) => text,
                Ok(None) => {
                    return Err(Error::Invalid(format!(
                        "{handle}'s signing key should be in {} under account \"{account}\" ({} says so), \
                         but the store has no such entry; import the key again \
                         (`signet key import FILE --as {handle} --force`) or make a new one \
                         (`signet key rotate --as {handle} --force`)",
                        self.os.name(),
                        self.secret_path(handle).display()
                    )))
                }
                Err(why) => return Err(self.unreachable(handle, &account, &why)),
            },
        };
        KeyFile::parse(&self.what(handle), &text)
    }

    /// Opens `handle`'s key for signing, asking for its password if the
    /// file is encrypted.
    pub fn load(&self, handle: &str, passwords: &dyn Passwords) -> Result<Loaded> {
        let file = self.read(handle)?;
        Ok(Loaded {
            key: file.open(passwords)?,
            encrypted: file.is_encrypted(),
        })
    }

    /// The public key of the key on this machine (None: there is none).
    /// An encrypted file cannot say without its password, nor a key in the
    /// OS store without asking the store, so the `.pub` beside it answers;
    /// only without one is the key read and opened.
    pub fn public_key(&self, handle: &str, passwords: &dyn Passwords) -> Result<Option<String>> {
        if !self.has_key(handle) {
            return Ok(None);
        }
        let beside = || {
            fs::read_to_string(self.public_path(handle))
                .ok()
                .and_then(|text| crate::seal::parse_public_key(&text).ok())
        };
        if let Found::Marker(_) = self.found(handle)? {
            if let Some(pk) = beside() {
                return Ok(Some(pk));
            }
        }
        let file = self.read(handle)?;
        if file.is_encrypted() {
            if let Some(pk) = beside() {
                return Ok(Some(pk));
            }
        }
        Ok(Some(file.open(passwords)?.public_key()))
    }

    /// Where a new key goes under the policy, asking the OS store whether
    /// it can take one now; Some(account) is the OS store.
    fn destination(&self, handle: &str) -> Result<Option<String>> {
        let policy = self.policy.clone().map_err(Error::Invalid)?;
        let account = os_store::account(&self.config_dir, handle);
        match policy {
            KeyStore::File => Ok(None),
            KeyStore::Auto => Ok(self.os.ready().ok().map(|()| account)),
            KeyStore::Os => match self.os.ready() {
                Ok(()) => Ok(Some(account)),
                Err(why) => Err(Error::Invalid(format!(
                    "the key store is set to os, but {} cannot take {handle}'s key now: {why}; \
                     nothing was changed. Start or unlock it and try again, or use --key-store file \
                     (or auto, which falls back to a key file)",
                    self.os.name()
                ))),
            },
        }
    }

    /// Makes a key pair for `handle` and stages it (see [`Staged`]).
    /// Refuses when a key is there unless `replace`: a lost key cannot sign
    /// again, but an overwritten one is gone for good.
    pub fn stage_new(
        &self,
        handle: &str,
        replace: bool,
        protection: &Protection,
    ) -> Result<Staged<'_>> {
        self.refuse_existing(handle, replace)?;
        let (text, public_key) = new_key_file(protection, handle)?;
        self.stage(handle, replace, &text, &public_key)
    }

    fn refuse_existing(&self, handle: &str, replace: bool) -> Result<()> {
        if self.has_key(handle) && !replace {
            return Err(Error::AlreadyExists {
                what: "signing key",
                name: format!(
                    "{handle} ({})",
                    self.home(handle).map_or_else(
                        || self.secret_path(handle).display().to_string(),
                        |h| h.to_string(),
                    )
                ),
            });
        }
        Ok(())
    }

    /// Stages a key file's text as it is (an imported one keeps its own
    /// password), for the OS store or a key file as the policy says.
    fn stage(
        &self,
        handle: &str,
        replace: bool,
        text: &str,
        public_key: &str,
    ) -> Result<Staged<'_>> {
        self.refuse_existing(handle, replace)?;
        let path = self.secret_path(handle);
        let replaces = match self.found(handle) {
            Ok(Found::Marker(account)) => Some(account),
            _ => None,
        };
        let to = match self.destination(handle)? {
            Some(account) => {
                create_private_dir(&self.dir)?;
                let marker = os_store::marker_text(self.os.name(), &account);
                Staging::Os {
                    marker: write_private_tmp(&path, marker.as_bytes())?,
                    account,
                }
            }
            None => {
                create_private_dir(&self.dir)?;
                Staging::File(write_private_tmp(&path, text.as_bytes())?)
            }
        };
        Ok(Staged {
            keyring: self,
            handle: handle.to_string(),
            text: text.to_string(),
            to,
            replaces,
            pub_text: crate::seal::public_file_text(
                public_key,
                &format!("signet public key of {handle}"),
            ),
            public_key: public_key.to_string(),
        })
    }

    /// Creates and installs a key pair for `handle`, returning it opened.
    /// For tests and tools; the CLI and app go through [`init`].
    pub fn generate(
        &self,
        handle: &str,
        replace: bool,
        protection: &Protection,
    ) -> Result<SigningKey> {
        self.stage_new(handle, replace, protection)?.install()?;
        let passwords: &dyn Passwords = match protection {
            Protection::Password(p) => &FixedPassword(p.clone()),
            Protection::Unencrypted => &Unprotected,
        };
        Ok(self.load(handle, passwords)?.key)
    }

    /// Encrypts `handle`'s unencrypted key in place: an atomic rewrite of
    /// its file (the old file stays whole until the new one replaces it),
    /// or its OS store entry replaced in one call.
    pub fn protect(&self, handle: &str, passwords: &dyn Passwords) -> Result<Protected> {
        let found = self.found(handle)?;
        let file = self.read(handle)?;
        if file.is_encrypted() {
            return Ok(Protected::AlreadyEncrypted);
        }
        let key = file.open(passwords)?;
        let protection = passwords.for_new_key(&self.what(handle))?;
        if !matches!(protection, Protection::Password(_)) {
            return Err(Error::Invalid(format!(
                "protecting {handle}'s key needs a password"
            )));
        }
        let text = seal_key(&key, &protection, handle)?;
        match found {
            Found::Key(_) => {
                let path = self.secret_path(handle);
                write_private_tmp(&path, text.as_bytes())?
                    .persist(&path)
                    .map_err(|e| Error::io(&path, &e.error))?;
            }
            Found::Marker(account) => self
                .os
                .set(&account, &text)
                .map_err(|why| self.unreachable(handle, &account, &why))?,
        }
        Ok(Protected::Encrypted {
            key_id: key.key_id(),
        })
    }

    /// The key file to copy to another machine, still encrypted (from its
    /// file or the OS store). An unencrypted one is refused: the copy would
    /// sign for anyone.
    pub fn export_secret(&self, handle: &str) -> Result<String> {
        let file = self.read(handle)?;
        if !file.is_encrypted() {
            return Err(Error::Invalid(format!(
                "{handle}'s signing key is not encrypted, so a copy would sign for whoever holds it; \
                 run `signet key protect --as {handle}` first"
            )));
        }
        Ok(file.text)
    }
}

/// What [`Keyring::protect`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protected {
    AlreadyEncrypted,
    Encrypted { key_id: String },
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
    passwords: &dyn Passwords,
    actor: &str,
) -> Result<(Person, KeyInit)> {
    let person = store.person(who)?;
    let handle = person.handle.clone();
    if replace {
        let staged = keyring.stage_new(
            &handle,
            true,
            &passwords.for_new_key(&keyring.what(&handle))?,
        )?;
        let p = store.replace_public_key(&handle, staged.public_key(), actor)?;
        staged.install()?;
        let outcome = match person.key_id {
            Some(old_key_id) => KeyInit::Replaced { old_key_id },
            None => KeyInit::Created,
        };
        return Ok((p, outcome));
    }
    if let Some(here) = keyring.public_key(&handle, passwords)? {
        let p = store.set_public_key(&handle, &here, actor)?;
        let outcome = if person.public_key.is_some() {
            KeyInit::AlreadyRegistered
        } else {
            KeyInit::RegisteredExisting
        };
        return Ok((p, outcome));
    }
    may_register_key(&person, None, false)?;
    let staged = keyring.stage_new(
        &handle,
        false,
        &passwords.for_new_key(&keyring.what(&handle))?,
    )?;
    let p = store.set_public_key(&handle, staged.public_key(), actor)?;
    staged.install()?;
    Ok((p, KeyInit::Created))
}

/// What [`rotate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub person: Person,
    pub old_key_id: String,
}

/// Replaces `who`'s registered key with a new key pair made here. The old
/// public key stays registered (valid until now), so what it signed keeps
/// verifying. Only the machine holding the registered key may rotate it,
/// unless `force` (the key was lost): otherwise anyone could re-key anyone.
pub fn rotate(
    store: &mut Store,
    keyring: &Keyring,
    who: &str,
    force: bool,
    passwords: &dyn Passwords,
    actor: &str,
) -> Result<Rotated> {
    let person = store.person(who)?;
    let handle = person.handle.clone();
    let (Some(old), Some(old_key_id)) = (person.public_key.clone(), person.key_id.clone()) else {
        return Err(Error::Invalid(format!(
            "{handle} has no registered signing key to rotate; run `signet key init --as {handle}`"
        )));
    };
    if !force {
        let here = keyring.public_key(&handle, passwords)?;
        if here.as_deref() != Some(old.as_str()) {
            let what = match here
                .as_deref()
                .and_then(|k| minisign::PublicKey::from_base64(k).ok())
            {
                Some(pk) => format!(
                    "the key on this machine is a different one ({})",
                    crate::seal::key_id(&pk)
                ),
                None => "this machine does not hold it".to_string(),
            };
            return Err(Error::Invalid(format!(
                "{handle}'s registered signing key is {old_key_id}, and {what}: rotate it where it lives, \
                 or, if it is lost, run `signet key rotate --as {handle} --force` (and revoke it if it may be stolen)"
            )));
        }
    }
    let staged = keyring.stage_new(
        &handle,
        true,
        &passwords.for_new_key(&keyring.what(&handle))?,
    )?;
    let p = store.replace_public_key(&handle, staged.public_key(), actor)?;
    staged.install()?;
    Ok(Rotated {
        person: p,
        old_key_id,
    })
}

/// What [`import`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub person: Person,
    pub encrypted: bool,
    /// The registered key it replaced (with `force`).
    pub replaced: Option<String>,
}

/// Takes a minisign secret key made elsewhere (`minisign -G`, another
/// Signet) for `who`: opens it (asking its password) to learn its public
/// key, registers that under the usual rule (replacing another registered
/// key needs `force`), and stores the file as it came — still under its own
/// password. A different key file already here is replaced only with
/// `force` too.
pub fn import(
    store: &mut Store,
    keyring: &Keyring,
    who: &str,
    file: &KeyFile,
    force: bool,
    passwords: &dyn Passwords,
    actor: &str,
) -> Result<Imported> {
    let key = file.open(passwords)?;
    let public_key = key.public_key();
    let person = store.person(who)?;
    let handle = person.handle.clone();
    // store::may_register_key's rule, worded for a file brought in.
    if let (Some(old), false) = (&person.key_id, force) {
        if person.public_key.as_deref() != Some(public_key.as_str()) {
            return Err(Error::Invalid(format!(
                "{handle} already has a registered signing key {old}, and {} holds another ({}): \
                 signatures made with {old} stay valid only with that key; to register this one \
                 for {handle} anyway, import it with --force",
                file.name,
                key.key_id()
            )));
        }
    }
    if !force {
        if let Some(here) = keyring.public_key(&handle, passwords)? {
            if here != public_key {
                return Err(Error::Invalid(format!(
                    "{} holds a different key; to replace it with this one, pass --force",
                    keyring.what(&handle)
                )));
            }
        }
    }
    let staged = keyring.stage(&handle, true, file.text(), &public_key)?;
    let replaced = person
        .key_id
        .clone()
        .filter(|_| person.public_key.as_deref() != Some(public_key.as_str()));
    let p = if replaced.is_some() {
        store.replace_public_key(&handle, &public_key, actor)?
    } else {
        store.set_public_key(&handle, &public_key, actor)?
    };
    staged.install()?;
    Ok(Imported {
        person: p,
        encrypted: file.is_encrypted(),
        replaced,
    })
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

/// Writes a file that only its owner can read into a temp file beside
/// `path`, synced: the temp file gets its 0600 mode before any key byte is
/// written, and persisting it onto `path` is one atomic rename.
fn write_private_tmp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".signet-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, &e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, &e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
    Ok(tmp)
}

/// Writes a secret key file elsewhere (`key export --secret -o FILE`):
/// owner-only and atomic, like the keyring's own files.
pub fn write_secret_file(path: &Path, text: &str) -> Result<()> {
    write_private_tmp(path, text.as_bytes())?
        .persist(path)
        .map_err(|e| Error::io(path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod policy_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> FixedPassword {
        FixedPassword(Password::new(s))
    }

    /// Key files only, whatever the machine's OS store or environment.
    fn file_ring(dir: &Path) -> Keyring {
        Keyring::new(dir).with_key_store(KeyStore::File)
    }

    #[test]
    fn an_encrypted_key_opens_only_with_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let ring = file_ring(dir.path());
        let key = ring
            .generate(
                "ana",
                false,
                &Protection::Password(Password::new("s3cret-pass")),
            )
            .unwrap();
        let file = ring.read("ana").unwrap();
        assert!(file.is_encrypted());
        let opened = ring.load("ana", &pw("s3cret-pass")).unwrap();
        assert_eq!(opened.key.public_key(), key.public_key());
        let err = ring.load("ana", &pw("wrong")).err().unwrap().to_string();
        assert!(
            err.starts_with("wrong password for ana's signing key"),
            "{err}"
        );
        let err = ring.load("ana", &Unprotected).err().unwrap().to_string();
        assert!(err.contains("no password was given"), "{err}");
        // Without the password, the .pub beside it says which key it is.
        assert_eq!(
            ring.public_key("ana", &Unprotected).unwrap(),
            Some(key.public_key())
        );
    }

    #[test]
    fn protect_encrypts_the_same_key_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let ring = file_ring(dir.path());
        let key = ring
            .generate("bo", false, &Protection::Unencrypted)
            .unwrap();
        assert!(!ring.read("bo").unwrap().is_encrypted());
        assert_eq!(
            ring.protect("bo", &pw("pass-word")).unwrap(),
            Protected::Encrypted {
                key_id: key.key_id()
            }
        );
        assert!(ring.read("bo").unwrap().is_encrypted());
        let opened = ring.load("bo", &pw("pass-word")).unwrap();
        assert_eq!(opened.key.public_key(), key.public_key());
        assert!(ring.load("bo", &pw("other-pass")).is_err());
        assert_eq!(
            ring.protect("bo", &pw("pass-word")).unwrap(),
            Protected::AlreadyEncrypted
        );
        let err = ring.protect("bo", &Unprotected);
        assert!(err.is_ok(), "already encrypted: nothing asked");
    }

    #[test]
    fn an_empty_or_short_password_and_a_plain_export_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ring = file_ring(dir.path());
        let err = ring
            .generate("cy", false, &Protection::Password(Password::new("")))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("empty password"), "{err}");
        assert!(!ring.has_key("cy"), "nothing written");
        let err = ring
            .generate("cy", false, &Protection::Password(Password::new("1234567")))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("needs at least 8 characters (this one has 7)"),
            "{err}"
        );
        assert!(!ring.has_key("cy"), "nothing written");
        ring.generate("cy", false, &Protection::Unencrypted)
            .unwrap();
        let err = ring.export_secret("cy").unwrap_err().to_string();
        assert!(err.contains("signet key protect --as cy"), "{err}");
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(…)");
    }

    #[test]
    fn files_that_are_not_secret_keys_are_named_as_such() {
        let key = SigningKey::generate().unwrap();
        let public = key.public_text("a public key");
        let err = KeyFile::parse("x.pub", &public).err().unwrap().to_string();
        assert!(err.starts_with("x.pub: not a minisign secret key"), "{err}");
        let err = KeyFile::parse("notes.txt", "hello")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no 'untrusted comment:' line"), "{err}");
    }
}
