//! The PDF report as a reader gets it (issue 13): text in any script comes
//! out of `pdftotext` as it went in — never `?` — the cover names the
//! override's approver, the chart names sections, the file is tagged with
//! bookmarks, and the signed PDF verifies.

use super::Env;

/// Sections, items and owners in Latin with diacritics, Cyrillic, Greek,
/// arrows, check marks, Persian with an English term, and an emoji.
const WORLD: &str = "# Ærø release checklist

## 1. Łódź → Kraków

- [ ] Zażółć gęślą jaźń ✓
- [ ] Ship the 🚀 build

## 2. Русский раздел

- [ ] Проверить журнал ✔

## 3. Ελληνικά

- [ ] Έλεγχος αρχείων ✗ ☑

## 4. گزارش نهایی

- [ ] بررسی release نهایی
";

fn pdftotext(env: &Env, file: &str) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", env.path(file).to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian package poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn world() -> Env {
    let env = Env::new();
    env.file("world.md", WORLD);
    env.run(&["import", "world.md", "--release", "v9"])
        .success();
    env.approvers();
    env.run(&["tick", "v9", "1.1", "done", "--owner", "Łukasz Ærøsen"])
        .success();
    env.run(&[
        "tick",
        "v9",
        "2.1",
        "blocked",
        "--reason",
        "ждём доступ",
        "--owner",
        "Дмитрий",
    ])
    .success();
    env.run(&["tick", "v9", "3.1", "done", "--owner", "Σοφία"])
        .success();
    env.run(&[
        "signoff",
        "v9",
        "--as",
        "ana",
        "--role",
        "Tech lead",
        "--override",
        "Проверка позже → ok",
    ])
    .success();
    env
}

#[test]
fn every_script_comes_out_of_the_pdf_as_it_went_in() {
    let env = world();
    env.run(&["export", "v9", "-o", "v9.pdf"]).success();
    let text = pdftotext(&env, "v9.pdf");
    for s in [
        "Ærø release checklist",
        "Łódź → Kraków",
        "Zażółć gęślą jaźń ✓",
        "Ship the 🚀 build",
        "Русский раздел",
        "Проверить журнал ✔",
        "Ελληνικά",
        "Έλεγχος αρχείων ✗ ☑",
        "owner: Łukasz Ærøsen",
        "owner: Дмитрий",
        "owner: Σοφία",
        "blocked: ждём доступ",
    ] {
        assert!(text.contains(s), "{s:?} missing from:\n{text}");
    }
    // Right-to-left: extraction order may vary, each word is there.
    for word in ["گزارش", "نهایی", "بررسی", "release"] {
        assert!(text.contains(word), "{word:?} missing from:\n{text}");
    }
    assert!(!text.contains('?'), "a character became '?':\n{text}");
    assert!(!text.contains('\u{fffd}'), "a character was lost:\n{text}");
}

#[test]
fn the_cover_names_the_override_and_its_approver_and_the_chart_names_sections() {
    let env = world();
    env.run(&["export", "v9", "-o", "v9.pdf"]).success();
    let first = {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-f", "1", "-l", "1"])
            .arg(env.path("v9.pdf"))
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(first.contains("Signed off with an override"), "{first}");
    assert!(
        first.contains("by Ana Ruiz (ana), Tech lead: Проверка позже → ok"),
        "the override names its approver:\n{first}"
    );
    assert!(first.contains("Ana Ruiz (ana), Tech lead, "), "{first}");
    // Open items by section and title, never by key.
    assert!(
        first.contains("Łódź → Kraków › 1.2 Ship the 🚀 build"),
        "{first}"
    );
    assert!(
        first.contains("Русский раздел › 2.1 Проверить журнал ✔ (blocked)"),
        "{first}"
    );
    assert!(
        !first.contains("k1.2") && !first.contains("łódź-kraków/"),
        "{first}"
    );
    let chart = {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-f", "2", "-l", "2"])
            .arg(env.path("v9.pdf"))
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(chart.contains("Progress by section"), "{chart}");
    for label in ["Łódź → Kraków", "Русский раздел", "Ελληνικά"] {
        assert!(
            chart.matches(label).count() >= 2,
            "the chart and the section both name {label:?}:\n{chart}"
        );
    }
}

#[test]
fn the_pdf_is_tagged_with_bookmarks_and_verifies() {
    let env = world();
    env.run(&["export", "v9", "-o", "v9.pdf"]).success();
    let info = std::process::Command::new("pdfinfo")
        .arg(env.path("v9.pdf"))
        .output()
        .unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(field("Tagged:"), "yes", "{info}");
    assert_eq!(field("PDF version:"), "1.7", "{info}");
    let outline = std::process::Command::new("pdfinfo")
        .args(["-struct"])
        .arg(env.path("v9.pdf"))
        .output()
        .unwrap();
    let structure = String::from_utf8_lossy(&outline.stdout);
    assert!(structure.contains("H2"), "{structure}");
    let bytes = std::fs::read(env.path("v9.pdf")).unwrap();
    assert!(bytes.windows(10).any(|w| w == b"/Outlines "));
    env.run(&["verify", "v9.pdf"])
        .success()
        .stdout(predicates::str::contains("VALID — v9 revision 1"));
    // Exporting again gives the same bytes.
    env.run(&["export", "v9", "-o", "again.pdf"]).success();
    assert_eq!(bytes, std::fs::read(env.path("again.pdf")).unwrap());
}

/// A release signed off with `logo` as the branding logo, exported as
/// `logo.pdf`.
fn branded(logo_name: &str, logo: &[u8]) -> Env {
    let env = Env::new();
    env.file("small.md", "# Small\n\n## 1. Ship\n\n- [x] Build\n");
    env.run(&["import", "small.md", "--release", "v1"])
        .success();
    env.approvers();
    env.file(logo_name, logo);
    env.run(&["config", "set", "logo", logo_name]).success();
    env.run(&["config", "set", "org-name", "Acme Consulting"])
        .success();
    env.run(&["signoff", "v1", "--as", "ana", "--role", "Tech lead"])
        .success();
    env.run(&["export", "v1", "-o", "logo.pdf"]).success();
    env
}

/// `pdfimages -list`'s rows: one per image drawn, (page, width, height).
fn images(env: &Env, file: &str) -> Vec<(String, String, String)> {
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(env.path(file))
        .output()
        .expect("pdfimages (Debian package poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 4 && f[2] == "image")
                .then(|| (f[0].to_string(), f[3].to_string(), f[4].to_string()))
        })
        .collect()
}

#[test]
fn a_png_logo_is_drawn_on_the_cover_and_every_header_and_the_signed_pdf_still_verifies() {
    let env = branded("logo.png", include_bytes!("fixtures/logo.png"));
    // The 24×12 logo on page 1 twice (cover and running header), once in
    // every other page's header (its alpha channel is a second, "smask"
    // row, which `images` leaves out).
    let shown = images(&env, "logo.pdf");
    assert!(
        shown.iter().all(|(_, w, h)| w == "24" && h == "12"),
        "{shown:?}"
    );
    let text = pdftotext(&env, "logo.pdf");
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 2, "{pages} pages");
    for page in 1..=pages {
        let drawn = shown
            .iter()
            .filter(|(p, _, _)| *p == page.to_string())
            .count();
        assert_eq!(
            drawn,
            if page == 1 { 2 } else { 1 },
            "page {page}: {shown:?}"
        );
    }
    // The header names who prepared the report beside the logo.
    let page2 = text.split('\u{c}').nth(1).unwrap();
    assert!(
        page2.contains("Prepared by Acme Consulting · Release v1"),
        "{page2}"
    );
    env.run(&["verify", "logo.pdf"])
        .success()
        .stdout(predicates::str::contains("VALID — v1 revision 1"));
    // One changed byte of the image's pixels fails verification.
    let mut bytes = std::fs::read(env.path("logo.pdf")).unwrap();
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let image = find(&bytes, b"/Subtype/Image").expect("an image object");
    let data = image + find(&bytes[image..], b"stream\n").unwrap() + 7;
    bytes[data + 4] ^= 0x55;
    env.file("tampered.pdf", &bytes);
    env.run(&["verify", "tampered.pdf"]).code(1);
}

/// Page `page` of a PDF rendered at 72 dpi (one pixel a point): width,
/// height and RGB bytes, from pdftoppm's PPM.
fn page_pixels(env: &Env, file: &str, page: usize) -> (usize, usize, Vec<u8>) {
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "72", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(env.path(file))
        .output()
        .expect("pdftoppm (Debian package poppler-utils)");
    assert!(out.status.success());
    // "P6\n<w> <h>\n255\n" then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let len = out.stdout[at..]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap();
        fields.push(String::from_utf8_lossy(&out.stdout[at..at + len]).to_string());
        at += len + 1;
    }
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, out.stdout[at..].to_vec())
}

/// Pixels of page `page` above `max_y` points close to `rgb`.
fn pixels_like(env: &Env, file: &str, page: usize, max_y: usize, rgb: [u8; 3]) -> usize {
    let (w, h, px) = page_pixels(env, file, page);
    px.chunks(3)
        .take(w * max_y.min(h))
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) < 24))
        .count()
}

#[test]
fn an_svg_logo_is_drawn_as_paths_on_the_cover_and_every_header_and_still_verifies() {
    // A magenta square and a teal circle clipped to the square's right
    // half, scaled by a group transform: what logo files are made of.
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">
  <defs><clipPath id="half"><rect x="30" y="0" width="10" height="20"/></clipPath></defs>
  <g transform="scale(2)"><rect width="10" height="10" fill="#e0218a"/></g>
  <circle cx="30" cy="10" r="10" fill="#0f9d8a" clip-path="url(#half)"/>
  <image href="/etc/passwd" width="40" height="20"/>
</svg>"##;
    let env = branded("logo.svg", svg.as_bytes());
    // Drawn as vectors: no image in the file, not even the <image>.
    assert_eq!(images(&env, "logo.pdf"), []);
    let pages = pdftotext(&env, "logo.pdf").matches('\u{c}').count();
    assert!(pages >= 2, "{pages} pages");
    let magenta = [0xe0, 0x21, 0x8a];
    let teal = [0x0f, 0x9d, 0x8a];
    // Cover: the logo above the title (a 160 × 44 pt box: 80 × 40 pt),
    // under a running header.
    let cover = pixels_like(&env, "logo.pdf", 1, 120, magenta);
    assert!(cover > 600, "cover: {cover} magenta pixels");
    // Every page's running header (above 40 pt): the logo 28 × 14 pt.
    for page in 1..=pages {
        let header = pixels_like(&env, "logo.pdf", page, 40, magenta);
        assert!(
            header > 20,
            "page {page}: {header} magenta pixels in the header"
        );
    }
    // The clip path holds: teal only in the circle's right half (radius
    // 22 pt on the cover, 7 pt in the header: about 840 px), not the whole
    // circle (about 1670 px).
    let teal_cover = pixels_like(&env, "logo.pdf", 1, 120, teal);
    assert!(
        (600..1200).contains(&teal_cover),
        "{teal_cover} teal pixels"
    );
    env.run(&["verify", "logo.pdf"])
        .success()
        .stdout(predicates::str::contains("VALID — v1 revision 1"));
}

/// Seal layout 7 shipped leaving an SVG logo out of the PDF; layout 8 draws
/// it. `fixtures/signed-layout7/logo-svg-layout7.pdf` was exported and
/// signed by Signet at 071730e (layout 7) with `logo.svg` beside it, the
/// logo above, as the logo: `verify` re-renders it as layout 7, which must
/// still leave the logo out, or the file would stop verifying.
#[test]
fn a_layout_7_pdf_with_an_svg_logo_signed_before_layout_8_still_verifies() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cli/fixtures/signed-layout7");
    let env = Env::new();
    let pdf = std::fs::read(dir.join("logo-svg-layout7.pdf")).unwrap();
    env.file("layout7.pdf", &pdf);
    let out = std::process::Command::new("pdfdetach")
        .args(["-savefile", "signet-seal.json", "-o"])
        .arg(env.path("seal.json"))
        .arg(env.path("layout7.pdf"))
        .output()
        .expect("pdfdetach (Debian package poppler-utils)");
    assert!(out.status.success());
    let seal = std::fs::read_to_string(env.path("seal.json")).unwrap();
    assert!(seal.starts_with("{\"signet_seal\":7,"), "{seal}");
    env.cmd()
        .args(["verify", "layout7.pdf", "--key"])
        .arg(dir.join("ana.pub"))
        .assert()
        .success()
        .stdout(predicates::str::contains("VALID — v1 revision 1"));
    // No logo in it, on the cover or in a header: layout 7 drew none.
    assert_eq!(
        pixels_like(&env, "layout7.pdf", 1, 120, [0xe0, 0x21, 0x8a]),
        0
    );
    // The same logo in a layout-8 export is drawn (the test above counts
    // where).
    let svg = std::fs::read(dir.join("logo.svg")).unwrap();
    let env = branded("logo.svg", &svg);
    assert!(pixels_like(&env, "logo.pdf", 1, 120, [0xe0, 0x21, 0x8a]) > 600);
    env.run(&["verify", "logo.pdf"]).success();
}

#[test]
fn chinese_and_japanese_text_is_left_out_of_the_pdf_with_a_note_never_as_question_marks() {
    let env = Env::new();
    env.file(
        "cjk.md",
        "# 发布清单\n\n## 1. Ship 日本語\n\n- [ ] 发布说明 release notes\n",
    );
    env.run(&["import", "cjk.md", "--release", "v1"]).success();
    env.run(&["export", "v1", "-o", "cjk.pdf"]).success();
    // The note wraps: compare with the lines joined.
    let text = pdftotext(&env, "cjk.pdf")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!text.contains('?'), "a character became '?':\n{text}");
    assert!(text.contains("release notes"), "{text}");
    assert!(
        text.contains("are not in the fonts this PDF embeds"),
        "no note says characters were left out:\n{text}"
    );
    // A report every character of which is drawn carries no such note.
    let env = world();
    env.run(&["export", "v9", "-o", "v9.pdf"]).success();
    assert!(!pdftotext(&env, "v9.pdf").contains("are not in the fonts"));
}
