//! The library: archiving, reading a template, its versions, repair.

use crate::import::{import_bytes, ImportOptions};
use crate::matching::MatchKind;
use crate::model::{ImportStatus, WarningKind};
use crate::store::Store;

const V1: &str = "# Launch\n\nWhat a launch needs.\n\n## Legal\n\nAsk legal first.\n\n- [x] Licences checked\n- [ ] Privacy policy updated\n  - [ ] EU text\n\n## Ops\n\n| Check | Why |\n|---|---|\n| Backups restore | data loss |\n| Pager rota set | nights |\n";

fn import(store: &mut Store, md: &str) -> crate::model::ImportOutcome {
    let imp = import_bytes(
        "launch.md",
        md.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap()
}

fn events(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM event", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_archived_template_starts_no_release_until_unarchived() {
    let mut store = Store::open_in_memory().unwrap();
    import(&mut store, V1);
    store.create_release("r1", None, "ana").unwrap();
    store.add_run("r1", "launch", false, "ana").unwrap();
    let before = events(&store);

    let t = store.archive_template("launch", "ana").unwrap();
    assert!(t.archived);
    // A later version of an archived template is archived too.
    import(
        &mut store,
        &V1.replace("Pager rota set", "Pager rota set and tested"),
    );
    assert!(store.template("launch").unwrap().archived);
    assert!(store.template("launch@1").unwrap().archived);

    store.create_release("r2", None, "ana").unwrap();
    let err = store.add_run("r2", "launch", false, "ana").unwrap_err();
    assert_eq!(
        err.to_string(),
        "template 'launch' is archived; unarchive it to start releases from it"
    );
    // What already runs from it goes on: ticks and upgrades.
    store
        .tick(
            "r1",
            "1.2",
            &crate::model::Tick {
                status: Some(crate::model::Status::Done),
                ..Default::default()
            },
            "ana",
        )
        .unwrap();
    assert_eq!(
        store.upgrade_run("r1", "launch", "ana").unwrap().to_version,
        2
    );

    let back = store.unarchive_template("launch@1").unwrap();
    assert!(!back.archived);
    assert!(store.templates().unwrap().iter().all(|t| !t.archived));
    store.add_run("r2", "launch", false, "ana").unwrap();
    // Archiving is a view preference: the trail holds the import, the
    // release, the tick, the upgrade and the run, and nothing of it.
    let actions: Vec<String> = store
        .conn()
        .prepare("SELECT action FROM event WHERE id > ?1")
        .unwrap()
        .query_map([before], |r| r.get(0))
        .unwrap()
        .map(|a| a.unwrap())
        .collect();
    assert!(
        actions.iter().all(|a| !a.contains("archive")),
        "{actions:?}"
    );
    assert!(crate::store::replay::drifts(store.conn())
        .unwrap()
        .is_empty());
}

#[test]
fn an_outline_reads_sections_items_fields_and_description_in_order() {
    let mut store = Store::open_in_memory().unwrap();
    import(&mut store, &format!("---\nowner: qa\n---\n{V1}"));
    let o = store.template_outline("launch").unwrap();
    assert_eq!(o.template.title, "Launch");
    assert_eq!(o.description.trim(), "What a launch needs.");
    assert_eq!(o.template.metadata[0].name, "owner");
    let titles: Vec<(&str, &str, i64)> = o
        .sections
        .iter()
        .map(|s| (s.number.as_str(), s.plain.as_str(), s.depth))
        .collect();
    assert_eq!(titles, [("1", "Legal", 0), ("2", "Ops", 0)]);
    assert_eq!(o.sections[0].description.trim(), "Ask legal first.");
    let legal: Vec<(&str, i64, bool)> = o.sections[0]
        .items
        .iter()
        .map(|i| (i.number.as_str(), i.depth, i.initially_checked))
        .collect();
    assert_eq!(
        legal,
        [("1.1", 0, true), ("1.2", 0, false), ("1.2.1", 1, false)]
    );
    let backups = &o.sections[1].items[0];
    assert_eq!(backups.plain, "Backups restore");
    assert_eq!(
        (
            backups.fields[0].name.as_str(),
            backups.fields[0].value.as_str()
        ),
        ("Why", "data loss")
    );
}

#[test]
fn each_version_says_what_it_added_removed_moved_and_reworded() {
    let mut store = Store::open_in_memory().unwrap();
    import(&mut store, V1);
    let v2 = V1
        .replace(
            "- [ ] Privacy policy updated\n",
            "- [ ] Privacy policy updated and published\n",
        )
        .replace("| Pager rota set | nights |\n", "")
        .replace("- [x] Licences checked\n", "")
        .replace(
            "## Ops\n",
            "## Ops\n\n- [ ] Licences checked\n- [ ] Status page ready\n",
        );
    import(&mut store, &v2);
    let versions = store.template_versions("launch").unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.template.version)
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(
        versions[1].changes.is_none(),
        "the first version changed nothing"
    );
    let c = versions[0].changes.as_ref().unwrap();
    let plain =
        |items: &[super::VersionItem]| items.iter().map(|i| i.plain.clone()).collect::<Vec<_>>();
    assert_eq!(plain(&c.added), ["Status page ready"]);
    assert_eq!(plain(&c.removed), ["Pager rota set"]);
    let changed: Vec<(MatchKind, &str, &str)> = c
        .changed
        .iter()
        .map(|m| (m.kind, m.old.plain.as_str(), m.new.plain.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            (
                MatchKind::Reworded,
                "Privacy policy updated",
                "Privacy policy updated and published"
            ),
            // Under a reworded parent: the same text on another path.
            (MatchKind::Moved, "EU text", "EU text"),
            (MatchKind::Moved, "Licences checked", "Licences checked"),
        ]
    );
    assert_eq!(c.kept, 1, "Backups restore");
}

#[test]
fn repairing_mojibake_stores_the_next_version_as_the_import_option_would() {
    let garbled = "# Deploy\n\n## Steps\n\n- [ ] Build ‚Üí test\n- [ ] Tag the release\n";
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes(
        "deploy.md",
        garbled.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(imp
        .report
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::Mojibake));
    store.import(&imp, "ana").unwrap();

    let (report, outcome) = store.repair_mojibake("deploy", "ana").unwrap();
    assert_eq!(
        (outcome.status, outcome.template.version),
        (ImportStatus::NewVersion, 2)
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.message.starts_with("repaired mojibake '‚Üí' → '→'")));
    assert!(store
        .template_markdown("deploy")
        .unwrap()
        .contains("Build → test"));
    let items = store.template_outline("deploy").unwrap().sections[0].items[0]
        .plain
        .clone();
    assert_eq!(items, "Build → test");
    // The file imported with the option is the same content: nothing new.
    let opts = ImportOptions {
        repair_mojibake: true,
        ..ImportOptions::default()
    };
    let cli = import_bytes("deploy.md", garbled.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(
        store.import(&cli, "ana").unwrap().status,
        ImportStatus::Unchanged
    );
    // Nothing is left to repair.
    let again = store.repair_mojibake("deploy", "ana").unwrap_err();
    assert_eq!(
        again.to_string(),
        "deploy@2 has no text that looks like mojibake; nothing to repair"
    );
}
