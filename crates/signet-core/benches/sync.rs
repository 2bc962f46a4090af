//! Sync speed over a bare repository on disk (issue 11 targets): a fresh
//! database receiving 10 000 changes < 2 s; an incremental sync bringing a
//! few changes < 200 ms plus network time (here: none, the remote is local).

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use signet_core::import::{import_bytes, sample::generate, ImportOptions};
use signet_core::model::{Status, Tick};
use signet_core::seal::SigningKey;
use signet_core::store::Store;
use signet_core::sync;

struct Side {
    store: Store,
    dir: PathBuf,
}

impl Side {
    fn sync(&mut self, remote: &Path) -> sync::Outcome {
        let db = self.dir.join("s.db");
        sync::sync(
            &mut self.store,
            &self.dir.join("cfg"),
            &sync::repo_dir(&db),
            remote.to_str().unwrap(),
        )
        .unwrap()
    }
}

/// Ana's replica with `changes` ticks published to a new bare remote.
fn published(root: &Path, changes: usize) -> (Side, PathBuf) {
    let remote = root.join("remote.git");
    assert!(Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap()
        .success());
    let dir = root.join("ana");
    std::fs::create_dir_all(&dir).unwrap();
    let mut store = Store::open(&dir.join("s.db")).unwrap();
    let imp = import_bytes(
        "bench.md",
        generate(500).into_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    store.create_release("r", None, "ana").unwrap();
    store.add_run("r", "bench", false, "ana").unwrap();
    store.add_person("ana", None, Some("ana"), "ana").unwrap();
    let key = SigningKey::generate().unwrap();
    store
        .set_public_key("ana", &key.public_key(), "ana")
        .unwrap();
    sync::join(&mut store, &dir.join("cfg"), "ana", &key).unwrap();
    let view = store.release_view("r").unwrap();
    let numbers: Vec<String> = view.runs[0]
        .walk_items()
        .into_iter()
        .map(|i| i.number.clone())
        .collect();
    for i in 0..changes {
        let t = Tick {
            status: Some(if (i / numbers.len()).is_multiple_of(2) {
                Status::Done
            } else {
                Status::Open
            }),
            note: Some(format!("note {i}")),
            ..Default::default()
        };
        store
            .tick("r", &numbers[i % numbers.len()], &t, "ana")
            .unwrap();
    }
    let mut ana = Side { store, dir };
    ana.sync(&remote);
    (ana, remote)
}

fn receiver(root: &Path, name: &str) -> Side {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    Side {
        store: Store::open(&dir.join("s.db")).unwrap(),
        dir,
    }
}

fn bench_sync(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let (mut ana, remote) = published(root.path(), 10_000);
    let mut g = c.benchmark_group("sync");
    g.sample_size(10);
    let mut n = 0;
    g.bench_function("fresh database receives 10k changes", |b| {
        b.iter_batched(
            || {
                n += 1;
                receiver(root.path(), &format!("fresh{n}"))
            },
            |mut side| {
                let out = side.sync(&remote);
                assert!(out.received >= 10_000);
            },
            BatchSize::PerIteration,
        )
    });
    let mut bo = receiver(root.path(), "bo");
    bo.sync(&remote);
    let mut i = 0;
    g.bench_function("incremental sync of 3 changes", |b| {
        b.iter_batched(
            || {
                for _ in 0..3 {
                    i += 1;
                    let t = Tick {
                        note: Some(format!("later {i}")),
                        ..Default::default()
                    };
                    ana.store.tick("r", "1.1", &t, "ana").unwrap();
                }
                ana.sync(&remote);
            },
            |()| {
                let out = bo.sync(&remote);
                assert_eq!(out.received, 3);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_sync);
criterion_main!(benches);
