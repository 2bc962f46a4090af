use super::*;
use crate::import::BOM;
use crate::report::tests::full_report;
use crate::seal::{SigningKey, SEAL_VERSION};

/// `report` frozen and signed by Ana, its seal claiming `layout`.
fn sealed(report: &Report, layout: u32) -> Seal {
    let payload = String::from_utf8(report.canonical().unwrap()).unwrap();
    let ana = SigningKey::generate().unwrap();
    let signature = ana
        .sign(
            payload.as_bytes(),
            &report.release.name,
            report.revision,
            ("ana", "Ana Ruiz"),
            "Tech lead",
            "2026-11-26T12:00:00Z",
        )
        .unwrap();
    Seal {
        signet_seal: layout,
        release: report.release.name.clone(),
        revision: report.revision,
        digest: seal::digest(payload.as_bytes()),
        payload,
        signatures: vec![signature],
    }
}

/// What `verify` says of `report` rendered exactly as layout `layout`
/// draws it, the way someone re-laying-out a signed file would.
fn laid_out_as(report: &Report, layout: u32, format: Format) -> Verification {
    let seal = sealed(report, layout);
    let bytes = report::render(report, Some(&seal), format, Paper::A4).unwrap();
    verify("r", &bytes, &[]).unwrap()
}

const OLDER: &str = "is older than the signed content";

/// Asserts `v` failed for a seal older than layout `floor`.
fn refused_below(v: &Verification, floor: u32) {
    assert!(
        !v.passed
            && v.problems
                .iter()
                .any(|p| p.contains(&format!("made for layout {floor} or later"))),
        "{:?}",
        v.problems
    );
}

/// The seal's version is not signed. Layout 1 never drew the branding,
/// the comparison, the checklist's description or owners' names, so a
/// signed report re-rendered as layout 1 would verify while hiding them.
#[test]
fn a_signed_report_laid_out_again_as_an_older_layout_fails() {
    let r = full_report();
    assert_eq!(r.layout, Some(SEAL_VERSION));
    for format in [Format::Markdown, Format::Html, Format::Pdf] {
        let v = laid_out_as(&r, SEAL_VERSION, format);
        assert!(v.passed, "{format:?}: {:?}", v.problems);
        let v = laid_out_as(&r, 1, format);
        assert!(!v.passed, "{format:?} as layout 1 verified");
        assert!(
            v.problems.iter().any(|p| p.contains(&format!(
                "seal version 1 {OLDER}, which was made for layout {SEAL_VERSION} or later"
            ))),
            "{format:?}: {:?}",
            v.problems
        );
    }
    // Layout 7 leaves an SVG logo out of the PDF; this one holds one.
    let v = laid_out_as(&r, 7, Format::Pdf);
    assert!(!v.passed && v.problems.iter().any(|p| p.contains(OLDER)));
    // JSON has one layout, but its seal is held to the same rule.
    let v = laid_out_as(&r, 4, Format::Json);
    assert!(!v.passed && v.problems.iter().any(|p| p.contains(OLDER)));
}

/// Reports signed before the payload recorded its layout: one holding a
/// field added after layout 1 cannot be a layout-1 file, and one without
/// any is exactly what layout 1 drew, so it still verifies as such.
#[test]
fn a_report_signed_before_layouts_were_recorded_is_held_to_its_fields() {
    let mut r = full_report();
    r.layout = None;
    assert_eq!(r.oldest_layout(), 2);
    refused_below(&laid_out_as(&r, 1, Format::Markdown), 2);
    assert!(laid_out_as(&r, 2, Format::Markdown).passed);

    let mut plain = full_report();
    plain.layout = None;
    plain.branding = None;
    plain.comparison = None;
    plain.override_ = None;
    plain.runs[0].description.clear();
    for s in &mut plain.runs[0].sections {
        for i in &mut s.items {
            i.owner_name = None;
        }
    }
    assert_eq!(plain.oldest_layout(), 1);
    for format in [Format::Markdown, Format::Html, Format::Pdf] {
        let v = laid_out_as(&plain, 1, format);
        assert!(v.passed, "{format:?}: {:?}", v.problems);
    }
    // Each later field alone lifts the floor.
    let mut owner = plain.clone();
    owner.runs[0].sections[0].items[0].owner_name = Some("Ana Ruiz".into());
    assert_eq!(owner.oldest_layout(), 2);
    let mut described = plain.clone();
    described.runs[0].description = "Before every launch.".into();
    assert_eq!(described.oldest_layout(), 2);
}

/// An editor that adds a byte-order mark changes the file: it fails in
/// every format, the mark is named, and the rest is checked as it is (an
/// untouched rest raises nothing else).
#[test]
fn a_byte_order_mark_fails_and_is_named() {
    let r = full_report();
    let seal = sealed(&r, SEAL_VERSION);
    for format in [Format::Html, Format::Markdown, Format::Json, Format::Pdf] {
        let clean = report::render(&r, Some(&seal), format, Paper::A4).unwrap();
        for marks in [1, 2] {
            let mut bytes = BOM.repeat(marks);
            bytes.extend(&clean);
            let v = verify("r", &bytes, &[]).unwrap();
            assert_eq!(v.format, format);
            assert!(!v.passed);
            assert_eq!(
                v.problems,
                ["the file starts with a byte-order mark (EF BB BF, added by an editor); the signed report has none"],
                "{format:?}"
            );
        }
    }
}

/// A layout the payload records never excuses what it holds: a payload
/// saying layout 1 (only a signer could make one) that holds branding is
/// still not a layout-1 file.
#[test]
fn a_recorded_layout_is_never_older_than_the_fields_held() {
    let mut r = full_report();
    r.layout = Some(1);
    assert_eq!(r.oldest_layout(), 2);
    refused_below(&laid_out_as(&r, 1, Format::Json), 2);
}
