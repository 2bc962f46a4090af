//! Team sync as a demanding user and a hostile teammate see it: replicas
//! (one database and config dir per person) that meet only through bare git
//! remotes on disk, forged remotes made with plain git plumbing, and syncs
//! killed at random points.

use std::collections::BTreeMap;
use std::process::Output;

use super::*;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs git; panics with its stderr when it fails.
fn git(args: &[&str], input: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(args)
        .env("GIT_AUTHOR_NAME", "Mallory")
        .env("GIT_AUTHOR_EMAIL", "mallory@example.com")
        .env("GIT_COMMITTER_NAME", "Mallory")
        .env("GIT_COMMITTER_EMAIL", "mallory@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        stdin.write_all(input).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    out.stdout
}

fn git_text(args: &[&str]) -> String {
    text(&git(args, None)).trim_end().to_string()
}

/// Every ref of a bare repository, as `git for-each-ref` prints them.
fn refs(repo: &Path) -> String {
    git_text(&["--git-dir", repo.to_str().unwrap(), "for-each-ref"])
}

/// Every operation published on a remote, parsed.
fn remote_ops(remote: &Path) -> Vec<serde_json::Value> {
    let dir = remote.to_str().unwrap();
    let mut ops = Vec::new();
    for line in refs(remote).lines() {
        let name = line.split('\t').nth(1).unwrap();
        assert!(
            name.starts_with("refs/signet/v1/devices/"),
            "only device refs on the remote: {name}"
        );
        let listing = git_text(&["--git-dir", dir, "ls-tree", "-r", name]);
        for entry in listing.lines() {
            let (meta, path) = entry.split_once('\t').unwrap();
            if !path.ends_with(".jsonl") {
                continue;
            }
            let hash = meta.split(' ').nth(2).unwrap();
            let blob = git(&["--git-dir", dir, "cat-file", "blob", hash], None);
            for l in text(&blob).lines() {
                ops.push(serde_json::from_str(l).unwrap());
            }
        }
    }
    ops
}

/// A shared folder holding every teammate's machine and the bare remotes.
struct Team {
    dir: TempDir,
}

impl Team {
    fn new() -> Team {
        let team = Team {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(team.path("launch.md"), LAUNCH).unwrap();
        team
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A new bare repository: a remote (or a USB stick).
    fn remote(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        git(&["init", "-q", "--bare", p.to_str().unwrap()], None);
        p
    }

    /// A machine: its own database and config dir, acting as `handle`.
    fn machine(&self, dir: &str, handle: &str) -> Peer {
        Peer {
            root: self.path(dir),
            cwd: self.dir.path().to_path_buf(),
            handle: handle.to_string(),
            db: "s.db".into(),
        }
    }

    /// A machine of a person with a signing key, not synced yet.
    fn person(&self, dir: &str, name: &str, handle: &str) -> Peer {
        let p = self.machine(dir, handle);
        p.ok(&["person", "add", name, "--handle", handle]);
        p.ok(&["key", "init", "--as", handle]);
        p
    }
}

struct Peer {
    root: PathBuf,
    cwd: PathBuf,
    handle: String,
    db: String,
}

impl Peer {
    fn db(&self) -> PathBuf {
        self.root.join(&self.db)
    }

    fn base(&self) -> Command {
        let mut c = Command::cargo_bin("signet").unwrap();
        c.env_remove("SIGNET_DB")
            .env_remove("SIGNET_ACTOR")
            .env_remove("SIGNET_CONFIG_DIR")
            .env("SIGNET_KEY_PASSWORD", PASSWORD)
            .env("SIGNET_KEY_STORE", "file")
            .current_dir(&self.cwd)
            .arg("--db")
            .arg(self.db())
            .arg("--config-dir")
            .arg(self.root.join("cfg"));
        c
    }

    fn cmd(&self) -> Command {
        let mut c = self.base();
        c.args(["--actor", &self.handle]);
        c
    }

    fn out(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.out(args);
        assert!(
            out.status.success(),
            "{} {args:?}: exit {:?}\nstdout: {}\nstderr: {}",
            self.handle,
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// `show --json` without the database's own row ids (`"id"`), which
    /// each machine numbers in the order things reached it.
    fn show(&self, release: &str) -> String {
        self.ok(&["show", release, "--json"])
            .lines()
            .filter(|l| !l.trim_start().starts_with("\"id\":"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A draft export without its generation time (drafts are stamped with
    /// the second they were made; everything else must match).
    fn export(&self, release: &str, format: &str) -> String {
        self.ok(&["export", release, "--format", format])
            .lines()
            .map(|l| match l.find("**Generated:** ") {
                Some(i) => &l[..i],
                None if l.trim_start().starts_with("\"generated_at\": ") => "generated_at",
                None => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn status_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["sync", "--status", "--json"])).unwrap()
    }

    fn device(&self) -> String {
        self.status_json()["device"].as_str().unwrap().to_string()
    }

    /// `signet doctor` passes; its output otherwise.
    fn doctor(&self) -> Result<(), String> {
        let out = self.out(&["doctor"]);
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "doctor on {}'s machine failed:\n{}{}",
                self.handle,
                text(&out.stdout),
                text(&out.stderr)
            ))
        }
    }

    /// A sync that must succeed and leave a database `doctor` passes: stdout.
    fn sync(&self, args: &[&str]) -> String {
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        if let Err(e) = self.doctor() {
            panic!("after sync {args:?}: {e}");
        }
        out
    }

    /// The status of item `number` in `release`, from `show --json`.
    fn status_of(&self, release: &str, number: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(&self.show(release)).unwrap();
        item(&v, number)["status"].as_str().unwrap().to_string()
    }

    fn history(&self, release: &str, number: &str) -> Vec<serde_json::Value> {
        let h: serde_json::Value =
            serde_json::from_str(&self.ok(&["history", release, number, "--json"])).unwrap();
        h.as_array().unwrap().clone()
    }

    /// Closes every open item of LAUNCH in `release`.
    fn close_all(&self, release: &str) {
        for n in ["1.2", "1.2.1", "3.1", "3.2"] {
            self.ok(&["tick", release, n, "done"]);
        }
        self.ok(&["tick", release, "2.1", "n/a", "--reason", "no uploads"]);
    }
}

fn item<'a>(show: &'a serde_json::Value, number: &str) -> &'a serde_json::Value {
    let mut stack: Vec<&serde_json::Value> = Vec::new();
    for run in show["runs"].as_array().unwrap() {
        stack.extend(run["sections"].as_array().unwrap());
    }
    while let Some(node) = stack.pop() {
        if node["number"] == number && node.get("status").is_some() {
            return node;
        }
        for key in ["sections", "items"] {
            if let Some(children) = node[key].as_array() {
                stack.extend(children);
            }
        }
    }
    panic!("no item {number}");
}

/// Collects what a user would notice, so one run reports every problem.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.0.push(what.into());
        }
    }

    fn same(&mut self, what: &str, left: &str, right: &str) {
        if left != right {
            let diff: Vec<String> = left
                .lines()
                .zip(right.lines())
                .enumerate()
                .filter(|(_, (l, r))| l != r)
                .take(6)
                .map(|(i, (l, r))| format!("  line {}: {l:?} vs {r:?}", i + 1))
                .collect();
            self.0.push(format!(
                "{what} differ ({} vs {} lines):\n{}",
                left.lines().count(),
                right.lines().count(),
                diff.join("\n")
            ));
        }
    }

    fn doctor(&mut self, peers: &[&Peer]) {
        for p in peers {
            if let Err(e) = p.doctor() {
                self.0.push(e);
            }
        }
    }

    fn done(self) {
        assert!(self.0.is_empty(), "\n- {}", self.0.join("\n- "));
    }
}

/// Ana (release v1 with LAUNCH) and Bo, both synced once through `remote`.
fn pair() -> (Team, PathBuf, Peer, Peer) {
    let team = Team::new();
    let remote = team.remote("remote.git");
    let r = remote.to_str().unwrap();
    let a = team.person("A", "Ana Ruiz", "ana");
    a.ok(&["import", "launch.md", "--release", "v1"]);
    let first = a.sync(&[r, "--as", "ana"]);
    assert!(
        first.starts_with("this database now syncs as ana's device "),
        "{first}"
    );
    assert!(
        first.ends_with(&format!("synced with {r}: 0 in, 5 out, 0 conflicts\n")),
        "{first}"
    );
    let b = team.person("B", "Bo Li", "bo");
    let joined = b.sync(&[r, "--as", "bo"]);
    assert!(joined.contains("in: ana created release v1"), "{joined}");
    assert!(
        joined.ends_with(&format!("synced with {r}: 5 in, 2 out, 0 conflicts\n")),
        "{joined}"
    );
    a.sync(&[]);
    (team, remote, a, b)
}

#[test]
fn two_replicas_edit_offline_and_converge() {
    let (team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    // Offline on both sides: ticks, notes, evidence, an own release each.
    a.ok(&["tick", "v1", "1.2", "done", "--owner", "ana"]);
    a.ok(&["tick", "v1", "3.1", "--note", "restored last night's dump"]);
    a.ok(&["release", "new", "va"]);
    a.ok(&["run", "add", "va", "launch"]);
    b.ok(&["tick", "v1", "2.1", "n/a", "--reason", "no uploads"]);
    b.ok(&[
        "tick",
        "v1",
        "3.1",
        "done",
        "--note",
        "checked by QA",
        "--evidence",
        "https://ci.example/run/9",
    ]);
    b.ok(&["release", "new", "vb", "--due", "2027-01-31"]);
    b.ok(&["run", "add", "vb", "launch"]);
    b.ok(&["tick", "vb", "3.2", "done"]);

    let mut f = Findings::default();
    let out = a.sync(&[]);
    f.check(
        out == format!("synced with {r}: 0 in, 4 out, 0 conflicts\n"),
        format!("a's sync: {out}"),
    );
    let out = b.sync(&[]);
    f.check(
        out.ends_with(&format!("synced with {r}: 4 in, 5 out, 0 conflicts\n")),
        format!("b's sync: {out}"),
    );
    let out = a.sync(&[]);
    f.check(
        out.ends_with(&format!("synced with {r}: 5 in, 0 out, 0 conflicts\n")),
        format!("a's second sync: {out}"),
    );
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        let s = p.status_json();
        f.check(
            s["unpublished"] == 0 && s["conflicts"].as_array().unwrap().is_empty(),
            format!("{who}'s sync --status: {s}"),
        );
    }
    // Both edits of 3.1 are kept: the note appended, the evidence added.
    let v: serde_json::Value = serde_json::from_str(&a.show("v1")).unwrap();
    let it = item(&v, "3.1");
    f.check(it["status"] == "done", format!("3.1 on a: {it}"));
    f.check(
        it.to_string().contains("restored last night's dump")
            && it.to_string().contains("checked by QA")
            && it.to_string().contains("https://ci.example/run/9"),
        format!("3.1 keeps both notes and the evidence: {it}"),
    );
    for release in ["v1", "va", "vb"] {
        f.same(
            &format!("show {release} --json on ana's and bo's machines"),
            &a.show(release),
            &b.show(release),
        );
        for format in ["md", "json"] {
            f.same(
                &format!("export {release} --format {format} on ana's and bo's machines"),
                &a.export(release, format),
                &b.export(release, format),
            );
        }
    }
    f.same(
        "release list",
        &a.ok(&["release", "list"]),
        &b.ok(&["release", "list"]),
    );
    f.doctor(&[&a, &b]);
    drop(team);
    f.done();
}

#[test]
fn three_replicas_on_one_remote_and_a_relay_through_a_usb_stick() {
    let (team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    let c = team.person("C", "Cy Doe", "cy");
    c.sync(&[r, "--as", "cy"]);
    // Edits everywhere, synced in a scrambled order.
    a.ok(&["tick", "v1", "1.2", "done"]);
    b.ok(&["tick", "v1", "1.2.1", "done"]);
    c.ok(&[
        "tick",
        "v1",
        "3.2",
        "blocked",
        "--reason",
        "pager vendor down",
    ]);
    c.sync(&[]);
    a.sync(&[]);
    b.sync(&[]);
    c.sync(&[]);
    a.sync(&[]);
    let mut f = Findings::default();
    f.same("show v1 --json on a and b", &a.show("v1"), &b.show("v1"));
    f.same("show v1 --json on a and c", &a.show("v1"), &c.show("v1"));
    f.same(
        "export md on a and c",
        &a.export("v1", "md"),
        &c.export("v1", "md"),
    );

    // The relay: Ana's new work reaches Dan only through Bo, who carries
    // it on a USB stick Dan syncs from; Dan never sees the shared remote.
    let usb = team.remote("usb.git");
    let u = usb.to_str().unwrap();
    a.ok(&["tick", "v1", "3.1", "done", "--note", "from ana's laptop"]);
    a.sync(&[]);
    b.sync(&[]);
    b.sync(&[u]);
    let d = team.person("D", "Dan Ek", "dan");
    let got = d.sync(&[u, "--as", "dan"]);
    f.check(
        got.contains("in: ana set status done on v1/"),
        format!("dan receives ana's tick relayed by bo: {got}"),
    );
    f.check(
        d.status_of("v1", "3.1") == "done",
        "3.1 done on dan's machine",
    );
    f.same(
        "show v1 --json on a and d (relayed)",
        &a.show("v1"),
        &d.show("v1"),
    );
    // …and Dan's answer travels back the same way.
    d.ok(&[
        "tick",
        "v1",
        "2.1",
        "n/a",
        "--reason",
        "no uploads in this product",
    ]);
    d.sync(&[]);
    b.sync(&[u]);
    b.sync(&[r]);
    a.sync(&[]);
    f.check(
        a.status_of("v1", "2.1") == "not_applicable",
        format!("dan's tick reaches ana: {}", a.status_of("v1", "2.1")),
    );
    f.same(
        "show v1 --json on a and d after the round trip",
        &a.show("v1"),
        &d.show("v1"),
    );
    f.check(
        refs(&remote).contains(&d.device()),
        "dan's device is on the shared remote, relayed by bo",
    );
    f.doctor(&[&a, &b, &c, &d]);
    f.done();
}

#[test]
fn concurrent_status_edits_conflict_the_same_way_everywhere_until_settled() {
    let (_team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    a.ok(&["tick", "v1", "1.2", "done"]);
    b.ok(&[
        "tick",
        "v1",
        "1.2",
        "blocked",
        "--reason",
        "waiting on legal",
    ]);
    let sa = a.sync(&[]);
    let sb = b.sync(&[]);
    let sa2 = a.sync(&[]);

    // The later in (lamport, device) order wins, on both machines.
    let key = item(&serde_json::from_str(&a.show("v1")).unwrap(), "1.2")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let mut sets: Vec<serde_json::Value> = remote_ops(&remote)
        .into_iter()
        .filter(|o| {
            o["change"]["kind"] == "item_set"
                && o["change"]["data"]["key"] == key.as_str()
                && o["change"]["data"]["status"].is_string()
        })
        .collect();
    assert_eq!(sets.len(), 2, "{sets:?}");
    sets.sort_by_key(|o| {
        (
            o["lamport"].as_u64().unwrap(),
            o["device"].as_str().unwrap().to_string(),
        )
    });
    let winner = &sets[1];
    let loser = &sets[0];
    let status_word = |s: &str| if s == "blocked" { "blocked" } else { "done" };
    let kept = format!(
        "kept {} by {}",
        status_word(winner["change"]["data"]["status"].as_str().unwrap()),
        winner["author"].as_str().unwrap()
    );
    let lost = format!(
        "{} by {}",
        status_word(loser["change"]["data"]["status"].as_str().unwrap()),
        loser["author"].as_str().unwrap()
    );
    let mut f = Findings::default();
    f.check(
        sa.ends_with(&format!("synced with {r}: 0 in, 1 out, 0 conflicts\n")),
        sa.clone(),
    );
    for (who, out) in [("bo", &sb), ("ana", &sa2)] {
        f.check(
            out.contains(&format!("conflict: v1/launch:1.2 status: {kept} at "))
                && out.contains(&format!("also set: {lost} at "))
                && out.contains("settle it with a new tick")
                && out.contains("1 conflict\n"),
            format!("{who}'s sync names the conflict ({kept}; {lost}): {out}"),
        );
    }
    let expected = winner["change"]["data"]["status"].as_str().unwrap();
    let expected = if expected == "blocked" {
        "blocked"
    } else {
        "done"
    };
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        f.check(
            p.status_of("v1", "1.2") == expected,
            format!("{who}: 1.2 is {} not {expected}", p.status_of("v1", "1.2")),
        );
        let shown = p.ok(&["show", "v1"]);
        f.check(
            shown.contains(&format!("⚠ conflict on status: {kept} at "))
                && shown.contains(&format!("also set concurrently: {lost} at ")),
            format!("{who}'s show marks the conflict: {shown}"),
        );
        let status = p.ok(&["sync", "--status"]);
        f.check(
            status.contains("conflicts: 1\n")
                && status.contains(&format!("  v1/launch:1.2 status: {kept} at ")),
            format!("{who}'s sync --status lists it: {status}"),
        );
        let actors: Vec<String> = p
            .history("v1", "1.2")
            .iter()
            .filter(|e| e["field"] == "status")
            .map(|e| format!("{} {}", e["actor"], e["new_value"]))
            .collect();
        f.check(
            actors
                .iter()
                .any(|s| s.contains("ana") && s.contains("done"))
                && actors
                    .iter()
                    .any(|s| s.contains("bo") && s.contains("blocked")),
            format!("{who}'s history keeps both edits: {actors:?}"),
        );
    }
    f.same(
        "show v1 --json with a conflict",
        &a.show("v1"),
        &b.show("v1"),
    );

    // Ana has seen both now. "Tick it again to settle": she confirms the
    // kept value.
    let kept_status = expected;
    let again = a.out(&["tick", "v1", "1.2", kept_status]);
    f.check(
        again.status.success(),
        format!(
            "ana re-ticks the kept value {kept_status} to settle: exit {:?}: {}{}",
            again.status.code(),
            text(&again.stdout),
            text(&again.stderr)
        ),
    );
    a.sync(&[]);
    b.sync(&[]);
    a.sync(&[]);
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        f.check(
            p.ok(&["sync", "--status"]).contains("conflicts: 0\n"),
            format!("{who}: confirming the kept value did not settle the conflict"),
        );
    }
    // Settled the other way: Ana picks the value that lost.
    let other = if expected == "blocked" {
        "done"
    } else {
        "blocked"
    };
    let mut args = vec!["tick", "v1", "1.2", other];
    if other == "blocked" {
        args.extend(["--reason", "legal said wait"]);
    }
    a.ok(&args);
    a.sync(&[]);
    let sb = b.sync(&[]);
    a.sync(&[]);
    f.check(
        sb.ends_with(&format!("synced with {r}: 1 in, 0 out, 0 conflicts\n"))
            && !sb.contains("conflict:"),
        format!("bo's sync after the settling tick: {sb}"),
    );
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        f.check(
            p.status_of("v1", "1.2") == other,
            format!("{who}: 1.2 settled as {other}"),
        );
        f.check(
            !p.ok(&["show", "v1"]).contains("conflict"),
            format!("{who}'s show still marks a conflict"),
        );
        f.check(
            p.ok(&["sync", "--status"]).contains("conflicts: 0\n"),
            format!("{who}'s sync --status still lists a conflict"),
        );
    }
    f.same("show v1 --json once settled", &a.show("v1"), &b.show("v1"));
    f.doctor(&[&a, &b]);
    f.done();
}

#[test]
fn sign_off_across_replicas_with_a_second_approver_and_a_held_tick() {
    let (team, _remote, a, b) = pair();
    a.close_all("v1");
    a.ok(&["signoff", "v1", "--as", "ana", "--role", "Tech lead"]);
    a.sync(&[]);
    // Bo, not synced yet, reopens 1.1: he has not seen the sign-off.
    b.ok(&[
        "tick",
        "v1",
        "1.1",
        "open",
        "--note",
        "licence list is stale",
    ]);
    let mut f = Findings::default();
    let out = b.sync(&[]);
    f.check(
        out.contains("held: bo set status open")
            && out
                .contains("v1 revision 1 was signed off without it; kept in history, not applied"),
        format!("bo's sync reports his tick held: {out}"),
    );
    f.check(
        out.contains("in: ana froze v1 revision 1")
            && out.contains("in: ana (Tech lead) signed v1 revision 1"),
        format!("bo receives the sign-off: {out}"),
    );
    let gate = b.out(&["gate", "v1", "--require", "ana"]);
    f.check(
        gate.status.success()
            && text(&gate.stdout) == "v1: ready — signed off (revision 1) by ana (Tech lead)\n",
        format!(
            "gate on bo's machine: {}{}",
            text(&gate.stdout),
            text(&gate.stderr)
        ),
    );
    b.ok(&["signoff", "v1", "--as", "bo", "--role", "QA"]);
    b.sync(&[]);
    let out = a.sync(&[]);
    f.check(
        out.contains("in: bo (QA) signed v1 revision 1"),
        format!("ana receives bo's signature: {out}"),
    );
    f.check(
        out.contains("held: bo set status open")
            && out
                .contains("v1 revision 1 was signed off without it; kept in history, not applied"),
        format!("ana's sync reports bo's held tick: {out}"),
    );
    b.sync(&[]);
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        let gate = p.out(&["gate", "v1", "--require", "ana", "--require", "bo"]);
        f.check(
            gate.status.success()
                && text(&gate.stdout)
                    == "v1: ready — signed off (revision 1) by ana (Tech lead), bo (QA)\n",
            format!("{who}'s gate: {}{}", text(&gate.stdout), text(&gate.stderr)),
        );
        f.check(
            p.status_of("v1", "1.1") == "done",
            format!(
                "{who}: the held tick is not applied, 1.1 is {}",
                p.status_of("v1", "1.1")
            ),
        );
        let h = p.history("v1", "1.1");
        f.check(
            h.iter()
                .any(|e| e["actor"] == "bo" && e["field"] == "status"),
            format!("{who}'s history of 1.1 keeps bo's held tick: {h:?}"),
        );
        f.check(
            !h.last().is_some_and(|e| {
                e["actor"] == "source:launch.md" && e["action"] == "item.status" && h.len() > 1
            }),
            format!("{who}'s history blames the markdown source for undoing bo's tick: {h:?}"),
        );
    }
    let md = team.path("a.md");
    let mdb = team.path("b.md");
    a.ok(&["export", "v1", "-o", md.to_str().unwrap()]);
    b.ok(&["export", "v1", "-o", mdb.to_str().unwrap()]);
    f.check(
        std::fs::read(&md).unwrap() == std::fs::read(&mdb).unwrap(),
        "the md reports of both machines are byte-identical",
    );
    for (p, file) in [(&a, &mdb), (&b, &md)] {
        let v = p.out(&["verify", file.to_str().unwrap()]);
        let said = text(&v.stdout);
        f.check(
            v.status.success()
                && said.contains("VALID — v1 revision 1")
                && said.contains("✓ valid: Ana Ruiz (ana), Tech lead")
                && said.contains("✓ valid: Bo Li (bo), QA"),
            format!("verify {}: {said}{}", file.display(), text(&v.stderr)),
        );
    }
    f.same("show v1 --json", &a.show("v1"), &b.show("v1"));
    f.same(
        "export json",
        &a.export("v1", "json"),
        &b.export("v1", "json"),
    );
    f.doctor(&[&a, &b]);
    f.done();
}

#[test]
fn ci_receives_only_and_gates_on_the_sign_off() {
    let (team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    let ci = team.machine("CI", "ci");
    let before = refs(&remote);
    let mut f = Findings::default();
    // The CI recipe: sync then gate, on a fresh path every time.
    let first = ci.sync(&[r]);
    f.check(
        first.starts_with("receiving only: this database has no device of its own"),
        format!("ci's first sync: {first}"),
    );
    f.check(
        first.ends_with(&format!("synced with {r}: 7 in, 0 out, 0 conflicts\n")),
        format!("ci's first sync: {first}"),
    );
    let gate = ci.out(&["gate", "v1", "--require", "ana"]);
    f.check(
        gate.status.code() == Some(1)
            && text(&gate.stdout).starts_with("v1: not ready — not signed off"),
        format!("ci gate before the sign-off: {}", text(&gate.stdout)),
    );
    f.same("remote refs after a ci sync", &before, &refs(&remote));
    let status = ci.ok(&["sync", "--status"]);
    f.check(
        status.contains("device: none — this database only receives")
            && status.contains(&format!("remote: {r}\n")),
        format!("ci's sync --status: {status}"),
    );

    a.close_all("v1");
    a.ok(&["signoff", "v1", "--as", "ana", "--role", "Tech lead"]);
    a.sync(&[]);
    let before = refs(&remote);
    let out = ci.sync(&[]);
    f.check(
        out.contains("in: ana (Tech lead) signed v1 revision 1"),
        out.clone(),
    );
    let gate = ci.out(&["gate", "v1", "--require", "ana"]);
    f.check(
        gate.status.success(),
        format!("ci gate after the sign-off: {}", text(&gate.stdout)),
    );
    let gate = ci.out(&["gate", "v1", "--require", "ana", "--require", "bo"]);
    f.check(
        gate.status.code() == Some(1)
            && text(&gate.stdout).contains("missing approver: bo has not signed revision 1"),
        format!("ci gate requiring bo: {}", text(&gate.stdout)),
    );
    // A brand-new CI database, the way a pipeline runs it.
    let fresh = Peer {
        db: "fresh.db".into(),
        ..team.machine("CI", "ci")
    };
    let script =
        "\"$SIGNET\" --db \"$DB\" sync \"$REPO\" && \"$SIGNET\" --db \"$DB\" gate v1 --require ana";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("SIGNET", assert_cmd::cargo::cargo_bin("signet"))
        .env("DB", fresh.db())
        .env("REPO", r)
        .env_remove("SIGNET_DB")
        .env_remove("SIGNET_ACTOR")
        .output()
        .unwrap();
    f.check(
        out.status.success()
            && text(&out.stdout)
                .ends_with("v1: ready — signed off (revision 1) by ana (Tech lead)\n"),
        format!(
            "the CI recipe on a fresh path: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    // A database that only receives refuses local changes (they could
    // never be published, and the next fold would undo them); it pushes
    // nothing.
    let local = ci.out(&["release", "new", "ci-scratch"]);
    f.check(
        local.status.code() == Some(2) && text(&local.stderr).contains("only receives"),
        format!(
            "a change on a receive-only database: {}",
            text(&local.stderr)
        ),
    );
    ci.sync(&[]);
    f.same("remote refs after ci syncs", &before, &refs(&remote));
    f.check(
        !git_text(&["--git-dir", r, "for-each-ref", "--format=%(refname)"]).contains("refs/heads"),
        "sync never writes branches",
    );
    // Bo's second signature turns the stricter gate green in CI too.
    b.sync(&[]);
    b.ok(&["signoff", "v1", "--as", "bo", "--role", "QA"]);
    b.sync(&[]);
    ci.sync(&[]);
    let gate = ci.out(&["gate", "v1", "--require", "ana", "--require", "bo"]);
    f.check(
        gate.status.success(),
        format!("ci gate with both: {}", text(&gate.stdout)),
    );
    f.doctor(&[&ci, &fresh]);
    f.done();
}

/// A teammate with push access and plain git: a scratch repository that
/// fetches the device refs, rewrites them and force-pushes.
struct Forger {
    repo: PathBuf,
    remote: PathBuf,
}

impl Forger {
    fn new(team: &Team, remote: &Path) -> Forger {
        Forger {
            repo: team.remote("forge.git"),
            remote: remote.to_path_buf(),
        }
    }

    fn g(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.repo.to_str().unwrap()];
        all.extend_from_slice(args);
        git_text(&all)
    }

    /// The device's tip commit on the remote.
    fn tip(&self, device: &str) -> String {
        self.g(&[
            "fetch",
            "-q",
            "--force",
            self.remote.to_str().unwrap(),
            &format!("refs/signet/v1/devices/{device}:refs/x/{device}"),
        ]);
        self.g(&["rev-parse", &format!("refs/x/{device}")])
    }

    fn parent(&self, commit: &str) -> String {
        self.g(&["rev-parse", &format!("{commit}^")])
    }

    /// Every file of a commit's tree: path → bytes.
    fn files(&self, commit: &str) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for entry in self.g(&["ls-tree", "-r", commit]).lines() {
            let (meta, path) = entry.split_once('\t').unwrap();
            let hash = meta.split(' ').nth(2).unwrap();
            let bytes = git(
                &[
                    "--git-dir",
                    self.repo.to_str().unwrap(),
                    "cat-file",
                    "blob",
                    hash,
                ],
                None,
            );
            out.insert(path.to_string(), bytes);
        }
        out
    }

    fn blob(&self, bytes: &[u8]) -> String {
        text(&git(
            &[
                "--git-dir",
                self.repo.to_str().unwrap(),
                "hash-object",
                "-w",
                "--stdin",
            ],
            Some(bytes),
        ))
        .trim()
        .to_string()
    }

    fn mktree(&self, entries: &str) -> String {
        text(&git(
            &["--git-dir", self.repo.to_str().unwrap(), "mktree"],
            Some(entries.as_bytes()),
        ))
        .trim()
        .to_string()
    }

    /// A commit of these files (the device layout: device.json, batches/).
    fn commit(&self, files: &BTreeMap<String, Vec<u8>>, parent: Option<&str>) -> String {
        let mut batches = String::new();
        let mut root = String::new();
        for (path, bytes) in files {
            let hash = self.blob(bytes);
            match path.strip_prefix("batches/") {
                Some(name) => batches.push_str(&format!("100644 blob {hash}\t{name}\n")),
                None => root.push_str(&format!("100644 blob {hash}\t{path}\n")),
            }
        }
        if !batches.is_empty() {
            root.push_str(&format!("040000 tree {}\tbatches\n", self.mktree(&batches)));
        }
        let tree = self.mktree(&root);
        let mut args = vec!["commit-tree", tree.as_str(), "-m", "signet: batch"];
        if let Some(p) = parent {
            args.extend(["-p", p]);
        }
        self.g(&args)
    }

    fn force_push(&self, commit: &str, device: &str) {
        self.g(&[
            "push",
            "-q",
            "--force",
            self.remote.to_str().unwrap(),
            &format!("{commit}:refs/signet/v1/devices/{device}"),
        ]);
    }
}

/// Signs a batch with a device's secret key, as the device would.
fn sign_batch(peer: &Peer, device_json: &[u8], bytes: &[u8], first: u64, last: u64) -> Vec<u8> {
    let claim: serde_json::Value = serde_json::from_slice(device_json).unwrap();
    let dir = peer.root.join("cfg/devices");
    let key_file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key"))
        .unwrap();
    let sk = minisign::SecretKeyBox::from_string(&std::fs::read_to_string(key_file).unwrap())
        .unwrap()
        .into_unencrypted_secret_key()
        .unwrap();
    let pk = minisign::PublicKey::from_base64(claim["public_key"].as_str().unwrap()).unwrap();
    let device = claim["device"].as_str().unwrap();
    minisign::sign(
        Some(&pk),
        &sk,
        std::io::Cursor::new(bytes),
        Some(&format!("signet changes {first}-{last} of device {device}")),
        Some("signet"),
    )
    .unwrap()
    .to_string()
    .into_bytes()
}

/// The newest batch of a device tree: (first seq, path of its .jsonl).
fn newest_batch(files: &BTreeMap<String, Vec<u8>>) -> (u64, String) {
    let path = files
        .keys()
        .filter(|p| p.ends_with(".jsonl"))
        .max()
        .unwrap()
        .clone();
    let first = path
        .trim_start_matches("batches/")
        .trim_end_matches(".jsonl")
        .parse()
        .unwrap();
    (first, path)
}

/// What a refused sync must look like, and that nothing changed locally.
fn expect_refused(f: &mut Findings, victim: &Peer, case: &str, why: &str) {
    let before = victim.show("v1");
    let out = victim.out(&["sync"]);
    let stderr = text(&out.stderr);
    f.check(
        out.status.code() == Some(1),
        format!(
            "{case}: sync exits {:?}, not 1\n{}{stderr}",
            out.status.code(),
            text(&out.stdout)
        ),
    );
    f.check(
        stderr.contains("refused: ") && stderr.contains(why),
        format!("{case}: stderr should say refused: …{why}…, got: {stderr}"),
    );
    f.same(
        &format!("{case}: show v1 --json before and after"),
        &before,
        &victim.show("v1"),
    );
    if let Err(e) = victim.doctor() {
        f.0.push(format!("{case}: {e}"));
    }
}

/// Ana and Bo synced; Bo then ticks 1.2 and, in a later sync, 2.1 — two
/// batches Ana has not seen yet.
fn forgery_setup() -> (Team, PathBuf, Peer, Peer, String) {
    let (team, remote, a, b) = pair();
    b.ok(&["tick", "v1", "1.2", "done"]);
    b.sync(&[]);
    b.ok(&["tick", "v1", "2.1", "n/a", "--reason", "no uploads"]);
    b.sync(&[]);
    let id = b.device();
    (team, remote, a, b, id)
}

#[test]
fn forged_batch_bytes_and_signatures_are_refused_and_nothing_of_that_device_applies() {
    let (team, remote, a, b, id) = forgery_setup();
    let forger = Forger::new(&team, &remote);
    let genuine = forger.tip(&id);
    let files = forger.files(&genuine);
    let (_, newest) = newest_batch(&files);
    let sig = newest.replace(".jsonl", ".sig");
    let mut f = Findings::default();

    // 1. The batch bytes changed: n/a becomes done; signature left as is.
    let mut forged = files.clone();
    let changed = text(&forged[&newest]).replace("\"not_applicable\"", "\"done\"");
    assert_ne!(changed.as_bytes(), &forged[&newest][..]);
    forged.insert(newest.clone(), changed.into_bytes());
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&genuine))), &id);
    expect_refused(
        &mut f,
        &a,
        "changed batch bytes",
        "not signed by the device",
    );
    f.check(
        a.status_of("v1", "1.2") == "open",
        "changed batch bytes: bo's earlier, genuine batch was applied anyway",
    );

    // 2. The signature file removed.
    let mut forged = files.clone();
    forged.remove(&sig);
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&genuine))), &id);
    expect_refused(&mut f, &a, "signature removed", &id);

    // 3. The signature file emptied.
    let mut forged = files.clone();
    forged.insert(sig.clone(), Vec::new());
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&genuine))), &id);
    expect_refused(&mut f, &a, "signature emptied", "not signed by the device");

    // 4. A signature from another batch of the same device.
    let mut forged = files.clone();
    let other = files
        .keys()
        .find(|p| p.ends_with(".sig") && **p != sig)
        .unwrap()
        .clone();
    forged.insert(sig.clone(), files[&other].clone());
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&genuine))), &id);
    expect_refused(
        &mut f,
        &a,
        "signature of another batch",
        "not signed by the device",
    );

    // The genuine history back on the remote: accepted, converged.
    forger.force_push(&genuine, &id);
    let out = a.sync(&[]);
    f.check(
        out.contains("in: bo set status done on v1/")
            && out.contains("in: bo set status not_applicable on v1/"),
        format!("the genuine batches are accepted once restored: {out}"),
    );
    f.same("show v1 --json once restored", &a.show("v1"), &b.show("v1"));
    f.done();
}

#[test]
fn a_rewritten_or_truncated_history_is_refused() {
    let (team, remote, a, b, id) = forgery_setup();
    let r = remote.to_str().unwrap().to_string();
    a.sync(&[]);
    assert_eq!(a.status_of("v1", "2.1"), "not_applicable");
    let forger = Forger::new(&team, &remote);
    let genuine = forger.tip(&id);
    let files = forger.files(&genuine);
    let (first, newest) = newest_batch(&files);
    let mut f = Findings::default();

    // Bo (who holds his device key) rewrites what Ana already accepted, and
    // signs the new bytes properly: n/a becomes blocked.
    let mut forged = files.clone();
    let changed = text(&forged[&newest])
        .replace("\"not_applicable\"", "\"blocked\"")
        .replace("\"reason\":\"no uploads\"", "\"reason\":\"uploads broken\"");
    assert_ne!(changed.as_bytes(), &forged[&newest][..]);
    let last = first + changed.lines().count() as u64 - 1;
    let sig = sign_batch(&b, &files["device.json"], changed.as_bytes(), first, last);
    forged.insert(newest.clone(), changed.into_bytes());
    forged.insert(newest.replace(".jsonl", ".sig"), sig);
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&genuine))), &id);
    expect_refused(
        &mut f,
        &a,
        "accepted batch rewritten and re-signed",
        "rewritten",
    );
    let out = a.out(&["sync"]);
    f.check(
        !text(&out.stderr).contains("they come in next sync"),
        format!(
            "a refused rewrite is also announced as more changes coming next sync: {}",
            text(&out.stderr)
        ),
    );
    f.check(
        a.status_of("v1", "2.1") == "not_applicable",
        "the rewrite was applied",
    );

    // The accepted batch dropped: the ref rewound to its parent. Ana
    // refuses it, and puts back what she holds (a fast-forward).
    forger.force_push(&forger.parent(&genuine), &id);
    expect_refused(&mut f, &a, "accepted batch dropped", "rewritten");
    f.check(
        refs(&remote).contains(&format!("{genuine} commit\trefs/signet/v1/devices/{id}")),
        "ana's sync does not restore bo's dropped batch on the remote",
    );
    let c = team.person("C", "Cy Doe", "cy");
    c.sync(&[&r, "--as", "cy"]);
    f.check(
        c.status_of("v1", "2.1") == "not_applicable",
        "a new teammate gets bo's full history",
    );

    // Ana's own ref rewritten on the remote: her next sync must not accept
    // it silently, and must not lose anything she published.
    forger.force_push(&genuine, &id);
    a.sync(&[]);
    a.ok(&["tick", "v1", "3.1", "done"]);
    a.sync(&[]);
    let mine = a.device();
    let tip = forger.tip(&mine);
    let files = forger.files(&tip);
    let (_, newest) = newest_batch(&files);
    let mut forged = files.clone();
    let changed = text(&forged[&newest]).replace("\"done\"", "\"blocked\"");
    forged.insert(newest, changed.into_bytes());
    forger.force_push(&forger.commit(&forged, Some(&forger.parent(&tip))), &mine);
    let out = a.out(&["sync"]);
    f.check(
        out.status.code() == Some(1) && text(&out.stderr).contains("refused: "),
        format!(
            "ana's own ref forged: exit {:?} {}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    let out = b.out(&["sync"]);
    f.check(
        out.status.code() == Some(1)
            && text(&out.stderr).contains(&format!("refused: device {mine}")),
        format!(
            "bo refuses ana's forged batch: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    f.check(
        b.status_of("v1", "3.1") == "open",
        "bo applied ana's forged batch",
    );
    f.doctor(&[&a, &b, &c]);
    f.done();
}

#[test]
fn an_impostor_device_for_ana_is_refused() {
    let (team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    // Eve's machine: a person "ana" with a key Eve made, a release signed
    // off with it, published as ana's device.
    let e = team.person("E", "Ana Ruiz", "ana");
    e.ok(&["import", "launch.md", "--release", "v2"]);
    e.close_all("v2");
    e.ok(&["signoff", "v2", "--as", "ana", "--role", "Tech lead"]);
    let _ = e.out(&["sync", r, "--as", "ana"]);
    let eve = e.device();
    let mut f = Findings::default();
    for (p, who) in [(&a, "ana"), (&b, "bo")] {
        expect_refused(
            &mut f,
            p,
            &format!("impostor device on {who}'s machine"),
            &format!("device {eve} claims to act for ana, vouched for by key"),
        );
        f.check(
            p.out(&["show", "v2"]).status.code() == Some(2),
            format!("{who} has the impostor's release v2"),
        );
    }
    f.done();
}

#[test]
fn a_fresh_ci_database_trusts_neither_of_two_claims_unless_a_key_is_pinned() {
    // Ana's real device, and an impostor whose device id sorts before hers
    // (Eve just retries until it does): a fresh CI database sees both at once.
    let (team, remote, a, _b) = pair();
    let r = remote.to_str().unwrap();
    let ana = a.device();
    let e = team.person("E", "Ana Ruiz", "ana");
    e.ok(&["import", "launch.md", "--release", "v2"]);
    e.close_all("v2");
    e.ok(&["signoff", "v2", "--as", "ana", "--role", "Tech lead"]);
    // Eve's device: where its id sorts against Ana's decides nothing (an
    // earlier Signet trusted whichever came first).
    let nowhere = team.path("nowhere.git");
    let t = e;
    let _ = t.out(&["sync", nowhere.to_str().unwrap(), "--as", "ana"]);
    assert_ne!(t.device(), ana);
    let _ = t.out(&["sync", r]);
    assert!(
        refs(&remote).contains(&t.device()),
        "the impostor is published"
    );

    let ci = team.machine("CI", "ci");
    let out = ci.out(&["sync", r]);
    let mut f = Findings::default();
    f.check(
        out.status.code() == Some(1) && text(&out.stderr).contains("refused: "),
        format!(
            "fresh ci sync with an impostor: exit {:?}\n{}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    let gate = ci.out(&["gate", "v2", "--require", "ana"]);
    f.check(
        !gate.status.success(),
        format!(
            "ci gate passes a release ana never signed: {}",
            text(&gate.stdout)
        ),
    );
    // Nothing on a fresh database tells the impostor from Ana: neither is
    // trusted, and nobody is "ana" there.
    f.check(
        ci.out(&["person", "show", "ana"]).status.code() == Some(2),
        "ci registered one of the two keys claimed for ana",
    );
    a.close_all("v1");
    a.ok(&["signoff", "v1", "--as", "ana", "--role", "Tech lead"]);
    // Ana's own sync refuses the impostor (exit 1) but publishes.
    let _ = a.out(&["sync"]);
    // A CI job that pins Ana's public key accepts her and refuses Eve.
    let pubkey = team.path("ana.pub");
    std::fs::write(&pubkey, a.ok(&["key", "export", "--as", "ana"])).unwrap();
    let pinned = team.machine("CI2", "ci");
    let trust = format!("ana={}", pubkey.display());
    let out = pinned.out(&["sync", r, "--trust", &trust]);
    f.check(
        out.status.code() == Some(1)
            && text(&out.stderr).contains(&format!("device {} claims to act for ana", t.device())),
        format!(
            "pinned ci sync: exit {:?}\n{}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    let real = a.ok(&["person", "show", "ana", "--json"]);
    let seen = pinned.ok(&["person", "show", "ana", "--json"]);
    let key = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["key_id"].clone();
    f.check(
        key(&real) == key(&seen),
        format!(
            "pinned ci registers {} as ana's key, not her real {}",
            key(&seen),
            key(&real)
        ),
    );
    for release in ["v1", "v2"] {
        let gate = pinned.out(&["gate", release, "--require", "ana"]);
        f.check(
            gate.status.success() == (release == "v1"),
            format!(
                "pinned ci gate {release}: exit {:?} {}",
                gate.status.code(),
                text(&gate.stdout)
            ),
        );
    }
    f.done();
}

#[test]
fn a_change_claiming_another_author_is_refused() {
    let (team, remote, a, b, id) = forgery_setup();
    let forger = Forger::new(&team, &remote);
    let genuine = forger.tip(&id);
    let files = forger.files(&genuine);
    let (_, newest) = newest_batch(&files);
    let last_line = text(&files[&newest]).lines().last().unwrap().to_string();
    let last: serde_json::Value = serde_json::from_str(&last_line).unwrap();
    let seq = last["seq"].as_u64().unwrap();
    let mut seen: BTreeMap<String, u64> = serde_json::from_value(last["seen"].clone()).unwrap();
    seen.insert(id.clone(), seq);
    let key = item(&serde_json::from_str(&b.show("v1")).unwrap(), "3.2")["key"]
        .as_str()
        .unwrap()
        .to_string();
    // Bo's device, properly signed, says Ana ticked 3.2.
    let op = format!(
        r#"{{"at":"{}","author":"ana","change":{{"kind":"item_set","data":{{"key":"{key}","release":"v1","status":"done","template":"launch"}}}},"device":"{id}","lamport":{},"seen":{},"seq":{},"v":1}}"#,
        last["at"].as_str().unwrap(),
        last["lamport"].as_u64().unwrap() + 1,
        serde_json::to_string(&seen).unwrap(),
        seq + 1
    );
    let bytes = format!("{op}\n");
    let mut forged = files.clone();
    let name = format!("batches/{:012}", seq + 1);
    forged.insert(
        format!("{name}.sig"),
        sign_batch(
            &b,
            &files["device.json"],
            bytes.as_bytes(),
            seq + 1,
            seq + 1,
        ),
    );
    forged.insert(format!("{name}.jsonl"), bytes.into_bytes());
    forger.force_push(&forger.commit(&forged, Some(&genuine)), &id);
    let mut f = Findings::default();
    expect_refused(
        &mut f,
        &a,
        "a change claiming ana inside bo's batch",
        &format!("acts for bo but change {} claims to be by ana", seq + 1),
    );
    f.check(
        a.status_of("v1", "1.2") == "open",
        "bo's earlier batches applied anyway",
    );
    f.done();
}

#[test]
fn a_teammates_first_sync_cannot_carry_over_changes_in_someone_elses_name() {
    let (team, remote, a, _b) = pair();
    let r = remote.to_str().unwrap();
    // Bo starts a second database, works in ana's name before its first
    // sync, then publishes it as his own device.
    let m = Peer {
        root: team.path("B"),
        cwd: team.path(""),
        handle: "bo".into(),
        db: "second.db".into(),
    };
    m.ok(&["person", "add", "Bo Li", "--handle", "bo"]);
    m.ok(&["key", "init", "--as", "bo"]);
    let mut as_ana = m.base();
    as_ana.args(["--actor", "ana", "release", "new", "v8"]);
    as_ana.assert().success();
    let mut as_ana = m.base();
    as_ana.args(["--actor", "ana", "import", "launch.md", "--release", "v8"]);
    as_ana.assert().success();
    let mut as_ana = m.base();
    as_ana.args(["--actor", "ana", "tick", "v8", "1.2", "done"]);
    as_ana.assert().success();
    let _ = m.out(&["sync", r, "--as", "bo"]);
    let out = a.out(&["sync"]);
    let said = text(&out.stdout);
    let mut f = Findings::default();
    f.check(
        !said.contains("in: ana "),
        format!("ana's machine reports changes by ana she never made: {said}"),
    );
    if a.out(&["show", "v8"]).status.success() {
        let h = a.history("v8", "1.2");
        f.check(
            !h.iter().any(|e| e["actor"] == "ana"),
            format!("ana's history of v8 1.2 names ana: {h:?}"),
        );
    }
    f.doctor(&[&a]);
    f.done();
}

/// A small random generator (xorshift), seeded from the clock; the seed is
/// printed so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("SYNC_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("SYNC_KILL_SEED={seed}");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Starts `signet sync …` and kills it (SIGKILL) after a random few ms.
fn kill_sync_at_random(
    p: &Peer,
    args: &[&str],
    rng: &mut Rng,
    times: usize,
    max_ms: u64,
) -> Vec<String> {
    let mut log = Vec::new();
    for _ in 0..times {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("signet"));
        c.env_remove("SIGNET_DB")
            .env_remove("SIGNET_ACTOR")
            .env_remove("SIGNET_CONFIG_DIR")
            .env("SIGNET_KEY_PASSWORD", PASSWORD)
            .current_dir(&p.cwd)
            .arg("--db")
            .arg(p.db())
            .arg("--config-dir")
            .arg(p.root.join("cfg"))
            .args(["--actor", &p.handle, "sync"])
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().unwrap();
        let ms = rng.below(max_ms);
        std::thread::sleep(std::time::Duration::from_millis(ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        log.push(format!("{}:{ms}ms:{:?}", p.handle, status.code()));
    }
    log
}

fn big_checklist() -> String {
    let mut md = String::from("# Big\n\n");
    for s in 1..=6 {
        md.push_str(&format!("## {s}. Part {s}\n\n"));
        for i in 1..=25 {
            md.push_str(&format!("- [ ] Check {s}.{i}\n"));
        }
        md.push('\n');
    }
    md
}

#[test]
fn kill_9_during_sync_at_random_points_then_sync_converges() {
    let team = Team::new();
    std::fs::write(team.path("big.md"), big_checklist()).unwrap();
    let remote = team.remote("remote.git");
    let r = remote.to_str().unwrap();
    let a = team.person("A", "Ana Ruiz", "ana");
    let b = team.person("B", "Bo Li", "bo");
    a.ok(&["import", "big.md", "--release", "v1"]);
    for s in 1..=4 {
        for i in 1..=20 {
            a.ok(&["tick", "v1", &format!("{s}.{i}"), "done", "--note", "ok"]);
        }
    }
    let mut rng = Rng::new();
    let mut log = kill_sync_at_random(&a, &[r, "--as", "ana"], &mut rng, 8, 250);
    let first = a.out(&["sync", r, "--as", "ana"]);
    let mut f = Findings::default();
    f.check(
        first.status.success(),
        format!(
            "ana's sync after kills: {}{}",
            text(&first.stdout),
            text(&first.stderr)
        ),
    );
    log.extend(kill_sync_at_random(
        &b,
        &[r, "--as", "bo"],
        &mut rng,
        8,
        250,
    ));
    let out = b.out(&["sync", r, "--as", "bo"]);
    f.check(
        out.status.success(),
        format!(
            "bo's sync after kills: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    // Rounds of acknowledged work on both sides, each followed by a sync
    // killed at a random point on one side (so there is always something
    // to publish and something to receive when the kill lands).
    let mut pool: Vec<String> = (21..=25)
        .flat_map(|i| (1..=4).map(move |s| format!("{s}.{i}")))
        .chain((5..=6).flat_map(|s| (1..=25).map(move |i| format!("{s}.{i}"))))
        .collect();
    let mut expected = 80;
    for round in 0..24 {
        let (killed, other) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        for p in [killed, other] {
            let n = pool.pop().unwrap();
            p.ok(&["tick", "v1", &n, "done"]);
            expected += 1;
        }
        if round % 3 == 0 {
            let _ = other.out(&["sync"]);
        }
        log.extend(kill_sync_at_random(killed, &[], &mut rng, 1, 200));
    }
    for p in [&a, &b, &a] {
        let out = p.out(&["sync"]);
        f.check(
            out.status.success(),
            format!(
                "{}'s sync after kills: {}{}",
                p.handle,
                text(&out.stdout),
                text(&out.stderr)
            ),
        );
    }
    let again = a.out(&["sync"]);
    f.check(
        text(&again.stdout) == format!("synced with {r}: 0 in, 0 out, 0 conflicts\n"),
        format!("nothing left to exchange: {}", text(&again.stdout)),
    );
    f.same("show v1 --json after kills", &a.show("v1"), &b.show("v1"));
    let v: serde_json::Value = serde_json::from_str(&b.show("v1")).unwrap();
    f.check(
        v["progress"]["done"] == expected,
        format!("every acknowledged tick is there: {}", v["progress"]),
    );
    for p in [&a, &b] {
        f.check(
            p.status_json()["unpublished"] == 0,
            format!("{} has unpublished changes left", p.handle),
        );
    }
    f.doctor(&[&a, &b]);
    eprintln!("kills (ms after start; None = killed mid-run): {log:?}");
    assert!(f.0.is_empty(), "kills: {log:?}\n- {}", f.0.join("\n- "));
}

#[test]
fn another_actor_on_a_synced_database_is_refused_and_a_second_sync_changes_nothing() {
    let (_team, remote, a, b) = pair();
    let r = remote.to_str().unwrap();
    let mut f = Findings::default();
    for how in ["flag", "env"] {
        let mut c = a.base();
        match how {
            "flag" => c.args(["--actor", "bo"]),
            _ => c.env("SIGNET_ACTOR", "bo"),
        };
        let before = a.show("v1");
        let out = c.args(["tick", "v1", "1.2", "done"]).output().unwrap();
        let err = text(&out.stderr);
        f.check(
            out.status.code() == Some(2) && err.contains("would be signed by ana"),
            format!(
                "--actor bo ({how}) on ana's synced database: exit {:?}: {err}",
                out.status.code()
            ),
        );
        f.same("show after the refused change", &before, &a.show("v1"));
    }
    // Nothing new: 0 in, 0 out, and nothing changes (remote, state, trail).
    b.ok(&["tick", "v1", "1.2", "done"]);
    b.sync(&[]);
    a.sync(&[]);
    let shown = a.show("v1");
    let remote_refs = refs(&remote);
    let events = |p: &Peer| {
        rusqlite::Connection::open(p.db())
            .unwrap()
            .query_row("SELECT COUNT(*) FROM event", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let ev = events(&a);
    let ops = a.status_json()["operations"].clone();
    for _ in 0..2 {
        let out = a.sync(&[]);
        f.check(
            out == format!("synced with {r}: 0 in, 0 out, 0 conflicts\n"),
            format!("second sync prints: {out}"),
        );
    }
    f.same("show after idle syncs", &shown, &a.show("v1"));
    f.same("remote refs after idle syncs", &remote_refs, &refs(&remote));
    f.check(
        events(&a) == ev,
        format!("audit events {ev} → {}", events(&a)),
    );
    f.check(
        a.status_json()["operations"] == ops,
        "operation count changed",
    );
    let status = a.ok(&["sync", "--status"]);
    f.check(
        status.contains(&format!("remote: {r}\n"))
            && status.contains("not yet pushed: 0 change(s)\n")
            && status.contains("conflicts: 0\n")
            && status.contains("0 in, 0 out, 0 conflicts"),
        format!("sync --status: {status}"),
    );
    f.doctor(&[&a, &b]);
    f.done();
}

#[test]
fn one_teammates_broken_ref_does_not_stop_everyone_elses_changes() {
    let (team, remote, a, _b, id) = forgery_setup();
    let r = remote.to_str().unwrap();
    let c = team.person("C", "Cy Doe", "cy");
    c.sync(&[r, "--as", "cy"]);
    a.sync(&[]);
    // Bo's newest batch loses its signature file on the remote…
    let forger = Forger::new(&team, &remote);
    let genuine = forger.tip(&id);
    let mut files = forger.files(&genuine);
    let (_, newest) = newest_batch(&files);
    files.remove(&newest.replace(".jsonl", ".sig"));
    forger.force_push(&forger.commit(&files, Some(&forger.parent(&genuine))), &id);
    // …while Cy's genuine work is published.
    c.ok(&["tick", "v1", "3.2", "done"]);
    let out = c.out(&["sync"]);
    let mut f = Findings::default();
    f.check(
        out.status.code() == Some(1)
            && text(&out.stderr).contains(&format!("refused: device {id}")),
        format!(
            "cy's sync with bo's broken ref on the remote: exit {:?}: {}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    let out = a.out(&["sync"]);
    f.check(
        out.status.code() == Some(1)
            && text(&out.stderr).contains(&format!("refused: device {id}")),
        format!(
            "bo's broken ref is refused by name: exit {:?}: {}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ),
    );
    f.check(
        a.status_of("v1", "3.2") == "done",
        "cy's genuine tick does not reach ana while bo's ref is broken",
    );
    // Ana's own new work still goes out.
    a.ok(&["tick", "v1", "3.1", "done"]);
    let _ = a.out(&["sync"]);
    let _ = c.out(&["sync"]);
    f.check(
        c.status_of("v1", "3.1") == "done",
        "ana's tick does not reach cy while bo's ref is broken",
    );
    f.doctor(&[&a, &c]);
    f.done();
}

/// A remote that is no remote: an empty name is a usage error (exit 2); a
/// file given as the remote is named as no git repository, not git's
/// "invalid gitfile format".
#[test]
fn an_empty_remote_or_a_file_is_said_plainly() {
    let env = Env::new();
    env.run(&["sync", ""])
        .code(2)
        .stderr(predicate::str::contains(
            "the remote is empty: name a git URL or the path of a bare repository",
        ));
    let file = env.file("notes.txt", "not a repository\n");
    env.run(&["sync", file.to_str().unwrap()])
        .failure()
        .stderr(predicate::str::contains("no git repository at"));
}
