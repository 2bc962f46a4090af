use super::*;
use super::{branding, chart, compare, cover, text};
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
    assert!(md.contains("- [x] **1.1** Licences checked†\n"), "{md}");
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
    assert!(
        md.contains("- **Progress:** ██████░░░░ 3/5 closed (60%) — 2 done · 1 n/a · 2 open"),
        "{md}"
    );
    assert!(md.contains("**Draft — not signed off**"), "{md}");
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
        "url(h",
        "url(/",
        "url(\"",
        "url('",
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
    assert!(html.contains("<svg class=\"bar\""), "progress chart");
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
    assert_eq!(rows[1].get(11), Some("https://ci.example/run/81"));
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

/// The report with everything layout 2 adds: an approver's override, a
/// named owner, a checklist description, branding and a comparison.
/// A signed report holding every field added after layout 1.
pub(crate) fn full_report() -> Report {
    let mut r = report();
    r.revision = 1;
    r.release.status = "signed_off".into();
    r.override_ = Some(model::Override {
        by: "ana".into(),
        by_name: Some("Ana Ruiz".into()),
        open_items: vec!["1.2.1 [open] EU text".into(), "2.2 [open] =cmd()".into()],
        reason: "EU text ships in 2.4.1".into(),
        role: Some("Tech lead".into()),
    });
    r.runs[0].description = "Run this before **every** launch.".into();
    r.runs[0].sections[0].items[1].owner_name = Some("Ana Ruiz".into());
    r.branding = Some(model::Branding {
        client_name: Some("Globex".into()),
        logo: Some(
            branding::logo_from_bytes(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec())
                .unwrap(),
        ),
        org_name: Some("Acme Consulting".into()),
    });
    let mut base = report();
    base.release.name = "v2.3.0".into();
    r.comparison = Some(compare::compare(&r, &base, 1, vec![]));
    r
}

#[test]
fn every_added_field_is_in_canonical_order_and_round_trips() {
    let r = full_report();
    let canonical = r.canonical().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
    assert_eq!(
        serde_json::to_vec(&v).unwrap(),
        canonical,
        "keys in byte order"
    );
    assert_eq!(Report::from_json(&canonical).unwrap(), r);
    // Without them, the bytes are those of a report made before they existed.
    let plain = String::from_utf8(report().canonical().unwrap()).unwrap();
    for absent in ["branding", "comparison", "by_name", "owner_name"] {
        assert!(!plain.contains(absent), "{absent} in {plain}");
    }
    let v: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(v["runs"][0].get("description").is_none(), "{plain}");
}

#[test]
fn the_cover_names_open_items_by_section_and_title_never_by_key() {
    let r = full_report();
    let c = cover::cover(&r, None);
    assert_eq!(c.verdict, cover::Verdict::SignedOffWithOverride);
    let lines: Vec<String> = c.open_items.iter().map(cover::open_item_line).collect();
    assert_eq!(lines, ["Legal › 1.2.1 EU text", "Ops › 2.2 =cmd()"]);
    let (shown, more) = c.open_shown(1);
    assert_eq!((shown.len(), more), (1, 1));
    assert_eq!(
        c.override_line().unwrap(),
        "Signed off with an override by Ana Ruiz (ana), Tech lead: EU text ships in 2.4.1"
    );
    assert_eq!(
        c.answer(),
        "Yes, on an approver's override (revision 1) — 2 items still open."
    );
    let draft = report();
    let d = cover::cover(&draft, None);
    assert_eq!(d.verdict, cover::Verdict::Draft);
    assert_eq!(d.answer(), "Not yet — 2 items open; not signed off.");
    for format in [Format::Markdown, Format::Html] {
        let text = String::from_utf8(render(&r, None, format, Paper::A4).unwrap()).unwrap();
        for key in &r.items().map(|(_, _, i)| i.key.clone()).collect::<Vec<_>>() {
            assert!(!text.contains(key.as_str()), "{format:?} shows key {key}");
        }
        assert!(
            text.contains("Ana Ruiz (ana), Tech lead: EU text ships in 2.4.1"),
            "{format:?}"
        );
    }
}

#[test]
fn an_override_frozen_before_approvers_were_recorded_reads_as_it_was() {
    let o = model::Override {
        by: "lead".into(),
        by_name: None,
        open_items: vec![],
        reason: "known".into(),
        role: None,
    };
    assert_eq!(
        text::override_line(&o),
        "Signed off with an override by lead: known"
    );
}

#[test]
fn chart_bars_name_their_sections_and_the_checklist_once() {
    let r = report();
    let groups = chart::groups(&r);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].title, "Launch");
    let labels: Vec<&str> = groups[0].bars.iter().map(|b| b.label).collect();
    assert_eq!(labels, ["Legal", "Ops"]);
    // A checklist wrapped in one heading charts the sections inside it.
    let mut wrapped = r.clone();
    let run = &mut wrapped.runs[0];
    for s in &mut run.sections {
        s.depth = 1;
    }
    let mut wrapper = run.sections[0].clone();
    wrapper.depth = 0;
    wrapper.items.clear();
    wrapper.plain = "Release checklist".into();
    run.sections.insert(0, wrapper);
    let labels: Vec<&str> = chart::groups(&wrapped)[0]
        .bars
        .iter()
        .map(|b| b.label)
        .collect();
    assert_eq!(labels, ["Legal", "Ops"]);
    let html = String::from_utf8(render(&r, None, Format::Html, Paper::A4).unwrap()).unwrap();
    assert!(
        html.contains("<td class=\"label\" dir=\"auto\">1. Legal</td>"),
        "{html}"
    );
    assert!(!html.contains("Launch: 1. Legal"));
}

#[test]
fn comparison_finds_newly_done_regressed_added_and_removed() {
    let now = report();
    let mut base = report();
    base.release.name = "v2.3.0".into();
    let legal = &mut base.runs[0].sections[0];
    legal.items[1].status = Status::Open; // 1.2 done now: newly done
    legal.items[2].status = Status::Done; // 1.2.1 open now: regressed
    let ops = &mut base.runs[0].sections[1];
    let mut gone = ops.items.pop().unwrap(); // 2.2: added now
    gone.key = "retired".into();
    gone.plain = "Old check".into();
    ops.items.push(gone); // in the base only: removed
    let c = compare::compare(&now, &base, 1, vec![]);
    let titles =
        |l: &model::ChangeList| l.items.iter().map(|i| i.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&c.newly_done), ["Privacy policy updated"]);
    assert_eq!(titles(&c.regressed), ["EU text"]);
    assert_eq!(titles(&c.added), ["=cmd()"]);
    assert_eq!(titles(&c.removed), ["Old check"]);
    assert_eq!(c.regressed.items[0].was, Some(Status::Done));
    assert_eq!(
        text::change_line(&c.newly_done.items[0]),
        "Legal › 1.2 Privacy policy updated (open → done)"
    );
    assert_eq!(
        text::comparison_line(&c),
        "Since v2.3.0 (revision 1): 1 newly done, 1 regressed, 1 added, 1 removed."
    );
}

#[test]
fn provenance_is_a_legend_once_and_owners_are_named() {
    let r = full_report();
    for format in [Format::Markdown, Format::Html] {
        let text = String::from_utf8(render(&r, None, format, Paper::A4).unwrap()).unwrap();
        assert_eq!(
            text.matches("checked in source:").count(),
            1,
            "{format:?}: {text}"
        );
        assert!(text.contains("Ana Ruiz (ana)"), "{format:?}");
        assert!(text.contains("Acme Consulting"), "{format:?}");
        assert!(text.contains("every"), "{format:?}: description");
    }
    let html = String::from_utf8(render(&r, None, Format::Html, Paper::A4).unwrap()).unwrap();
    assert!(
        html.contains("<img src=\"data:image/svg+xml;base64,"),
        "logo"
    );
    assert!(html.contains("Run this before <strong>every</strong> launch."));
}

/// A long report's HTML rows are made on two cores (`html::item_rows`):
/// every item's row is there once, in report order, across sections.
#[test]
fn a_long_reports_html_rows_stay_in_report_order() {
    let mut r = report();
    let template = r.runs[0].sections[0].items[0].clone();
    let items: Vec<_> = (0..1500)
        .map(|i| {
            let mut item = template.clone();
            item.number = format!("9.{i}");
            item.title = format!("Item {i} runs `tool {i}`");
            item
        })
        .collect();
    r.runs[0].sections[0].items = items[..701].to_vec();
    r.runs[0].sections[1].items = items[701..].to_vec();
    let html = html::render(&r, None);
    let second = html
        .find("Ops <span class=\"meta\">")
        .expect("the second section's heading");
    let mut at = 0;
    for i in 0..1500 {
        let row = format!("<code dir=\"auto\">tool {i}</code>");
        at += html[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("row {i} missing or out of order"))
            + row.len();
        assert_eq!(html.matches(&row).count(), 1, "row {i}");
        assert_eq!(i >= 701, at > second, "row {i} under the wrong section");
    }
}

/// A report from a newer Signet (a field this one does not know) says so.
#[test]
fn a_report_from_a_newer_signet_says_so() {
    let json = String::from_utf8(full_report().canonical().unwrap()).unwrap();
    let newer = json.replacen("{\"audit\"", "{\"aaa_new\":1,\"audit\"", 1);
    let err = Report::from_json(newer.as_bytes()).unwrap_err().to_string();
    assert!(
        err.starts_with("the report was made by a newer Signet (unknown field `aaa_new`")
            && err.ends_with("update Signet to read it"),
        "{err}"
    );
    // Anything else broken is said as it is.
    let err = Report::from_json(b"{").unwrap_err().to_string();
    assert!(err.starts_with("json: "), "{err}");
}
