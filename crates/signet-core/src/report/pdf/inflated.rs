//! How `verify` checks a PDF of layout 7 and up without compressing it
//! again. Re-rendering a 10k-item report spent a third of its time in
//! deflate (krilla's page contents and the payload attachment, level 6);
//! inflating the file's streams costs a tenth of that. So the payload is
//! rendered with its streams left plain, and the file must be exactly that
//! PDF with some of its streams deflated:
//!
//! - the header, every object's number and dictionary, the trailer and
//!   `%%EOF` byte for byte, in the same order, with nothing before, between
//!   or after them (an appended incremental update fails);
//! - a stream the plain rendering holds without a filter is either the same
//!   bytes, or krilla's deflated form of it: the same dictionary with
//!   `/Filter/FlateDecode` where krilla writes it, its `/Length`, and zlib
//!   data (header and Adler-32 checked) that inflates to exactly the plain
//!   content and ends exactly where `/Length` says;
//! - the cross-reference table names each object at its place in this file,
//!   and `startxref` the table's;
//! - the document ID (trailer and XMP), which krilla takes from a hash of
//!   the bytes written before it, is that hash of this file's bytes.
//!
//! What is left free is only how the deflated data is encoded (another
//! compressor's choice of matches, unused bits after the last code): no
//! viewer shows or loads anything different for it. Layouts 2 and 4 are
//! still compared byte for byte, as they were signed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;

use base64::Engine;
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use siphasher::sip128::{Hasher128, SipHasher13};

const FLATE: &[u8] = b"/Filter/FlateDecode";
const STREAM: &[u8] = b">>\nstream\n";
const END_STREAM: &[u8] = b"\nendstream\nendobj\n";

/// The plain rendering, split by its own cross-reference table (it is ours,
/// so a failure here is a bug, not a bad file).
struct Plain<'a> {
    bytes: &'a [u8],
    /// Where each object starts, objects 1.. in order.
    starts: Vec<usize>,
    /// Where the cross-reference table starts (the end of the last object).
    xref: usize,
    /// `xref\n0 N\n` and the free entry.
    xref_head: &'a [u8],
    /// From `trailer` up to `startxref\n`, inclusive.
    trailer: &'a [u8],
    /// After the `startxref` number (`\n%%EOF`).
    end: &'a [u8],
    /// The document ID as written, and the object whose start ends the
    /// bytes it hashes (the one after the document information).
    id: &'a [u8],
    id_from: usize,
}

fn number(bytes: &[u8]) -> Option<(usize, usize)> {
    let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 12 || (len > 1 && bytes[0] == b'0') {
        return None;
    }
    let n = std::str::from_utf8(&bytes[..len]).ok()?.parse().ok()?;
    Some((n, len))
}

impl<'a> Plain<'a> {
    fn parse(bytes: &'a [u8]) -> Option<Plain<'a>> {
        let sx = memchr::memmem::rfind(bytes, b"startxref\n")?;
        let (xref, len) = number(&bytes[sx + 10..])?;
        let end = &bytes[sx + 10 + len..];
        let rest = bytes.get(xref..sx)?;
        let rest = rest.strip_prefix(b"xref\n0 ")?;
        let (count, len) = number(rest)?;
        let head_len = 7 + len + 1 + 20;
        let xref_head = bytes.get(xref..xref + head_len)?;
        let objects = count.checked_sub(1).filter(|&n| n > 0)?;
        let entries = bytes.get(xref + head_len..xref + head_len + 20 * objects)?;
        let mut starts = Vec::with_capacity(objects);
        for e in entries.chunks(20) {
            let at: usize = std::str::from_utf8(e.get(..10)?).ok()?.parse().ok()?;
            if e != format!("{at:010} 00000 n\r\n").as_bytes() {
                return None;
            }
            if starts.last().is_some_and(|&last| last >= at) {
                return None;
            }
            starts.push(at);
        }
        let trailer = &bytes[xref + head_len + entries.len()..sx + 10];
        let id_at = memchr::memmem::find(trailer, b"/ID[(")? + 5;
        let id_len = trailer[id_at..].iter().position(|&b| b == b')')?;
        let id = &trailer[id_at..id_at + id_len];
        // 16 bytes in base64, the length `document_id` gives.
        if id.len() != 24 {
            return None;
        }
        let info_at = memchr::memmem::find(trailer, b"/Info ")? + 6;
        let (info, _) = number(&trailer[info_at..])?;
        Some(Plain {
            bytes,
            starts,
            xref,
            xref_head,
            trailer,
            end,
            id,
            // Objects are numbered from 1: the one after `info` is index `info`.
            id_from: info,
        })
    }

    fn object(&self, k: usize) -> &'a [u8] {
        let end = self.starts.get(k + 1).copied().unwrap_or(self.xref);
        &self.bytes[self.starts[k]..end]
    }
}

/// krilla's document ID: SipHash-1-3 (128 bits) of the bytes written before
/// it, hashed as a `[u8]` is (length first, as a u64), in base64.
fn document_id(prefix: &[u8]) -> String {
    let mut h = SipHasher13::new();
    h.write_u64(prefix.len() as u64);
    h.write(prefix);
    base64::engine::general_purpose::STANDARD.encode(h.finish128().as_u128().to_be_bytes())
}

/// `bytes` with every `from` replaced by `to` (the same length).
fn replaced<'b>(bytes: &'b [u8], from: &[u8], to: &[u8]) -> Cow<'b, [u8]> {
    if from == to || memchr::memmem::find(bytes, from).is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut out = bytes.to_vec();
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(&out[at..], from) {
        out[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
    }
    Cow::Owned(out)
}

/// The plain stream object `obj` as its head (`N 0 obj\n<</Length `), the
/// rest of its dictionary and its content; None when it is no stream or
/// already carries a filter.
fn plain_stream(obj: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let body = obj.strip_suffix(END_STREAM)?;
    let open = memchr::memmem::find(obj, b" 0 obj\n<</Length ")? + 17;
    let (len, digits) = number(&obj[open..])?;
    let data = body.get(body.len().checked_sub(len)?..)?;
    let dict = body[..body.len() - len].strip_suffix(STREAM)?;
    let rest = dict.get(open + digits..)?;
    (memchr::memmem::find(rest, b"/Filter").is_none()).then_some((&obj[..open], rest, data))
}

/// Where krilla puts `/Filter/FlateDecode` in a dictionary whose entries
/// after `/Length` are `rest`: after the `/Type` entry when it has one, and
/// after `/Subtype/Form` too in a form XObject (layout 8's SVG logo), which
/// pdf-writer starts with both.
fn filter_at(rest: &[u8]) -> usize {
    const FORM: &[u8] = b"/Type/XObject/Subtype/Form";
    if rest.starts_with(FORM) && rest.get(FORM.len()).is_none_or(|b| b"/<>[]() ".contains(b)) {
        return FORM.len();
    }
    match rest.strip_prefix(b"/Type/") {
        Some(name) => {
            6 + name
                .iter()
                .position(|b| b"/<>[]() ".contains(b))
                .unwrap_or(name.len())
        }
        None => 0,
    }
}

/// The file's deflated streams, inflated ahead: `verify` inflates them on
/// the other core while it renders, and the comparison takes them from here
/// instead of inflating after the rendering. Keyed by where the zlib data
/// starts and its length. Only what inflated cleanly is kept (header,
/// Adler-32, every byte of the data consumed), so the comparison is as
/// strict either way; a stream not found here is inflated then.
#[derive(Default)]
pub(super) struct Ahead(HashMap<(usize, usize), Vec<u8>>);

/// At most this much is inflated ahead, and no more than a seal may
/// inflate to (`report::inflate_limit`, 64 times the file's size): the
/// file is anyone's, and a small one could name gigabytes (deflate reaches
/// 1032:1). Our reports' streams inflate to about 5–15 times their size.
/// Streams past it are inflated by the comparison, against the length the
/// rendering says they must have.
const AHEAD_BUDGET: usize = 256 << 20;

impl Ahead {
    /// Finds each stream the way krilla writes one (`N 0 obj\n<</Length
    /// L…/Filter/FlateDecode…>>\nstream\n`) and inflates it. A match in
    /// the middle of other data only costs the time to try it.
    pub(super) fn inflate(file: &[u8]) -> Ahead {
        Ahead(inflate_ahead(file).0)
    }
}

/// [`Ahead::inflate`]'s streams, and how many bytes it inflated, kept or
/// not (never more than the budget).
fn inflate_ahead(file: &[u8]) -> (HashMap<(usize, usize), Vec<u8>>, usize) {
    const OPEN: &[u8] = b" 0 obj\n<</Length ";
    let mut ahead = HashMap::new();
    let mut budget = crate::report::inflate_limit(file.len()).min(AHEAD_BUDGET);
    let mut inflated = 0;
    for hit in memchr::memmem::find_iter(file, STREAM) {
        if budget == 0 {
            break;
        }
        let window = &file[hit.saturating_sub(4096)..hit];
        let Some(open) = memchr::memmem::rfind(window, OPEN) else {
            continue;
        };
        let Some((len, digits)) = number(&window[open + OPEN.len()..]) else {
            continue;
        };
        let dict = &window[open + OPEN.len() + digits..];
        if memchr::memmem::find(dict, FLATE).is_none() {
            continue;
        }
        let start = hit + STREAM.len();
        let Some(packed) = file.get(start..start.saturating_add(len)) else {
            continue;
        };
        // What a stream inflated to counts against the budget whether
        // it is kept or not: a file of many streams that each inflate
        // past it would otherwise be inflated again and again.
        let (plain, spent) = inflate_within(packed, budget);
        budget = budget.saturating_sub(spent);
        inflated += spent;
        if let Some(plain) = plain {
            ahead.insert((start, len), plain);
        }
    }
    (ahead, inflated)
}

/// Inflates zlib `data`, all of it, into at most `limit` bytes; None when
/// it is not clean zlib data or inflates to more. Also how many bytes it
/// inflated either way.
fn inflate_within(data: &[u8], limit: usize) -> (Option<Vec<u8>>, usize) {
    let mut d = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
    let mut out = vec![0; data.len().saturating_mul(8).min(limit).max(1)];
    let (mut read, mut written) = (0, 0);
    loop {
        let (status, r, w) = decompress(&mut d, &data[read..], &mut out, written, flags);
        read += r;
        written += w;
        match status {
            TINFLStatus::Done if read == data.len() && written <= limit => {
                out.truncate(written);
                return (Some(out), written);
            }
            TINFLStatus::HasMoreOutput if out.len() < limit => {
                let grown = out.len().saturating_mul(2).min(limit);
                out.resize(grown, 0);
            }
            _ => return (None, written),
        }
    }
}

/// Inflates zlib `data` into exactly `out.len()` bytes, all of `data`
/// consumed: a stream that inflates to more or less, or has bytes after its
/// checksum, fails.
fn inflate_exactly(data: &[u8], out: &mut [u8]) -> bool {
    let mut d = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
    let (status, read, written) = decompress(&mut d, data, out, 0, flags);
    status == TINFLStatus::Done && read == data.len() && written == out.len()
}

/// Compares the file's object at `at` with the plain stream object `obj`
/// deflated; returns where the file's object ends.
fn deflated_stream(
    file: &[u8],
    at: usize,
    obj: &[u8],
    ahead: &Ahead,
    buf: &mut Vec<u8>,
) -> Option<usize> {
    let (head, rest, data) = plain_stream(obj)?;
    let mut i = at + head.len();
    if file.get(at..i)? != head {
        return None;
    }
    let (len, digits) = number(&file[i..])?;
    i += digits;
    let split = filter_at(rest);
    let dict = file.get(i..i + rest.len() + FLATE.len())?;
    if dict[..split] != rest[..split]
        || &dict[split..split + FLATE.len()] != FLATE
        || dict[split + FLATE.len()..] != rest[split..]
    {
        return None;
    }
    i += dict.len();
    i += STREAM.len();
    if file.get(i - STREAM.len()..i)? != STREAM {
        return None;
    }
    let packed = file.get(i..i + len)?;
    i += len;
    if file.get(i..i + END_STREAM.len())? != END_STREAM {
        return None;
    }
    let same = match ahead.0.get(&(i - len, len)) {
        Some(inflated) => inflated == data,
        None => {
            buf.clear();
            buf.resize(data.len(), 0);
            inflate_exactly(packed, buf) && buf.as_slice() == data
        }
    };
    same.then_some(i + END_STREAM.len())
}

/// Checks that `file` is `plain` (the rendering with plain streams) with
/// some streams deflated, as the module says; the first difference in
/// words otherwise. `ahead` holds streams already inflated.
pub(super) fn compare(file: &[u8], plain: &[u8], ahead: &Ahead) -> Result<(), String> {
    let p = Plain::parse(plain).ok_or_else(|| {
        "the re-rendered PDF could not be read back (a bug in Signet)".to_string()
    })?;
    let differs = |what: String| {
        Err(format!(
            "{what} differs from the signed content rendered again"
        ))
    };
    let header = &plain[..p.starts[0]];
    if !file.starts_with(header) {
        return differs("the PDF's header".into());
    }
    let mut at = header.len();
    let mut starts = Vec::with_capacity(p.starts.len());
    let mut id: Option<String> = None;
    let mut buf = Vec::new();
    for k in 0..p.starts.len() {
        starts.push(at);
        if k == p.id_from {
            id = Some(document_id(&file[..at]));
        }
        let obj = p.object(k);
        let obj = match &id {
            Some(id) => replaced(obj, p.id, id.as_bytes()),
            None => Cow::Borrowed(obj),
        };
        if file.get(at..at + obj.len()) == Some(&obj[..]) {
            at += obj.len();
            continue;
        }
        match deflated_stream(file, at, &obj, ahead, &mut buf) {
            Some(end) => at = end,
            None => return differs(format!("object {} of the PDF", k + 1)),
        }
    }
    let Some(id) = id else {
        return differs("the document ID".into());
    };
    // The cross-reference table as it must be for this file's objects.
    let mut tail = Vec::with_capacity(plain.len() - p.xref);
    tail.extend_from_slice(p.xref_head);
    for s in &starts {
        tail.extend_from_slice(format!("{s:010} 00000 n\r\n").as_bytes());
    }
    tail.extend_from_slice(&replaced(p.trailer, p.id, id.as_bytes()));
    tail.extend_from_slice(at.to_string().as_bytes());
    tail.extend_from_slice(p.end);
    if file.get(at..at + tail.len()) != Some(&tail[..]) {
        return differs("the cross-reference table or trailer".into());
    }
    if file.len() > at + tail.len() {
        return Err(format!(
            "{} bytes follow the end of the signed PDF (an appended update or other data)",
            file.len() - at - tail.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
