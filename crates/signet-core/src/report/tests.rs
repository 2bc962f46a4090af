use super::*;
use crate::import::{import_bytes, ImportOptions};
use crate::model::{Evidence, Status, Tick};
use crate::report::model;
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

fn report() -> Report {
    let v = view();
    let events = vec![crate::model::Event {
        id: 1,
        at: "2026-11-26T10:00:00Z".into(),
        actor: "ana".into(),
        action: "item.status".into(),
        subject: "v2.4.0/launch:1.2".into(),
        field: Some("status".into()),
        old_value: None,
        new_value: None,
        hash: "ab".into(),
    }];
    let audit = model::Audit::summarise(&events, true, "ab".repeat(32));
    model::build(&v, audit, 0, "2026-11-26T12:00:00Z", None)
}

fn render_str(format: Format) -> String {
    String::from_utf8(render(&report(), None, format, Paper::A4).unwrap()).unwrap()
}

#[test]
fn json_follows_the_documented_schema() {
    // One report for both sides: the store stamps ticks with the clock, so two
    // builds a second apart would differ.
    let report = report();
    let json = render(&report, None, Format::Json, Paper::A4).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["schema"], "signet.report/1");
    assert!(v["seal"].is_null(), "a draft has no seal");
    let r = &v["report"];
    assert_eq!(r["release"]["name"], "v2.4.0");
    assert_eq!(r["release"]["due_date"], "2026-12-01");
    assert_eq!(r["revision"], 0);
    let legal = &r["runs"][0]["sections"][0];
    assert_eq!(legal["title"], "Legal");
    let item = &legal["items"][1];
    assert_eq!(item["number"], "1.2");
    assert_eq!(item["status"], "done");
    assert_eq!(item["owner"], "ana");
    assert_eq!(item["evidence"][0]["target"], "https://ci.example/run/81");
    assert_eq!(item["notes"], "green on staging");
    assert_eq!(legal["items"][2]["number"], "1.2.1");
    assert_eq!(legal["items"][2]["depth"], 1);
    assert_eq!(legal["items"][0]["initially_checked"], true);
    let ops = &r["runs"][0]["sections"][1]["items"][0];
    assert_eq!(ops["status"], "not_applicable");
    assert_eq!(ops["reason"], "no uploads");
    assert_eq!(ops["fields"][0]["name"], "Effort");
    assert_eq!(ops["fields"][0]["value"], "M");
    assert_eq!(r["progress"]["total"], 5);
    assert_eq!(r["progress"]["percent"], 60);
    assert_eq!(r["audit"]["actors"][0]["name"], "ana");
    // Parses back into the model unchanged.
    let back: Report = serde_json::from_value(r.clone()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn canonical_form_has_sorted_keys_and_no_whitespace() {
    let r = report();
    let canonical = r.canonical().unwrap();
    // serde_json::Value (without preserve_order, as in this crate's tests)
    // sorts keys; re-serialising it must give the very same bytes.
    let v: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
    assert_eq!(serde_json::to_vec(&v).unwrap(), canonical);
    assert!(!canonical.contains(&b'\n'));
    assert_eq!(Report::from_json(&canonical).unwrap(), r);
}

#[test]
fn markdown_boxes_reflect_status_and_links_are_safe() {
    let md = render_str(Format::Markdown);
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
    assert!(md.contains("DRAFT — not signed off"), "{md}");
    assert!(md.contains("## Audit trail"), "{md}");
    assert!(!md.contains("signet-seal"), "drafts carry no seal");
}

#[test]
fn html_is_self_contained_with_no_script_and_no_outside_requests() {
    let html = render_str(Format::Html);
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script",
        "src=",
        "<link",
        "@import",
        "url(",
        "<iframe",
        "<object",
        "javascript:\"",
        "onerror",
        "onload",
    ] {
        assert!(!lower.contains(banned), "found {banned}");
    }
    // The only URLs are the evidence links a reader may click.
    let mut rest = html.as_str();
    while let Some(i) = rest.find("://") {
        let before = &rest[..i];
        assert!(
            before.ends_with("href=\"https") || before.ends_with(">https"),
            "URL outside a link: {}",
            &rest[i.saturating_sub(40)..(i + 40).min(rest.len())]
        );
        rest = &rest[i + 3..];
    }
    assert!(html.contains("<a href=\"https://ci.example/run/81\" rel=\"noopener noreferrer\">"));
    assert!(
        html.contains("<code>javascript:alert(1)</code>"),
        "hostile link shown inert"
    );
    assert!(html.contains("<svg viewBox"), "progress chart");
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        html.contains("<strong>updated</strong>"),
        "item markdown rendered"
    );
    assert!(html.contains("@media print"));
}

#[test]
fn pdf_holds_the_same_content() {
    let bytes = render(&report(), None, Format::Pdf, Paper::A4).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for needle in [
        "Release v2.4.0",
        "DRAFT",
        "2026-12-01",
        "60% closed",
        "3 of 5 items",
        "Progress by section",
        "Privacy policy updated",
        "owner: ana",
        "evidence: https://ci.example/run/81",
        "evidence: javascript:alert(1)",
        "n/a: no uploads",
        "note: green on staging",
        "Effort: M",
        "Audit trail",
        "Page 1 of 2",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let letter = render(&report(), None, Format::Pdf, Paper::Letter).unwrap();
    assert_eq!(Paper::of_pdf(&letter), Paper::Letter);
    assert_eq!(Paper::of_pdf(&bytes), Paper::A4);
}

/// Text of a PDF through poppler's pdftotext, an independent extractor.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed for the PDF tests");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn csv_has_one_row_per_item_and_defuses_formulas() {
    let bytes = render(&report(), None, Format::Csv, Paper::A4).unwrap();
    let mut r = ::csv::Reader::from_reader(bytes.as_slice());
    let headers = r.headers().unwrap().clone();
    assert_eq!(headers.get(headers.len() - 1), Some("Effort"));
    let rows: Vec<::csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let numbers: Vec<&str> = rows.iter().map(|r| r.get(4).unwrap()).collect();
    assert_eq!(numbers, ["1.1", "1.2", "1.2.1", "2.1", "2.2"]);
    assert_eq!(rows[4].get(6), Some("'=cmd()"));
    assert_eq!(rows[3].get(7), Some("n/a"));
    assert_eq!(rows[1].get(10), Some("https://ci.example/run/81"));
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

/// A checklist's facts and approver roles head its run and the sign-off
/// section in every format; a report without them keeps the exact bytes it
/// had before the fields existed, so earlier signed reports still verify.
#[test]
fn checklist_facts_and_roles_are_shown_and_absent_when_none() {
    let plain = report();
    let bytes = String::from_utf8(plain.canonical().unwrap()).unwrap();
    assert!(!bytes.contains("approver_roles") && !bytes.contains("\"metadata\""));
    let mut r = plain.clone();
    r.runs[0].metadata = vec![
        model::FieldReport {
            name: "Environment".into(),
            value: "production".into(),
        },
        model::FieldReport {
            name: "Target date".into(),
            value: String::new(),
        },
    ];
    r.runs[0].approver_roles = vec!["QA lead".into(), "Security".into()];
    let canonical = r.canonical().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
    assert_eq!(
        serde_json::to_vec(&v).unwrap(),
        canonical,
        "keys in byte order"
    );
    assert_eq!(Report::from_json(&canonical).unwrap(), r);
    let text = |format| String::from_utf8(render(&r, None, format, Paper::A4).unwrap()).unwrap();
    let md = text(Format::Markdown);
    assert!(
        md.contains("- **Environment:** production\n- **Target date:** —\n"),
        "{md}"
    );
    assert!(
        md.contains("## Sign-off\n\nThe checklist asks for sign-off by: QA lead, Security.\n"),
        "{md}"
    );
    let html = text(Format::Html);
    assert!(
        html.contains("<dl class=\"facts\"><dt>Environment</dt><dd>production</dd>"),
        "{html}"
    );
    assert!(html.contains("<p>The checklist asks for sign-off by: QA lead, Security.</p>"));
    let pdf = pdf_text(&render(&r, None, Format::Pdf, Paper::A4).unwrap());
    for needle in ["Environment: production", "sign-off by: QA lead, Security."] {
        assert!(pdf.contains(needle), "missing {needle:?} in:\n{pdf}");
    }
}
