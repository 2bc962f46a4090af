//! Every command through Tauri's IPC on the mock runtime, with the app's real
//! configuration and capabilities: arguments as the UI sends them, answers
//! as the UI receives them.

use serde_json::{json, Value};
use signet_app::state::AppState;
use signet_core::store::Store;
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

struct Harness {
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signet.db");
        let mut store = Store::open(&path).unwrap();
        signet_core::starter::seed(&mut store, "tester").unwrap();
        let app = signet_app::builder(mock_builder())
            .manage(AppState::new(store, path, "tester".into(), dir.path().join("config")).unwrap())
            .build(tauri::generate_context!())
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Harness {
            _app: app,
            webview,
            dir,
        }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.call_from("tauri://localhost", cmd, args)
    }

    fn call_from(&self, origin: &str, cmd: &str, args: Value) -> Result<Value, Value> {
        let res = get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: origin.parse().unwrap(),
                body: args.into(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        );
        match res {
            Ok(body) => Ok(body.deserialize::<Value>().unwrap()),
            Err(e) => Err(e),
        }
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    fn file(&self, name: &str, content: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }
}

#[test]
fn app_info_names_the_database_and_actor() {
    let h = Harness::new();
    let info = h.ok("app_info", json!({}));
    assert_eq!(info["actor"], "tester");
    assert_eq!(info["person"], Value::Null);
    assert!(info["database"].as_str().unwrap().ends_with("signet.db"));
}

#[test]
fn who_are_you_makes_the_new_person_the_actor_of_later_writes() {
    let h = Harness::new();
    // The first-run card: add the person (recorded as the start name),
    // then act as them, then offer a key.
    let dana = h.ok(
        "add_person",
        json!({ "name": "Dana Noor", "email": "dana@example.com" }),
    );
    assert_eq!(dana["person"]["handle"], "dana");
    assert_eq!(h.ok("app_info", json!({}))["person"], Value::Null);
    let info = h.ok("act_as", json!({ "person": "dana" }));
    assert_eq!(info["actor"], "dana");
    assert_eq!(info["person"]["name"], "Dana Noor");
    h.ok(
        "create_key",
        json!({ "person": "dana", "password": null, "unencrypted": true }),
    );
    h.ok("create_release", json!({ "name": "r1", "due": null }));
    h.ok(
        "add_run",
        json!({ "release": "r1", "template": "release-signoff", "fresh": true }),
    );
    let ticked = h.ok(
        "tick",
        json!({ "release": "r1", "item": "1.1", "change": { "status": "done" } }),
    );
    assert_eq!(ticked["updated_by"], "dana");
    let history = h.ok("item_history", json!({ "release": "r1", "item": "1.1" }));
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "dana"));
    let store = Store::open(&h.dir.path().join("signet.db")).unwrap();
    // The choice is kept in the database: the next start acts as Dana.
    assert_eq!(store.identity("tester").unwrap().actor, "dana");
    let nobody = h.call("act_as", json!({ "person": "zed" })).unwrap_err();
    assert_eq!(nobody["kind"], "NotFound");
}

#[test]
fn the_library_holds_the_starter_templates_and_their_sections() {
    let h = Harness::new();
    let templates = h.ok("list_templates", json!({}));
    let slugs: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "client-engagement",
            "production-readiness",
            "release-signoff"
        ]
    );
    let sections = h.ok("template_sections", json!({ "name": "release-signoff" }));
    assert_eq!(sections[0]["title"], "Scope and changes");
    assert_eq!(sections[0]["items"], 6);
    let err = h
        .call("template_sections", json!({ "name": "nope" }))
        .unwrap_err();
    assert_eq!(err["kind"], "NotFound");
}

#[test]
fn import_reports_each_file_and_bad_files_do_not_stop_good_ones() {
    let h = Harness::new();
    let good = h.file(
        "launch.md",
        b"# Launch\n## Legal\n- [x] Licences\n- [ ]\n- [ ] Privacy\n",
    );
    let bad = h.file("photo.md", b"\x89PNG\r\n\x1a\n\0\0");
    let out = h.ok("import_files", json!({ "paths": [good, bad] }));
    assert_eq!(out[0]["report"]["items"], 2);
    assert_eq!(out[0]["report"]["checked"], 1);
    assert_eq!(out[0]["report"]["warnings"][0]["line"], 4);
    assert_eq!(out[0]["outcome"]["status"], "new");
    assert_eq!(out[1]["error"]["kind"], "Input");
    assert!(out[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("binary"));
    assert!(out[1]["error"]["where"]
        .as_str()
        .unwrap()
        .ends_with("photo.md"));
    let again = h.ok("import_files", json!({ "paths": [good] }));
    assert_eq!(again[0]["outcome"]["status"], "unchanged");
}

#[test]
fn the_library_reads_archives_and_repairs_and_home_lists_my_items() {
    let h = Harness::new();
    let garbled = h.file(
        "hotfix.md",
        "# Hotfix\n\n## Steps\n\n- [ ] Build \u{201a}\u{dc}\u{ed} test\n- [ ] Tag it\n".as_bytes(),
    );
    let imported = h.ok("import_files", json!({ "paths": [garbled] }));
    assert_eq!(imported[0]["report"]["warnings"][0]["kind"], "mojibake");
    let repaired = h.ok("repair_mojibake", json!({ "name": "hotfix@1" }));
    assert_eq!(repaired["outcome"]["template"]["version"], 2);
    let outline = h.ok("template_outline", json!({ "name": "hotfix" }));
    assert_eq!(outline["sections"][0]["items"][0]["plain"], "Build → test");
    assert_eq!(
        outline["sections"][0]["items"][0]["title_html"],
        "Build → test"
    );
    let versions = h.ok("template_versions", json!({ "name": "hotfix" }));
    assert_eq!(versions[0]["changes"]["changed"][0]["kind"], "reworded");

    let archived = h.ok(
        "set_template_archived",
        json!({ "name": "hotfix", "archived": true }),
    );
    assert_eq!(archived["archived"], true);
    h.ok(
        "create_release",
        json!({ "name": "r1", "due": "2026-01-10" }),
    );
    let refused = h
        .call(
            "add_run",
            json!({ "release": "r1", "template": "hotfix", "fresh": false }),
        )
        .unwrap_err();
    assert_eq!(refused["kind"], "Refused");
    assert!(refused["message"].as_str().unwrap().contains("archived"));
    h.ok(
        "set_template_archived",
        json!({ "name": "hotfix", "archived": false }),
    );
    h.ok(
        "add_run",
        json!({ "release": "r1", "template": "hotfix", "fresh": false }),
    );
    h.ok(
        "tick",
        json!({ "release": "r1", "item": "1.2", "change": { "owner": "tester" } }),
    );
    let home = h.ok("home", json!({ "today": "2026-01-12" }));
    assert_eq!(home["releases"][0]["name"], "r1");
    assert_eq!(home["releases"][0]["days_left"], -2);
    assert_eq!(home["releases"][0]["overdue"], true);
    let mine = h.ok(
        "owned_items",
        json!({ "owner": "tester", "today": "2026-01-12" }),
    );
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["number"], "1.2");
    assert_eq!(mine["items"][0]["overdue"], true);
    let bad = h.call("home", json!({ "today": "soon" })).unwrap_err();
    assert_eq!(bad["kind"], "Refused");
}

#[test]
fn releases_runs_ticks_and_history() {
    let h = Harness::new();
    let created = h.ok(
        "create_release",
        json!({ "name": "v2.4.0", "due": "2026-12-01" }),
    );
    assert_eq!(created["due_date"], "2026-12-01");
    let dup = h
        .call("create_release", json!({ "name": "v2.4.0", "due": null }))
        .unwrap_err();
    assert_eq!(dup["kind"], "AlreadyExists");
    let view = h.ok(
        "add_run",
        json!({ "release": "v2.4.0", "template": "release-signoff", "fresh": false }),
    );
    assert_eq!(view["runs"][0]["template"]["slug"], "release-signoff");
    assert_eq!(
        view["runs"][0]["sections"][0]["items"][0]["title_html"],
        "Release notes drafted and reviewed by product"
    );

    let item = h.ok(
        "tick",
        json!({ "release": "v2.4.0", "item": "release-signoff:1.1", "change": { "status": "done", "owner": "ana", "evidence": ["https://ci.example/run/81"] } }),
    );
    assert_eq!(item["status"], "done");
    assert_eq!(item["owner"], "ana");
    assert_eq!(item["evidence"][0]["target"], "https://ci.example/run/81");
    let refused = h
        .call("tick", json!({ "release": "v2.4.0", "item": "release-signoff:1.2", "change": { "status": "not_applicable" } }))
        .unwrap_err();
    assert_eq!(refused["kind"], "Refused");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("needs a reason"));

    let history = h.ok(
        "item_history",
        json!({ "release": "v2.4.0", "item": "release-signoff:1.1" }),
    );
    let fields: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["status", "owner", "evidence"]);

    let releases = h.ok("list_releases", json!({}));
    assert_eq!(releases[0]["name"], "v2.4.0");
    assert_eq!(releases[0]["progress"]["done"], 1);
    let view = h.ok("release_view", json!({ "name": "v2.4.0" }));
    assert_eq!(view["progress"]["done"], 1);
    // The first screen of a large release: one item, the whole progress.
    let first = h.ok("release_view", json!({ "name": "v2.4.0", "limit": 1 }));
    assert_eq!(first["progress"], view["progress"]);
    let items = first["runs"][0]["sections"][0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0]["title_html"].is_string(), "decorated for the UI");
}

#[test]
fn hostile_markdown_reaches_the_ui_sanitised() {
    let h = Harness::new();
    let path = h.file(
        "evil.md",
        b"# Evil\n## S\n- [ ] click [me](javascript:alert(1)) <img src=x onerror=alert(2)>\n- [ ] ok [docs](https://example.com)\n",
    );
    h.ok("import_files", json!({ "paths": [path] }));
    h.ok("create_release", json!({ "name": "r", "due": null }));
    let view = h.ok(
        "add_run",
        json!({ "release": "r", "template": "evil", "fresh": false }),
    );
    let items = &view["runs"][0]["sections"][0]["items"];
    let first = items[0]["title_html"].as_str().unwrap();
    assert!(
        !first.contains("javascript:") && !first.contains("<img"),
        "{first}"
    );
    assert!(items[1]["title_html"]
        .as_str()
        .unwrap()
        .contains("href=\"https://example.com\""));
}

#[test]
fn capabilities_refuse_what_the_ui_was_not_granted() {
    let h = Harness::new();
    // File dialogs open on the Rust side only (`dialog.rs`): the UI can
    // neither open one itself nor read the file system.
    for (command, args) in [
        ("plugin:dialog|save", json!({ "options": {} })),
        ("plugin:dialog|open", json!({ "options": {} })),
        ("plugin:fs|read_file", json!({ "path": "/etc/passwd" })),
    ] {
        let err = h.call(command, args).unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{command}: {err}");
    }
    // Remote content (say, a page a link navigated to) gets no commands at all.
    let err = h
        .call_from("https://evil.example", "list_templates", json!({}))
        .unwrap_err();
    assert!(
        err.to_string().contains("list_templates not allowed"),
        "{err}"
    );
    assert!(h.call("list_templates", json!({})).is_ok());
}

#[test]
fn only_http_and_mailto_links_are_handed_to_the_desktop() {
    let h = Harness::new();
    // Each of these would run or read something on the machine if opened.
    for url in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "/etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ssh://host",
        "",
    ] {
        let err = h.call("open_link", json!({ "url": url })).unwrap_err();
        assert!(
            err.to_string().contains("only http(s) and mailto links"),
            "{url}: {err}"
        );
    }
    // A remote page may not ask the desktop to open anything.
    let err = h
        .call_from(
            "https://evil.example",
            "open_link",
            json!({ "url": "https://example.com" }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("open_link not allowed"), "{err}");
}

/// `create_key`'s arguments for a key stored without a password.
fn unencrypted(person: &str) -> Value {
    json!({ "person": person, "password": null, "unencrypted": true })
}

/// A release with the starter "release" checklist attached, every item done.
fn finished_release(h: &Harness) -> String {
    h.ok("create_release", json!({ "name": "v9", "due": null }));
    let view = h.ok(
        "add_run",
        json!({ "release": "v9", "template": "release-signoff", "fresh": true }),
    );
    let mut numbers = Vec::new();
    fn walk(items: &Value, out: &mut Vec<String>) {
        for i in items.as_array().unwrap() {
            out.push(i["number"].as_str().unwrap().to_string());
            walk(&i["items"], out);
        }
    }
    fn sections(list: &Value, out: &mut Vec<String>) {
        for s in list.as_array().unwrap() {
            walk(&s["items"], out);
            sections(&s["sections"], out);
        }
    }
    sections(&view["runs"][0]["sections"], &mut numbers);
    for n in &numbers {
        h.ok(
            "tick",
            json!({ "release": "v9", "item": n, "change": { "status": "done" } }),
        );
    }
    "v9".into()
}

#[test]
fn people_keys_sign_off_reopen_through_ipc() {
    let h = Harness::new();
    let ana = h.ok(
        "add_person",
        json!({ "name": "Ana Ruiz", "email": "ana@example.com" }),
    );
    assert_eq!(ana["person"]["handle"], "ana");
    assert_eq!(ana["local_key"], false);
    let keyed = h.ok(
        "create_key",
        json!({ "person": "ana", "password": null, "unencrypted": true }),
    );
    assert_eq!(keyed["local_key"], true);
    assert_eq!(keyed["unencrypted"], true);
    assert!(keyed["person"]["public_key"]
        .as_str()
        .unwrap()
        .starts_with("RW"));
    assert!(h.dir.path().join("config/keys/ana.key").exists());
    let people = h.ok("list_people", json!({}));
    assert_eq!(people.as_array().unwrap().len(), 1);

    h.ok("create_release", json!({ "name": "open-one", "due": null }));
    h.ok(
        "add_run",
        json!({ "release": "open-one", "template": "release-signoff", "fresh": true }),
    );
    let status = h.ok("signoff_status", json!({ "release": "open-one" }));
    assert!(!status["open_items"].as_array().unwrap().is_empty());
    assert_eq!(status["verdict"]["passed"], false);
    let refused = h
        .call("sign_off", json!({ "release": "open-one", "person": "ana", "role": "Lead", "overrideReason": null }))
        .unwrap_err();
    assert_eq!(refused["kind"], "Refused");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("cannot sign off open-one"));

    let release = finished_release(&h);
    let out = h.ok(
        "sign_off",
        json!({ "release": release, "person": "ana", "role": "Lead", "overrideReason": null }),
    );
    assert_eq!(out["revision"], 1);
    assert_eq!(out["froze"], true);
    let status = h.ok("signoff_status", json!({ "release": "v9" }));
    assert_eq!(status["verdict"]["passed"], true);
    assert_eq!(status["verdict"]["approvers"][0]["handle"], "ana");
    assert_eq!(status["verdict"]["approvers"][0]["role"], "Lead");
    let tick = h
        .call(
            "tick",
            json!({ "release": "v9", "item": "1.1", "change": { "status": "open" } }),
        )
        .unwrap_err();
    assert!(tick["message"].as_str().unwrap().contains("read-only"));
    let reopened = h.ok(
        "reopen_release",
        json!({ "release": "v9", "reason": "hotfix" }),
    );
    assert_eq!(reopened["status"], "reopened");
    h.ok(
        "tick",
        json!({ "release": "v9", "item": "1.1", "change": { "status": "open" } }),
    );
}

#[test]
fn export_writes_a_verifiable_report_and_verify_knows_registered_keys() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("create_key", unencrypted("ana"));
    let release = finished_release(&h);
    h.ok(
        "sign_off",
        json!({ "release": release, "person": "ana", "role": "Lead", "overrideReason": null }),
    );
    let state = h.webview.state::<AppState>();
    let path = h.dir.path().join("r.pdf");
    let out = signet_app::signoff::export_to(
        &state,
        "v9",
        (
            signet_core::report::Format::Pdf,
            signet_core::report::Paper::Letter,
        ),
        &signet_app::signoff::Compare::Previous,
        &path,
    )
    .unwrap();
    assert!(out.signed);
    assert_eq!(out.revision, 1);
    let mut v = signet_app::signoff::verify_file(&path, &[]).unwrap();
    assert!(v.passed, "{:?}", v.problems);
    signet_app::signoff::mark_known_keys(&state, &mut v).unwrap();
    assert_eq!(v.signatures[0].trusted, Some(true));
    // A key nobody registered here is flagged.
    v.signatures[0].public_key = "RWSomebodyElse".into();
    signet_app::signoff::mark_known_keys(&state, &mut v).unwrap();
    assert_eq!(v.signatures[0].trusted, Some(false));
}

#[test]
fn sync_asks_for_a_remote_a_person_and_a_key_before_its_first_sync() {
    let h = Harness::new();
    let st = h.ok("sync_status", json!({ "release": null }));
    assert_eq!(st["remote"], Value::Null);
    assert_eq!(st["last_sync_at"], Value::Null);
    assert_eq!(st["device_owner"], Value::Null);
    assert_eq!(st["has_key"], false);
    let no_remote = h.call("sync_now", json!({ "remote": null })).unwrap_err();
    assert_eq!(no_remote["kind"], "Refused");
    assert!(no_remote["message"]
        .as_str()
        .unwrap()
        .starts_with("no remote yet"));
    let remote = bare_repo(&h);
    let nobody = h.call("sync_now", json!({ "remote": remote })).unwrap_err();
    assert!(
        nobody["message"].as_str().unwrap().contains("who you are"),
        "{nobody}"
    );
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("act_as", json!({ "person": "ana" }));
    let no_key = h.call("sync_now", json!({ "remote": remote })).unwrap_err();
    assert!(
        no_key["message"]
            .as_str()
            .unwrap()
            .contains("create one (“Create my signing key”"),
        "{no_key}"
    );
    // Nothing was remembered or joined on the way.
    let st = h.ok("sync_status", json!({ "release": null }));
    assert_eq!(st["remote"], Value::Null);
    assert_eq!(st["device_owner"], Value::Null);
    assert_eq!(st["person"], "ana");
}

fn bare_repo(h: &Harness) -> String {
    let remote = h.dir.path().join("team.git");
    let ok = std::process::Command::new("git")
        .args(["init", "--bare", "--quiet"])
        .arg(&remote)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git init --bare");
    remote.display().to_string()
}

#[test]
fn first_sync_joins_as_the_acting_person_and_remembers_the_remote() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("act_as", json!({ "person": "ana" }));
    h.ok("create_key", unencrypted("ana"));
    h.ok("create_release", json!({ "name": "r1", "due": null }));
    let remote = bare_repo(&h);
    let out = h.ok("sync_now", json!({ "remote": remote }));
    assert_eq!(out["remote"], remote.as_str());
    assert!(out["published"].as_u64().unwrap() > 0, "{out}");
    assert_eq!(out["refused"], json!([]));
    let st = h.ok("sync_status", json!({ "release": "r1" }));
    assert_eq!(st["remote"], remote.as_str());
    assert_eq!(st["device_owner"], "ana");
    assert_eq!(st["unpublished"], 0);
    assert_eq!(st["conflicts"], json!([]));
    assert!(st["last_summary"]
        .as_str()
        .unwrap()
        .ends_with(" out, 0 conflicts"));
    assert!(st["last_sync_at"].as_str().unwrap().ends_with('Z'));
    // A change made since waits for the next sync, which needs no remote.
    h.ok(
        "add_run",
        json!({ "release": "r1", "template": "release-signoff", "fresh": true }),
    );
    assert!(
        h.ok("sync_status", json!({ "release": "r1" }))["unpublished"]
            .as_u64()
            .unwrap()
            > 0
    );
    let again = h.ok("sync_now", json!({ "remote": null }));
    assert!(again["published"].as_u64().unwrap() > 0);
    assert_eq!(
        h.ok("sync_status", json!({ "release": "r1" }))["unpublished"],
        0
    );
}

#[test]
fn an_unreachable_remote_is_a_remote_error_that_names_it_and_changes_nothing() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("act_as", json!({ "person": "ana" }));
    h.ok("create_key", unencrypted("ana"));
    let missing = h.dir.path().join("no-such-repo.git").display().to_string();
    let e = h
        .call("sync_now", json!({ "remote": missing }))
        .unwrap_err();
    assert_eq!(e["kind"], "Remote", "{e}");
    assert_eq!(e["where"], missing.as_str());
    assert!(!e["message"].as_str().unwrap().contains('\n'), "{e}");
    let st = h.ok("sync_status", json!({ "release": null }));
    assert_eq!(
        st["remote"],
        Value::Null,
        "a remote that never synced is not remembered"
    );
    // The app is still usable, and a sync after it runs again.
    h.ok(
        "create_release",
        json!({ "name": "still-here", "due": null }),
    );
    assert_eq!(
        h.call("sync_now", json!({ "remote": missing }))
            .unwrap_err()["kind"],
        "Remote"
    );
}

const PASSWORD: &str = "correct horse battery";

/// Ana, with an encrypted key made in the app, and a finished release.
fn ana_with_encrypted_key(h: &Harness) -> Value {
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    let keyed = h.ok(
        "create_key",
        json!({ "person": "ana", "password": PASSWORD, "unencrypted": false }),
    );
    finished_release(h);
    keyed
}

fn sign_as_ana(h: &Harness, password: Option<&str>) -> Result<Value, Value> {
    h.call(
        "sign_off",
        json!({ "release": "v9", "person": "ana", "role": "Lead", "overrideReason": null, "password": password }),
    )
}

fn signed_revisions(h: &Harness) -> usize {
    h.ok("signoff_status", json!({ "release": "v9" }))["revisions"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn new_keys_are_encrypted_unless_no_password_is_chosen_explicitly() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    for (args, says) in [
        (
            json!({ "person": "ana", "password": null, "unencrypted": false }),
            "needs a password",
        ),
        (
            json!({ "person": "ana", "password": "", "unencrypted": false }),
            "needs a password",
        ),
        (
            json!({ "person": "ana", "password": "short", "unencrypted": false }),
            "at least 8 characters",
        ),
    ] {
        let err = h.call("create_key", args).unwrap_err();
        assert_eq!(err["kind"], "Refused", "{err}");
        assert!(err["message"].as_str().unwrap().contains(says), "{err}");
    }
    assert!(
        !h.dir.path().join("config/keys/ana.key").exists(),
        "a refusal writes no key"
    );
    let keyed = h.ok(
        "create_key",
        json!({ "person": "ana", "password": PASSWORD, "unencrypted": false }),
    );
    assert_eq!(keyed["local_key"], true);
    assert_eq!(keyed["unencrypted"], false);
    let text = std::fs::read_to_string(h.dir.path().join("config/keys/ana.key")).unwrap();
    assert!(
        text.starts_with("untrusted comment: signet encrypted secret key of ana"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD));
    let people = h.ok("list_people", json!({}));
    assert_eq!(people[0]["unencrypted"], false);
}

#[test]
fn an_encrypted_key_signs_only_with_its_password_asked_once_per_session() {
    let h = Harness::new();
    let keyed = ana_with_encrypted_key(&h);
    let key_id = keyed["person"]["key_id"].as_str().unwrap();

    // No password: the prompt's question, naming whose key and which.
    let ask = sign_as_ana(&h, None).unwrap_err();
    assert_eq!(ask["kind"], "NeedsPassword", "{ask}");
    assert_eq!(
        ask["locked"],
        json!({ "handle": "ana", "name": "Ana Ruiz", "key_id": key_id, "file": null, "wrong_password": false })
    );
    assert!(ask["message"].as_str().unwrap().contains(key_id), "{ask}");
    assert_eq!(signed_revisions(&h), 0, "nothing signed");

    // A wrong password: said so, nothing signed, and nothing remembered.
    let wrong = sign_as_ana(&h, Some("not the password")).unwrap_err();
    assert_eq!(wrong["kind"], "NeedsPassword", "{wrong}");
    assert_eq!(wrong["locked"]["wrong_password"], true);
    assert!(
        wrong["message"]
            .as_str()
            .unwrap()
            .starts_with("wrong password"),
        "{wrong}"
    );
    assert!(
        !wrong.to_string().contains("not the password"),
        "the password is never sent back"
    );
    assert_eq!(signed_revisions(&h), 0, "nothing signed");
    assert_eq!(sign_as_ana(&h, None).unwrap_err()["kind"], "NeedsPassword");

    // The right one signs.
    let out = sign_as_ana(&h, Some(PASSWORD)).unwrap();
    assert_eq!(out["revision"], 1);
    assert_eq!(signed_revisions(&h), 1);

    // Later in the same session: no password asked.
    h.ok(
        "reopen_release",
        json!({ "release": "v9", "reason": "hotfix" }),
    );
    let again = sign_as_ana(&h, None).unwrap();
    assert_eq!(again["revision"], 2);

    // A new session (a fresh app) asks again.
    let state = h.webview.state::<AppState>();
    let person = state.store().unwrap().person("ana").unwrap();
    let fresh = signet_app::keys::Session::default();
    let err = fresh
        .signing_key(&state.keyring(), &person, None)
        .err()
        .unwrap();
    assert_eq!(err.kind, signet_app::error::ErrorKind::NeedsPassword);
}

#[test]
fn a_replaced_key_file_is_asked_for_again() {
    let h = Harness::new();
    ana_with_encrypted_key(&h);
    sign_as_ana(&h, Some(PASSWORD)).unwrap();
    h.ok(
        "reopen_release",
        json!({ "release": "v9", "reason": "hotfix" }),
    );
    // Rotated behind the app's back (the CLI's `key rotate`), with another
    // password: the key unlocked earlier no longer answers for Ana.
    let state = h.webview.state::<AppState>();
    let mut store = state.store().unwrap();
    let other =
        signet_core::keys::FixedPassword(signet_core::keys::Password::new("another password"));
    signet_core::keys::rotate(&mut store, &state.keyring(), "ana", false, &other, "ana").unwrap();
    drop(store);
    let ask = sign_as_ana(&h, None).unwrap_err();
    assert_eq!(ask["kind"], "NeedsPassword", "{ask}");
    assert_eq!(
        sign_as_ana(&h, Some("another password")).unwrap()["revision"],
        2
    );
}

#[test]
fn use_an_existing_key_registers_a_key_made_elsewhere_after_its_password() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Bo Berg", "email": null }));
    // Nothing chosen yet.
    let none = h
        .call("import_key", json!({ "person": "bo", "password": null }))
        .unwrap_err();
    assert_eq!(none["kind"], "Refused", "{none}");

    // A key made by another Signet (another config dir), with its password.
    let elsewhere = h.dir.path().join("elsewhere");
    let made = signet_core::keys::Keyring::new(&elsewhere)
        .generate(
            "bo",
            false,
            &signet_core::keys::Protection::Password(signet_core::keys::Password::new(
                "bo's own password",
            )),
        )
        .unwrap();
    let file = elsewhere.join("keys/bo.key");
    let session = h.webview.state::<signet_app::keys::Session>();
    let picked = session.pick(&file).unwrap();
    assert_eq!(picked.file, "bo.key");
    assert!(picked.encrypted);

    let ask = h
        .call("import_key", json!({ "person": "bo", "password": null }))
        .unwrap_err();
    assert_eq!(ask["kind"], "NeedsPassword", "{ask}");
    assert_eq!(
        ask["locked"],
        json!({ "handle": "bo", "name": "Bo Berg", "key_id": null, "file": "bo.key", "wrong_password": false })
    );
    let wrong = h
        .call(
            "import_key",
            json!({ "person": "bo", "password": "nope nope nope" }),
        )
        .unwrap_err();
    assert_eq!(wrong["locked"]["wrong_password"], true, "{wrong}");
    let here = h.dir.path().join("config/keys/bo.key");
    assert!(!here.exists(), "a wrong password writes nothing");
    assert_eq!(
        h.ok("list_people", json!({}))[0]["person"]["key_id"],
        Value::Null
    );

    let keyed = h.ok(
        "import_key",
        json!({ "person": "bo", "password": "bo's own password" }),
    );
    assert_eq!(keyed["local_key"], true);
    assert_eq!(keyed["unencrypted"], false);
    assert_eq!(keyed["person"]["key_id"], made.key_id().as_str());
    assert_eq!(
        std::fs::read_to_string(&here).unwrap(),
        std::fs::read_to_string(&file).unwrap(),
        "kept as it came, under its own password"
    );
    // The choice is used up.
    assert_eq!(
        h.call("import_key", json!({ "person": "bo", "password": null }))
            .unwrap_err()["kind"],
        "Refused"
    );

    // Signing with it asks for its password (importing unlocked nothing).
    finished_release(&h);
    let sign = |password: Option<&str>| {
        h.call(
            "sign_off",
            json!({ "release": "v9", "person": "bo", "role": "QA", "overrideReason": null, "password": password }),
        )
    };
    assert_eq!(sign(None).unwrap_err()["kind"], "NeedsPassword");
    assert_eq!(sign(Some("bo's own password")).unwrap()["revision"], 1);
}

#[test]
fn a_file_that_is_not_a_secret_key_is_refused_when_chosen() {
    let h = Harness::new();
    let session = h.webview.state::<signet_app::keys::Session>();
    let public = h.file(
        "bo.pub",
        b"untrusted comment: x\nRWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    );
    let err = session.pick(std::path::Path::new(&public)).err().unwrap();
    assert_eq!(err.kind, signet_app::error::ErrorKind::Refused);
    assert!(
        err.message.contains("not a minisign secret key"),
        "{}",
        err.message
    );
}

#[test]
fn a_first_sync_with_an_encrypted_key_asks_for_its_password_before_joining() {
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("act_as", json!({ "person": "ana" }));
    h.ok(
        "create_key",
        json!({ "person": "ana", "password": PASSWORD, "unencrypted": false }),
    );
    let remote = bare_repo(&h);
    let ask = h
        .call("sync_now", json!({ "remote": remote, "password": null }))
        .unwrap_err();
    assert_eq!(ask["kind"], "NeedsPassword", "{ask}");
    assert_eq!(ask["locked"]["name"], "Ana Ruiz");
    let wrong = h
        .call(
            "sync_now",
            json!({ "remote": remote, "password": "wrong password" }),
        )
        .unwrap_err();
    assert_eq!(wrong["locked"]["wrong_password"], true, "{wrong}");
    let st = h.ok("sync_status", json!({ "release": null }));
    assert_eq!(st["device_owner"], Value::Null, "not joined");
    assert_eq!(st["remote"], Value::Null, "not remembered");
    let out = h.ok(
        "sync_now",
        json!({ "remote": remote, "password": PASSWORD }),
    );
    assert!(out["published"].as_u64().unwrap() > 0, "{out}");
    assert_eq!(
        h.ok("sync_status", json!({ "release": null }))["device_owner"],
        "ana"
    );
}

#[test]
fn upgrade_preview_shows_the_pairs_and_changes_nothing_until_upgrade_run() {
    let h = Harness::new();
    let v1 = b"# Checks\n## One\n- [ ] Runbook reviewed\n- [ ] Dashboards show latency and errors\n- [ ] Load test done\n";
    let v2 = b"# Checks\n## One\n- [ ] Runbook reviewed\n- [ ] Dashboards show latency, traffic and errors\n- [ ] Pen test triaged\n";
    h.ok(
        "import_files",
        json!({ "paths": [h.file("checks.md", v1)] }),
    );
    h.ok("create_release", json!({ "name": "r1", "due": null }));
    h.ok(
        "add_run",
        json!({ "release": "r1", "template": "checks", "fresh": true }),
    );
    h.ok(
        "tick",
        json!({ "release": "r1", "item": "1.2", "change": { "status": "done", "owner": "bo" } }),
    );
    h.ok(
        "import_files",
        json!({ "paths": [h.file("checks.md", v2)] }),
    );
    let args = json!({ "release": "r1", "template": "checks" });
    let preview = h.ok("upgrade_preview", args.clone());
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        (
            &preview["kept"],
            &preview["reworded"],
            &preview["removed"],
            &preview["added"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1))
    );
    assert_eq!(preview["matches"][0]["kind"], "reworded");
    assert_eq!(preview["matches"][0]["new"]["status"], "done");
    let view = h.ok("release_view", json!({ "name": "r1" }));
    assert_eq!(view["runs"][0]["template"]["version"], 1, "nothing changed");
    let done = h.ok("upgrade_run", args);
    assert_eq!(done["dry_run"], false);
    assert_eq!(done["matches"], preview["matches"]);
    let view = h.ok("release_view", json!({ "name": "r1" }));
    assert_eq!(view["runs"][0]["template"]["version"], 2);
    assert_eq!(view["runs"][0]["sections"][0]["items"][1]["owner"], "bo");
}

#[test]
fn branding_set_in_the_app_heads_the_report_and_a_bad_logo_is_refused_by_name() {
    use signet_app::branding::LogoPick;
    use signet_app::signoff::{export_to, Compare};
    use signet_core::report::{Format, Paper};
    use std::path::Path;
    let h = Harness::new();
    assert_eq!(
        h.ok("report_branding", json!({})),
        json!({ "org_name": null, "client_name": null, "logo": null })
    );
    let pick = h.webview.state::<LogoPick>();
    let evil = h.file("evil.svg", b"<svg onload=\"steal()\"></svg>");
    let err = pick.pick(Path::new(&evil)).unwrap_err();
    assert!(
        err.message.contains("evil.svg") && err.message.contains("event handler (onload=)"),
        "{err}"
    );
    // Nothing was chosen, so there is no logo to save.
    let err = h
        .call(
            "set_branding",
            json!({ "orgName": "Acme", "clientName": null, "logo": "chosen" }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("choose the logo again"), "{err}");
    assert_eq!(h.ok("report_branding", json!({}))["org_name"], Value::Null);

    let svg = h.file(
        "acme.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>",
    );
    let chosen = pick.pick(Path::new(&svg)).unwrap();
    assert_eq!(chosen.file.as_deref(), Some("acme.svg"));
    assert!(chosen.data_url.starts_with("data:image/svg+xml;base64,"));
    // A name core refuses leaves the chosen logo waiting for the next Save.
    let err = h
        .call(
            "set_branding",
            json!({ "orgName": "x".repeat(121), "clientName": null, "logo": "chosen" }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("at most 120"), "{err}");
    let b = h.ok(
        "set_branding",
        json!({ "orgName": " Acme Consulting ", "clientName": "Globex", "logo": "chosen" }),
    );
    assert_eq!(b["org_name"], "Acme Consulting");
    assert_eq!(b["logo"]["media_type"], "image/svg+xml");
    assert_eq!(b["logo"]["file"], Value::Null);

    let release = finished_release(&h);
    let state = h.webview.state::<AppState>();
    let path = h.dir.path().join("draft.html");
    export_to(
        &state,
        &release,
        (Format::Html, Paper::A4),
        &Compare::Previous,
        &path,
    )
    .unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("Prepared by Acme Consulting for Globex"));
    assert!(html.contains("data:image/svg+xml;base64,"));

    // Removing the logo keeps the names; clearing a name drops it.
    let b = h.ok(
        "set_branding",
        json!({ "orgName": "Acme Consulting", "clientName": "", "logo": "remove" }),
    );
    assert_eq!(b["logo"], Value::Null);
    assert_eq!(b["client_name"], Value::Null);
    assert_eq!(b["org_name"], "Acme Consulting");
}

#[test]
fn export_compares_a_draft_as_chosen_and_a_signed_report_only_as_signed() {
    use signet_app::signoff::{export_to, Compare};
    use signet_core::report::{Format, Paper};
    let h = Harness::new();
    h.ok("add_person", json!({ "name": "Ana Ruiz", "email": null }));
    h.ok("create_key", unencrypted("ana"));
    let base = finished_release(&h);
    let sign = |release: &str, reason: Option<&str>| {
        h.ok(
            "sign_off",
            json!({ "release": release, "person": "ana", "role": "Lead", "overrideReason": reason }),
        )
    };
    sign(&base, None);
    // Named after v9 so it sorts after it even if both share a timestamp.
    h.ok("create_release", json!({ "name": "v9.1", "due": null }));
    h.ok(
        "add_run",
        json!({ "release": "v9.1", "template": "release-signoff", "fresh": true }),
    );
    let c = h.ok("compare_choices", json!({ "release": "v9.1" }));
    assert_eq!(c["frozen"], Value::Null);
    assert_eq!(c["earlier"][0]["name"], "v9");
    assert_eq!(
        h.ok("compare_choices", json!({ "release": "v9" }))["earlier"],
        json!([])
    );

    let state = h.webview.state::<AppState>();
    let export = |compare: Value| {
        let compare: Compare = serde_json::from_value(compare).unwrap();
        let path = h.dir.path().join("v9.1.html");
        export_to(&state, "v9.1", (Format::Html, Paper::A4), &compare, &path)
            .map(|_| std::fs::read_to_string(&path).unwrap())
    };
    // As the UI sends it: core's pick, a named release, or none.
    let since = "<h2>Since v9</h2>";
    assert!(export(json!("previous")).unwrap().contains(since));
    assert!(export(json!({ "release": "v9" })).unwrap().contains(since));
    assert!(!export(json!("nothing")).unwrap().contains("Since v9"));

    // Once signed, the comparison is the one signed with, shown, not chosen.
    sign("v9.1", Some("pilot only"));
    let c = h.ok("compare_choices", json!({ "release": "v9.1" }));
    assert_eq!(
        c["frozen"],
        json!({ "revision": 1, "base": "v9", "base_revision": 1 })
    );
    assert_eq!(c["earlier"], json!([]));
    assert!(export(json!("previous")).unwrap().contains(since));
    let err = export(json!("nothing")).unwrap_err();
    assert!(
        err.message.contains(
            "was signed with its comparison against v9; the report without it would not be signed"
        ),
        "{err}"
    );
}
