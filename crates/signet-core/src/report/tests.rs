use super::*;
use crate::import::{import_bytes, ImportOptions};
use crate::model::{Evidence, Status, Tick};
use crate::store::Store;

const MD: &str = "# Launch\n\n## Legal\n\n- [x] Licences checked\n- [ ] Privacy policy **updated**\n  - [ ] EU text\n\n## Ops\n\n| Check | Effort |\n|---|---|\n| Backups restore | M |\n| =cmd() | S |\n";

fn view() -> crate::model::ReleaseView {
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes(
        "launch.md",
        MD.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    store
        .create_release("v2.4.0", Some("2026-12-01"), "ana")
        .unwrap();
    store.add_run("v2.4.0", "launch", false, "ana").unwrap();
    let t = Tick {
        status: Some(Status::Done),
        owner: Some("ana".into()),
        evidence: vec!["https://ci.example/run/81".into()],
        note: Some("green on staging".into()),
        ..Default::default()
    };
    store.tick("v2.4.0", "1.2", &t, "ana").unwrap();
    let na = Tick {
        status: Some(Status::NotApplicable),
        reason: Some("no uploads".into()),
        ..Default::default()
    };
    store.tick("v2.4.0", "2.1", &na, "ana").unwrap();
    let mut view = store.release_view("v2.4.0").unwrap();
    // Older data or another tool may hold a hostile link: exports must defuse it.
    view.runs[0].sections[1].items[0].evidence.push(Evidence {
        id: 99,
        target: "javascript:alert(1)".into(),
        label: None,
        added_at: "2026-11-26T00:00:00Z".into(),
        added_by: "mallory".into(),
    });
    view
}

const AT: &str = "2026-11-26T12:00:00Z";

#[test]
fn json_follows_the_documented_schema() {
    let bytes = render(&view(), Format::Json, AT).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["schema"], "signet.export/1");
    assert_eq!(v["release"]["name"], "v2.4.0");
    assert_eq!(v["release"]["due_date"], "2026-12-01");
    let legal = &v["runs"][0]["sections"][0];
    assert_eq!(legal["title"], "Legal");
    let item = &legal["items"][1];
    assert_eq!(item["number"], "1.2");
    assert_eq!(item["status"], "done");
    assert_eq!(item["owner"], "ana");
    assert_eq!(item["evidence"][0]["target"], "https://ci.example/run/81");
    assert_eq!(item["notes"], "green on staging");
    assert_eq!(item["items"][0]["number"], "1.2.1");
    assert_eq!(legal["items"][0]["initially_checked"], true);
    let ops = &v["runs"][0]["sections"][1]["items"][0];
    assert_eq!(ops["status"], "not_applicable");
    assert_eq!(ops["reason"], "no uploads");
    assert_eq!(ops["fields"]["Effort"], "M");
    assert_eq!(v["progress"]["total"], 5);
}

#[test]
fn markdown_boxes_reflect_status_and_links_are_safe() {
    let md = String::from_utf8(render(&view(), Format::Markdown, AT).unwrap()).unwrap();
    assert!(
        md.contains("- [x] **1.1** Licences checked — checked in source"),
        "{md}"
    );
    assert!(
        md.contains("- [x] **1.2** Privacy policy **updated** — owner: ana"),
        "{md}"
    );
    assert!(md.contains("  - [ ] **1.2.1** EU text"), "{md}");
    assert!(
        md.contains("- [x] **2.1** ~~Backups restore~~ — n/a: no uploads"),
        "{md}"
    );
    assert!(
        md.contains("[https://ci.example/run/81](https://ci.example/run/81)"),
        "{md}"
    );
    assert!(md.contains("`javascript:alert(1)`"), "{md}");
    assert!(!md.contains("](javascript:"), "{md}");
    assert!(md.contains("**Progress:** 3/5 closed (60%)"), "{md}");
}

#[test]
fn csv_has_one_row_per_item_and_defuses_formulas() {
    let bytes = render(&view(), Format::Csv, AT).unwrap();
    let mut r = ::csv::Reader::from_reader(bytes.as_slice());
    let headers = r.headers().unwrap().clone();
    assert_eq!(headers.get(headers.len() - 1), Some("Effort"));
    let rows: Vec<::csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let numbers: Vec<&str> = rows.iter().map(|r| r.get(3).unwrap()).collect();
    assert_eq!(numbers, ["1.1", "1.2", "1.2.1", "2.1", "2.2"]);
    assert_eq!(rows[4].get(5), Some("'=cmd()"));
    assert_eq!(rows[3].get(6), Some("n/a"));
}

#[test]
fn atomic_write_replaces_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    std::fs::write(&path, "old").unwrap();
    write_atomic(&path, b"new report").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left behind"
    );
    let err = write_atomic(&dir.path().join("missing/dir/r.md"), b"x").unwrap_err();
    assert!(err.to_string().contains("missing/dir"), "{err}");
}
