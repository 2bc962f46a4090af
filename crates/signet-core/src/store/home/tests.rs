//! The home screen and "my items" across releases.

use crate::import::{import_bytes, ImportOptions};
use crate::model::{Status, Tick};
use crate::store::{SignoffRequest, Store};

const CHECKS: &str = "# Checks\n\n## One\n\n- [ ] Alpha\n- [ ] Beta\n- [ ] Gamma\n- [ ] Delta\n";

fn store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes(
        "checks.md",
        CHECKS.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    store
        .add_person("Ana Ruiz", Some("ana@example.com"), None, "ana")
        .unwrap();
    store.add_person("Bo Li", None, None, "ana").unwrap();
    for (name, due) in [
        ("late", Some("2026-03-01")),
        ("soon", Some("2026-03-20")),
        ("someday", None),
        ("done", Some("2026-01-01")),
    ] {
        store.create_release(name, due, "ana").unwrap();
        store.add_run(name, "checks", false, "ana").unwrap();
    }
    store
}

fn set(store: &mut Store, release: &str, item: &str, tick: Tick) {
    store.tick(release, item, &tick, "ana").unwrap();
}

fn owner(who: &str) -> Tick {
    Tick {
        owner: Some(who.into()),
        ..Default::default()
    }
}

fn status(s: Status, reason: Option<&str>) -> Tick {
    Tick {
        status: Some(s),
        reason: reason.map(Into::into),
        ..Default::default()
    }
}

fn sign_off(store: &mut Store, release: &str) {
    let key = crate::seal::SigningKey::generate().unwrap();
    store
        .set_public_key("ana", &key.public_key(), "ana")
        .unwrap();
    let req = SignoffRequest {
        release,
        person: "ana",
        role: "Lead",
        override_reason: Some("accepted"),
        actor: "ana",
    };
    store.sign_off(&req, &key).unwrap();
}

#[test]
fn home_lists_releases_in_work_by_due_date_with_overdue_and_blocked() {
    let mut s = store();
    set(
        &mut s,
        "soon",
        "1.2",
        status(Status::Blocked, Some("waiting on legal")),
    );
    set(
        &mut s,
        "late",
        "1.4",
        status(Status::Blocked, Some("no staging")),
    );
    set(&mut s, "late", "1.1", status(Status::Done, None));
    set(&mut s, "done", "1.3", status(Status::Blocked, Some("old")));
    sign_off(&mut s, "done");

    let home = s.home(Some("2026-03-10"), 10).unwrap();
    assert_eq!(home.today, "2026-03-10");
    let rows: Vec<(&str, Option<i64>, bool, usize)> = home
        .releases
        .iter()
        .map(|r| {
            (
                r.summary.release.name.as_str(),
                r.days_left,
                r.overdue,
                r.summary.progress.blocked,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("late", Some(-9), true, 1),
            ("soon", Some(10), false, 1),
            ("someday", None, false, 0)
        ]
    );
    assert_eq!(home.releases[0].summary.progress.done, 1);
    assert_eq!(home.signed_off, 1);
    // Blocked items of releases in work only, soonest due first.
    let blocked: Vec<(&str, &str, Option<&str>, bool)> = home
        .blocked
        .items
        .iter()
        .map(|i| {
            (
                i.release.as_str(),
                i.number.as_str(),
                i.reason.as_deref(),
                i.overdue,
            )
        })
        .collect();
    assert_eq!(
        blocked,
        [
            ("late", "1.4", Some("no staging"), true),
            ("soon", "1.2", Some("waiting on legal"), false)
        ]
    );
    assert_eq!(home.blocked.total, 2);
    assert_eq!(
        s.home(Some("2026-03-10"), 1).unwrap().blocked,
        crate::store::OpenItems {
            total: 2,
            items: home.blocked.items[..1].to_vec()
        }
    );
    assert!(s
        .home(Some("tomorrow"), 10)
        .unwrap_err()
        .to_string()
        .contains("'tomorrow' is not a date"));
}

#[test]
fn my_items_are_every_spelling_of_me_across_releases_open_or_blocked() {
    let mut s = store();
    set(&mut s, "soon", "1.1", owner("ana"));
    set(&mut s, "late", "1.3", owner("Ana Ruiz"));
    set(&mut s, "someday", "1.2", owner("ANA@example.com"));
    set(&mut s, "late", "1.2", owner("bo"));
    set(&mut s, "soon", "1.4", owner("QA team"));
    // Closed items and signed-off releases hold nothing left to do.
    set(&mut s, "soon", "1.2", owner("ana"));
    set(&mut s, "soon", "1.2", status(Status::Done, None));
    set(&mut s, "late", "1.4", owner("ana"));
    set(
        &mut s,
        "late",
        "1.4",
        status(Status::Blocked, Some("no staging")),
    );
    set(&mut s, "done", "1.1", owner("ana"));
    sign_off(&mut s, "done");

    let mine = s.owned_items("ana", Some("2026-03-10"), 50).unwrap();
    let got: Vec<(&str, &str, Status, Option<&str>)> = mine
        .items
        .iter()
        .map(|i| {
            (
                i.release.as_str(),
                i.number.as_str(),
                i.status,
                i.owner.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("late", "1.3", Status::Open, Some("Ana Ruiz")),
            ("late", "1.4", Status::Blocked, Some("ana")),
            ("soon", "1.1", Status::Open, Some("ana")),
            ("someday", "1.2", Status::Open, Some("ANA@example.com")),
        ]
    );
    assert_eq!(mine.total, 4);
    // Each spelling is shown as the person it names.
    assert!(mine
        .items
        .iter()
        .all(|i| i.owner_name.as_deref() == Some("Ana Ruiz")));
    let team = s.owned_items("QA team", None, 50).unwrap();
    assert_eq!(
        team.items[0].owner_name, None,
        "a team is nobody registered"
    );
    assert_eq!(
        (
            mine.items[0].template.as_str(),
            mine.items[0].plain.as_str()
        ),
        ("checks", "Gamma")
    );
    // Asked by name, the same person.
    assert_eq!(s.owned_items("Ana Ruiz", None, 50).unwrap().total, 4);
    assert_eq!(s.owned_items("ana", None, 2).unwrap().items.len(), 2);
    assert_eq!(
        s.owned_items("qa TEAM", None, 50).unwrap().items[0].number,
        "1.4"
    );
    assert_eq!(s.owned_items("nobody", None, 50).unwrap().total, 0);

    let owners: Vec<(String, String, bool)> = s
        .home(None, 10)
        .unwrap()
        .owners
        .into_iter()
        .map(|o| (o.owner, o.name, o.person))
        .collect();
    assert_eq!(
        owners,
        [
            ("ana".into(), "Ana Ruiz".into(), true),
            ("bo".into(), "Bo Li".into(), true),
            ("QA team".into(), "QA team".into(), false),
        ]
    );
    // `signet home` asks both at once and gets the same answers.
    let (home, owned) = s
        .home_and_owned("Ana Ruiz", Some("2026-03-10"), 50)
        .unwrap();
    assert_eq!(home, s.home(Some("2026-03-10"), 50).unwrap());
    assert_eq!(owned, mine);
}

#[test]
fn the_home_queries_use_their_indexes() {
    let s = store();
    let plan = |sql: &str| -> String {
        let mut stmt = s
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
    };
    // "My items": how many each run holds, from the index alone and in
    // its order, with no sort. (The lists read each run through an index
    // they name: INDEXED BY fails to prepare, and every home test with it,
    // when it cannot be used.)
    let owned = plan("SELECT st.run_id, COUNT(*) FROM item_state st WHERE st.owner = 'a' AND st.status IN ('open', 'blocked') GROUP BY st.run_id");
    assert!(
        owned.contains("COVERING INDEX item_state_unfinished_owner_run")
            && !owned.contains("TEMP B-TREE"),
        "{owned}"
    );
    let first = plan("SELECT MIN(st.owner) FROM item_state st WHERE st.status IN ('open', 'blocked') AND st.owner > 'a'");
    assert!(first.contains("item_state_unfinished_owner_run"), "{first}");
    // The releases and their runs in home order: runs and their counts are
    // looked up per release, never scanned.
    let runs = plan(
        "SELECT rl.id, r.id, p.blocked FROM release rl LEFT JOIN run r ON r.release_id = rl.id
         LEFT JOIN run_progress p ON p.run_id = r.id ORDER BY rl.due_date IS NULL, rl.due_date, rl.name, r.position",
    );
    assert!(
        runs.contains("SEARCH r USING") && runs.contains("SEARCH p USING"),
        "{runs}"
    );
}

#[test]
fn the_kept_progress_counts_follow_ticks_upgrades_and_new_runs() {
    let mut s = store();
    set(
        &mut s,
        "soon",
        "1.2",
        status(Status::Blocked, Some("legal")),
    );
    set(&mut s, "soon", "1.2", status(Status::Done, None));
    set(
        &mut s,
        "soon",
        "1.3",
        status(Status::NotApplicable, Some("no")),
    );
    set(
        &mut s,
        "late",
        "1.4",
        status(Status::Blocked, Some("staging")),
    );
    // A new version drops an item (its state row goes) and adds two.
    let v2 = CHECKS.replace("- [ ] Delta\n", "- [x] Epsilon\n- [ ] Zeta\n");
    let imp = import_bytes("checks.md", v2.into_bytes(), &ImportOptions::default()).unwrap();
    s.import(&imp, "ana").unwrap();
    s.upgrade_run("late", "checks", "ana").unwrap();
    sign_off(&mut s, "done");
    for r in s.releases().unwrap() {
        let counted = s.release_view(&r.release.name).unwrap().progress;
        assert_eq!(r.progress, counted, "{}", r.release.name);
    }
    let late = s.release("late").map(|r| r.name).unwrap();
    let p = s
        .releases()
        .unwrap()
        .into_iter()
        .find(|r| r.release.name == late)
        .unwrap()
        .progress;
    assert_eq!(
        (p.total, p.done, p.blocked, p.open),
        (5, 1, 0, 4),
        "Delta (blocked) removed, Epsilon starts done"
    );
}

#[test]
fn migration_0009_counts_the_progress_of_runs_made_before_it() {
    let mut s = store();
    set(&mut s, "soon", "1.2", status(Status::Done, None));
    set(&mut s, "late", "1.1", status(Status::Blocked, Some("x")));
    let before = s.releases().unwrap();
    s.conn
        .execute_batch(
            "DROP TABLE template_archive; DROP TABLE run_progress; DROP TRIGGER item_state_progress_insert;
             DROP TRIGGER item_state_progress_delete; DROP TRIGGER item_state_progress_update;
             DROP INDEX item_state_unfinished_owner_run; DROP INDEX item_state_blocked; PRAGMA user_version = 8;",
        )
        .unwrap();
    crate::store::migrate(&mut s.conn).unwrap();
    assert_eq!(s.releases().unwrap(), before);
    assert_eq!(
        before
            .iter()
            .find(|r| r.release.name == "late")
            .unwrap()
            .progress
            .blocked,
        1
    );
}

#[test]
fn one_releases_kept_progress_is_what_the_list_says() {
    let mut s = store();
    set(&mut s, "soon", "1.2", status(Status::Done, None));
    set(&mut s, "soon", "1.3", status(Status::Blocked, Some("x")));
    s.create_release("empty", None, "ana").unwrap();
    for r in s.releases().unwrap() {
        assert_eq!(
            super::super::releases::progress(s.conn(), r.release.id).unwrap(),
            r.progress,
            "{}",
            r.release.name
        );
    }
    let empty = s.release("empty").unwrap();
    assert_eq!(
        super::super::releases::progress(s.conn(), empty.id)
            .unwrap()
            .total,
        0
    );
}

/// The blocked items and one owner's items as one query sorting every
/// match would list them: (release, template, number), soonest due release
/// first, then by name, run and item order; releases in work only.
fn sorted_from_scratch(s: &Store, filter: &str) -> Vec<(String, String, String)> {
    let mut stmt = s
        .conn()
        .prepare(&format!(
            "SELECT rl.name, t.slug, i.number FROM item_state st
             JOIN run r ON r.id = st.run_id JOIN release rl ON rl.id = r.release_id
             JOIN template t ON t.id = r.template_id JOIN item i ON i.id = st.item_id
             WHERE {filter} AND rl.status <> 'signed_off'
             ORDER BY rl.due_date IS NULL, rl.due_date, rl.name, r.position, i.position"
        ))
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn listed(items: &crate::store::OpenItems) -> Vec<(String, String, String)> {
    items
        .items
        .iter()
        .map(|i| (i.release.clone(), i.template.clone(), i.number.clone()))
        .collect()
}

#[test]
fn the_capped_lists_are_the_first_rows_of_every_match_in_home_order() {
    let mut s = store();
    // A second checklist, so releases hold two runs; releases due the same
    // day, and one without any run.
    let ops = "# Ops\n\n## Deploy\n\n- [ ] Canary\n- [ ] Rollback\n- [ ] Pager\n";
    let imp = import_bytes("ops.md", ops.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    s.import(&imp, "ana").unwrap();
    for (name, due) in [("twin-b", "2026-03-20"), ("twin-a", "2026-03-20")] {
        s.create_release(name, Some(due), "ana").unwrap();
        s.add_run(name, "ops", false, "ana").unwrap();
        s.add_run(name, "checks", false, "ana").unwrap();
    }
    s.create_release("bare", Some("2026-01-02"), "ana").unwrap();
    s.add_run("someday", "ops", false, "ana").unwrap();
    let spread = [
        ("late", "checks", "1.4"),
        ("late", "checks", "1.1"),
        ("soon", "checks", "1.3"),
        ("someday", "ops", "1.2"),
        ("someday", "checks", "1.1"),
        ("twin-a", "ops", "1.3"),
        ("twin-a", "checks", "1.2"),
        ("twin-b", "ops", "1.1"),
        ("done", "checks", "1.2"),
    ];
    for (n, (release, template, number)) in spread.into_iter().enumerate() {
        let item = format!("{template}:{number}");
        set(
            &mut s,
            release,
            &item,
            owner(["ana", "Ana Ruiz", "bo"][n % 3]),
        );
        if n % 2 == 0 {
            set(
                &mut s,
                release,
                &item,
                status(Status::Blocked, Some("wait")),
            );
        }
    }
    set(&mut s, "twin-b", "checks:1.4", owner("ANA@example.com"));
    set(&mut s, "soon", "checks:1.2", owner("ana"));
    set(&mut s, "soon", "checks:1.2", status(Status::Done, None));
    sign_off(&mut s, "done");

    let blocked = sorted_from_scratch(&s, "st.status = 'blocked'");
    let mine = sorted_from_scratch(
        &s,
        "st.status IN ('open', 'blocked') AND st.owner IN ('ana', 'Ana Ruiz', 'ANA@example.com')",
    );
    assert_eq!((blocked.len(), mine.len()), (4, 7), "{blocked:?} {mine:?}");
    for limit in 0..=mine.len() + 1 {
        let home = s.home(Some("2026-03-10"), limit).unwrap();
        assert_eq!(home.blocked.total, blocked.len());
        assert_eq!(listed(&home.blocked), blocked[..limit.min(blocked.len())]);
        let owned = s.owned_items("ana", Some("2026-03-10"), limit).unwrap();
        assert_eq!(owned.total, mine.len());
        assert_eq!(
            listed(&owned),
            mine[..limit.min(mine.len())],
            "limit {limit}"
        );
    }
}

#[test]
fn the_kept_counts_are_a_recount_after_every_kind_of_write() {
    let mut s = store();
    let recount = |s: &Store, what: &str| {
        let drifts = crate::store::releases::progress_drifts(s.conn()).unwrap();
        assert!(drifts.is_empty(), "after {what}: {drifts:?}");
    };
    recount(&s, "new runs");
    set(
        &mut s,
        "soon",
        "1.2",
        status(Status::Blocked, Some("legal")),
    );
    set(
        &mut s,
        "soon",
        "1.2",
        status(Status::NotApplicable, Some("no")),
    );
    set(&mut s, "soon", "1.3", owner("bo"));
    recount(&s, "ticks");
    let v2 = CHECKS.replace("- [ ] Delta\n", "- [x] Epsilon\n- [ ] Zeta\n");
    let imp = import_bytes("checks.md", v2.into_bytes(), &ImportOptions::default()).unwrap();
    s.import(&imp, "ana").unwrap();
    s.upgrade_run("late", "checks", "ana").unwrap();
    recount(&s, "an upgrade");
    s.create_release("fresh", None, "ana").unwrap();
    s.add_run("fresh", "checks", true, "ana").unwrap();
    recount(&s, "a fresh run");
    sign_off(&mut s, "soon");
    s.reopen("soon", "more work", "ana").unwrap();
    set(&mut s, "soon", "1.2", status(Status::Open, None));
    recount(&s, "sign-off, reopen and a tick after");
    assert!(s.doctor().unwrap().ok);
    // A count changed behind Signet's back is the doctor's finding.
    s.conn()
        .execute(
            "UPDATE run_progress SET blocked = blocked + 1 WHERE run_id = 1",
            [],
        )
        .unwrap();
    let health = s.doctor().unwrap();
    assert_eq!(health.failed(), ["kept counts"], "{health:#?}");
    assert!(
        health.failures().contains("run 1: kept"),
        "{}",
        health.failures()
    );
}
