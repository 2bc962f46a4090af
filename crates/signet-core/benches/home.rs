//! The home screen and "my items" on a big library: 1000 releases of one
//! 500-item checklist (500k item states), each run starting from a table
//! whose Owner and Status cells spread 40 owners, some done, some blocked.
//! Target (issue 14): both stay interactive (< 100 ms).

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use signet_core::import::{import_bytes, ImportOptions};
use signet_core::store::Store;

const RELEASES: usize = 1000;
const ITEMS: usize = 500;
const OWNERS: usize = 40;

/// A checklist of `ITEMS` table rows; row k is owned by one of `OWNERS`
/// people (every third row by nobody), every seventh is done, every
/// twenty-fifth blocked.
fn checklist() -> String {
    let mut s = String::from("# Big\n");
    for section in 0..ITEMS / 50 {
        s.push_str(&format!(
            "\n## Part {section}\n\n| Check | Owner | Status |\n|---|---|---|\n"
        ));
        for k in 0..50 {
            let n = section * 50 + k;
            let owner = if n % 3 == 0 {
                String::new()
            } else {
                format!("owner{}", n % OWNERS)
            };
            // 7 and 25 are prime to 40: every owner has open, done and blocked items.
            let status = if n % 7 == 0 {
                "done"
            } else if n % 25 == 1 {
                "blocked"
            } else {
                ""
            };
            s.push_str(&format!("| Check number {n} | {owner} | {status} |\n"));
        }
    }
    s
}

fn library() -> Store {
    let started = Instant::now();
    let imp = import_bytes(
        "big.md",
        checklist().into_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(imp.report.items, ITEMS);
    let mut store = Store::open_in_memory().unwrap();
    store.import(&imp, "bench").unwrap();
    for p in 0..OWNERS {
        store
            .add_person(
                &format!("Owner {p}"),
                None,
                Some(&format!("owner{p}")),
                "bench",
            )
            .unwrap();
    }
    for r in 0..RELEASES {
        let name = format!("r{r:04}");
        let due = format!("2026-{:02}-{:02}", 1 + r % 12, 1 + r % 28);
        store.create_release(&name, Some(&due), "bench").unwrap();
        store.add_run(&name, "big", false, "bench").unwrap();
    }
    eprintln!(
        "home bench: {RELEASES} releases × {ITEMS} items built in {:.1?}",
        started.elapsed()
    );
    store
}

fn benches(c: &mut Criterion) {
    let store = library();
    let home = store.home(Some("2026-06-15"), 200).unwrap();
    assert_eq!(home.releases.len(), RELEASES);
    eprintln!(
        "home bench: {} blocked, {} owners",
        home.blocked.total,
        home.owners.len()
    );
    assert!(home.blocked.total > 0);
    assert_eq!(home.owners.len(), OWNERS);
    let mine = store
        .owned_items("owner7", Some("2026-06-15"), 200)
        .unwrap();
    assert!(mine.total > 1000, "{}", mine.total);
    eprintln!(
        "home bench: {} blocked, owner7 holds {} open items",
        home.blocked.total, mine.total
    );

    let mut g = c.benchmark_group("home");
    g.sample_size(20);
    g.bench_function("home_1000x500", |b| {
        b.iter(|| black_box(store.home(Some("2026-06-15"), 200).unwrap()))
    });
    g.bench_function("my_items_1000x500", |b| {
        b.iter(|| {
            black_box(
                store
                    .owned_items("Owner 7", Some("2026-06-15"), 200)
                    .unwrap(),
            )
        })
    });
    g.bench_function("releases_1000x500", |b| {
        b.iter(|| black_box(store.releases().unwrap()))
    });
    g.finish();
}

criterion_group!(home, benches);
criterion_main!(home);
