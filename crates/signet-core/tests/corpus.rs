//! Real-world checklists written by others, read in place from ../shared/corpus
//! (never copied into this repository). Expected counts were verified by
//! reading each file: headings outside code blocks, task boxes (matching the
//! task_boxes column of SOURCES.tsv), table rows and bullets.
//! Where the corpus is absent (a user's machine), the test says it skipped.

use std::path::PathBuf;

use signet_core::import::{import_file, ImportOptions, Imported};
use signet_core::model::WarningKind;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn load(name: &str) -> Option<Imported> {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not beside this checkout (it ships only with the dev/CI machines)");
        return None;
    };
    Some(
        import_file(&dir.join(name), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}")),
    )
}

/// (file, sections, items, checked in the file)
const EXPECTED: &[(&str, usize, usize, usize)] = &[
    ("kgoralski__microservice-production-readiness-checklist__README.md", 13, 72, 0),
    ("mtdvio__going-to-production__serverside-checklist.md", 12, 28, 0),
    ("mtdvio__going-to-production__spa-checklist.md", 10, 32, 0),
    ("devops-rob__Vault-Production-Readiness-Checklist__README.md", 11, 63, 0),
    ("atuinsh__atuin__.github_pull_request_template.md", 1, 2, 0),
    ("mountain-loop__yaak__.github_pull_request_template.md", 3, 6, 0),
    ("atuinsh__desktop__.github_pull_request_template.md", 3, 3, 0),
    // No boxes: its bullets are the items, in section 0 and two sections.
    ("mercari__production-readiness-checklist__docs_references_production-readiness-checklist.md", 3, 8, 0),
    ("mercari__production-readiness-checklist__docs_references_pre-production-checklist.md", 8, 74, 0),
    ("mercari__production-readiness-checklist__docs_references_design-checklist.md", 3, 10, 0),
    ("thedaviddias__Front-End-Checklist__README.md", 38, 100, 0),
];

#[test]
fn every_corpus_file_imports_with_the_expected_counts() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not beside this checkout");
        return;
    };
    // Every file in the corpus is covered by the table above.
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|e| e.0.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "corpus changed: verify and list the new files"
    );
    for &(name, sections, items, checked) in EXPECTED {
        let imp = load(name).unwrap();
        let r = &imp.report;
        assert_eq!(
            (r.sections, r.items, r.checked),
            (sections, items, checked),
            "{name}"
        );
        // Numbers are unique within a template: they are how users address items.
        let mut numbers: Vec<&str> = imp
            .checklist
            .walk_items()
            .iter()
            .map(|(_, i)| i.number.as_str())
            .collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), items, "{name}: duplicate outline numbers");
    }
}

#[test]
fn nested_task_lists_keep_their_parents() {
    let Some(imp) = load("mtdvio__going-to-production__spa-checklist.md") else {
        return;
    };
    let parents: Vec<(String, usize)> = imp
        .checklist
        .walk_items()
        .iter()
        .filter(|(_, i)| !i.items.is_empty())
        .map(|(_, i)| (i.number.clone(), i.items.len()))
        .collect();
    assert_eq!(
        parents,
        [
            ("2.1".to_string(), 3),
            ("7.2".to_string(), 3),
            ("10.1".to_string(), 3)
        ]
    );
}

#[test]
fn plain_bullets_under_tasks_become_the_items_notes() {
    let Some(imp) = load("mtdvio__going-to-production__serverside-checklist.md") else {
        return;
    };
    let with_detail: Vec<String> = imp
        .checklist
        .walk_items()
        .iter()
        .filter(|(_, i)| !i.detail.is_empty())
        .map(|(_, i)| i.number.clone())
        .collect();
    assert_eq!(with_detail, ["6.2", "7.1", "8.1", "12.3"]);
}

#[test]
fn tables_of_contents_are_skipped_and_reported() {
    for name in [
        "kgoralski__microservice-production-readiness-checklist__README.md",
        "devops-rob__Vault-Production-Readiness-Checklist__README.md",
        "thedaviddias__Front-End-Checklist__README.md",
    ] {
        let Some(imp) = load(name) else { return };
        let toc = imp
            .report
            .warnings
            .iter()
            .filter(|w| w.kind == WarningKind::TableOfContents)
            .count();
        assert_eq!(toc, 1, "{name}");
    }
}

#[test]
fn ballot_box_tables_take_their_title_from_the_summary() {
    let Some(imp) = load("devops-rob__Vault-Production-Readiness-Checklist__README.md") else {
        return;
    };
    for (_, item) in imp.checklist.walk_items() {
        assert!(
            !item.title.contains('<'),
            "{}: HTML left in title {}",
            item.number,
            item.title
        );
        assert!(
            !item.title.starts_with('☐'),
            "{}: box kept in title",
            item.number
        );
    }
    // Most rows carry an explanation inside <details>; it becomes the detail.
    let with_detail = imp
        .checklist
        .walk_items()
        .iter()
        .filter(|(_, i)| !i.detail.is_empty())
        .count();
    assert!(with_detail > 50, "{with_detail}");
}

#[test]
fn table_columns_become_named_fields() {
    let Some(imp) =
        load("mercari__production-readiness-checklist__docs_references_design-checklist.md")
    else {
        return;
    };
    for (_, item) in imp.checklist.walk_items() {
        assert_eq!(item.fields.len(), 4, "{}", item.number);
    }
}
