//! What a report says (issue 13), read from the real binary's exports: the
//! cover, the chart, the override's approver, owners by name, descriptions,
//! provenance as one legend, branding (signed), and the comparison with an
//! earlier release.

use predicates::prelude::*;

use super::{Env, LAUNCH};

impl Env {
    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// Every item key of the release's JSON report.
    fn item_keys(&self, release: &str) -> Vec<String> {
        let out = self
            .cmd()
            .args(["export", release, "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut keys = Vec::new();
        for run in v["report"]["runs"].as_array().unwrap() {
            for s in run["sections"].as_array().unwrap() {
                for i in s["items"].as_array().unwrap() {
                    keys.push(i["key"].as_str().unwrap().to_string());
                }
            }
        }
        keys
    }
}

#[test]
fn an_override_names_the_approver_who_made_it_with_their_reason() {
    let env = Env::launched();
    env.approvers();
    // A script runs as "lead"; Ana signs, with her key, as Tech lead.
    env.run(&[
        "--actor",
        "lead",
        "signoff",
        "v2.4.0",
        "--as",
        "ana",
        "--role",
        "Tech lead",
        "--override",
        "uploads move to 2.4.1",
    ])
    .success();
    env.run(&["export", "v2.4.0", "--format", "all", "-o", "out"])
        .success();
    let line = "Signed off with an override by Ana Ruiz (ana), Tech lead: uploads move to 2.4.1";
    for file in ["out/v2.4.0-r1.md", "out/v2.4.0-r1.html"] {
        let text = env.text(file);
        assert!(text.contains(line), "{file}: {text}");
        assert!(!text.contains("override by lead"), "{file}");
        env.run(&["verify", file]).success();
    }
    let json: serde_json::Value = serde_json::from_str(&env.text("out/v2.4.0-r1.json")).unwrap();
    let o = &json["report"]["override"];
    assert_eq!(o["by"], "ana");
    assert_eq!(o["by_name"], "Ana Ruiz");
    assert_eq!(o["role"], "Tech lead");
    // The audit trail still says who ran the command.
    assert_eq!(
        env.count(
            "SELECT COUNT(*) FROM event WHERE action = 'signoff.override' AND actor = 'lead'"
        ),
        1
    );
}

#[test]
fn the_chart_names_each_section_and_open_items_read_by_title_never_by_key() {
    let env = Env::launched();
    env.file(
        "security.md",
        "# Security review\n\n## Secrets\n\n- [ ] Rotate keys\n\n## Access\n\n- [ ] Remove leavers\n",
    );
    env.run(&["import", "security.md", "--release", "v2.4.0"])
        .success();
    env.run(&["export", "v2.4.0", "-o", "r.html"]).success();
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    let html = env.text("r.html");
    let md = env.text("r.md");
    // One group label per checklist, then a bar per section by its title.
    assert_eq!(
        html.matches("<div class=\"group\" dir=\"auto\">Launch checklist</div>")
            .count(),
        1
    );
    for label in ["1. Legal", "2. Uploads", "3. Operations"] {
        assert!(
            html.contains(&format!("<td class=\"label\" dir=\"auto\">{label}</td>")),
            "{label}"
        );
        assert!(md.contains(&format!("| {label} | ")), "{label}: {md}");
    }
    assert!(html.contains("<td class=\"label\" dir=\"auto\">1. Secrets</td>"));
    assert!(
        !html.contains("Launch checklist: 1."),
        "no checklist prefix per bar"
    );
    // Open items on the cover: (checklist ›) section › number title.
    assert!(
        md.contains("- Launch checklist › Legal › 1.2 Privacy policy updated\n"),
        "{md}"
    );
    assert!(
        md.contains("- Security review › Secrets › 1.1 Rotate keys\n"),
        "{md}"
    );
    assert!(html.contains(
        "<span class=\"sec\">Launch checklist › Legal ›</span> 1.2 Privacy policy updated"
    ));
    for text in [&html, &md] {
        assert!(
            !text.contains("launch:1.2"),
            "an internal template:number label"
        );
        for key in env.item_keys("v2.4.0") {
            assert!(!text.contains(&key), "internal key {key} shown");
        }
    }
}

#[test]
fn owners_by_name_descriptions_and_provenance_once() {
    let env = Env::launched();
    env.approvers();
    env.run(&["tick", "v2.4.0", "1.2", "done", "--owner", "ana"])
        .success();
    env.run(&["tick", "v2.4.0", "3.1", "done", "--owner", "Release team"])
        .success();
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    env.run(&["export", "v2.4.0", "-o", "r.html"]).success();
    env.run(&["export", "v2.4.0", "-o", "r.csv"]).success();
    let md = env.text("r.md");
    let html = env.text("r.html");
    assert!(md.contains("owner: Ana Ruiz (ana)"), "{md}");
    assert!(md.contains("owner: Release team"), "free text stays");
    assert!(
        html.contains("<td class=\"own\">Ana Ruiz (ana)</td>"),
        "{html}"
    );
    // launch.md's prose under its title.
    assert!(md.contains("\nShip it safely.\n"), "{md}");
    assert!(
        html.contains("<div class=\"desc\" dir=\"auto\"><p dir=\"auto\">Ship it safely.</p>"),
        "{html}"
    );
    for text in [&md, &html] {
        assert_eq!(
            text.matches("checked in source").count(),
            1,
            "one legend: {text}"
        );
    }
    assert!(md.contains("- [x] **1.1** Licences checked†"), "{md}");
    let csv = env.text("r.csv");
    assert!(
        csv.lines().next().unwrap().contains("owner,owner_name"),
        "{csv}"
    );
    assert!(csv.contains(",ana,Ana Ruiz,"), "{csv}");
}

#[test]
fn branding_is_on_the_cover_signed_with_the_report_and_tamper_evident() {
    let env = Env::launched();
    env.approvers();
    env.file(
        "logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"><rect width=\"4\" height=\"4\" fill=\"#246\"/></svg>",
    );
    env.file("logo.gif", "GIF89a\x01\x00");
    env.file("evil.svg", "<svg onload=\"alert(1)\"></svg>");
    env.run(&["config", "set", "org-name", "Acme Consulting"])
        .success();
    env.run(&["config", "set", "client-name", "Globex"])
        .success();
    env.run(&["config", "set", "logo", "logo.svg"])
        .success()
        .stdout(predicate::str::contains("image/svg+xml"));
    env.run(&["config", "set", "logo", "logo.gif"])
        .code(2)
        .stderr(predicate::str::contains("logo.gif"))
        .stderr(predicate::str::contains("neither a PNG nor an SVG"));
    env.run(&["config", "set", "logo", "evil.svg"])
        .code(2)
        .stderr(predicate::str::contains("event handler (onload=)"));
    let shown = env.json(&["config", "show"]);
    assert_eq!(shown["org_name"], "Acme Consulting");
    assert_eq!(shown["logo"]["media_type"], "image/svg+xml");

    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success();
    // Later branding changes nothing already signed.
    env.run(&["config", "set", "org-name", "Other Ltd"])
        .success();
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    env.run(&["export", "v2.4.0", "-o", "r.html"]).success();
    let md = env.text("r.md");
    let html = env.text("r.html");
    assert!(
        md.contains("_Prepared by Acme Consulting for Globex_"),
        "{md}"
    );
    assert!(!md.contains("Other Ltd"));
    assert!(html.contains("<span class=\"org\" dir=\"auto\">Acme Consulting</span>"));
    assert!(html.contains("<img src=\"data:image/svg+xml;base64,"));
    assert!(
        html.contains("Prepared by Acme Consulting for Globex"),
        "running header"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"));
    for (file, text) in [("r.md", &md), ("r.html", &html)] {
        env.run(&["verify", file]).success();
        env.file(
            &format!("t-{file}"),
            text.replacen("Acme Consulting", "Acme Consultinc", 1),
        );
        env.run(&["verify", &format!("t-{file}")])
            .code(1)
            .stdout(predicate::str::contains("INVALID"));
    }
    env.run(&["config", "unset", "logo"]).success();
    assert!(env.json(&["config", "show"])["logo"].is_null());
}

/// launch.md's next version: the uploads check replaced by another.
fn launch_next() -> String {
    LAUNCH.replace("Virus scanning on uploads", "Status page updated")
}

#[test]
fn compare_lists_newly_done_regressed_added_and_removed_and_signs_them() {
    let env = Env::new();
    env.approvers();
    env.file("launch.md", LAUNCH);
    env.run(&["import", "launch.md", "--release", "v2.3.0"])
        .success();
    for n in ["1.2", "1.2.1"] {
        env.run(&["tick", "v2.3.0", n, "done"]).success();
    }
    env.run(&[
        "signoff",
        "v2.3.0",
        "--as",
        "ana",
        "--role",
        "Tech lead",
        "--override",
        "ops later",
    ])
    .success();
    env.file("launch.md", launch_next());
    env.run(&["import", "launch.md", "--release", "v2.4.0"])
        .success();
    env.run(&["tick", "v2.4.0", "3.1", "done"]).success();

    env.run(&["export", "v2.4.0", "--compare", "v2.3.0", "-o", "cmp.md"])
        .success();
    let md = env.text("cmp.md");
    for needle in [
        "## Since v2.3.0",
        "Since v2.3.0 (revision 1): 1 newly done, 2 regressed, 1 added, 1 removed.",
        "**Newly done (1):**\n\n- Operations › 3.1 Backups restore (open → done)",
        "- Legal › 1.2 Privacy policy updated (done → open)",
        "**Added (1):**\n\n- Uploads › 2.1 Status page updated (open)",
        "**Removed (1):**\n\n- Uploads › 2.1 Virus scanning on uploads (was open)",
        "| v2.3.0 (signed off) |",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    }
    // A draft compares with the previous release unless told otherwise.
    env.run(&["export", "v2.4.0", "-o", "auto.md"]).success();
    assert!(env.text("auto.md").contains("## Since v2.3.0"));
    env.run(&["export", "v2.4.0", "--no-compare", "-o", "plain.md"])
        .success();
    assert!(!env.text("plain.md").contains("Since v2.3.0"));
    env.run(&["export", "v2.4.0", "--compare", "v2.4.0"])
        .code(2)
        .stderr(predicate::str::contains("compare with an earlier release"));

    // Signed, the comparison is part of what was signed.
    env.run(&[
        "signoff",
        "v2.4.0",
        "--as",
        "ana",
        "--role",
        "Tech lead",
        "--override",
        "rest in 2.4.1",
    ])
    .success();
    env.run(&["export", "v2.4.0", "--format", "all", "-o", "out"])
        .success();
    let payload = env.text("out/payload.json");
    assert!(payload.contains("\"comparison\":{"), "{payload}");
    let signed = env.text("out/v2.4.0-r1.html");
    assert!(signed.contains("<h2>Since v2.3.0</h2>"));
    assert!(signed.contains("<svg class=\"trend\""));
    env.run(&["verify", "out/v2.4.0-r1.html"]).success();
    env.run(&["verify", "out/v2.4.0-r1.md"]).success();
    env.run(&["export", "v2.4.0", "--compare", "v2.3.0", "-o", "same.md"])
        .success();
    env.run(&["release", "new", "v1.0.0"]).success();
    env.run(&["export", "v2.4.0", "--compare", "v1.0.0"])
        .code(2)
        .stderr(predicate::str::contains(
            "v2.4.0 revision 1 was signed with its comparison against v2.3.0; a comparison against v1.0.0 would not be signed",
        ));
    env.run(&["export", "v2.4.0", "--no-compare"])
        .code(2)
        .stderr(predicate::str::contains(
            "signed with its comparison against v2.3.0; the report without it would not be signed",
        ));
}
