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
