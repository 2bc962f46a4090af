//! Where new keys go and how keys in the OS store are found, with a fake
//! store: the policy is tested on every platform, with or without a real
//! one (`tests/cli/keys/os_store.rs` runs it against the Secret Service).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::*;

#[derive(Default)]
struct State {
    /// Answers at all.
    up: bool,
    /// Answers `ready` but then refuses to store (a race with a lock).
    refuses_set: bool,
    entries: BTreeMap<String, String>,
    calls: usize,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

impl Fake {
    fn up() -> Fake {
        let f = Fake::default();
        f.state().up = true;
        f
    }
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
    fn answers(&self) -> StoreResult<MutexGuard<'_, State>> {
        let mut s = self.state();
        s.calls += 1;
        if s.up {
            Ok(s)
        } else {
            Err("the fake store is down".into())
        }
    }
}

impl SecretStore for Fake {
    fn name(&self) -> &str {
        "the Fake Store"
    }
    fn ready(&self) -> StoreResult<()> {
        self.answers().map(|_| ())
    }
    fn get(&self, account: &str) -> StoreResult<Option<String>> {
        Ok(self.answers()?.entries.get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> StoreResult<()> {
        let mut s = self.answers()?;
        if s.refuses_set {
            return Err("refused".into());
        }
        s.entries.insert(account.into(), secret.into());
        Ok(())
    }
    fn delete(&self, account: &str) -> StoreResult<()> {
        self.answers()?.entries.remove(account);
        Ok(())
    }
}

fn ring(dir: &Path, policy: KeyStore, store: &Fake) -> Keyring {
    Keyring::new(dir)
        .with_key_store(policy)
        .with_secret_store(Box::new(store.clone()))
}

fn pw(s: &str) -> FixedPassword {
    FixedPassword(Password::new(s))
}

fn encrypted(s: &str) -> Protection {
    Protection::Password(Password::new(s))
}

/// Every byte under the config dir, for "no secret here" checks.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else {
            out.extend(fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn auto_puts_a_new_key_in_the_os_store_and_only_a_marker_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    let key = ring
        .generate("ana", false, &encrypted("pass-word"))
        .unwrap();

    let account = os_store::account(dir.path(), "ana");
    let stored = store.state().entries.get(&account).cloned().unwrap();
    assert!(KeyFile::parse("x", &stored).unwrap().is_encrypted());
    let marker = fs::read_to_string(ring.secret_path("ana")).unwrap();
    assert!(marker.starts_with("signet-key-in-os-store\n"), "{marker}");
    assert!(marker.contains(&account), "{marker}");
    let key_line = stored.lines().nth(1).unwrap();
    let disk = all_bytes(dir.path());
    assert!(
        !disk
            .windows(key_line.len())
            .any(|w| w == key_line.as_bytes()),
        "the key's line is nowhere in the config dir"
    );
    assert!(
        !disk
            .windows(32)
            .any(|w| key.sk.to_bytes().windows(32).any(|k| k == w)),
        "nor any 32 bytes of the raw secret key"
    );

    assert!(ring.has_key("ana"));
    assert!(matches!(ring.home("ana"), Some(KeyHome::OsStore { .. })));
    let loaded = ring.load("ana", &pw("pass-word")).unwrap();
    assert!(loaded.encrypted);
    assert_eq!(loaded.key.public_key(), key.public_key());
    assert!(
        ring.load("ana", &pw("wrong")).is_err(),
        "the password still guards it"
    );
    assert_eq!(ring.export_secret("ana").unwrap(), stored);
    assert_eq!(
        ring.public_key("ana", &Unprotected).unwrap(),
        Some(key.public_key())
    );
}

#[test]
fn auto_falls_back_to_a_key_file_when_the_store_cannot_take_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::default();
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    let key = ring.generate("bo", false, &encrypted("pass-word")).unwrap();
    assert_eq!(ring.home("bo"), Some(KeyHome::File(ring.secret_path("bo"))));
    let text = fs::read_to_string(ring.secret_path("bo")).unwrap();
    assert!(KeyFile::parse("x", &text).unwrap().is_encrypted());
    // A key file is read without the store: down or not, it signs.
    let calls = store.state().calls;
    let loaded = ring.load("bo", &pw("pass-word")).unwrap();
    assert_eq!(loaded.key.public_key(), key.public_key());
    assert_eq!(store.state().calls, calls, "the store was not asked");
}

#[test]
fn the_file_policy_never_asks_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    let ring = ring(dir.path(), KeyStore::File, &store);
    ring.generate("cy", false, &Protection::Unencrypted)
        .unwrap();
    ring.protect("cy", &pw("pass-word")).unwrap();
    ring.load("cy", &pw("pass-word")).unwrap();
    ring.export_secret("cy").unwrap();
    assert_eq!(store.state().calls, 0);
    assert!(store.state().entries.is_empty());
    assert!(matches!(ring.home("cy"), Some(KeyHome::File(_))));
}

#[test]
fn the_os_policy_refuses_a_store_that_cannot_take_the_key_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::default();
    let ring = ring(dir.path(), KeyStore::Os, &store);
    let err = ring
        .generate("dee", false, &encrypted("pass-word"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("the Fake Store cannot take dee's key"),
        "{err}"
    );
    assert!(err.contains("the fake store is down"), "{err}");
    assert!(err.contains("--key-store file"), "{err}");
    assert!(!ring.has_key("dee"));
    assert!(!ring.public_path("dee").exists());

    store.state().up = true;
    ring.generate("dee", false, &encrypted("pass-word"))
        .unwrap();
    assert!(matches!(ring.home("dee"), Some(KeyHome::OsStore { .. })));
}

#[test]
fn an_unreachable_store_at_load_time_names_itself_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    let key = ring
        .generate("eve", false, &encrypted("pass-word"))
        .unwrap();
    store.state().up = false;

    let err = ring
        .load("eve", &pw("pass-word"))
        .err()
        .unwrap()
        .to_string();
    let account = os_store::account(dir.path(), "eve");
    assert!(
        err.starts_with(&format!(
            "eve's signing key is kept in the Fake Store, account \"{account}\", which cannot be reached: the fake store is down"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was signed or changed"), "{err}");
    assert!(err.contains("Unlock it"), "{err}");
    let err = ring
        .protect("eve", &pw("pass-word"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("cannot be reached"), "{err}");
    let err = ring.export_secret("eve").err().unwrap().to_string();
    assert!(err.contains("cannot be reached"), "{err}");
    // Which key is here needs no store: the .pub beside the marker says.
    assert!(ring.has_key("eve"));
    assert_eq!(
        ring.public_key("eve", &Unprotected).unwrap(),
        Some(key.public_key())
    );

    // The store answers but lost the entry: said so, with the way out.
    store.state().up = true;
    store.state().entries.clear();
    let err = ring
        .load("eve", &pw("pass-word"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("the store has no such entry"), "{err}");
    assert!(err.contains("signet key rotate --as eve --force"), "{err}");
}

#[test]
fn protect_encrypts_a_key_in_the_os_store_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    let key = ring
        .generate("fay", false, &Protection::Unencrypted)
        .unwrap();
    assert!(
        ring.export_secret("fay").is_err(),
        "unencrypted: not exported"
    );
    let marker = fs::read(ring.secret_path("fay")).unwrap();
    assert_eq!(
        ring.protect("fay", &pw("pass-word")).unwrap(),
        Protected::Encrypted {
            key_id: key.key_id()
        }
    );
    assert_eq!(fs::read(ring.secret_path("fay")).unwrap(), marker);
    assert!(ring.read("fay").unwrap().is_encrypted());
    let loaded = ring.load("fay", &pw("pass-word")).unwrap();
    assert_eq!(loaded.key.public_key(), key.public_key());
    assert_eq!(store.state().entries.len(), 1);
}

#[test]
fn a_replaced_key_leaves_no_entry_behind_and_old_key_files_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    // A key file made before the OS store, then the store appears.
    let old = ring(dir.path(), KeyStore::File, &store)
        .generate("gus", false, &encrypted("pass-word"))
        .unwrap();
    let ring_auto = ring(dir.path(), KeyStore::Auto, &store);
    let loaded = ring_auto.load("gus", &pw("pass-word")).unwrap();
    assert_eq!(loaded.key.public_key(), old.public_key());
    assert!(matches!(ring_auto.home("gus"), Some(KeyHome::File(_))));
    assert!(store.state().entries.is_empty(), "left where it was");

    // Rotated: the new key goes to the store, the file becomes a marker.
    let new = ring_auto
        .generate("gus", true, &encrypted("pass-word"))
        .unwrap();
    assert_ne!(new.public_key(), old.public_key());
    assert!(matches!(
        ring_auto.home("gus"),
        Some(KeyHome::OsStore { .. })
    ));
    assert_eq!(store.state().entries.len(), 1);

    // Rotated again into a file: the store's entry goes.
    let file = ring(dir.path(), KeyStore::File, &store)
        .generate("gus", true, &encrypted("pass-word"))
        .unwrap();
    assert!(store.state().entries.is_empty());
    let loaded = ring_auto.load("gus", &pw("pass-word")).unwrap();
    assert_eq!(loaded.key.public_key(), file.public_key());
}

#[test]
fn a_store_that_refuses_after_saying_ready_gets_the_key_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    store.state().refuses_set = true;
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    let key = ring
        .generate("hal", false, &encrypted("pass-word"))
        .unwrap();
    assert!(matches!(ring.home("hal"), Some(KeyHome::File(_))));
    assert_eq!(
        ring.load("hal", &pw("pass-word")).unwrap().key.public_key(),
        key.public_key()
    );
}

#[test]
fn an_existing_key_is_refused_without_replace_wherever_it_lives() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fake::up();
    let ring = ring(dir.path(), KeyStore::Auto, &store);
    ring.generate("ivy", false, &encrypted("pass-word"))
        .unwrap();
    let err = ring
        .generate("ivy", false, &encrypted("pass-word"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("signing key already exists: ivy (the Fake Store"),
        "{err}"
    );
    assert_eq!(store.state().entries.len(), 1);
}

#[test]
fn the_policy_is_spelled_auto_file_or_os() {
    assert_eq!("auto".parse(), Ok(KeyStore::Auto));
    assert_eq!(" File ".parse(), Ok(KeyStore::File));
    assert_eq!("os".parse(), Ok(KeyStore::Os));
    let err = "keychain".parse::<KeyStore>().unwrap_err();
    assert!(err.contains("expected auto, file or os"), "{err}");
    assert_eq!(KeyStore::default(), KeyStore::Auto);
}
