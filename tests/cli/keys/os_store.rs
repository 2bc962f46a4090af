//! Keys in the OS secret store, against the real Secret Service: each test
//! starts its own D-Bus session bus (no service activation, so nothing of
//! the machine's starts on it) and its own gnome-keyring-daemon, unlocked
//! with a throwaway password, in a temp HOME. A test is skipped, saying
//! so, only when the daemon cannot be started (no gnome-keyring or dbus:
//! scripts/test.sh installs both).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// What the messages call the store on Linux.
const STORE: &str = "the Secret Service (GNOME Keyring, KWallet)";

/// A session bus that only knows what is started on it.
const BUS_CONF: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// A private session bus with gnome-keyring-daemon's Secret Service on it.
struct SecretService {
    bus: Child,
    daemon: Option<Child>,
    address: String,
    home: TempDir,
}

impl SecretService {
    /// None, with the reason on stderr, when the daemon cannot be started.
    fn start() -> Option<SecretService> {
        match Self::try_start() {
            Ok(s) => Some(s),
            Err(why) => {
                eprintln!(
                    "SKIPPED: cannot start a Secret Service for this test ({why}); \
                     install gnome-keyring and dbus (scripts/test.sh does) to run it"
                );
                None
            }
        }
    }

    fn try_start() -> Result<SecretService, String> {
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let conf = home.path().join("bus.conf");
        let socket = home.path().join("bus");
        std::fs::write(&conf, BUS_CONF.replace("SOCKET", socket.to_str().unwrap()))
            .map_err(|e| e.to_string())?;
        let mut bus = std::process::Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon: {e}"))?;
        let mut address = String::new();
        let read = BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address);
        let address = address.trim().to_string();
        let mut service = SecretService {
            bus,
            daemon: None,
            address,
            home,
        };
        if read.is_err() || service.address.is_empty() {
            return Err("dbus-daemon printed no address".into());
        }
        service.start_daemon()?;
        Ok(service)
    }

    fn start_daemon(&mut self) -> Result<(), String> {
        let home = self.home.path();
        let run = home.join("run");
        for d in ["run", "data", "config", "cache"] {
            std::fs::create_dir_all(home.join(d)).map_err(|e| e.to_string())?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| e.to_string())?;
        }
        let log = home.join("daemon.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut daemon = std::process::Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("HOME", home)
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        // The password of the login keyring it makes: read until EOF.
        let mut stdin = daemon.stdin.take().unwrap();
        let _ = stdin.write_all(b"a throwaway keyring password");
        drop(stdin);
        self.daemon = Some(daemon);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.default_collection().is_some() {
                return Ok(());
            }
            let exited = self.daemon.as_mut().unwrap().try_wait();
            if !matches!(exited, Ok(None)) || Instant::now() > deadline {
                let said = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!(
                    "gnome-keyring-daemon gave no unlocked keyring ({exited:?}): {}",
                    said.trim()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `dbus-send` to the Secret Service on this bus; its reply, if any.
    fn send(&self, args: &[&str]) -> Option<String> {
        let out = std::process::Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .args([
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
            ])
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The default collection's object path, when there is one.
    fn default_collection(&self) -> Option<String> {
        let reply = self.send(&["org.freedesktop.Secret.Service.ReadAlias", "string:default"])?;
        let path = reply.split('"').nth(1)?.to_string();
        (path != "/").then_some(path)
    }

    /// How many items the store holds under service "signet".
    fn signet_items(&self) -> usize {
        let reply = self
            .send(&[
                "org.freedesktop.Secret.Service.SearchItems",
                "dict:string:string:service,signet",
            ])
            .expect("the Secret Service answers a search");
        reply
            .matches("object path \"/org/freedesktop/secrets/collection/")
            .count()
    }

    /// Stops the daemon: the bus stays, nobody answers for the store.
    fn stop_daemon(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        self.stop_daemon();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// A command that may keep keys in the test's Secret Service.
fn with_store(env: &Env, ss: &SecretService) -> Command {
    let mut c = env.cmd();
    c.env("SIGNET_KEY_STORE", "auto")
        .env("DBUS_SESSION_BUS_ADDRESS", &ss.address);
    c
}

/// A command on a machine whose session bus is not there.
fn without_store(env: &Env) -> Command {
    let mut c = env.cmd();
    c.env("SIGNET_KEY_STORE", "auto").env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", env.path("no-such-bus").display()),
    );
    c
}

fn ok(c: &mut Command, args: &[&str]) -> String {
    let out = c.args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    stdout_of(&out)
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn public_key_of(env: &Env, who: &str) -> String {
    env.json(&["person", "show", who])["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_new_key_lives_in_the_secret_service_and_signs_through_it() {
    let Some(ss) = SecretService::start() else {
        return;
    };
    let env = Env::launched();
    env.run(&["person", "add", "Ana Ruiz"]).success();
    let said = ok(&mut with_store(&env, &ss), &["key", "init", "--as", "ana"]);
    assert!(
        said.contains(&format!(
            "secret key in {STORE}, service \"signet\", account \""
        )) && said.contains("/ana\" (encrypted with your password; only a marker is on disk)"),
        "{said}"
    );
    assert_eq!(ss.signet_items(), 1);
    let marker = std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap();
    assert!(marker.starts_with("signet-key-in-os-store\n"), "{marker}");

    // The store's copy, through the one way out of it: still encrypted,
    // and the registered key.
    let exported = ok(
        &mut with_store(&env, &ss),
        &[
            "key",
            "export",
            "--secret",
            "--as",
            "ana",
            "--yes-i-understand",
        ],
    );
    assert!(is_encrypted(&exported), "{exported}");
    let sk = minisign::SecretKeyBox::from_string(&exported)
        .unwrap()
        .into_secret_key(Some(PASSWORD.into()))
        .unwrap();
    let pk = minisign::PublicKey::from_secret_key(&sk).unwrap();
    assert_eq!(pk.to_base64(), public_key_of(&env, "ana"));
    // No byte of it, nor the password, in the config dir.
    let needles = needles(&exported, Some(PASSWORD));
    for (file, bytes) in files_under(&env.path("config")) {
        for (what, needle) in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                "{what} found in {file}"
            );
        }
    }

    // Signing reads it from the store.
    env.close_all();
    ok(
        &mut with_store(&env, &ss),
        &["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"],
    );
    env.run(&["export", "v2.4.0", "-o", "old.md"]).success();
    let old_pub = public_key_of(&env, "ana");
    env.run(&["verify", "old.md", "--key", &old_pub]).success();

    // Rotation keeps the key in the store (same account, new key) and the
    // old report verifying; revoking the old key needs no store at all.
    let old_id = key_id_of(&env, "ana");
    let said = ok(
        &mut with_store(&env, &ss),
        &["key", "rotate", "--as", "ana"],
    );
    assert!(said.contains(&format!("(secret key in {STORE}")), "{said}");
    assert_eq!(ss.signet_items(), 1, "the old key's entry was replaced");
    assert_ne!(public_key_of(&env, "ana"), old_pub);
    env.run(&["reopen", "v2.4.0", "--reason", "rotated"])
        .success();
    ok(
        &mut with_store(&env, &ss),
        &["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"],
    );
    env.run(&["verify", "old.md", "--key", &old_pub]).success();
    env.run(&[
        "key",
        "revoke",
        &old_id,
        "--reason",
        "rotated out",
        "--from",
        "2100-01-01",
    ])
    .success();
    env.run(&["gate", "v2.4.0"]).success();

    // A key brought in goes to the store too, as it came.
    env.run(&["person", "add", "Cy Doe"]).success();
    let kp = minisign::KeyPair::generate_encrypted_keypair(Some("cy's own".into())).unwrap();
    env.file("cy.key", kp.sk.to_box(None).unwrap().to_string());
    ok(
        with_store(&env, &ss).env("SIGNET_KEY_PASSWORD", "cy's own"),
        &["key", "import", "cy.key", "--as", "cy"],
    );
    assert_eq!(ss.signet_items(), 2);
    let marker = std::fs::read_to_string(env.path("config/keys/cy.key")).unwrap();
    assert!(marker.starts_with("signet-key-in-os-store\n"), "{marker}");
    ok(
        with_store(&env, &ss).env("SIGNET_KEY_PASSWORD", "cy's own"),
        &["signoff", "v2.4.0", "--as", "cy", "--role", "QA"],
    );
}

#[test]
fn a_store_out_of_reach_at_signing_time_is_named_and_nothing_is_signed() {
    let Some(mut ss) = SecretService::start() else {
        return;
    };
    let env = Env::launched();
    env.run(&["person", "add", "Ana Ruiz"]).success();
    ok(&mut with_store(&env, &ss), &["key", "init", "--as", "ana"]);
    env.close_all();
    let counts =
        || ["SELECT COUNT(*) FROM event", "SELECT COUNT(*) FROM signoff"].map(|q| env.count(q));
    let before = counts();
    let sign = ["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"];

    // No session bus at all (a shell over SSH, a CI job) ...
    let out = without_store(&env).args(sign).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "signet: ana's signing key is kept in {STORE}, account \""
        )),
        "{err}"
    );
    assert!(err.contains("which cannot be reached"), "{err}");
    assert!(err.contains("nothing was signed or changed"), "{err}");
    assert!(err.contains("gnome-keyring-daemon --unlock"), "{err}");

    // ... or a bus with nobody serving the store.
    ss.stop_daemon();
    let out = with_store(&env, &ss).args(sign).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("which cannot be reached"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(counts(), before, "nothing was signed or recorded");
    // What is on disk still says which key it is.
    env.run(&["key", "init", "--as", "ana"])
        .success()
        .stdout(predicate::str::contains("already the registered one"));
}

#[test]
fn key_files_stay_key_files_when_asked_or_when_no_store_answers() {
    let Some(mut ss) = SecretService::start() else {
        return;
    };
    let env = Env::launched();
    for name in ["Ana Ruiz", "Bo Li", "Cy Doe", "Dee Ray"] {
        env.run(&["person", "add", name]).success();
    }
    // --key-store file, and SIGNET_KEY_STORE=file: today's key files.
    let said = ok(
        &mut with_store(&env, &ss),
        &["key", "init", "--as", "ana", "--key-store", "file"],
    );
    assert!(
        said.contains("config/keys/ana.key (encrypted with your password, readable only by you)"),
        "{said}"
    );
    ok(
        with_store(&env, &ss).env("SIGNET_KEY_STORE", "file"),
        &["key", "init", "--as", "bo"],
    );
    // auto where no store answers: a key file, as before the OS store.
    ok(&mut without_store(&env), &["key", "init", "--as", "cy"]);
    for who in ["ana", "bo", "cy"] {
        let text = std::fs::read_to_string(env.path(&format!("config/keys/{who}.key"))).unwrap();
        assert!(is_encrypted(&text), "{who}: {text}");
    }
    assert_eq!(ss.signet_items(), 0);

    // os where no store answers: refused before anything is written.
    let out = without_store(&env)
        .args(["key", "init", "--as", "dee", "--key-store", "os"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "the key store is set to os, but {STORE} cannot take dee's key now"
        )),
        "{err}"
    );
    assert!(!env.path("config/keys/dee.key").exists());
    assert!(env.json(&["person", "show", "dee"])["public_key"].is_null());
    // A bad SIGNET_KEY_STORE is a usage error.
    env.cmd()
        .env("SIGNET_KEY_STORE", "keychain")
        .args(["key", "init", "--as", "dee"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("keychain"));

    // Key files sign with the store gone, and rotate and protect as before.
    ss.stop_daemon();
    env.close_all();
    ok(
        &mut with_store(&env, &ss),
        &["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"],
    );
    ok(&mut with_store(&env, &ss), &["key", "rotate", "--as", "bo"]);
    let text = std::fs::read_to_string(env.path("config/keys/bo.key")).unwrap();
    assert!(is_encrypted(&text), "rotated into a key file: {text}");
}
