//! Import, store, show and export on generated checklists of 1k, 10k and 100k
//! items, beside the floor they are measured against: a bare pulldown-cmark
//! pass plus a bare prepared-statement bulk insert of the same rows.
//!
//! `cargo bench -p signet-core` (figures in the closing notes of issues).
//! The whole process beside the limit, side by side: scripts/bench-import.sh.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use pulldown_cmark::{Options, Parser};
use rusqlite::{params, Connection};
use signet_core::import::{import_bytes, sample::generate, ImportOptions};
use signet_core::store::Store;

fn bare_parse(text: &str) -> usize {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    Parser::new_ext(text, opts).into_offset_iter().count()
}

/// Inserts the rows with one prepared statement in one transaction; with
/// `constraints`, into a table with the same UNIQUE indexes as ours.
fn bare_insert(rows: &[(String, String, String)], constraints: bool) {
    let mut conn = Connection::open_in_memory().unwrap();
    let extra = if constraints {
        ", UNIQUE (template_id, key), UNIQUE (template_id, number)"
    } else {
        ""
    };
    conn.execute_batch(&format!(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, template_id INTEGER, section_id INTEGER, parent_id INTEGER,
         position INTEGER, depth INTEGER, number TEXT, key TEXT, title TEXT, plain TEXT, detail TEXT, fields TEXT,
         initially_checked INTEGER, line INTEGER{extra})"
    ))
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO item (template_id, section_id, parent_id, position, depth, number, key, title, plain,
                 detail, fields, initially_checked, line) VALUES (1, 1, NULL, ?1, 0, ?2, ?3, ?4, ?4, '', '[]', 0, ?1)",
            )
            .unwrap();
        for (i, (number, key, title)) in rows.iter().enumerate() {
            stmt.execute(params![i as i64, number, key, title]).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn imported_store(text: &str) -> Store {
    let imp = import_bytes(
        "bench.md",
        text.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import(&imp, "bench").unwrap();
    store.create_release("r", None, "bench").unwrap();
    store.add_run("r", "bench", false, "bench").unwrap();
    store
}

fn import_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let text = generate(n);
        g.throughput(Throughput::Bytes(text.len() as u64));
        // The same rows our import stores: numbers, keys and titles.
        let imp = import_bytes(
            "bench.md",
            text.as_bytes().to_vec(),
            &ImportOptions::default(),
        )
        .unwrap();
        let rows: Vec<(String, String, String)> = imp
            .checklist
            .walk_items()
            .iter()
            .map(|(_, i)| (i.number.clone(), i.key.clone(), i.title.clone()))
            .collect();
        g.bench_with_input(BenchmarkId::new("bare_pulldown", n), &text, |b, t| {
            b.iter(|| bare_parse(black_box(t)))
        });
        g.bench_with_input(
            BenchmarkId::new("bare_pulldown_plus_insert", n),
            &text,
            |b, t| {
                b.iter(|| {
                    bare_parse(black_box(t));
                    bare_insert(&rows, false);
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("bare_pulldown_plus_insert_same_indexes", n),
            &text,
            |b, t| {
                b.iter(|| {
                    bare_parse(black_box(t));
                    bare_insert(&rows, true);
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("parse", n), &text, |b, t| {
            b.iter(|| {
                import_bytes(
                    "bench.md",
                    black_box(t).as_bytes().to_vec(),
                    &ImportOptions::default(),
                )
                .unwrap()
            })
        });
        // What `signet import` does to a new database file: create and
        // migrate it, store in one durable transaction, move it to WAL.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fresh.db");
        g.bench_with_input(BenchmarkId::new("store_fresh_file", n), &imp, |b, imp| {
            b.iter_batched(
                || {
                    for suffix in ["", "-wal", "-shm", "-journal"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                    }
                },
                |()| {
                    let mut store = Store::open(&path).unwrap();
                    store.import(black_box(imp), "bench").unwrap();
                },
                BatchSize::PerIteration,
            )
        });
        // `signet import` into a database that does not exist: the schema
        // is made on another thread while the file parses.
        g.bench_with_input(
            BenchmarkId::new("parse_and_store_new_file", n),
            &text,
            |b, t| {
                b.iter_batched(
                    || {
                        for suffix in ["", "-wal", "-shm", "-journal"] {
                            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                        }
                    },
                    |()| {
                        let creating = Store::begin_create(&path);
                        let imp = import_bytes(
                            "bench.md",
                            black_box(t).as_bytes().to_vec(),
                            &ImportOptions::default(),
                        )
                        .unwrap();
                        let mut store = creating.open().unwrap();
                        store.import(&imp, "bench").unwrap();
                    },
                    BatchSize::PerIteration,
                )
            },
        );
        g.bench_with_input(BenchmarkId::new("parse_and_store", n), &text, |b, t| {
            b.iter(|| {
                let imp = import_bytes(
                    "bench.md",
                    black_box(t).as_bytes().to_vec(),
                    &ImportOptions::default(),
                )
                .unwrap();
                let mut store = Store::open_in_memory().unwrap();
                store.import(&imp, "bench").unwrap();
            })
        });
    }
    g.finish();
}

fn query_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("release");
    g.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let store = imported_store(&generate(n));
        g.bench_function(BenchmarkId::new("show", n), |b| {
            b.iter(|| store.release_view("r").unwrap())
        });
        // The desktop app's first screen.
        g.bench_function(BenchmarkId::new("show_first_80", n), |b| {
            b.iter(|| store.release_view_first("r", 80).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, import_benches, query_benches);
criterion_main!(benches);
