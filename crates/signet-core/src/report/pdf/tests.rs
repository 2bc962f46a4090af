//! The PDF layout's own checks: same bytes every time, the structure a
//! reader's tools rely on (tags, bookmarks, PDF/A), and the seal read back.
//! The CLI tests read its text with pdftotext.

use super::*;
use crate::model::Status;
use crate::report::model::{
    Audit, Counts, ItemReport, ReleaseHead, RunReport, SectionReport, SCHEMA,
};
use crate::seal::{digest, Signature, SEAL_VERSION};

fn item(number: &str, title: &str, status: Status) -> ItemReport {
    ItemReport {
        depth: 0,
        evidence: Vec::new(),
        fields: Vec::new(),
        initially_checked: false,
        key: format!("k{number}"),
        notes: String::new(),
        number: number.into(),
        owner: Some("Łukasz".into()),
        owner_name: None,
        plain: title.into(),
        reason: None,
        status,
        title: title.into(),
        updated_at: "2026-11-26T10:00:00Z".into(),
        updated_by: "ana".into(),
    }
}

fn counts(total: usize, done: usize) -> Counts {
    Counts {
        blocked: 0,
        done,
        not_applicable: 0,
        open: total - done,
        percent: (done * 100 / total.max(1)) as u32,
        total,
    }
}

pub(super) fn sample() -> Report {
    let items = vec![
        item("1.1", "Ærø → Łódź ✓", Status::Done),
        item("1.2", "Проверить журнал", Status::Open),
        item("1.3", "بررسی release نهایی", Status::Open),
    ];
    Report {
        audit: Audit::default(),
        branding: None,
        comparison: None,
        generated_at: "2026-11-26T12:00:00Z".into(),
        layout: None,
        override_: None,
        progress: counts(3, 1),
        release: ReleaseHead {
            due_date: Some("2026-12-01".into()),
            name: "v9".into(),
            status: "signed_off".into(),
        },
        revision: 1,
        runs: vec![RunReport {
            approver_roles: Vec::new(),
            content_hash: "h".into(),
            description: String::new(),
            metadata: Vec::new(),
            progress: counts(3, 1),
            sections: vec![SectionReport {
                depth: 0,
                description: String::new(),
                items,
                key: "s1".into(),
                number: "1".into(),
                plain: "Ελληνικά".into(),
                progress: counts(3, 1),
                title: "Ελληνικά".into(),
            }],
            source: "w.md".into(),
            template: "w".into(),
            title: "World".into(),
            version: 1,
        }],
        schema: SCHEMA.into(),
    }
}

/// Acme for Globex, with the PNG logo the CLI tests use.
pub(super) fn branding() -> crate::report::model::Branding {
    crate::report::model::Branding {
        client_name: Some("Globex".into()),
        logo: Some(
            crate::report::branding::logo_from_bytes(
                include_bytes!("../../../../../tests/cli/fixtures/logo.png").to_vec(),
            )
            .unwrap(),
        ),
        org_name: Some("Acme".into()),
    }
}

pub(super) fn sealed(report: &Report) -> Seal {
    let payload = String::from_utf8(report.canonical().unwrap()).unwrap();
    Seal {
        signet_seal: SEAL_VERSION,
        release: "v9".into(),
        revision: 1,
        digest: digest(payload.as_bytes()),
        payload,
        signatures: vec![Signature {
            handle: "ana".into(),
            name: "Ana Ruiz".into(),
            role: "Tech lead".into(),
            signed_at: "2026-11-26T12:00:00Z".into(),
            key_id: "0123456789ABCDEF".into(),
            public_key: "RWQ".into(),
            minisig: "untrusted comment: x\nAAAA\ntrusted comment: y\nBBBB\n".into(),
        }],
    }
}

fn has(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_same_report_renders_the_same_bytes() {
    let r = sample();
    let seal = sealed(&r);
    let a = render(&r, Some(&seal), Paper::A4).unwrap();
    let b = render(&r, Some(&seal), Paper::A4).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, render(&r, Some(&seal), Paper::Letter).unwrap());
}

#[test]
fn the_pdf_is_tagged_archival_and_has_bookmarks_per_section() {
    let bytes = render(&sample(), None, Paper::A4).unwrap();
    assert!(has(&bytes, b"/StructTreeRoot"), "tagged");
    assert!(has(&bytes, b"/Marked true"), "marked content");
    assert!(has(&bytes, b"/Outlines"), "bookmarks");
    assert!(has(&bytes, b"<pdfaid:part>3</pdfaid:part>"), "PDF/A-3");
    assert!(has(&bytes, b"<pdfaid:conformance>B</pdfaid:conformance>"));
    // The report's own time is the document's date; nothing else is.
    assert!(has(&bytes, b"2026-11-26T12:00:00"));
    // Fonts are embedded (subset), not referenced by name.
    assert!(has(&bytes, b"/FontFile2"));
    assert!(!has(&bytes, b"/Helvetica"));
}

#[test]
fn the_seal_reads_back_with_its_payload() {
    let r = sample();
    let seal = sealed(&r);
    let bytes = render(&r, Some(&seal), Paper::A4).unwrap();
    let found = find_seal(&bytes).unwrap().unwrap();
    assert_eq!(found, seal);
    assert!(find_seal(&render(&r, None, Paper::A4).unwrap()).is_none());
}

#[test]
fn a_seal_whose_payload_stream_is_damaged_is_an_error_not_a_panic() {
    let r = sample();
    let seal = sealed(&r);
    let bytes = render(&r, Some(&seal), Paper::A4).unwrap();
    let at = bytes
        .windows(14)
        .rposition(|w| w == b"(payload.json)")
        .unwrap();
    // Every byte from the payload's file specification to the end, flipped
    // in turn, either still finds the same seal or says what is wrong.
    for i in (at..bytes.len()).step_by(97) {
        let mut b = bytes.clone();
        b[i] ^= 0x55;
        if let Some(Ok(s)) = find_seal(&b) {
            let _ = s.payload.len();
        }
    }
}

/// Layout 4 added the PNG logo and the note on characters no bundled font
/// has. A report signed as layout 2 re-renders without them, so it verifies
/// as it did when it was signed.
#[test]
fn a_layout_2_seal_draws_neither_the_logo_nor_the_missing_text_note() {
    let mut r = sample();
    r.runs[0].sections[0].items[0].title = "発売前チェック".into();
    r.runs[0].sections[0].items[0].plain = "発売前チェック".into();
    r.branding = Some(crate::report::model::Branding {
        client_name: None,
        logo: Some(
            crate::report::branding::logo_from_bytes(
                include_bytes!("../../../../../tests/cli/fixtures/logo.png").to_vec(),
            )
            .unwrap(),
        ),
        org_name: Some("Acme".into()),
    });
    let drawn = |layout: u32| {
        let mut l = Layout::new(fonts::fonts().unwrap(), Paper::A4, layout);
        let mut seal = sealed(&r);
        seal.signet_seal = layout;
        cover::draw(&mut l, &r, Some(&seal));
        body::draw(&mut l, &r, Some(&seal));
        let images = l
            .pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, layout::Op::Image { .. }))
            .count();
        let note = l.pages.iter().flatten().any(
            |op| matches!(op, layout::Op::Text { line, .. } if line.text.contains("left out of it")),
        );
        (images, note)
    };
    assert_eq!(drawn(4), (1, true));
    assert_eq!(drawn(2), (0, false));
    // And the whole file differs by what layout 4 adds.
    let mut v2 = sealed(&r);
    v2.signet_seal = 2;
    assert_ne!(
        render(&r, Some(&v2), Paper::A4).unwrap(),
        render(&r, Some(&sealed(&r)), Paper::A4).unwrap()
    );
}

/// Layout 7 puts the branding in every page's running header: the logo
/// beside "Prepared by …". A report signed as layout 4 re-renders with the
/// plain header and the logo on the cover only.
#[test]
fn the_running_header_carries_the_branding_from_layout_7_on() {
    let mut r = sample();
    r.branding = Some(branding());
    let count = |hay: &[u8], needle: &[u8]| memchr::memmem::find_iter(hay, needle).count();
    let plain = |layout: u32| {
        let mut seal = sealed(&r);
        seal.signet_seal = layout;
        render_streams(&r, Some(&seal), Paper::A4, false).unwrap()
    };
    let (v7, v4) = (plain(7), plain(4));
    let pages = count(&v7, b"/Type/Page/");
    assert!(pages >= 2, "{pages} pages");
    // An image is drawn by `Do`: the cover's logo, then one per header.
    assert_eq!(count(&v7, b" Do"), 1 + pages);
    assert_eq!(count(&v4, b" Do"), 1);
    assert_ne!(v7, v4);
}

/// Layout 8 draws an SVG logo as paths on the cover and in every header;
/// layout 7 shipped leaving it out, and a layout-7 seal still renders
/// without it (the CLI test `a_layout_7_pdf_with_an_svg_logo_signed_before_
/// layout_8_still_verifies` checks a file signed by that Signet).
#[test]
fn an_svg_logo_is_drawn_from_layout_8_on() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10" fill="#e0218a"/></svg>"##;
    let logo = crate::report::branding::logo_from_bytes(svg.to_vec()).unwrap();
    assert!(logo::picture(&logo, 7).is_none());
    assert!(logo::picture(&logo, VECTOR_LOGO).is_some());
    let mut r = sample();
    r.branding = Some(crate::report::model::Branding {
        logo: Some(logo),
        ..branding()
    });
    let drawn = |layout: u32| {
        let mut l = Layout::new(fonts::fonts().unwrap(), Paper::A4, layout);
        let mut seal = sealed(&r);
        seal.signet_seal = layout;
        cover::draw(&mut l, &r, Some(&seal));
        l.pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, layout::Op::Image { .. }))
            .count()
    };
    assert_eq!((drawn(7), drawn(8)), (0, 1));
    // The running header too: layout 7's is the same as with no logo set.
    let plain = |r: &Report, layout: u32| {
        let mut seal = sealed(r);
        seal.signet_seal = layout;
        render_streams(r, Some(&seal), Paper::A4, false).unwrap()
    };
    let fill = b"0.8784314 0.12941177 0.5411765 scn";
    let (v7, v8) = (plain(&r, 7), plain(&r, 8));
    let pages = memchr::memmem::find_iter(&v8, b"/Type/Page/").count();
    assert!(pages >= 2, "{pages} pages");
    let count = |hay: &[u8], needle: &[u8]| memchr::memmem::find_iter(hay, needle).count();
    assert_eq!((count(&v7, fill), count(&v7, b" Do")), (0, 0));
    // Written once, as a form the cover and every header draw with `Do`.
    assert_eq!((count(&v8, fill), count(&v8, b" Do")), (1, 1 + pages));
}

/// Layout 11 draws a block's consecutive lines in one tagged span; a
/// report signed as layout 8 re-renders with a span per line, as it was
/// signed. The text drawn is the same.
#[test]
fn a_blocks_lines_share_one_tagged_span_from_layout_11_on() {
    let r = sample();
    let plain = |layout: u32| {
        let mut seal = sealed(&r);
        seal.signet_seal = layout;
        render_streams(&r, Some(&seal), Paper::A4, false).unwrap()
    };
    let count = |hay: &[u8], needle: &[u8]| memchr::memmem::find_iter(hay, needle).count();
    let (v8, v11) = (plain(8), plain(ONE_SPAN_PER_BLOCK));
    let (spans8, spans11) = (count(&v8, b"/Span<</MCID"), count(&v11, b"/Span<</MCID"));
    assert!(
        spans11 > 10 && spans11 * 4 < spans8 * 3,
        "{spans8} → {spans11}"
    );
    for shows in [&b" TJ"[..], b" Tj", b" Tf"] {
        assert_eq!(count(&v8, shows), count(&v11, shows));
    }
    assert!(v11.len() < v8.len());
}
