//! Report branding: which organisation prepared a report, for which client,
//! and their logo. Checks a logo before it is kept: a PNG or an SVG, small
//! enough to embed in every report. An SVG is only ever shown through
//! `<img src="data:…">`, where browsers run no script and load nothing;
//! one holding script is refused anyway, so no copy of it can run elsewhere.

use std::path::Path;

use base64::Engine;

use super::model::Logo;
use crate::error::{Error, Result};

/// A logo is embedded in every report and its seal: 512 KiB at most.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Reads and checks a logo file.
pub fn logo_from_file(path: &Path) -> Result<Logo> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if meta.len() > MAX_LOGO_BYTES as u64 {
        return Err(Error::Invalid(format!(
            "{}: the logo is {} KiB; at most {} KiB is embedded in reports",
            path.display(),
            meta.len().div_ceil(1024),
            MAX_LOGO_BYTES / 1024
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
    logo_from_bytes(bytes).map_err(|e| match e {
        Error::Invalid(why) => Error::Invalid(format!("{}: {why}", path.display())),
        e => e,
    })
}

/// Checks a logo's bytes: a PNG (by its signature) or an SVG document
/// without script.
pub fn logo_from_bytes(bytes: Vec<u8>) -> Result<Logo> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Error::Invalid(format!(
            "the logo is {} KiB; at most {} KiB is embedded in reports",
            bytes.len().div_ceil(1024),
            MAX_LOGO_BYTES / 1024
        )));
    }
    let media_type = if bytes.starts_with(PNG_SIGNATURE) {
        "image/png"
    } else {
        check_svg(&bytes)?;
        "image/svg+xml"
    };
    Ok(Logo {
        data: base64::engine::general_purpose::STANDARD.encode(&bytes),
        media_type: media_type.to_string(),
    })
}

fn check_svg(bytes: &[u8]) -> Result<()> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::Invalid("the logo is neither a PNG nor an SVG (UTF-8 text) file".into())
    })?;
    let lower = text.trim_start_matches('\u{feff}').to_ascii_lowercase();
    // The root element must be <svg>: skip the XML declaration, comments
    // and a doctype before it.
    let mut rest = lower.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!doctype") {
            rest = r.split_once('>').map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    if !(rest.starts_with("<svg") && rest[4..].starts_with(|c: char| c.is_whitespace() || c == '>'))
    {
        return Err(Error::Invalid(
            "the logo is neither a PNG nor an SVG file (an SVG starts with <svg …>)".into(),
        ));
    }
    for bad in [
        "<script",
        "javascript:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
    ] {
        if lower.contains(bad) {
            return Err(Error::Invalid(format!(
                "the SVG logo holds active content ({}…); export it without scripts",
                bad.trim_start_matches('<')
            )));
        }
    }
    if let Some(attr) = event_handler(&lower) {
        return Err(Error::Invalid(format!(
            "the SVG logo holds an event handler ({attr}=); export it without scripts"
        )));
    }
    Ok(())
}

/// An `on…=` attribute (onload, onclick, …) anywhere in the markup.
fn event_handler(lower: &str) -> Option<String> {
    let b = lower.as_bytes();
    let mut i = 0;
    while let Some(at) = lower[i..].find("on") {
        let start = i + at;
        i = start + 2;
        if start == 0 || !b[start - 1].is_ascii_whitespace() {
            continue;
        }
        let name_end = start
            + 2
            + lower[start + 2..]
                .bytes()
                .take_while(u8::is_ascii_alphabetic)
                .count();
        if name_end == start + 2 {
            continue;
        }
        let after = lower[name_end..].trim_start();
        if after.starts_with('=') {
            return Some(lower[start..name_end].to_string());
        }
    }
    None
}

/// The logo as a `data:` URL for an `<img>`.
pub fn data_url(logo: &Logo) -> String {
    format!("data:{};base64,{}", logo.media_type, logo.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_plain_svg_are_taken() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&[0, 0, 0, 13]);
        assert_eq!(logo_from_bytes(png).unwrap().media_type, "image/png");
        let svg = "<?xml version=\"1.0\"?>\n<!-- logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"#123\"/></svg>";
        let logo = logo_from_bytes(svg.as_bytes().to_vec()).unwrap();
        assert_eq!(logo.media_type, "image/svg+xml");
        assert!(data_url(&logo).starts_with("data:image/svg+xml;base64,PD94"));
    }

    #[test]
    fn other_files_and_active_svg_are_refused_saying_why() {
        let e = logo_from_bytes(b"GIF89a....".to_vec()).unwrap_err();
        assert!(e.to_string().contains("neither a PNG nor an SVG"), "{e}");
        let e = logo_from_bytes(b"<html><svg></svg></html>".to_vec()).unwrap_err();
        assert!(e.to_string().contains("starts with <svg"), "{e}");
        for svg in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><a href=\"javascript:alert(1)\">x</a></svg>",
            "<svg><foreignObject><div/></foreignObject></svg>",
        ] {
            let e = logo_from_bytes(svg.as_bytes().to_vec()).unwrap_err();
            assert!(e.to_string().contains("active content"), "{svg}: {e}");
        }
        let e = logo_from_bytes(b"<svg onload = \"x()\"></svg>".to_vec()).unwrap_err();
        assert!(e.to_string().contains("event handler (onload=)"), "{e}");
        // "on" inside a word or a value is no handler.
        logo_from_bytes(b"<svg><text font=\"mono\" data-x=\"on\">icon</text></svg>".to_vec())
            .unwrap();
        let big = vec![b' '; MAX_LOGO_BYTES + 1];
        let e = logo_from_bytes(big).unwrap_err();
        assert!(e.to_string().contains("at most 512 KiB"), "{e}");
    }
}
