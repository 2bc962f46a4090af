//! Every screen and query of a big library (issue 14 §5: each under 10 ms):
//! 1000 releases of one 500-item checklist (500k item states), 40 owners
//! (`support/library.rs`). Home, the list of releases, "my items", opening
//! a release (the app's first screen, and the whole of it, rendered as the
//! app's command renders them) and filtering one (by owner, status and
//! text, as `signet show` and the app's release page filter: over the
//! loaded release).

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use signet_core::model::{ReleaseView, Status};
use signet_core::owners::Owners;
use signet_core::render;
use signet_core::store::Store;

#[path = "support/library.rs"]
mod library;

use library::{release_name, OWNERS, RELEASES, TODAY};

/// The items of `view` a filter keeps: `owner` under any spelling,
/// unfinished, `text` in the title (what `signet show --owner --status`
/// and the app's filter bar ask).
fn filtered(view: &ReleaseView, owners: &Owners, owner: &str, text: &str) -> usize {
    let owner = owners.wanted(owner);
    view.runs
        .iter()
        .flat_map(|run| run.walk_items())
        .filter(|i| matches!(i.status, Status::Open | Status::Blocked))
        .filter(|i| i.owner.as_deref().is_some_and(|o| owner.owns(o)))
        .filter(|i| i.plain.to_lowercase().contains(text))
        .count()
}

fn benches(c: &mut Criterion) {
    let started = Instant::now();
    let mut store = Store::open_in_memory().unwrap();
    library::fill(&mut store).unwrap();
    eprintln!(
        "home bench: {RELEASES} releases × {} items built in {:.1?}",
        library::ITEMS,
        started.elapsed()
    );
    let store = store;
    let home = store.home(Some(TODAY), 200).unwrap();
    assert_eq!(home.releases.len(), RELEASES);
    assert!(home.blocked.total > 0);
    assert_eq!(home.owners.len(), OWNERS);
    let mine = store.owned_items("owner7", Some(TODAY), 200).unwrap();
    assert!(mine.total > 1000, "{}", mine.total);
    let middle = release_name(RELEASES / 2);
    let owners = store.owners().unwrap();
    let view = store.release_view(&middle).unwrap();
    let kept = filtered(&view, &owners, "Owner 7", "check");
    assert!(kept > 0 && kept < library::ITEMS, "{kept}");
    eprintln!(
        "home bench: {} blocked, owner7 holds {} open items, {kept} of them in {middle}",
        home.blocked.total, mine.total
    );

    let mut g = c.benchmark_group("home");
    g.sample_size(20);
    g.bench_function("home_1000x500", |b| {
        b.iter(|| black_box(store.home(Some(TODAY), 200).unwrap()))
    });
    g.bench_function("my_items_1000x500", |b| {
        b.iter(|| black_box(store.owned_items("Owner 7", Some(TODAY), 200).unwrap()))
    });
    g.bench_function("releases_1000x500", |b| {
        b.iter(|| black_box(store.releases().unwrap()))
    });
    // As the app's command opens a release: loaded, then its markdown
    // rendered for the page.
    g.bench_function("release_first_1000x500", |b| {
        b.iter(|| {
            let mut view = store.release_view_first(&middle, 80).unwrap();
            render::decorate(&mut view);
            black_box(view)
        })
    });
    g.bench_function("release_open_1000x500", |b| {
        b.iter(|| {
            let mut view = store.release_view(&middle).unwrap();
            render::decorate(&mut view);
            black_box(view)
        })
    });
    g.bench_function("filter_1000x500", |b| {
        b.iter(|| {
            let view = store.release_view(&middle).unwrap();
            let owners = store.owners().unwrap();
            black_box(filtered(&view, &owners, "Owner 7", "check"))
        })
    });
    g.finish();
}

criterion_group!(home, benches);
criterion_main!(home);
