//! Import shapes, each against a fixture we wrote for it (tests/fixtures/).

use super::*;
use crate::model::{Item, Section, Status, WarningKind};

fn fixture(name: &str) -> Imported {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    import_file(&path, &ImportOptions::default()).unwrap()
}

fn outline(imp: &Imported) -> Vec<String> {
    imp.checklist
        .walk_items()
        .iter()
        .map(|(_, i)| {
            format!(
                "{} {}{}",
                i.number,
                if i.checked() { "[x] " } else { "" },
                i.plain
            )
        })
        .collect()
}

fn sections(imp: &Imported) -> Vec<String> {
    imp.checklist
        .walk_sections()
        .iter()
        .map(|s| format!("{} {}", s.number, s.plain))
        .collect()
}

fn item<'a>(imp: &'a Imported, number: &str) -> &'a Item {
    imp.checklist
        .walk_items()
        .into_iter()
        .map(|(_, i)| i)
        .find(|i| i.number == number)
        .unwrap()
}

fn section<'a>(imp: &'a Imported, number: &str) -> &'a Section {
    imp.checklist
        .walk_sections()
        .into_iter()
        .find(|s| s.number == number)
        .unwrap()
}

#[test]
fn headings_form_numbered_sections_with_their_numbering_stripped() {
    let imp = fixture("headings.md");
    assert_eq!(imp.checklist.title, "Platform release");
    assert_eq!(
        sections(&imp),
        [
            "1 Environments",
            "2 Data",
            "2.2 Backups",
            "2.2.2 Deep heading"
        ]
    );
    assert_eq!(
        outline(&imp),
        [
            "1.1 Staging mirrors production",
            "1.2 Feature flags default off",
            "2.1 Migrations are reversible",
            "2.2.1 Restore tested this quarter",
            "2.2.2.1 Point-in-time recovery enabled",
        ]
    );
    assert_eq!(
        imp.checklist.description,
        "Owner: platform team. Last reviewed: 2026-10-01"
    );
    assert_eq!(section(&imp, "2").description, "Status: draft");
    assert_eq!(imp.report.sections, 4);
}

#[test]
fn task_lists_nest_keep_checked_state_and_skip_empty_boxes() {
    let imp = fixture("tasks.md");
    assert_eq!(
        outline(&imp),
        [
            "1.1 CI is green",
            "1.2 [x] Version bumped",
            "1.3 [x] Changelog written",
            "1.3.1 Breaking changes called out",
            "1.3.1.1 [x] Migration guide linked",
            "1.3.1.1.1 Guide reviewed by support",
            "1.4 Artifacts signed",
            "1.5 Star bullets count too",
            "1.6 [x] And plus bullets",
        ]
    );
    assert_eq!((imp.report.items, imp.report.checked), (9, 4));
    let empty: Vec<_> = imp
        .report
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::EmptyItem)
        .collect();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].line, 11);
}

#[test]
fn plain_and_numbered_bullets_are_items_with_sub_items() {
    let imp = fixture("bullets.md");
    assert_eq!(
        outline(&imp),
        [
            "1.1 Freeze the branch",
            "1.2 Tag the release candidate",
            "1.2.1 Push the tag",
            "1.2.2 Announce the tag",
            "1.3 Notify support",
            "1.4 Update the status page",
            "2.1 Deploy to canary",
            "2.2 Watch error rates for 30 minutes",
            "2.2.1 Compare with the baseline",
            "2.3 Promote to all regions",
        ]
    );
    assert_eq!(item(&imp, "1.2").items.len(), 2);
}

#[test]
fn table_rows_are_items_with_named_fields() {
    let imp = fixture("tables.md");
    assert_eq!(
        outline(&imp),
        [
            "1.1 TLS everywhere",
            "1.2 Rotate secrets",
            "1.3 Pen test v2",
            "2.1 Runbook written",
            "2.2 [x] On-call rota set",
            "2.3 [x] Capacity plan approved",
        ]
    );
    let rotate = item(&imp, "1.2");
    assert_eq!(rotate.title, "[Rotate secrets](https://example.com/rotate)");
    let fields: Vec<(&str, &str)> = rotate
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(fields, [("Why", "Leaked keys"), ("Effort", "**M**")]);
    assert_eq!(item(&imp, "1.3").title, "Pen test `v2`");
    // <details><summary> cells: the summary is the item, the rest its detail.
    assert_eq!(item(&imp, "2.1").detail, "Covers failover and restore.");
    let orphan = imp
        .report
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::EmptyItem)
        .unwrap();
    assert_eq!(orphan.line, 11);
    assert_eq!(section(&imp, "1").description, "Each row is a check.");
}

#[test]
fn prose_is_description_and_html_is_reported() {
    let imp = fixture("prose.md");
    assert_eq!(
        outline(&imp),
        ["1.1 Dashboards exist", "1.2 Alerts page a human"]
    );
    assert_eq!(
        imp.checklist.description,
        "Some introduction before any section. It is the checklist's description."
    );
    let desc = &section(&imp, "1").description;
    for part in [
        "Status: in progress",
        "> Dashboards are owned",
        "```yaml",
        "Closing remarks",
    ] {
        assert!(desc.contains(part), "{part} missing from {desc}");
    }
    let detail = &item(&imp, "1.1").detail;
    assert!(detail.contains("- see the SRE handbook"), "{detail}");
    assert!(detail.contains("More detail on dashboards."), "{detail}");
    let html: Vec<_> = imp
        .report
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::IgnoredHtml)
        .collect();
    assert_eq!(
        html.len(),
        1,
        "comments are not reported, the div is: {html:?}"
    );
    assert_eq!(html[0].line, 25);
}

#[test]
fn front_matter_is_metadata() {
    let imp = fixture("front-matter.md");
    assert_eq!(imp.checklist.title, "Engagement kickoff");
    assert_eq!(imp.checklist.meta("client"), Some("Acme Corp"));
    assert_eq!(outline(&imp), ["1.1 SOW signed", "1.2 NDA on file"]);
    assert!(imp.checklist.description.is_empty());
}

#[test]
fn list_item_headings_group_their_tasks() {
    let imp = fixture("list-headings.md");
    assert_eq!(
        sections(&imp),
        ["0 General", "0.1 Secret hygiene", "0.2 Rotation"]
    );
    assert_eq!(
        outline(&imp),
        [
            "0.3 A task right after the groups",
            "0.1.1 No secrets in git history",
            "0.1.2 [x] Vault paths documented",
            "0.2.1 Database passwords rotate every 90 days",
        ]
    );
}

#[test]
fn mixed_shapes_in_one_file() {
    let imp = fixture("mixed.md");
    assert_eq!(imp.checklist.title, "Go-live :rocket:");
    assert_eq!(imp.checklist.meta("version"), Some("3"));
    assert_eq!(sections(&imp), ["0 General", "1 People", "2 Systems"]);
    assert_eq!(
        outline(&imp),
        [
            "0.1 Items before any heading land in section 0",
            "1.1 On-call rota published (see rota)",
            "1.2 [x] Comms plan approved",
            "1.2.1 Customer email drafted",
            "1.3 Incident commander",
        ]
    );
    // Inline markdown is kept as source.
    assert_eq!(item(&imp, "1.2").title, "Comms plan **approved**");
    assert_eq!(
        item(&imp, "1.2").detail,
        "- Draft lives in the shared drive"
    );
    assert_eq!(item(&imp, "1.3").fields[0].value, "Dana");
    // This file uses task boxes, so its plain numbered list is prose.
    assert!(section(&imp, "2")
        .description
        .contains("1. Database failover rehearsed"));
}

#[test]
fn mixed_plain_shapes_without_task_boxes() {
    let imp = fixture("mixed-plain.md");
    assert_eq!(
        outline(&imp),
        [
            "1.1 Interview stakeholders",
            "1.1.1 Engineering lead",
            "1.1.2 Product owner",
            "1.2 Collect architecture diagrams",
            "2.1 Weekly status report",
            "2.2 Risk register kept current",
            "2.3 Assessment report",
            "2.4 Roadmap",
        ]
    );
    assert_eq!(item(&imp, "2.4").fields[0].name, "Due");
}

#[test]
fn keys_survive_renumbering_and_rewording_of_neighbours() {
    let a = import_bytes(
        "a.md",
        b"# T\n## Ops\n- [ ] Backups tested\n- [ ] Alerts\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    let b = import_bytes(
        "a.md",
        b"# T\n## 2. Ops\n- [ ] New first item\n- [ ] **Backups** tested!\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(item(&a, "1.1").key, item(&b, "1.2").key);
    assert_ne!(item(&a, "1.1").key, item(&a, "1.2").key);
}

#[test]
fn duplicate_items_get_distinct_keys() {
    let imp = import_bytes(
        "d.md",
        b"- [ ] Same\n- [ ] Same\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    let keys: Vec<&str> = imp
        .checklist
        .walk_items()
        .iter()
        .map(|(_, i)| i.key.as_str())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
}

#[test]
fn crlf_and_bom_are_accepted() {
    let text = "\u{feff}# Title\r\n\r\n## One\r\n\r\n- [x] First\r\n- [ ] Second\r\n";
    let imp = import_bytes(
        "crlf.md",
        text.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(imp.checklist.title, "Title");
    assert_eq!(outline(&imp), ["1.1 [x] First", "1.2 Second"]);
    assert_eq!(item(&imp, "1.2").line, 6);
}

#[test]
fn mojibake_is_reported_and_repaired_on_request() {
    let text = "# T\n\n- [ ] Deploy ‚Üí verify\n- [ ] Don‚Äôt skip\n";
    let plain = import_bytes("m.md", text.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    let lines: Vec<usize> = plain
        .report
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Mojibake)
        .map(|w| w.line)
        .collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(item(&plain, "0.1").plain, "Deploy ‚Üí verify");
    let opts = ImportOptions {
        repair_mojibake: true,
        ..Default::default()
    };
    let fixed = import_bytes("m.md", text.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(item(&fixed, "0.1").plain, "Deploy → verify");
    assert_eq!(item(&fixed, "0.2").plain, "Don’t skip");
    // A repair changes what is stored, so it is a different import (the
    // store's idempotence keys on this hash); repeating it is the same one.
    assert_ne!(fixed.content_hash, plain.content_hash);
    let again = import_bytes("m.md", text.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(again.content_hash, fixed.content_hash);
    // Nothing to repair: the flag changes nothing.
    let clean = "# T\n\n- [ ] Deploy → verify\n";
    let a = import_bytes("c.md", clean.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    let b = import_bytes("c.md", clean.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(a.content_hash, b.content_hash);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let mut text = String::from("# Deep\n");
    for depth in 0..3000 {
        text.push_str(&"  ".repeat(depth));
        text.push_str("- [ ] level\n");
    }
    let imp = import_bytes("deep.md", text.into_bytes(), &ImportOptions::default()).unwrap();
    assert!(imp.report.items > 10);
    let blockquotes = format!("# Q\n{}- [ ] quoted\n", "> ".repeat(20_000));
    // Whatever the parser makes of it, it must return, not crash.
    let _ = import_bytes("q.md", blockquotes.into_bytes(), &ImportOptions::default());
}

#[test]
fn bad_input_is_refused_with_file_and_line() {
    let opts = ImportOptions::default();
    let err = |name: &str, bytes: &[u8]| {
        import_bytes(name, bytes.to_vec(), &opts)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(err("e.md", b""), "e.md: file is empty");
    assert_eq!(err("w.md", b"  \n\n"), "w.md: file holds only whitespace");
    assert_eq!(
        err("u.md", b"\xfe\xff\0#\0 \0T"),
        "u.md: file is UTF-16BE text; save it as UTF-8 and import again"
    );
    assert!(err("b.md", b"\x89PNG\r\n\x1a\n\0\0\0").starts_with("b.md: looks like a binary file"));
    assert_eq!(
        err("l.md", b"# ok\n- [ ] caf\xe9\n"),
        "l.md:2:10: invalid UTF-8 (save the file as UTF-8 and import again)"
    );
    assert!(err("n.md", b"# Just a title\n\nSome prose.\n")
        .starts_with("n.md: no checklist items found"));
    let small = ImportOptions {
        max_size: 10,
        ..Default::default()
    };
    let e = import_bytes("big.md", vec![b'a'; 11], &small)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("big.md: file is 11 bytes, over the 10-byte import cap"),
        "{e}"
    );
}

fn fields(item: &Item) -> Vec<(&str, &str)> {
    item.fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect()
}

/// `number status reason`, the start state of every item of a section.
fn starts(imp: &Imported, section_prefix: &str) -> Vec<String> {
    imp.checklist
        .walk_items()
        .iter()
        .filter(|(_, i)| i.number.starts_with(section_prefix))
        .map(|(_, i)| {
            let mut s = format!("{} {}", i.number, i.start.label());
            if let Some(r) = i.from_source.as_ref().and_then(|f| f.reason.as_ref()) {
                s.push_str(&format!(" ({r})"));
            }
            s
        })
        .collect()
}

#[test]
fn tables_are_read_by_their_headers() {
    let imp = fixture("table-columns.md");
    // Test ID is the reference shown before the Test Name; Status is read
    // into the start state and is no field; Notes stays one.
    let first = item(&imp, "1.1.1");
    assert_eq!(first.plain, "INFO-01 Search engine discovery");
    assert_eq!(first.title, "INFO-01 Search engine discovery");
    assert_eq!(fields(first), [("Notes", "nothing indexed")]);
    // Criteria names the thing; the other columns are fields.
    assert_eq!(item(&imp, "3.2").plain, "Cost");
    assert_eq!(
        fields(item(&imp, "3.2")),
        [
            ("Weight", "20%"),
            ("Pass Threshold", "within budget"),
            ("Comments", "12% over")
        ]
    );
    // No header names the title: a first column of codes is the reference
    // and the next column the title.
    assert_eq!(item(&imp, "4.1").plain, "1.2.3 Disk encryption on");
    assert_eq!(fields(item(&imp, "4.1")), [("Why", "theft")]);
    // Due stays a field; Owner and linked Evidence do not.
    assert_eq!(
        fields(item(&imp, "2.1")),
        [("Due", "2026-12-01"), ("Notes", "p99 under 300 ms")]
    );
}

#[test]
fn table_status_cells_start_items_in_every_spelling() {
    let imp = fixture("table-columns.md");
    assert_eq!(
        starts(&imp, "1.1."),
        [
            "1.1.1 done",
            "1.1.2 done",
            "1.1.3 done",
            "1.1.4 done",
            "1.1.5 done",
            "1.1.6 done",
            "1.1.7 done",
            "1.1.8 done",
            "1.1.9 done",
        ]
    );
    // A failed check is not done yet: it starts open. Blocked and n/a keep
    // the cell, without its marker symbol, as their reason.
    assert_eq!(
        starts(&imp, "1.2."),
        [
            "1.2.1 open",
            "1.2.2 open",
            "1.2.3 open",
            "1.2.4 open",
            "1.2.5 blocked (waiting on vendor)",
            "1.2.6 blocked (Blocked)",
            "1.2.7 blocked (At risk)",
            "1.2.8 n/a (N/A)",
            "1.2.9 n/a (NA)",
            "1.2.10 n/a (–)",
            "1.2.11 n/a (Skip)",
            "1.2.12 open",
            "1.2.13 open",
        ]
    );
    // A status this importer cannot read starts open and stays a field.
    assert_eq!(
        fields(item(&imp, "1.2.13")),
        [("Status", "In review"), ("Notes", "")]
    );
    assert_eq!(starts(&imp, "3."), ["3.1 done", "3.2 open"]);
    assert_eq!(imp.report.checked, 11);
}

#[test]
fn table_group_rows_open_sub_sections() {
    let imp = fixture("table-columns.md");
    assert_eq!(
        sections(&imp),
        [
            "1 Assessment",
            "1.1 INFO Information Gathering",
            "1.2 CONF Configuration",
            "2 Go/No-Go",
            "3 Decision matrix",
            "4 Numbered controls",
        ]
    );
    assert_eq!(section(&imp, "1.1").items.len(), 9);
    assert_eq!(section(&imp, "1.2").items.len(), 13);
    assert!(section(&imp, "1").items.is_empty());
    // Group rows are not items.
    assert_eq!(imp.report.items, 22 + 3 + 2 + 2);
}

#[test]
fn owner_and_evidence_columns_give_the_start_state() {
    let imp = fixture("table-columns.md");
    let given = |n: &str| {
        item(&imp, n)
            .from_source
            .as_deref()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(item(&imp, "2.1").start, Status::Done);
    let load = given("2.1");
    assert_eq!(load.owner.as_deref(), Some("dana"));
    assert_eq!(load.evidence, ["https://ci.example/run/81"]);
    assert_eq!(item(&imp, "2.2").start, Status::Blocked);
    let rollback = given("2.2");
    assert_eq!(rollback.reason.as_deref(), Some("At risk"));
    assert_eq!(rollback.owner.as_deref(), Some("Ben Ortiz"));
    // Not a link: the evidence cell stays a field.
    assert!(rollback.evidence.is_empty());
    assert_eq!(fields(item(&imp, "2.2"))[0], ("Evidence", "runbook page"));
    let support = given("2.3");
    assert_eq!(support.owner, None);
    assert_eq!(
        support.evidence,
        ["https://wiki.example/training", "https://wiki.example/quiz"]
    );
}

#[test]
fn key_value_bullets_are_metadata_not_items() {
    let imp = fixture("release-facts.md");
    let meta: Vec<(&str, &str)> = imp
        .checklist
        .metadata
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        meta,
        [
            ("Release name", "Aurora"),
            ("Environment", "production"),
            ("Target date", "2026-12-10"),
            ("Rollback plan", "[runbook](https://wiki.example/rollback)"),
            ("Owner", ""),
        ]
    );
    assert!(section(&imp, "1").items.is_empty());
    // In a file without task boxes, only under a heading about facts
    // ("Status") — elsewhere such bullets are items.
    let plain = fixture("plain-groups.md");
    assert_eq!(plain.checklist.meta("Environment"), Some("staging"));
    assert_eq!(plain.checklist.meta("Reviewed by"), Some("Ops"));
    assert_eq!(
        outline(&plain)
            .into_iter()
            .filter(|l| l.starts_with("3."))
            .collect::<Vec<_>>(),
        [
            "3.1 Backups: restore tested every quarter",
            "3.2 Alerts: page a human"
        ]
    );
}

#[test]
fn signoff_blocks_name_approver_roles() {
    let imp = fixture("release-facts.md");
    assert_eq!(
        imp.checklist.approver_roles,
        ["QA lead", "Engineering manager", "Security officer"]
    );
    assert!(section(&imp, "3").items.is_empty());
    assert!(section(&imp, "3").description.is_empty());
    let plain = fixture("plain-groups.md");
    assert_eq!(plain.checklist.approver_roles, ["Security lead"]);
    assert!(section(&plain, "4").items.is_empty());
    // Blanks to fill in are no sign-off outside a sign-off heading.
    let form = import_bytes(
        "form.md",
        b"# T\n\n## Deploy\n\nRelease version: ______\n\n- [ ] Ship\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(form.checklist.approver_roles.is_empty());
    assert_eq!(section(&form, "1").description, "Release version: ______");
    // Front matter can name them too.
    let fm = import_bytes(
        "fm.md",
        b"---\napprover_roles: QA, Security\n---\n- [ ] One\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(fm.checklist.approver_roles, ["QA", "Security"]);
    assert!(fm.checklist.metadata.is_empty());
}

#[test]
fn numbered_one_line_entries_group_the_bullets_below() {
    let imp = fixture("release-facts.md");
    assert_eq!(
        sections(&imp),
        [
            "1 Release Information",
            "2 Checks",
            "2.3 Secret hygiene",
            "2.4 Access",
            "3 Sign-off"
        ]
    );
    assert_eq!(
        outline(&imp),
        [
            "2.1 Smoke tests green",
            "2.2 [x] Change ticket approved",
            "2.3.1 Rotate any exposed keys",
            "2.3.2 Enable secret scanning",
            "2.4.1 Remove leavers",
        ]
    );
    // Without task boxes the same shape groups plain bullets.
    let plain = fixture("plain-groups.md");
    assert_eq!(
        sections(&plain),
        [
            "1 Status",
            "2 Steps",
            "2.1 Secret hygiene",
            "2.2 Network",
            "3 Extras",
            "4 Approvals"
        ]
    );
    assert_eq!(
        outline(&plain)
            .into_iter()
            .filter(|l| l.starts_with("2."))
            .collect::<Vec<_>>(),
        [
            "2.1.1 Rotate any exposed keys",
            "2.1.2 Enable secret scanning",
            "2.2.1 Close unused ports"
        ]
    );
}

#[test]
fn reference_links_and_entities_resolve_against_the_whole_document() {
    let imp = fixture("references.md");
    assert_eq!(section(&imp, "1").title, "Docs & examples");
    assert_eq!(
        item(&imp, "1.1").title,
        "Update the [kubernetes/website](https://github.com/kubernetes/website) page & its examples"
    );
    assert_eq!(
        item(&imp, "1.2").title,
        "Read [the guide](https://example.com/guide \"The guide\") and the \
         [FAQ](<https://example.com/faq(v2)>) © 2026"
    );
    // Entities that would turn into markup stay as written.
    assert_eq!(
        item(&imp, "1.3").title,
        "Keep &lt;b&gt; literal and AT&T as written"
    );
    assert_eq!(
        item(&imp, "1.3").plain,
        "Keep <b> literal and AT&T as written"
    );
    let style = item(&imp, "1.4");
    assert_eq!(
        style.fields[0].value,
        "see [style](https://example.com/style)"
    );
    assert_eq!(
        style.from_source.as_ref().map(|f| f.evidence.clone()),
        Some(vec!["https://example.com/style".to_string()])
    );
    // Rows that give nothing beyond a status carry nothing more.
    assert!(item(&imp, "1.1").from_source.is_none());
    assert_eq!(
        section(&imp, "1").description,
        "Prose mentioning [kubernetes/website](https://github.com/kubernetes/website) too."
    );
    // Rendered on its own, the title links where the document said.
    let html = crate::render::inline_html(&item(&imp, "1.1").title);
    assert!(
        html.contains("<a href=\"https://github.com/kubernetes/website\""),
        "{html}"
    );
    assert!(html.contains("page &amp; its"), "{html}");
    let html = crate::render::inline_html(&item(&imp, "1.2").title);
    assert_eq!(
        html.matches("<a href=\"https://example.com/").count(),
        2,
        "{html}"
    );
}
