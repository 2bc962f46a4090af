//! Git as a transport for operation batches. Owns Signet's bare repository
//! and the refs `refs/signet/v1/devices/<device id>`: each device's chain of
//! commits, whose tip tree holds `device.json` and every batch the device
//! published (`batches/<first seq>.jsonl` and `.sig`).
//!
//! This module moves bytes and reports what is where. It never judges
//! content (signatures, seq continuity, rewritten chains are the caller's to
//! check), never forces a push, and never touches branches or tags. It drives
//! the `git` program, so every remote and credential set-up the user already
//! has works, but it must never depend on the user's identity, hooks or
//! environment, and never wait for a password prompt.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Where each device's chain lives, here and on every remote.
const DEVICE_REFS: &str = "refs/signet/v1/devices/";
/// Where `fetch` puts a remote's chains, one namespace per remote, so that
/// nothing fetched counts as ours until the caller validated it.
const FETCHED_REFS: &str = "refs/signet-fetched/";

/// Inherited `GIT_*` variables that only say how to reach a remote or how to
/// trace; every other one (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
/// GIT_CONFIG_PARAMETERS, GIT_AUTHOR_*, …) could point git at the wrong
/// repository or change what we write, so it is removed.
const INHERITED_GIT_VARS: &[&str] = &[
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSH_VARIANT",
    "GIT_PROXY_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "GIT_SSL_CERT",
    "GIT_SSL_KEY",
    "GIT_SSL_CERT_PASSWORD_PROTECTED",
    "GIT_SSL_NO_VERIFY",
    "GIT_SSL_VERSION",
    "GIT_SSL_CIPHER_LIST",
    "GIT_HTTP_PROXY_AUTHMETHOD",
    "GIT_HTTP_USER_AGENT",
    "GIT_HTTP_LOW_SPEED_LIMIT",
    "GIT_HTTP_LOW_SPEED_TIME",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_EXEC_PATH",
    "GIT_TRACE",
    "GIT_TRACE_PACKET",
    "GIT_TRACE_CURL",
    "GIT_CURL_VERBOSE",
];

/// Settings that override the user's configuration on every call. The
/// user's config still applies otherwise (credential helpers, insteadOf).
const FIXED_CONFIG: &[&str] = &[
    // A hook is someone else's code; ours must behave the same everywhere.
    "core.hooksPath=/dev/null",
    // Empty askPass also hides SSH_ASKPASS: no password window can appear,
    // and GIT_TERMINAL_PROMPT=0 stops the terminal prompt.
    "core.askPass=",
    // `ext::` remotes run arbitrary commands.
    "protocol.ext.allow=never",
    // Commits must be byte-identical for identical input: no signature, no
    // encoding header.
    "commit.gpgSign=false",
    "i18n.commitEncoding=UTF-8",
    // Would add refs/tags/* to our fetch refspec.
    "fetch.pruneTags=false",
];

/// Settings for calls that reach a remote: give up on a stalled transfer
/// instead of hanging the desktop app.
const NETWORK_CONFIG: &[&str] = &["http.lowSpeedLimit=1", "http.lowSpeedTime=60"];

/// Used when neither GIT_SSH_COMMAND, GIT_SSH nor core.sshCommand says
/// otherwise: fail instead of asking for a passphrase or a host key, and
/// give up on an unreachable host.
const SSH_COMMAND: &str =
    "ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=4";

/// Author and committer of every commit, so no user identity is needed and
/// the same batch gives the same commit on every machine.
const IDENTITY_NAME: &str = "Signet";
const IDENTITY_EMAIL: &str = "signet@localhost";

/// A bare repository Signet owns.
#[derive(Debug, Clone)]
pub struct Repo {
    dir: PathBuf,
    /// Extra environment for every git call; tests use it to run git with an
    /// empty or hostile HOME without touching the test process's own.
    env: Vec<(OsString, OsString)>,
}

/// One batch in a device tree, by the blob ids of its two files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub first_seq: u64,
    pub ops_blob: String,
    pub sig_blob: String,
}

/// What one commit of a device chain holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTree {
    pub device_json: Vec<u8>,
    /// Sorted by `first_seq`.
    pub batches: Vec<Batch>,
}

/// What a push did, ref by ref. Refs already up to date are in neither list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// Device ids whose ref moved (or was created) on the remote.
    pub pushed: Vec<String>,
    /// Device id and git's reason ("fetch first", "non-fast-forward", …).
    pub rejected: Vec<(String, String)>,
}

/// A device tree before its device.json is read.
struct Listing {
    device_json: String,
    batches: Vec<Batch>,
}

impl Repo {
    /// Opens the bare repository at `dir`, creating it (`git init --bare`) if
    /// missing or empty. Idempotent. A folder that holds something else is
    /// refused rather than filled with git's files.
    pub fn open_or_init(dir: &Path) -> Result<Repo> {
        Self::open_with_env(dir, Vec::new())
    }

    fn open_with_env(dir: &Path, env: Vec<(OsString, OsString)>) -> Result<Repo> {
        let repo = Repo {
            dir: dir.to_path_buf(),
            env,
        };
        let empty = match std::fs::read_dir(dir) {
            Ok(mut entries) => entries.next().is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
                true
            }
            Err(e) => return Err(Error::io(dir, &e)),
        };
        if empty {
            // No template: no sample hooks, nothing from init.templateDir.
            let out = repo.output(
                repo.git_command([
                    "init",
                    "--bare",
                    "--quiet",
                    "--template=",
                    "--initial-branch=main",
                ]),
                None,
            )?;
            if !out.status.success() {
                return Err(repo.local_error("init", &out.stderr));
            }
            return Ok(repo);
        }
        let out = repo.output(
            repo.git_command(["rev-parse", "--is-bare-repository"]),
            None,
        )?;
        if !out.status.success() || out.stdout.trim_ascii() != b"true" {
            return Err(Error::Sync {
                remote: repo.local_name(),
                problem: "the folder holds something that is not a bare git repository; \
                          move it away (Signet will create a new one) and sync again"
                    .to_string(),
            });
        }
        Ok(repo)
    }

    /// Our local copy of each device's chain: (device id, tip commit id).
    pub fn devices(&self) -> Result<Vec<(String, String)>> {
        self.list_refs(DEVICE_REFS)
    }

    /// Appends one batch to `device`'s local ref, creating the ref on the
    /// first batch; returns the new tip. Appending a batch that the tip
    /// already holds with the same bytes returns the tip unchanged (a retry
    /// after a crash); the same `first_seq` with other bytes is refused.
    pub fn append_batch(
        &self,
        device: &str,
        device_json: &[u8],
        first_seq: u64,
        ops: &[u8],
        sig: &[u8],
        when_unix: i64,
    ) -> Result<String> {
        check_device(device)?;
        let old = self.resolve(&device_ref(device))?;
        let batch = NewBatch {
            device,
            device_json,
            first_seq,
            ops,
            sig,
            when_unix,
        };
        let staged = self.write_batch_commit(old.as_deref(), &batch)?;
        match staged {
            Staged::AlreadyThere => Ok(old.unwrap_or_default()),
            Staged::Commit(new) => {
                self.compare_and_swap(device, &new, old.as_deref())?;
                Ok(new)
            }
        }
    }

    /// Writes the blobs, trees and commit for one batch on top of `parent`
    /// without moving any ref: a crash here leaves only unreferenced objects.
    fn write_batch_commit(&self, parent: Option<&str>, batch: &NewBatch) -> Result<Staged> {
        let NewBatch {
            device,
            device_json,
            first_seq,
            ops,
            sig,
            when_unix,
        } = *batch;
        let ops_blob = self.write_blob(ops)?;
        let sig_blob = self.write_blob(sig)?;
        let mut batches = match parent {
            Some(commit) => self.list_tree(commit)?.batches,
            None => Vec::new(),
        };
        if let Some(held) = batches.iter().find(|b| b.first_seq == first_seq) {
            if held.ops_blob == ops_blob && held.sig_blob == sig_blob {
                return Ok(Staged::AlreadyThere);
            }
            return Err(Error::AlreadyExists {
                what: "batch",
                name: format!("{device}/{first_seq:012} (with other bytes)"),
            });
        }
        batches.push(Batch {
            first_seq,
            ops_blob,
            sig_blob,
        });
        let mut listing = Vec::new();
        for b in &batches {
            let seq = b.first_seq;
            listing.extend_from_slice(
                format!(
                    "100644 blob {}\t{seq:012}.jsonl\0100644 blob {}\t{seq:012}.sig\0",
                    b.ops_blob, b.sig_blob
                )
                .as_bytes(),
            );
        }
        let batches_tree = self.run_ok("mktree", ["mktree", "-z"], Some(&listing))?;
        let json_blob = self.write_blob(device_json)?;
        let root =
            format!("100644 blob {json_blob}\tdevice.json\0040000 tree {batches_tree}\tbatches\0");
        let tree = self.run_ok("mktree", ["mktree", "-z"], Some(root.as_bytes()))?;

        let message = format!("signet: batch {first_seq:012} of device {device}");
        let mut args = vec![
            "commit-tree",
            "--no-gpg-sign",
            tree.as_str(),
            "-m",
            message.as_str(),
        ];
        if let Some(p) = parent {
            args.extend(["-p", p]);
        }
        let date = format!("@{when_unix} +0000");
        let mut cmd = self.git_command(args);
        for (key, value) in [
            ("GIT_AUTHOR_NAME", IDENTITY_NAME),
            ("GIT_AUTHOR_EMAIL", IDENTITY_EMAIL),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_NAME", IDENTITY_NAME),
            ("GIT_COMMITTER_EMAIL", IDENTITY_EMAIL),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ] {
            cmd.env(key, value);
        }
        let out = self.output(cmd, None)?;
        if !out.status.success() {
            return Err(self.local_error("commit-tree", &out.stderr));
        }
        Ok(Staged::Commit(stdout_line(&out.stdout)))
    }

    /// Fetches every device ref of `remote` into its own namespace
    /// (`refs/signet-fetched/<hash of remote>/devices/*`), forced, so a
    /// rewritten chain arrives and the caller can name the rewrite; refs the
    /// remote no longer has are dropped from that namespace. Returns
    /// (device id, fetched tip) for each.
    pub fn fetch(&self, remote: &str) -> Result<Vec<(String, String)>> {
        let namespace = fetched_namespace(remote);
        let refspec = format!("+{DEVICE_REFS}*:{namespace}*");
        let mut cmd = self.network_command()?;
        cmd.args([
            "fetch",
            "--quiet",
            "--prune",
            "--no-tags",
            "--no-write-fetch-head",
            "--no-recurse-submodules",
            "--end-of-options",
            remote,
            refspec.as_str(),
        ]);
        let out = self.output(cmd, None)?;
        if !out.status.success() {
            return Err(remote_error(remote, "fetch", &out.stderr));
        }
        self.list_refs(&namespace)
    }

    /// The tree of one commit of a device chain.
    pub fn read_tree(&self, commit: &str) -> Result<DeviceTree> {
        let listing = self.list_tree(commit)?;
        let device_json = self
            .read_blobs(std::slice::from_ref(&listing.device_json))?
            .pop()
            .unwrap_or_default();
        Ok(DeviceTree {
            device_json,
            batches: listing.batches,
        })
    }

    /// Contents of many blobs, in the order asked, through one
    /// `git cat-file --batch` process: one process per blob would make a
    /// fresh clone of a busy team take seconds.
    pub fn read_blobs(&self, ids: &[String]) -> Result<Vec<Vec<u8>>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        for id in ids {
            check_oid(id)?;
        }
        let mut cmd = self.git_command(["cat-file", "--batch"]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| self.spawn_error(&e))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(self.local_error("cat-file", b"no pipe to git"));
        };
        let read = std::thread::scope(|s| {
            // Written from another thread: git answers while we ask, and
            // both pipes would fill up if we asked everything first.
            s.spawn(move || {
                let mut w = std::io::BufWriter::new(stdin);
                for id in ids {
                    if w.write_all(id.as_bytes())
                        .and_then(|()| w.write_all(b"\n"))
                        .is_err()
                    {
                        return;
                    }
                }
                let _ = w.flush();
            });
            let read = read_batch_output(&mut BufReader::new(stdout), ids);
            if read.is_err() {
                // Unblocks the writer thread, which the scope joins.
                let _ = child.kill();
            }
            read
        });
        let out = child.wait_with_output().map_err(|e| self.spawn_error(&e))?;
        let blobs = read.map_err(|e| match e {
            BatchError::Git(e) => e,
            BatchError::Broken => self.local_error("cat-file", &out.stderr),
        })?;
        if !out.status.success() {
            return Err(self.local_error("cat-file", &out.stderr));
        }
        Ok(blobs)
    }

    /// Whether `ancestor` is an ancestor of, or equal to, `descendant`.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        check_oid(ancestor)?;
        check_oid(descendant)?;
        let out = self.output(
            self.git_command(["merge-base", "--is-ancestor", ancestor, descendant]),
            None,
        )?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(self.local_error("merge-base", &out.stderr)),
        }
    }

    /// Points our ref for `device` at `tip` (a commit the caller validated),
    /// only if the ref is still at `expected_old` (None: must not exist).
    pub fn set_device_ref(
        &self,
        device: &str,
        tip: &str,
        expected_old: Option<&str>,
    ) -> Result<()> {
        check_device(device)?;
        check_oid(tip)?;
        if let Some(old) = expected_old {
            check_oid(old)?;
        }
        let peeled = format!("{tip}^{{commit}}");
        let out = self.output(
            self.git_command([
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &peeled,
            ]),
            None,
        )?;
        if !out.status.success() {
            return Err(Error::NotFound {
                what: "commit",
                name: tip.to_string(),
            });
        }
        self.compare_and_swap(device, tip, expected_old)
    }

    /// Pushes every local device ref to the same name on `remote`, never
    /// forced. A ref the remote has ahead or diverged is reported in
    /// `rejected`; failing to reach or use the remote is an error.
    pub fn push(&self, remote: &str) -> Result<PushOutcome> {
        let devices = self.devices()?;
        if devices.is_empty() {
            // git refuses a push with no refspec; there is nothing to say.
            return Ok(PushOutcome::default());
        }
        let refspecs: Vec<String> = devices
            .iter()
            .map(|(id, _)| format!("{DEVICE_REFS}{id}:{DEVICE_REFS}{id}"))
            .collect();
        let mut cmd = self.network_command()?;
        cmd.args([
            "push",
            "--porcelain",
            "--no-follow-tags",
            "--no-signed",
            "--no-recurse-submodules",
            "--no-verify",
            "--end-of-options",
            remote,
        ])
        .args(&refspecs);
        let out = self.output(cmd, None)?;
        let outcome = parse_push_porcelain(&String::from_utf8_lossy(&out.stdout));
        // A rejected ref makes git exit 1 but still report every ref; with no
        // ref reported, the remote itself failed.
        if !out.status.success() && outcome.is_none() {
            return Err(remote_error(remote, "push", &out.stderr));
        }
        Ok(outcome.unwrap_or_default())
    }

    /// Moves `device`'s ref to `new` only if it is at `old` (None: absent).
    fn compare_and_swap(&self, device: &str, new: &str, old: Option<&str>) -> Result<()> {
        let name = device_ref(device);
        let out = self.output(
            self.git_command([
                "update-ref",
                "--no-deref",
                name.as_str(),
                new,
                old.unwrap_or(""),
            ]),
            None,
        )?;
        if out.status.success() {
            return Ok(());
        }
        if self.resolve(&name)?.as_deref() != old {
            return Err(Error::Sync {
                remote: self.local_name(),
                problem: format!(
                    "the chain of device {device} changed while Signet was writing it \
                     (another Signet running?); nothing was changed, sync again"
                ),
            });
        }
        Err(self.local_error("update-ref", &out.stderr))
    }

    /// The commit a ref points at, or None if it does not exist.
    fn resolve(&self, name: &str) -> Result<Option<String>> {
        let out = self.output(
            self.git_command(["rev-parse", "--verify", "--quiet", "--end-of-options", name]),
            None,
        )?;
        match out.status.code() {
            Some(0) => Ok(Some(stdout_line(&out.stdout))),
            Some(1) => Ok(None),
            _ => Err(self.local_error("rev-parse", &out.stderr)),
        }
    }

    /// (device id, commit) for every ref under `prefix` whose last part is a
    /// device id; other names cannot be Signet's and are left alone.
    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let listing = self.run_ok(
            "for-each-ref",
            ["for-each-ref", "--format=%(objectname) %(refname)", prefix],
            None,
        )?;
        Ok(listing
            .lines()
            .filter_map(|line| {
                let (oid, name) = line.split_once(' ')?;
                let device = name.strip_prefix(prefix)?;
                check_device(device).ok()?;
                Some((device.to_string(), oid.to_string()))
            })
            .collect())
    }

    /// The entries of a device commit's tree, checked against the layout.
    fn list_tree(&self, commit: &str) -> Result<Listing> {
        check_oid(commit)?;
        let peeled = format!("{commit}^{{commit}}");
        let out = self.output(self.git_command(["ls-tree", "-r", "-z", &peeled]), None)?;
        if !out.status.success() {
            return Err(self.local_error("ls-tree", &out.stderr));
        }
        parse_tree(commit, &out.stdout)
    }

    fn write_blob(&self, bytes: &[u8]) -> Result<String> {
        self.run_ok("hash-object", ["hash-object", "-w", "--stdin"], Some(bytes))
    }

    /// Runs a local git command that must succeed; returns its trimmed stdout.
    fn run_ok<const N: usize>(
        &self,
        what: &str,
        args: [&str; N],
        input: Option<&[u8]>,
    ) -> Result<String> {
        let out = self.output(self.git_command(args), input)?;
        if !out.status.success() {
            return Err(self.local_error(what, &out.stderr));
        }
        Ok(stdout_line(&out.stdout))
    }

    /// git, isolated from the caller's environment, on our repository.
    fn git_command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new("git");
        for (key, _) in std::env::vars_os() {
            if must_strip(&key) {
                cmd.env_remove(&key);
            }
        }
        // C locale: the messages we classify are git's English ones.
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .env_remove("LANGUAGE")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.arg("--git-dir").arg(&self.dir);
        for setting in FIXED_CONFIG {
            cmd.args(["-c", setting]);
        }
        cmd.args(args);
        cmd
    }

    /// git set up to reach `remote` without ever prompting.
    /// Callers put `--end-of-options` before the remote, so a remote that
    /// looks like an option (`--upload-pack=…`) is only ever an address.
    fn network_command(&self) -> Result<Command> {
        let mut cmd = self.git_command(NETWORK_CONFIG.iter().flat_map(|s| ["-c", s]));
        if !self.user_chose_ssh_command()? {
            cmd.env("GIT_SSH_COMMAND", SSH_COMMAND);
        }
        Ok(cmd)
    }

    /// Whether the user picked an ssh command (GIT_SSH_COMMAND, GIT_SSH or
    /// core.sshCommand); theirs is kept, as it may name a key or a proxy.
    fn user_chose_ssh_command(&self) -> Result<bool> {
        let in_env = |name: &str| {
            std::env::var_os(name).is_some() || self.env.iter().any(|(k, _)| k == name)
        };
        if in_env("GIT_SSH_COMMAND") || in_env("GIT_SSH") {
            return Ok(true);
        }
        let out = self.output(
            self.git_command(["config", "--get", "core.sshCommand"]),
            None,
        )?;
        Ok(out.status.success())
    }

    /// Runs `cmd` to completion, feeding it `input` from another thread so a
    /// large input and a large output cannot block each other.
    fn output(&self, mut cmd: Command, input: Option<&[u8]>) -> Result<Output> {
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| self.spawn_error(&e))?;
        let stdin = child.stdin.take();
        std::thread::scope(move |s| {
            if let (Some(mut pipe), Some(bytes)) = (stdin, input) {
                // A failed write shows up as git's own failure.
                s.spawn(move || {
                    let _ = pipe.write_all(bytes);
                });
            }
            child.wait_with_output()
        })
        .map_err(|e| self.spawn_error(&e))
    }

    fn local_name(&self) -> String {
        format!("local repository {}", self.dir.display())
    }

    fn local_error(&self, what: &str, stderr: &[u8]) -> Error {
        Error::Sync {
            remote: self.local_name(),
            problem: format!(
                "git {what} failed: {}",
                first_message(&String::from_utf8_lossy(stderr))
            ),
        }
    }

    fn spawn_error(&self, e: &std::io::Error) -> Error {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            "the git program was not found; install git and make sure it is on PATH".to_string()
        } else {
            format!("could not run git: {e}")
        };
        Error::Sync {
            remote: self.local_name(),
            problem,
        }
    }
}

/// What `append_batch` was asked to add.
struct NewBatch<'a> {
    device: &'a str,
    device_json: &'a [u8],
    first_seq: u64,
    ops: &'a [u8],
    sig: &'a [u8],
    when_unix: i64,
}

enum Staged {
    /// The parent already holds this batch with the same bytes.
    AlreadyThere,
    Commit(String),
}

enum BatchError {
    Git(Error),
    /// git stopped answering; its stderr says why.
    Broken,
}

/// Reads `cat-file --batch` answers for `ids`, in order.
fn read_batch_output(r: &mut impl BufRead, ids: &[String]) -> Result<Vec<Vec<u8>>, BatchError> {
    let mut blobs = Vec::with_capacity(ids.len());
    let mut header = String::new();
    for id in ids {
        header.clear();
        if r.read_line(&mut header).map_err(|_| BatchError::Broken)? == 0 {
            return Err(BatchError::Broken);
        }
        // "<oid> <type> <size>" or "<name> missing"
        let mut parts = header.split_ascii_whitespace().skip(1);
        let (kind, size) = (parts.next(), parts.next());
        let size = match (kind, size) {
            (Some("blob"), Some(size)) => size.parse::<usize>().map_err(|_| BatchError::Broken)?,
            (Some("missing"), _) => {
                return Err(BatchError::Git(Error::NotFound {
                    what: "git object",
                    name: id.clone(),
                }))
            }
            (Some(kind), Some(_)) => {
                return Err(BatchError::Git(Error::Invalid(format!(
                    "git object {id} is a {kind}, not a blob"
                ))))
            }
            _ => return Err(BatchError::Broken),
        };
        let mut blob = vec![0; size];
        let mut newline = [0u8; 1];
        r.read_exact(&mut blob)
            .and_then(|()| r.read_exact(&mut newline))
            .map_err(|_| BatchError::Broken)?;
        blobs.push(blob);
    }
    Ok(blobs)
}

/// Parses `ls-tree -r -z` of a device commit: device.json and pairs of
/// batches/<12 digits>.jsonl and .sig, nothing else.
fn parse_tree(commit: &str, listing: &[u8]) -> Result<Listing> {
    let invalid = |what: String| {
        Error::Invalid(format!(
            "commit {commit} is not a Signet device chain: {what}"
        ))
    };
    let mut device_json = None;
    let mut ops = std::collections::BTreeMap::new();
    let mut sigs = std::collections::BTreeMap::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        // "<mode> <type> <oid>\t<path>"
        let Some((meta, path)) = entry.split_once('\t') else {
            return Err(invalid(format!("unreadable tree entry {entry:?}")));
        };
        let mut meta = meta.split(' ').skip(1);
        let (kind, oid) = (meta.next(), meta.next().unwrap_or_default());
        if kind != Some("blob") {
            return Err(invalid(format!("{path} is not a file")));
        }
        if path == "device.json" {
            device_json = Some(oid.to_string());
            continue;
        }
        let seq_file = path.strip_prefix("batches/").and_then(|name| {
            let (stem, ext) = name.split_once('.')?;
            let seq = stem.parse::<u64>().ok()?;
            // One spelling per seq, or two files could claim the same batch.
            (format!("{seq:012}") == stem).then_some((seq, ext))
        });
        match seq_file {
            Some((seq, "jsonl")) => ops.insert(seq, oid.to_string()),
            Some((seq, "sig")) => sigs.insert(seq, oid.to_string()),
            _ => return Err(invalid(format!("unexpected file {path}"))),
        };
    }
    let device_json = device_json.ok_or_else(|| invalid("no device.json".to_string()))?;
    let mut batches = Vec::with_capacity(ops.len());
    for (first_seq, ops_blob) in ops {
        let sig_blob = sigs
            .remove(&first_seq)
            .ok_or_else(|| invalid(format!("batch {first_seq:012} has no signature file")))?;
        batches.push(Batch {
            first_seq,
            ops_blob,
            sig_blob,
        });
    }
    if let Some(seq) = sigs.keys().next() {
        return Err(invalid(format!("signature {seq:012} has no batch file")));
    }
    Ok(Listing {
        device_json,
        batches,
    })
}

/// Reads `git push --porcelain` output; None if git reported no ref at all.
fn parse_push_porcelain(stdout: &str) -> Option<PushOutcome> {
    let mut outcome = PushOutcome::default();
    let mut any = false;
    for line in stdout.lines() {
        // "<flag>\t<from>:<to>\t<summary>"
        let mut fields = line.split('\t');
        let (Some(flag), Some(refs), Some(summary)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(device) = refs
            .split_once(':')
            .and_then(|(_, to)| to.strip_prefix(DEVICE_REFS))
        else {
            continue;
        };
        any = true;
        let device = device.to_string();
        match flag {
            " " | "*" | "+" => outcome.pushed.push(device),
            "=" => {}
            _ => outcome.rejected.push((device, push_reason(summary))),
        }
    }
    any.then_some(outcome)
}

/// "[rejected] (fetch first)" → "fetch first";
/// "[remote rejected] (hook declined)" → "remote rejected: hook declined".
fn push_reason(summary: &str) -> String {
    let (status, reason) = match summary.split_once(" (") {
        Some((status, reason)) => (status, reason.trim_end_matches(')')),
        None => (summary, ""),
    };
    let status = status.trim_matches(|c| c == '[' || c == ']');
    match (status, reason) {
        (_, "") => status.to_string(),
        ("rejected", reason) => reason.to_string(),
        (status, reason) => format!("{status}: {reason}"),
    }
}

/// The error for a failed fetch or push: what happened, in one line, and
/// what the user can do about it.
fn remote_error(remote: &str, op: &str, stderr: &[u8]) -> Error {
    Error::Sync {
        remote: remote.to_string(),
        problem: remote_problem(remote, op, &String::from_utf8_lossy(stderr)),
    }
}

fn remote_problem(remote: &str, op: &str, stderr: &str) -> String {
    let text = stderr.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    let detail = first_message(stderr);
    if has(&["dubious ownership"]) {
        return format!(
            "git refuses {remote} because another user owns it; if you trust it, run \
             `git config --global --add safe.directory <its path>` and sync again"
        );
    }
    if has(&[
        "does not appear to be a git repository",
        "not a git repository",
        "repository not found",
        // A path to a file: git reads it as a `.git` file pointing elsewhere.
        "invalid gitfile format",
    ]) || (text.contains("repository") && text.contains("not found"))
    {
        return format!(
            "no git repository at {remote}; check the address, or create one there with `git init --bare`"
        );
    }
    if has(&[
        "strange pathname",
        "strange hostname",
        "unable to find remote helper",
    ]) {
        return format!(
            "{remote} is not an address git can use ({detail}); give a folder path, \
             a file://, ssh:// or https:// URL, or user@host:path"
        );
    }
    if has(&[
        "host key verification failed",
        "remote host identification has changed",
    ]) {
        return "the server's ssh host key is unknown or has changed; connect once with ssh in a \
                terminal to check and accept it, then sync again"
            .to_string();
    }
    if has(&[
        "permission denied (publickey",
        "permission denied, please try again",
        "authentication failed",
        "terminal prompts disabled",
        "could not read username",
        "could not read password",
        "requested url returned error: 401",
        "requested url returned error: 403",
    ]) {
        return format!(
            "authentication failed ({detail}); load your ssh key (ssh-add) or store your \
             credentials with a git credential helper, then sync again"
        );
    }
    if has(&[
        "permission denied",
        "insufficient permission",
        "read-only file system",
    ]) {
        return format!("no permission to {op} there ({detail}); check the folder's permissions");
    }
    if has(&[
        "could not resolve host",
        "connection refused",
        "connection timed out",
        "timed out",
        "network is unreachable",
        "no route to host",
        "failed to connect",
        "couldn't connect",
        "connection reset",
        "connection closed",
        "operation too slow",
        "remote end hung up unexpectedly",
    ]) {
        return format!(
            "could not reach {remote} ({detail}); check the address and the network connection, \
             then sync again"
        );
    }
    format!("git {op} failed: {detail}")
}

/// The line of git's stderr that says what went wrong, without "fatal: ".
fn first_message(stderr: &str) -> String {
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:") || l.starts_with("ssh:"))
        .or_else(|| lines().next())
        .unwrap_or("no message from git");
    line.trim_start_matches("fatal:")
        .trim_start_matches("error:")
        .trim()
        .to_string()
}

/// Whether an inherited variable is kept from git (see INHERITED_GIT_VARS).
fn must_strip(key: &std::ffi::OsStr) -> bool {
    key.to_str()
        .is_some_and(|k| k.starts_with("GIT_") && !INHERITED_GIT_VARS.contains(&k))
}

fn stdout_line(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout).trim().to_string()
}

fn device_ref(device: &str) -> String {
    format!("{DEVICE_REFS}{device}")
}

/// One namespace per remote spelling, so two remotes never overwrite each
/// other's fetched chains.
fn fetched_namespace(remote: &str) -> String {
    let digest = Sha256::digest(remote.as_bytes());
    format!(
        "{FETCHED_REFS}{}/devices/",
        crate::hex::encode(&digest[..8])
    )
}

fn check_device(device: &str) -> Result<()> {
    let ok = device.len() == 16
        && device
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "device id '{device}' is not 16 lower-case hex characters"
        )))
    }
}

/// Object ids only (SHA-1 or SHA-256 hex): anything else would be read by
/// git as a revision expression, or desynchronise `cat-file --batch`.
fn check_oid(id: &str) -> Result<()> {
    let ok =
        matches!(id.len(), 40 | 64) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!("'{id}' is not a git object id")))
    }
}

#[cfg(test)]
mod tests;
