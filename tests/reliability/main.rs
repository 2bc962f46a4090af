//! Reliability under crashes and concurrent writers (figures in
//! docs/RELIABILITY.md). Fast by default; longer with
//! `SIGNET_CRASH_ROUNDS=500 SIGNET_WRITER_OPS=2000 cargo test --test reliability`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signet_core::import::{import_bytes, ImportOptions};
use signet_core::model::Tick;
use signet_core::store::Store;

const CHECKLIST: &str = "# Crash\n\n## One\n\n- [ ] First\n- [ ] Second\n\n## Two\n\n- [ ] Third\n";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small xorshift: kill times need to vary, not to be secure.
struct Rng(u64);
impl Rng {
    fn seeded() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7);
        Rng(t | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn prepare(db: &Path) {
    let mut store = Store::open(db).unwrap();
    let imp = import_bytes(
        "crash.md",
        CHECKLIST.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "setup").unwrap();
    store.create_release("r", None, "setup").unwrap();
    store.add_run("r", "crash", false, "setup").unwrap();
}

/// The child: writes as fast as it can and acknowledges each commit on
/// stdout. Run only by `a_killed_writer_loses_no_acknowledged_write`.
#[test]
#[ignore = "child process of the crash test"]
fn crash_child() {
    let Ok(db) = std::env::var("SIGNET_CRASH_DB") else {
        return;
    };
    let round: usize = env_number("SIGNET_CRASH_ROUND", 0);
    let mut store = Store::open(Path::new(&db)).unwrap();
    let out = std::io::stdout();
    for i in 0..1000 {
        if i % 50 == 49 {
            // An import of a changed file: a new template version.
            let text = format!("{CHECKLIST}- [ ] Round {round} op {i}\n");
            let imp =
                import_bytes("crash.md", text.into_bytes(), &ImportOptions::default()).unwrap();
            store.import(&imp, "child").unwrap();
            writeln!(out.lock(), "import {round} {i}").unwrap();
            continue;
        }
        let item = ["1.1", "1.2", "2.1"][i % 3];
        let t = Tick {
            evidence: vec![format!("https://crash.example/{round}/{i}")],
            ..Default::default()
        };
        store.tick("r", item, &t, "child").unwrap();
        // Written only after the commit returned: an acknowledged tick.
        writeln!(out.lock(), "tick {round} {i}").unwrap();
    }
}

#[test]
fn a_killed_writer_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    prepare(&db);
    let rounds = env_number("SIGNET_CRASH_ROUNDS", 25);
    let mut rng = Rng::seeded();
    let mut acked_ticks: Vec<String> = Vec::new();
    let mut acked_imports = 0;
    let mut killed_mid_run = 0;
    for round in 0..rounds {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SIGNET_CRASH_DB", &db)
            .env("SIGNET_CRASH_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        std::thread::sleep(Duration::from_millis(20 + rng.below(400)));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().ok(); // SIGKILL: no destructor, no flush, no rollback.
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some("tick"), Some(r), Some(i)) => {
                    acked_ticks.push(format!("https://crash.example/{r}/{i}"))
                }
                (Some("import"), Some(_), Some(_)) => acked_imports += 1,
                _ => {}
            }
        }
        // After every kill: the file is sound and the history intact.
        let store = Store::open(&db).unwrap();
        let health = store.doctor().unwrap();
        assert!(health.ok, "round {round}: {:?}", health.checks);
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn.prepare("SELECT target FROM evidence").unwrap();
    let present: std::collections::HashSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let lost: Vec<&String> = acked_ticks
        .iter()
        .filter(|t| !present.contains(*t))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged ticks lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(3)]
    );
    let versions: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM template WHERE slug = 'crash'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let versions = versions as usize;
    assert!(
        versions > acked_imports,
        "{versions} versions for {acked_imports} acknowledged imports + the first"
    );
    assert!(
        killed_mid_run > 0,
        "no kill landed while the child was writing"
    );
    eprintln!(
        "crash test: {rounds} rounds, {killed_mid_run} killed mid-run, {} acknowledged ticks and {acked_imports} imports, none lost",
        acked_ticks.len()
    );
}

fn signet() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_signet"))
}

#[test]
fn two_cli_writers_at_once_lose_nothing_and_never_see_a_lock() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    prepare(&db);
    let ops = env_number("SIGNET_WRITER_OPS", 60);
    let started = Instant::now();
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let db = db.clone();
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..ops {
                    let out = if who == "b" && i % 10 == 9 {
                        // The second writer also imports new versions.
                        let file = dir.join(format!("b{i}.md"));
                        std::fs::write(&file, format!("{CHECKLIST}- [ ] b{i}\n")).unwrap();
                        Command::new(signet())
                            .args(["--db", db.to_str().unwrap(), "--actor", who, "import"])
                            .arg(&file)
                            .output()
                            .unwrap()
                    } else {
                        Command::new(signet())
                            .args([
                                "--db",
                                db.to_str().unwrap(),
                                "--actor",
                                who,
                                "tick",
                                "r",
                                "1.1",
                            ])
                            .args(["--evidence", &format!("https://{who}.example/{i}")])
                            .output()
                            .unwrap()
                    };
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                failures
            })
        })
        .collect();
    for w in writers {
        let failures = w.join().unwrap();
        assert!(failures.is_empty(), "{failures:?}");
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ticks: i64 = conn
        .query_row("SELECT COUNT(*) FROM evidence", [], |r| r.get(0))
        .unwrap();
    let ticks = ticks as usize;
    let imports = ops / 10;
    assert_eq!(
        ticks,
        2 * ops - imports,
        "every tick of both writers is stored"
    );
    let store = Store::open(&db).unwrap();
    assert!(store.doctor().unwrap().ok);
    eprintln!(
        "two writers: {} CLI writes in {:?}, no lock errors",
        2 * ops,
        started.elapsed()
    );
}

/// What a row of the bad-input table expects.
enum Expect {
    /// Refused: exit 2, one stderr line containing each fragment, nothing written.
    Refused(&'static [&'static str]),
    /// Imported, with at least this many items and stdout containing each fragment.
    Imported(usize, &'static [&'static str]),
}

/// Runs as an unprivileged user when the tests run as root (CI does), so
/// permission rows mean something.
fn as_user(cmd: &mut Command) -> Command {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let root = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(cmd.get_program())
                .args(cmd.get_args());
            for (k, v) in cmd.get_envs() {
                if let Some(v) = v {
                    c.env(k, v);
                }
            }
            return c;
        }
    }
    std::mem::replace(cmd, Command::new("true"))
}

fn counts(db: &Path) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT COUNT(*) FROM template"),
        q("SELECT COUNT(*) FROM item"),
        q("SELECT COUNT(*) FROM event"),
    )
}

#[test]
fn bad_input_gets_a_clear_error_or_a_safe_import() {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let db = dir.path().join("bad.db");
    prepare(&db);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["bad.db", "bad.db-wal", "bad.db-shm"] {
            let p = dir.path().join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
            }
        }
    }
    let p = |name: &str| dir.path().join(name);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(p(name), bytes).unwrap();
        name.to_string()
    };
    // Ten thousand list levels on one line (indenting each would be 100 MB).
    let deep = format!("# Deep\n\n{}[ ] the innermost item\n", "- ".repeat(10_000));
    let mut many = String::from("# Many\n\n## All\n\n");
    for i in 0..100_000 {
        many.push_str(&format!("- [ ] item {i}\n"));
    }
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend_from_slice(&[0u8; 64]);
    let huge = {
        let f = std::fs::File::create(p("huge.md")).unwrap();
        f.set_len(100 * 1024 * 1024).unwrap(); // sparse: no 100 MB written
        "huge.md".to_string()
    };
    let unreadable = write("secret.md", b"# S\n\n- [ ] x\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p(&unreadable), std::fs::Permissions::from_mode(0o000)).unwrap();
        std::os::unix::fs::symlink(p("loop-b"), p("loop-a")).unwrap();
        std::os::unix::fs::symlink(p("loop-a"), p("loop-b")).unwrap();
    }
    std::fs::create_dir(p("folder.md")).unwrap();
    let long_line = format!("# L\n\n- [ ] {}\n", "word ".repeat(200_000));

    let table: Vec<(&str, String, Expect)> = vec![
        ("PNG image", write("image.md", &png), Expect::Refused(&["image.md", "binary file"])),
        ("ELF binary", write("program.md", &elf), Expect::Refused(&["program.md", "binary file"])),
        ("invalid UTF-8 mid-file", write("latin1.md", b"# T\n\n- [ ] ok\n- [ ] caf\xe9 au lait\n"), Expect::Refused(&["latin1.md:4:10", "invalid UTF-8"])),
        ("UTF-16 with BOM", write("utf16.md", b"\xff\xfe#\0 \0T\0\n\0"), Expect::Refused(&["utf16.md", "UTF-16LE", "save it as UTF-8"])),
        ("100 MB file", huge, Expect::Refused(&["huge.md", "over the", "--max-size"])),
        ("empty file", write("empty.md", b""), Expect::Refused(&["empty.md", "file is empty"])),
        ("whitespace only", write("blank.md", b"  \n\t\n\n"), Expect::Refused(&["blank.md", "only whitespace"])),
        ("headings, no items", write("heads.md", b"# A\n\n## B\n\n### C\n"), Expect::Refused(&["heads.md", "no checklist items found"])),
        ("NUL bytes", write("nul.md", b"# T\n\n- [ ] a\0b\n"), Expect::Refused(&["nul.md", "NUL byte at byte 12"])),
        ("a directory", "folder.md".into(), Expect::Refused(&["folder.md", "is a directory"])),
        ("symlink loop", "loop-a".into(), Expect::Refused(&["loop-a", "symbolic links"])),
        ("unreadable file", unreadable, Expect::Refused(&["secret.md", "permission denied"])),
        ("missing file", "nope.md".into(), Expect::Refused(&["nope.md", "no such file"])),
        ("10 000 nested levels", write("deep.md", deep.as_bytes()), Expect::Imported(1, &["items"])),
        ("1 MB single line", write("long.md", long_line.as_bytes()), Expect::Imported(1, &["1 items"])),
        ("100 000 items", write("many.md", many.as_bytes()), Expect::Imported(100_000, &["100000 items"])),
        ("CRLF and mixed endings", write("crlf.md", b"# C\r\n\r\n## S\r\n\r\n- [ ] one\r\n- [x] two\n- [ ] three\r\n"), Expect::Imported(3, &["3 items", "1 checked"])),
        ("mojibake", write("moji.md", "# M\n\n- [ ] Deploy \u{201a}\u{00dc}\u{00ed} prod\n".as_bytes()), Expect::Imported(1, &["mojibake", "--repair-mojibake"])),
        ("raw HTML and script", write("html.md", b"# H\n\n<script>alert(1)</script>\n\n- [ ] safe <img src=x onerror=alert(2)>\n- [ ] <b>bold</b>\n"), Expect::Imported(2, &["HTML"])),
        ("hostile link schemes", write("links.md", b"# L\n\n- [ ] [a](javascript:alert(1))\n- [ ] [b](data:text/html,x)\n- [ ] [c](file:///etc/passwd)\n"), Expect::Imported(3, &["3 items"])),
    ];
    let mut failures = Vec::new();
    for (what, file, expect) in &table {
        let before = counts(&db);
        let mut cmd = Command::new(signet());
        cmd.current_dir(dir.path())
            .args(["--db", db.to_str().unwrap(), "import", file]);
        let out = if *what == "unreadable file" {
            as_user(&mut cmd).current_dir(dir.path()).output()
        } else {
            cmd.output()
        }
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        match expect {
            Expect::Refused(fragments) => {
                let ok = out.status.code() == Some(2)
                    && stderr.lines().count() == 1
                    && fragments.iter().all(|f| stderr.contains(f))
                    && counts(&db) == before;
                if !ok {
                    failures.push(format!(
                        "{what}: exit {:?}, stderr {stderr:?}, written: {}",
                        out.status.code(),
                        counts(&db) != before
                    ));
                }
            }
            Expect::Imported(items, fragments) => {
                let added = counts(&db).1 - before.1;
                let ok = out.status.success()
                    && added >= *items as i64
                    && fragments
                        .iter()
                        .all(|f| stdout.contains(f) || stderr.contains(f));
                if !ok {
                    failures.push(format!(
                        "{what}: exit {:?}, {added} items, stdout {:?}, stderr {stderr:?}",
                        out.status.code(),
                        stdout.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
    }
    // Export to places that cannot be written.
    let out = Command::new(signet())
        .args(["--db", db.to_str().unwrap(), "export", "r", "-o"])
        .arg(p("no/such/dir/r.md"))
        .output()
        .unwrap();
    if out.status.code() != Some(2) || !String::from_utf8_lossy(&out.stderr).contains("no/such/dir")
    {
        failures.push(format!(
            "export to a missing dir: {:?}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::create_dir(p("locked")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p("locked"), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let mut cmd = Command::new(signet());
    cmd.args(["--db", db.to_str().unwrap(), "export", "r", "-o"])
        .arg(p("locked/r.md"));
    let out = as_user(&mut cmd).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) || !err.contains("locked") || !err.contains("permission denied")
    {
        failures.push(format!(
            "export to a read-only dir: {:?} {err:?}",
            out.status.code()
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        table.len() + 2,
        failures.join("\n")
    );
}

#[test]
fn a_read_only_database_gets_a_clear_error_and_stays_unharmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ro.db");
    prepare(&db);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        for f in ["ro.db", "ro.db-wal", "ro.db-shm"] {
            let p = dir.path().join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
            }
        }
    }
    let before = std::fs::read(&db).unwrap();
    let mut cmd = Command::new(signet());
    cmd.args(["--db", db.to_str().unwrap(), "tick", "r", "1.1", "done"]);
    let out = as_user(&mut cmd).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ro.db") && err.contains("read-only"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}
