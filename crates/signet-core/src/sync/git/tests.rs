//! Tests of the git transport against real bare repositories in temp
//! folders. Every git call runs with an empty HOME and no system config, so
//! the developer's own git settings can neither help nor break a test.

use super::*;
use std::ffi::OsStr;
use tempfile::TempDir;

const A: &str = "0123456789abcdef";
const B: &str = "fedcba9876543210";
const T0: i64 = 1_700_000_000;

/// A temp folder holding an empty HOME and any number of repositories.
struct World {
    root: TempDir,
}

impl World {
    fn new() -> World {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("home")).unwrap();
        World { root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn env(&self) -> Vec<(OsString, OsString)> {
        let home = self.path("home");
        vec![
            ("HOME".into(), home.clone().into()),
            ("XDG_CONFIG_HOME".into(), home.join(".config").into()),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
        ]
    }

    /// Signet's repository `name`, opened as the app would, in this world.
    fn repo(&self, name: &str) -> Repo {
        Repo::open_with_env(&self.path(name), self.env()).unwrap()
    }

    /// A fresh `git init --bare` remote; returns its path as a remote string.
    fn remote(&self, name: &str) -> String {
        let path = self.path(name);
        self.git(None, &["init", "--bare", "--quiet", path.to_str().unwrap()]);
        path.to_str().unwrap().to_string()
    }

    /// Runs git as a third party would, in this world; panics on failure.
    fn git(&self, git_dir: Option<&str>, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| k.starts_with("GIT_")) {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env())
            .env("GIT_AUTHOR_NAME", "Third Party")
            .env("GIT_AUTHOR_EMAIL", "third@example.com")
            .env("GIT_COMMITTER_NAME", "Third Party")
            .env("GIT_COMMITTER_EMAIL", "third@example.com")
            .current_dir(self.root.path());
        if let Some(dir) = git_dir {
            cmd.args(["--git-dir", dir]);
        }
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// (ref name, commit) of every ref of a repository.
    fn refs(&self, git_dir: &str) -> Vec<(String, String)> {
        self.git(
            Some(git_dir),
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
        .lines()
        .map(|l| {
            let (name, oid) = l.split_once(' ').unwrap();
            (name.to_string(), oid.to_string())
        })
        .collect()
    }

    fn remote_tip(&self, remote: &str, device: &str) -> Option<String> {
        let name = format!("{DEVICE_REFS}{device}");
        self.refs(remote)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, oid)| oid)
    }
}

/// A batch's first seq, ops bytes and signature bytes.
type BatchBytes = (u64, Vec<u8>, Vec<u8>);

/// device.json and every batch of one commit, as bytes.
fn contents(repo: &Repo, tip: &str) -> (Vec<u8>, Vec<BatchBytes>) {
    let tree = repo.read_tree(tip).unwrap();
    let ids: Vec<String> = tree
        .batches
        .iter()
        .flat_map(|b| [b.ops_blob.clone(), b.sig_blob.clone()])
        .collect();
    let mut blobs = repo.read_blobs(&ids).unwrap().into_iter();
    let batches = tree
        .batches
        .iter()
        .map(|b| (b.first_seq, blobs.next().unwrap(), blobs.next().unwrap()))
        .collect();
    (tree.device_json, batches)
}

fn sync_problem(result: Result<impl std::fmt::Debug>) -> (String, String) {
    match result {
        Err(Error::Sync { remote, problem }) => (remote, problem),
        other => panic!("expected Error::Sync, got {other:?}"),
    }
}

#[test]
fn appends_two_batches_and_reads_them_back_without_a_user_identity() {
    let w = World::new();
    let repo = w.repo("signet.git");
    let tip1 = repo
        .append_batch(A, b"{\"v\":1}", 1, b"op1\nop2\n", b"sig-1", T0)
        .unwrap();
    let tip2 = repo
        .append_batch(A, b"{\"v\":2}", 3, b"op3\n", b"sig-3", T0 + 60)
        .unwrap();

    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip2.clone())]);
    let (json, batches) = contents(&repo, &tip2);
    assert_eq!(
        json, b"{\"v\":2}",
        "device.json is rewritten on each append"
    );
    assert_eq!(
        batches,
        vec![
            (1, b"op1\nop2\n".to_vec(), b"sig-1".to_vec()),
            (3, b"op3\n".to_vec(), b"sig-3".to_vec()),
        ]
    );
    let (json1, batches1) = contents(&repo, &tip1);
    assert_eq!((json1.as_slice(), batches1.len()), (&b"{\"v\":1}"[..], 1));

    // One commit per append, chained, by the fixed identity at the given time.
    let git_dir = w.path("signet.git");
    let git_dir = git_dir.to_str().unwrap();
    let parent = w.git(Some(git_dir), &["rev-parse", &format!("{tip2}^")]);
    assert_eq!(parent.trim(), tip1);
    let who = w.git(
        Some(git_dir),
        &["log", "-1", "--format=%an <%ae> %at|%cn <%ce> %ct", &tip2],
    );
    assert_eq!(
        who.trim(),
        format!(
            "Signet <signet@localhost> {0}|Signet <signet@localhost> {0}",
            T0 + 60
        )
    );
    assert!(repo.is_ancestor(&tip1, &tip2).unwrap());
    assert!(repo.is_ancestor(&tip2, &tip2).unwrap());
    assert!(!repo.is_ancestor(&tip2, &tip1).unwrap());
}

#[test]
fn open_is_idempotent_and_refuses_a_folder_of_something_else() {
    let w = World::new();
    let tip = w
        .repo("signet.git")
        .append_batch(A, b"{}", 1, b"op", b"sig", T0)
        .unwrap();
    let again = w.repo("signet.git");
    assert_eq!(again.devices().unwrap(), vec![(A.to_string(), tip)]);

    std::fs::create_dir(w.path("documents")).unwrap();
    std::fs::write(w.path("documents/notes.txt"), "mine").unwrap();
    let refused = Repo::open_with_env(&w.path("documents"), w.env());
    let (_, problem) = sync_problem(refused);
    assert!(problem.contains("not a bare git repository"), "{problem}");
    let left: Vec<_> = std::fs::read_dir(w.path("documents")).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing was written into the folder");
}

#[test]
fn the_same_batch_again_is_a_no_op_and_other_bytes_are_refused() {
    let w = World::new();
    let repo = w.repo("signet.git");
    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    let retry = repo
        .append_batch(A, b"{}", 1, b"op", b"sig", T0 + 5)
        .unwrap();
    assert_eq!(retry, tip);
    let other = repo.append_batch(A, b"{}", 1, b"other op", b"sig", T0);
    assert!(
        matches!(other, Err(Error::AlreadyExists { .. })),
        "{other:?}"
    );
    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip)]);
}

#[test]
fn a_stale_writer_loses_the_compare_and_swap_and_the_ref_stays() {
    let w = World::new();
    let repo = w.repo("signet.git");
    let tip1 = repo.append_batch(A, b"{}", 1, b"op1", b"s1", T0).unwrap();

    // Writer X read tip1 and built its commit; meanwhile another append won.
    let Staged::Commit(stale) = repo
        .write_batch_commit(
            Some(&tip1),
            &NewBatch {
                device: A,
                device_json: b"{}",
                first_seq: 2,
                ops: b"x",
                sig: b"sx",
                when_unix: T0,
            },
        )
        .unwrap()
    else {
        panic!("expected a new commit");
    };
    let tip2 = repo.append_batch(A, b"{}", 2, b"op2", b"s2", T0).unwrap();
    let (_, problem) = sync_problem(repo.compare_and_swap(A, &stale, Some(&tip1)));
    assert!(
        problem.contains("changed while Signet was writing"),
        "{problem}"
    );
    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip2.clone())]);

    // set_device_ref: wrong expectation, or "absent" for a present ref.
    assert!(repo.set_device_ref(A, &tip1, Some(&tip1)).is_err());
    assert!(repo.set_device_ref(A, &tip1, None).is_err());
    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip2.clone())]);
    // The right expectation moves it; an unknown commit is refused.
    repo.set_device_ref(A, &tip1, Some(&tip2)).unwrap();
    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip1.clone())]);
    let missing = "1".repeat(40);
    let unknown = repo.set_device_ref(B, &missing, None);
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
    assert!(repo.set_device_ref("not-a-device", &tip1, None).is_err());
}

#[test]
fn a_crash_before_the_ref_moves_leaves_no_trace_and_the_rerun_succeeds() {
    let w = World::new();
    let repo = w.repo("signet.git");
    let Staged::Commit(orphan) = repo
        .write_batch_commit(
            None,
            &NewBatch {
                device: A,
                device_json: b"{}",
                first_seq: 1,
                ops: b"op",
                sig: b"sig",
                when_unix: T0,
            },
        )
        .unwrap()
    else {
        panic!("expected a new commit");
    };
    assert!(repo.devices().unwrap().is_empty(), "only loose objects");
    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    assert_eq!(tip, orphan, "the same input gives the same commit");
    assert_eq!(repo.devices().unwrap(), vec![(A.to_string(), tip)]);
}

#[test]
fn fetch_from_an_empty_remote_is_empty_and_push_creates_the_refs() {
    let w = World::new();
    let remote = w.remote("team.git");
    let repo = w.repo("signet.git");
    assert!(repo.fetch(&remote).unwrap().is_empty());
    assert_eq!(repo.push(&remote).unwrap(), PushOutcome::default());

    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    let outcome = repo.push(&remote).unwrap();
    assert_eq!(outcome.pushed, vec![A.to_string()]);
    assert!(outcome.rejected.is_empty());
    assert_eq!(w.remote_tip(&remote, A), Some(tip));
    // Nothing new: up to date is in neither list.
    assert_eq!(repo.push(&remote).unwrap(), PushOutcome::default());
}

#[test]
fn pushed_bytes_fetched_by_another_repo_are_identical() {
    let w = World::new();
    let remote = w.remote("team.git");
    let ours = w.repo("ours.git");
    let ops: Vec<u8> = (0..=255u8).chain(*b"\n{\"x\":1}\r\n").collect();
    ours.append_batch(A, b"{\"k\":\"a\"}", 1, &ops, &[0, 1, 2, 255], T0)
        .unwrap();
    let tip = ours
        .append_batch(A, b"{\"k\":\"a2\"}", 9, b"", b"\n", T0 + 1)
        .unwrap();
    ours.push(&remote).unwrap();

    let theirs = w.repo("theirs.git");
    let url = format!("file://{remote}");
    assert_eq!(
        theirs.fetch(&url).unwrap(),
        vec![(A.to_string(), tip.clone())]
    );
    assert_eq!(contents(&theirs, &tip), contents(&ours, &tip));
    let (json, batches) = contents(&theirs, &tip);
    assert_eq!(json, b"{\"k\":\"a2\"}");
    assert_eq!(batches[0], (1, ops, vec![0, 1, 2, 255]));
    assert_eq!(batches[1], (9, Vec::new(), b"\n".to_vec()));
    // Fetched chains are not ours until the caller says so.
    assert!(theirs.devices().unwrap().is_empty());
}

#[test]
fn two_devices_share_one_remote() {
    let w = World::new();
    let remote = w.remote("team.git");
    let one = w.repo("one.git");
    let two = w.repo("two.git");
    let tip_a = one.append_batch(A, b"{}", 1, b"a", b"sa", T0).unwrap();
    let tip_b = two.append_batch(B, b"{}", 1, b"b", b"sb", T0).unwrap();
    assert_eq!(one.push(&remote).unwrap().pushed, vec![A.to_string()]);
    assert_eq!(two.push(&remote).unwrap().pushed, vec![B.to_string()]);

    assert_eq!(w.remote_tip(&remote, A), Some(tip_a.clone()));
    assert_eq!(w.remote_tip(&remote, B), Some(tip_b.clone()));
    let fetched = one.fetch(&remote).unwrap();
    assert_eq!(
        fetched,
        vec![(A.to_string(), tip_a), (B.to_string(), tip_b.clone())]
    );
    // The caller adopts B's chain; the next push has nothing new to send.
    one.set_device_ref(B, &tip_b, None).unwrap();
    assert_eq!(one.push(&remote).unwrap(), PushOutcome::default());
}

#[test]
fn a_force_rewritten_remote_ref_is_fetched_and_a_deleted_one_pruned() {
    let w = World::new();
    let remote = w.remote("team.git");
    let ours = w.repo("ours.git");
    let old = ours
        .append_batch(A, b"{}", 1, b"real op", b"sig", T0)
        .unwrap();
    ours.push(&remote).unwrap();
    assert_eq!(
        ours.fetch(&remote).unwrap(),
        vec![(A.to_string(), old.clone())]
    );

    // A third party with push access rewrites device A's chain.
    let intruder = w.repo("intruder.git");
    let new = intruder
        .append_batch(A, b"{}", 1, b"forged op", b"sig", T0)
        .unwrap();
    let spec = format!("+{DEVICE_REFS}{A}:{DEVICE_REFS}{A}");
    w.git(
        Some(w.path("intruder.git").to_str().unwrap()),
        &["push", "--quiet", &remote, &spec],
    );

    assert_eq!(
        ours.fetch(&remote).unwrap(),
        vec![(A.to_string(), new.clone())]
    );
    assert!(!ours.is_ancestor(&old, &new).unwrap());
    assert_eq!(contents(&ours, &new).1[0].1, b"forged op");
    assert_eq!(ours.devices().unwrap(), vec![(A.to_string(), old.clone())]);

    // The remote drops the ref: the fetched copy goes, our own ref stays.
    w.git(
        Some(&remote),
        &["update-ref", "-d", &format!("{DEVICE_REFS}{A}")],
    );
    assert!(ours.fetch(&remote).unwrap().is_empty());
    assert_eq!(ours.devices().unwrap(), vec![(A.to_string(), old)]);
}

#[test]
fn push_reports_a_remote_ref_that_is_ahead_or_diverged_and_leaves_it() {
    let w = World::new();
    let remote = w.remote("team.git");
    let ours = w.repo("ours.git");
    let tip1 = ours.append_batch(A, b"{}", 1, b"op1", b"s1", T0).unwrap();
    ours.push(&remote).unwrap();

    // Device A restored elsewhere moves the remote ref ahead.
    let restored = w.repo("restored.git");
    let fetched = restored.fetch(&remote).unwrap();
    restored.set_device_ref(A, &fetched[0].1, None).unwrap();
    let ahead = restored
        .append_batch(A, b"{}", 2, b"op2", b"s2", T0)
        .unwrap();
    restored.push(&remote).unwrap();

    // Ahead, with objects we do not have.
    let outcome = ours.push(&remote).unwrap();
    assert!(outcome.pushed.is_empty());
    assert_eq!(
        outcome.rejected,
        vec![(A.to_string(), "fetch first".to_string())]
    );
    assert_eq!(w.remote_tip(&remote, A), Some(ahead.clone()));

    // Diverged, with every object known.
    ours.fetch(&remote).unwrap();
    let diverged = ours.append_batch(A, b"{}", 2, b"other", b"s2", T0).unwrap();
    assert!(!ours.is_ancestor(&ahead, &diverged).unwrap());
    let outcome = ours.push(&remote).unwrap();
    assert_eq!(
        outcome.rejected,
        vec![(A.to_string(), "non-fast-forward".to_string())]
    );
    assert_eq!(w.remote_tip(&remote, A), Some(ahead));
    assert_ne!(tip1, diverged);
}

#[test]
fn an_unreachable_or_missing_remote_is_a_sync_error_naming_it() {
    let w = World::new();
    let repo = w.repo("signet.git");
    repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    std::fs::create_dir(w.path("plain")).unwrap();
    let nowhere = w.path("nowhere");
    let plain = w.path("plain");
    let mut cases = vec![
        (nowhere.display().to_string(), "no git repository at"),
        (plain.display().to_string(), "no git repository at"),
        (
            format!("file://{}", nowhere.display()),
            "no git repository at",
        ),
        // Read as an address, never as an option to git.
        (
            "--upload-pack=touch pwned".to_string(),
            "is not an address git can use",
        ),
        (
            "https://127.0.0.1:1/team.git".to_string(),
            "could not reach",
        ),
    ];
    let has_ssh = Command::new("ssh").arg("-V").output().is_ok();
    if has_ssh {
        cases.push(("ssh://127.0.0.1:1/team.git".to_string(), "could not reach"));
    }
    for (remote, expected) in cases {
        for (op, result) in [
            ("fetch", repo.fetch(&remote).map(|_| ())),
            ("push", repo.push(&remote).map(|_| ())),
        ] {
            let (named, problem) = sync_problem(result);
            assert_eq!(named, remote, "{op}");
            assert!(problem.contains(expected), "{op} {remote}: {problem}");
            assert!(!problem.contains('\n'), "one line: {problem}");
        }
    }
    assert!(!w.path("pwned").exists());
    assert!(!nowhere.exists(), "a missing remote is not created");
}

#[test]
fn a_clone_of_the_remote_does_not_bring_signet_refs_and_push_leaves_branches_and_tags() {
    let w = World::new();
    let remote = w.remote("team.git");
    // The project's own history: a branch and a tag.
    w.git(None, &["init", "--quiet", "--initial-branch=main", "work"]);
    std::fs::write(w.path("work/README"), "project").unwrap();
    w.git(None, &["-C", "work", "add", "README"]);
    w.git(None, &["-C", "work", "commit", "--quiet", "-m", "start"]);
    w.git(None, &["-C", "work", "tag", "-a", "v1", "-m", "v1"]);
    w.git(
        None,
        &["-C", "work", "push", "--quiet", &remote, "main", "v1"],
    );
    let before = w.refs(&remote);

    let repo = w.repo("signet.git");
    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    repo.push(&remote).unwrap();
    repo.fetch(&remote).unwrap();

    let mut expected = before.clone();
    expected.push((format!("{DEVICE_REFS}{A}"), tip));
    expected.sort();
    assert_eq!(w.refs(&remote), expected, "branches and tags untouched");
    let ours = w.refs(w.path("signet.git").to_str().unwrap());
    assert!(
        ours.iter().all(|(name, _)| name.starts_with("refs/signet")),
        "no branch or tag fetched: {ours:?}"
    );

    w.git(None, &["clone", "--quiet", &remote, "clone"]);
    let cloned = w.git(
        None,
        &["-C", "clone", "for-each-ref", "--format=%(refname)"],
    );
    assert!(cloned.contains("refs/remotes/origin/main"), "{cloned}");
    assert!(!cloned.contains("signet"), "{cloned}");
}

#[test]
fn a_hostile_user_config_changes_nothing() {
    let clean = World::new();
    let expected = clean
        .repo("signet.git")
        .append_batch(A, b"{}", 1, b"op", b"sig", T0)
        .unwrap();

    let w = World::new();
    let remote = w.remote("team.git");
    // Hooks that fail in Signet's repository (hooks run there with it as
    // the working directory), and pass elsewhere, e.g. on the remote.
    let hooks = w.path("hooks");
    std::fs::create_dir(&hooks).unwrap();
    for hook in ["pre-push", "reference-transaction", "post-update"] {
        let path = hooks.join(hook);
        let script = "#!/bin/sh\ncase \"$(pwd)\" in *signet.git) exit 1;; esac\nexit 0\n";
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    std::fs::create_dir_all(w.path("template/hooks")).unwrap();
    std::fs::copy(hooks.join("pre-push"), w.path("template/hooks/pre-push")).unwrap();
    let config = format!(
        "[user]\n\tuseConfigOnly = true\n\tsigningKey = nobody\n\
         [commit]\n\tgpgSign = true\n[gpg]\n\tprogram = false\n\
         [push]\n\tfollowTags = true\n\tgpgSign = true\n\
         [core]\n\thooksPath = {}\n\taskPass = false\n\
         [i18n]\n\tcommitEncoding = ISO-8859-1\n\
         [fetch]\n\tpruneTags = true\n\tprune = true\n\
         [init]\n\ttemplateDir = {}\n",
        hooks.display(),
        w.path("template").display()
    );
    std::fs::write(w.path("home/.gitconfig"), config).unwrap();

    let repo = w.repo("signet.git");
    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    assert_eq!(tip, expected, "no signature, no encoding header");
    // An annotated tag on our commit that push.followTags would carry along.
    w.git(
        Some(w.path("signet.git").to_str().unwrap()),
        &[
            "-c",
            "core.hooksPath=/dev/null",
            "tag",
            "--no-sign",
            "-a",
            "mine",
            "-m",
            "mine",
            &tip,
        ],
    );
    assert_eq!(repo.push(&remote).unwrap().pushed, vec![A.to_string()]);
    assert_eq!(
        repo.fetch(&remote).unwrap(),
        vec![(A.to_string(), tip.clone())]
    );
    assert_eq!(
        w.refs(&remote),
        vec![(format!("{DEVICE_REFS}{A}"), tip)],
        "no tag pushed"
    );
}

#[test]
fn two_hundred_batches_of_fifty_ops_round_trip() {
    let w = World::new();
    let remote = w.remote("team.git");
    let ours = w.repo("ours.git");
    let batch = |i: u64| -> (u64, Vec<u8>, Vec<u8>) {
        let first = 1 + 50 * i;
        let ops: String = (first..first + 50)
            .map(|seq| {
                format!("{{\"v\":1,\"replica\":\"{A}\",\"seq\":{seq},\"kind\":\"item.set\"}}\n")
            })
            .collect();
        (
            first,
            ops.into_bytes(),
            format!("sig of {first}").into_bytes(),
        )
    };
    let expected: Vec<_> = (0..200).map(batch).collect();
    let mut tip = String::new();
    for (i, (first, ops, sig)) in expected.iter().enumerate() {
        tip = ours
            .append_batch(A, b"{}", *first, ops, sig, T0 + i as i64)
            .unwrap();
    }
    ours.push(&remote).unwrap();

    let fresh = w.repo("fresh.git");
    let fetched = fresh.fetch(&remote).unwrap();
    assert_eq!(fetched, vec![(A.to_string(), tip.clone())]);
    let (_, batches) = contents(&fresh, &fetched[0].1);
    assert_eq!(batches, expected);
    let ops = batches
        .iter()
        .map(|b| b.1.split(|&c| c == b'\n').count() - 1);
    assert_eq!(ops.sum::<usize>(), 10_000);
}

#[test]
fn read_blobs_names_a_missing_object_and_refuses_non_ids() {
    let w = World::new();
    let repo = w.repo("signet.git");
    assert!(repo.read_blobs(&[]).unwrap().is_empty());
    let missing = repo.read_blobs(&["2".repeat(40)]);
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    let expression = repo.read_blobs(&["HEAD:device.json".to_string()]);
    assert!(
        matches!(expression, Err(Error::Invalid(_))),
        "{expression:?}"
    );
    let tip = repo.append_batch(A, b"{}", 1, b"op", b"sig", T0).unwrap();
    let commit = repo.read_blobs(&[tip]);
    assert!(matches!(commit, Err(Error::Invalid(_))), "{commit:?}");
}

#[test]
fn a_tree_that_is_not_a_device_chain_is_refused() {
    let entry = |path: &str| format!("100644 blob {}\t{path}\0", "a".repeat(40));
    let listing = |paths: &[&str]| paths.iter().map(|p| entry(p)).collect::<String>();
    let ok = listing(&[
        "batches/000000000001.jsonl",
        "batches/000000000001.sig",
        "device.json",
    ]);
    assert_eq!(parse_tree("c", ok.as_bytes()).unwrap().batches.len(), 1);
    for (paths, why) in [
        (
            &["batches/000000000001.jsonl", "batches/000000000001.sig"][..],
            "no device.json",
        ),
        (
            &["device.json", "batches/000000000001.jsonl"][..],
            "no signature file",
        ),
        (
            &["device.json", "batches/000000000001.sig"][..],
            "has no batch file",
        ),
        (
            &["device.json", "batches/1.jsonl", "batches/1.sig"][..],
            "unexpected file",
        ),
        (&["device.json", "README"][..], "unexpected file"),
    ] {
        let err = parse_tree("c", listing(paths).as_bytes()).err().unwrap();
        assert!(err.to_string().contains(why), "{paths:?}: {err}");
    }
}

#[test]
fn git_messages_become_a_problem_and_what_to_do() {
    let r = "git@example.com:team/signet.git";
    for (stderr, expected) in [
        (
            "git@example.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
            "authentication failed",
        ),
        (
            "fatal: could not read Username for 'https://example.com': terminal prompts disabled\n",
            "authentication failed",
        ),
        (
            "remote: Repository not found.\nfatal: repository 'https://example.com/a/b/' not found\n",
            "no git repository at git@example.com:team/signet.git",
        ),
        ("Host key verification failed.\nfatal: Could not read from remote repository.\n", "host key"),
        (
            "fatal: detected dubious ownership in repository at '/mnt/usb/team.git'\n",
            "safe.directory",
        ),
        (
            "ssh: Could not resolve hostname example.com: Name or service not known\nfatal: Could not read from remote repository.\n",
            "could not reach git@example.com:team/signet.git (ssh: Could not resolve hostname",
        ),
        (
            "fatal: invalid gitfile format: /tmp/notes.txt\nfatal: Could not read from remote repository.\n",
            "no git repository at git@example.com:team/signet.git",
        ),
        ("fatal: something new\n", "git fetch failed: something new"),
    ] {
        let problem = remote_problem(r, "fetch", stderr);
        assert!(problem.contains(expected), "{stderr:?} → {problem}");
        assert!(!problem.contains('\n'));
    }
    assert_eq!(push_reason("[rejected] (fetch first)"), "fetch first");
    assert_eq!(
        push_reason("[remote rejected] (pre-receive hook declined)"),
        "remote rejected: pre-receive hook declined"
    );
}

#[test]
fn variables_that_choose_a_repository_are_stripped() {
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG_PARAMETERS",
        "GIT_AUTHOR_NAME",
        "GIT_ASKPASS",
    ] {
        assert!(must_strip(OsStr::new(name)), "{name}");
    }
    for name in [
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "HOME",
        "PATH",
        "SSH_AUTH_SOCK",
    ] {
        assert!(!must_strip(OsStr::new(name)), "{name}");
    }
}
