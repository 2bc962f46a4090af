//! The big library of issue 14 §5, shared by `benches/home.rs` (in memory)
//! and `examples/big_library.rs` (a database file for timing the CLI): 1000
//! releases of one 500-item checklist (500k item states), each run starting
//! from a table whose Owner and Status cells spread 40 owners, some items
//! done, some blocked.

use signet_core::import::{import_bytes, ImportOptions};
use signet_core::store::Store;

pub const RELEASES: usize = 1000;
pub const ITEMS: usize = 500;
pub const OWNERS: usize = 40;
/// The day the figures are taken on: about half the releases overdue.
pub const TODAY: &str = "2026-06-15";

/// A checklist of `ITEMS` table rows; row k is owned by one of `OWNERS`
/// people (every third row by nobody), every seventh is done, every
/// twenty-fifth blocked.
pub fn checklist() -> String {
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

/// The name of release `r` (`r0000`…): the middle one is what the
/// release-open and filter figures open.
pub fn release_name(r: usize) -> String {
    format!("r{r:04}")
}

/// Fills an empty store with the library: the template `big`, the owners
/// as registered people (`owner7` is "Owner 7"), and the releases, due
/// across a year.
pub fn fill(store: &mut Store) -> signet_core::Result<()> {
    let imp = import_bytes(
        "big.md",
        checklist().into_bytes(),
        &ImportOptions::default(),
    )?;
    assert_eq!(imp.report.items, ITEMS);
    store.import(&imp, "bench")?;
    for p in 0..OWNERS {
        store.add_person(
            &format!("Owner {p}"),
            None,
            Some(&format!("owner{p}")),
            "bench",
        )?;
    }
    for r in 0..RELEASES {
        let name = release_name(r);
        let due = format!("2026-{:02}-{:02}", 1 + r % 12, 1 + r % 28);
        store.create_release(&name, Some(&due), "bench")?;
        store.add_run(&name, "big", false, "bench")?;
    }
    Ok(())
}
