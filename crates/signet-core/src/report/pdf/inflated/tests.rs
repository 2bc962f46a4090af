//! Hostile edits of a layout-7 PDF, each made the way a careful forger
//! would: the cross-reference table, `startxref` and the document ID
//! rewritten to fit the edited bytes, so only the edit itself can fail it.

use super::super::tests::{branding, sample, sealed};
use super::super::{render, render_streams, Paper};
use super::*;
use crate::report::model::Report;
use crate::seal::Seal;

/// A signed sample (with a logo, so the PDF holds an image) as exported and
/// as rendered for verification.
fn files() -> (Report, Seal, Vec<u8>, Vec<u8>) {
    let mut r = sample();
    r.branding = Some(branding());
    let seal = sealed(&r);
    let file = render(&r, Some(&seal), Paper::A4).unwrap();
    let plain = render_streams(&r, Some(&seal), Paper::A4, false).unwrap();
    (r, seal, file, plain)
}

/// The comparison both ways `verify` may make it: with every stream
/// inflated ahead, as it does, and with none (inflated as compared); the
/// two must always agree.
fn compare(file: &[u8], plain: &[u8]) -> Result<(), String> {
    let ahead = Ahead::inflate(file);
    let with = super::compare(file, plain, &ahead);
    assert_eq!(with, super::compare(file, plain, &Ahead::default()));
    with
}

/// A file's header, objects and what follows them.
struct Parts {
    header: Vec<u8>,
    objects: Vec<Vec<u8>>,
    id: Vec<u8>,
    id_from: usize,
    xref_head: Vec<u8>,
    trailer: Vec<u8>,
    end: Vec<u8>,
}

fn split(file: &[u8]) -> Parts {
    let p = Plain::parse(file).expect("a well-formed PDF");
    Parts {
        header: file[..p.starts[0]].to_vec(),
        objects: (0..p.starts.len()).map(|k| p.object(k).to_vec()).collect(),
        id: p.id.to_vec(),
        id_from: p.id_from,
        xref_head: p.xref_head.to_vec(),
        trailer: p.trailer.to_vec(),
        end: p.end.to_vec(),
    }
}

/// Puts the parts together as krilla would: offsets, `startxref` and the
/// document ID computed for these bytes.
fn join(parts: &Parts) -> Vec<u8> {
    let mut out = parts.header.clone();
    let mut starts = Vec::new();
    let mut id = parts.id.clone();
    for (k, obj) in parts.objects.iter().enumerate() {
        if k == parts.id_from {
            id = document_id(&out).into_bytes();
        }
        starts.push(out.len());
        out.extend_from_slice(&replaced(obj, &parts.id, &id));
    }
    let xref = out.len();
    out.extend_from_slice(&parts.xref_head);
    for s in starts {
        out.extend_from_slice(format!("{s:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(&replaced(&parts.trailer, &parts.id, &id));
    out.extend_from_slice(xref.to_string().as_bytes());
    out.extend_from_slice(&parts.end);
    out
}

fn deflate(data: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, level)
}

/// The index of the first object holding `needle`.
fn object_with(parts: &Parts, needle: &[u8]) -> usize {
    parts
        .objects
        .iter()
        .position(|o| memchr::memmem::find(o, needle).is_some())
        .expect("an object with the needle")
}

/// A deflated stream object with new data (its `/Length` set to fit).
fn with_stream_data(obj: &[u8], data: &[u8]) -> Vec<u8> {
    let open = memchr::memmem::find(obj, b"/Length ").unwrap() + 8;
    let (len, digits) = number(&obj[open..]).unwrap();
    let body = obj.strip_suffix(END_STREAM).unwrap();
    let mut out = obj[..open].to_vec();
    out.extend_from_slice(data.len().to_string().as_bytes());
    out.extend_from_slice(&body[open + digits..body.len() - len]);
    out.extend_from_slice(data);
    out.extend_from_slice(END_STREAM);
    out
}

/// The stream data of a deflated object, inflated.
fn content(obj: &[u8]) -> Vec<u8> {
    let open = memchr::memmem::find(obj, b"/Length ").unwrap() + 8;
    let (len, _) = number(&obj[open..]).unwrap();
    let body = obj.strip_suffix(END_STREAM).unwrap();
    miniz_oxide::inflate::decompress_to_vec_zlib(&body[body.len() - len..]).unwrap()
}

/// The first page's content stream (it draws text and paths).
fn first_page(parts: &Parts) -> usize {
    parts
        .objects
        .iter()
        .position(|o| {
            memchr::memmem::find(o, b"/Filter/FlateDecode>>\nstream").is_some() && {
                let c = content(o);
                memchr::memmem::find(&c, b"BT").is_some()
                    && memchr::memmem::find(&c, b" m ").is_some()
            }
        })
        .expect("a page content stream")
}

#[test]
fn the_export_is_deflated_and_matches_its_plain_rendering() {
    let (r, seal, file, plain) = files();
    assert!(file.len() < plain.len(), "the export is compressed");
    assert_eq!(compare(&file, &plain), Ok(()));
    // verify's fast path: every deflated stream was inflated ahead.
    let deflated = memchr::memmem::find_iter(&file, FLATE).count();
    assert!(deflated > 3);
    assert_eq!(Ahead::inflate(&file).0.len(), deflated);
    assert_eq!(
        super::super::differs_inflated(&r, &seal, Paper::A4, &file).unwrap(),
        None
    );
    // The same PDF put together again by the test's own writer is the same
    // bytes: the forgeries below change only what they say they change.
    assert_eq!(join(&split(&file)), file);
}

#[test]
fn the_document_id_is_krillas_hash_of_the_bytes_before_it() {
    let (_, _, file, plain) = files();
    for bytes in [&file, &plain] {
        let p = Plain::parse(bytes).unwrap();
        let id = document_id(&bytes[..p.starts[p.id_from]]);
        assert_eq!(id.as_bytes(), p.id);
    }
}

#[test]
fn an_edited_page_stream_fails_even_with_its_length_and_offsets_fixed() {
    let (_, _, file, plain) = files();
    let mut parts = split(&file);
    let k = first_page(&parts);
    let mut text = content(&parts.objects[k]);
    // One drawing operator's number changed: a rectangle moves.
    let at = memchr::memmem::find(&text, b" m ").unwrap() - 1;
    text[at] = if text[at] == b'1' { b'2' } else { b'1' };
    parts.objects[k] = with_stream_data(&parts.objects[k], &deflate(&text, 6));
    let forged = join(&parts);
    let err = compare(&forged, &plain).unwrap_err();
    assert!(err.contains(&format!("object {}", k + 1)), "{err}");
}

#[test]
fn a_stream_compressed_differently_passes_and_so_does_one_left_plain() {
    // The one freedom: how the same content is deflated, or whether it is.
    let (_, _, file, plain) = files();
    let mut parts = split(&file);
    let k = first_page(&parts);
    let text = content(&parts.objects[k]);
    parts.objects[k] = with_stream_data(&parts.objects[k], &deflate(&text, 1));
    let other = join(&parts);
    assert_ne!(other, file);
    assert_eq!(compare(&other, &plain), Ok(()));
    let plain_parts = split(&plain);
    parts.objects[k] = plain_parts.objects[k].clone();
    assert_eq!(compare(&join(&parts), &plain), Ok(()));
}

#[test]
fn bytes_after_the_zlib_data_fail() {
    let (_, _, file, plain) = files();
    let mut parts = split(&file);
    let k = first_page(&parts);
    let mut data = deflate(&content(&parts.objects[k]), 6);
    data.extend_from_slice(b"hidden");
    parts.objects[k] = with_stream_data(&parts.objects[k], &data);
    assert!(compare(&join(&parts), &plain).is_err());
}

#[test]
fn a_changed_or_moved_filter_fails() {
    let (_, _, file, plain) = files();
    let parts = split(&file);
    let k = object_with(&parts, b"/Type/CMap/Filter/FlateDecode");
    for (from, to) in [
        (&b"/Filter/FlateDecode"[..], &b"/Filter/FlateDecodX"[..]),
        (
            b"/Type/CMap/Filter/FlateDecode",
            b"/Filter/FlateDecode/Type/CMap",
        ),
        (b"/Filter/FlateDecode", b"/Filter[/FlateDecode]"),
    ] {
        let mut forged = split(&file);
        forged.objects[k] = replaced_once(&parts.objects[k], from, to);
        assert!(compare(&join(&forged), &plain).is_err(), "{to:?}");
    }
}

/// Layout 8 writes an SVG logo once, as a form XObject, whose filter
/// pdf-writer puts after `/Subtype/Form`: there it passes, elsewhere fails.
#[test]
fn a_form_xobject_is_compared_with_its_filter_where_krilla_puts_it() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10" fill="#e0218a"/></svg>"##;
    let mut r = sample();
    r.branding = Some(crate::report::model::Branding {
        logo: Some(crate::report::branding::logo_from_bytes(svg.to_vec()).unwrap()),
        ..branding()
    });
    let seal = sealed(&r);
    let file = render(&r, Some(&seal), Paper::A4).unwrap();
    let plain = render_streams(&r, Some(&seal), Paper::A4, false).unwrap();
    assert_eq!(compare(&file, &plain), Ok(()));
    let parts = split(&file);
    let form = b"/Type/XObject/Subtype/Form/Filter/FlateDecode";
    let k = object_with(&parts, form);
    let mut forged = split(&file);
    forged.objects[k] = replaced_once(
        &parts.objects[k],
        form,
        b"/Type/XObject/Filter/FlateDecode/Subtype/Form",
    );
    assert!(compare(&join(&forged), &plain).is_err());
}

fn replaced_once(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = memchr::memmem::find(bytes, from).unwrap();
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

#[test]
fn an_extra_object_fails() {
    let (_, _, file, plain) = files();
    let mut parts = split(&file);
    // Renumbering would change every reference; an object inserted under a
    // new number, or one more at the end, is what a forger can do.
    let n = parts.objects.len();
    parts.objects.insert(
        3,
        format!("{} 0 obj\n<</Type/Annot>>\nendobj\n", n + 1).into_bytes(),
    );
    assert!(compare(&join(&parts), &plain).is_err());
    let mut parts = split(&file);
    parts
        .objects
        .push(format!("{} 0 obj\n<</Type/Annot>>\nendobj\n", n + 1).into_bytes());
    assert!(compare(&join(&parts), &plain).is_err());
}

#[test]
fn a_wrong_cross_reference_offset_or_startxref_fails() {
    let (_, _, file, plain) = files();
    let xref = memchr::memmem::rfind(&file, b"xref\n0 ").unwrap();
    let entry = xref + memchr::memmem::find(&file[xref..], b" n\r\n").unwrap() - 7;
    let mut forged = file.clone();
    forged[entry] = if forged[entry] == b'1' { b'2' } else { b'1' };
    let err = compare(&forged, &plain).unwrap_err();
    assert!(err.contains("cross-reference"), "{err}");
    let mut forged = file.clone();
    let last = forged.len() - 7;
    forged[last] = if forged[last] == b'1' { b'2' } else { b'1' };
    assert!(compare(&forged, &plain).is_err());
}

#[test]
fn an_appended_incremental_update_or_trailing_bytes_fail() {
    let (_, _, file, plain) = files();
    let p = Plain::parse(&file).unwrap();
    let mut update = file.clone();
    let at = update.len();
    update.extend_from_slice(b"\n1 0 obj\n<</Type/Pages/Count 0/Kids[]>>\nendobj\n");
    let xref = update.len();
    update.extend_from_slice(
        format!(
            "xref\n1 1\n{:010} 00000 n\r\ntrailer\n<</Size {}/Prev {}>>\nstartxref\n{xref}\n%%EOF",
            at + 1,
            p.starts.len() + 1,
            p.xref
        )
        .as_bytes(),
    );
    let err = compare(&update, &plain).unwrap_err();
    assert!(err.contains("follow the end"), "{err}");
    let mut trailing = file.clone();
    trailing.push(b'\n');
    assert!(compare(&trailing, &plain).is_err());
    assert!(compare(&file[..file.len() - 1], &plain).is_err());
}

#[test]
fn a_wrong_document_id_fails() {
    let (_, _, file, plain) = files();
    let p = Plain::parse(&file).unwrap();
    let id = p.id.to_vec();
    let mut other = id.clone();
    other[0] = if other[0] == b'A' { b'B' } else { b'A' };
    assert!(compare(&replaced(&file, &id, &other), &plain).is_err());
}

#[test]
fn no_single_changed_byte_passes() {
    let (_, _, file, plain) = files();
    for (step, bit) in [(1, 0x01), (3, 0x80), (5, 0x10)] {
        for i in (0..file.len()).step_by(step) {
            let mut bad = file.clone();
            bad[i] ^= bit;
            assert!(
                compare(&bad, &plain).is_err(),
                "byte {i} ^ {bit:#x} changed and it still passes"
            );
        }
    }
}

#[test]
fn inflating_ahead_keeps_only_clean_streams_within_its_budget() {
    let data = vec![b'a'; 100_000];
    let packed = deflate(&data, 6);
    let kept = |data: &[u8], limit| inflate_within(data, limit).0;
    assert_eq!(kept(&packed, 100_000).as_deref(), Some(&data[..]));
    assert_eq!(
        inflate_within(&packed, 99_999),
        (None, 99_999),
        "over the limit"
    );
    let mut trailing = packed.clone();
    trailing.push(0);
    assert_eq!(kept(&trailing, 1 << 20), None, "a byte after it");
    let mut checksum = packed.clone();
    *checksum.last_mut().unwrap() ^= 1;
    assert_eq!(kept(&checksum, 1 << 20), None, "a wrong Adler-32");
    assert_eq!(kept(&packed[..packed.len() - 1], 1 << 20), None);
}

#[test]
fn a_small_file_naming_a_huge_stream_is_not_inflated_ahead() {
    // 16 MiB of zeros in krilla's stream form: a few KiB of file.
    let bomb = deflate(&vec![0; 16 << 20], 9);
    let mut file = format!(
        "%PDF-1.7\n1 0 obj\n<</Length {}/Filter/FlateDecode>>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    file.extend_from_slice(&bomb);
    file.extend_from_slice(END_STREAM);
    assert!(
        crate::report::inflate_limit(file.len()) < 16 << 20,
        "{} bytes",
        file.len()
    );
    assert!(Ahead::inflate(&file).0.is_empty());
    // The same stream inside a file large enough for it is inflated.
    file.resize(file.len() + (16 << 20) / 64, b' ');
    assert!(crate::report::inflate_limit(file.len()) >= 16 << 20);
    assert_eq!(Ahead::inflate(&file).0.len(), 1);
}

#[test]
fn many_streams_past_the_budget_are_not_inflated_again_and_again() {
    // 40 streams of 4 MiB of zeros each, in a file whose budget holds two
    // and a half of them.
    let bomb = deflate(&vec![0; 4 << 20], 9);
    let mut file = b"%PDF-1.7\n".to_vec();
    for n in 1..=40 {
        let head = format!(
            "{n} 0 obj\n<</Length {}/Filter/FlateDecode>>\nstream\n",
            bomb.len()
        );
        file.extend_from_slice(head.as_bytes());
        file.extend_from_slice(&bomb);
        file.extend_from_slice(END_STREAM);
    }
    let budget = crate::report::inflate_limit(file.len()).min(AHEAD_BUDGET);
    assert!((8 << 20..12 << 20).contains(&budget), "{budget}");
    let (kept, inflated) = inflate_ahead(&file);
    assert_eq!(kept.len(), 2);
    // The third spends the rest; the 37 after it get nothing to spend.
    assert!(inflated <= budget, "{inflated} inflated, budget {budget}");
}
