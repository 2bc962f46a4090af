fn main() {
    // Declaring the app's commands makes them subject to capabilities like
    // plugin commands: the UI may call only what capabilities/ grants.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_templates",
            "template_sections",
            "template_outline",
            "template_versions",
            "set_template_archived",
            "repair_mojibake",
            "home",
            "owned_items",
            "import_files",
            "list_releases",
            "create_release",
            "add_run",
            "upgrade_preview",
            "upgrade_run",
            "release_view",
            "tick",
            "item_history",
            "app_info",
            "act_as",
            "list_people",
            "add_person",
            "create_key",
            "pick_key_file",
            "import_key",
            "signoff_status",
            "sign_off",
            "reopen_release",
            "export_report",
            "verify_report",
            "sync_status",
            "sync_now",
            "open_log_folder",
        ]),
    ))
    .expect("tauri build script failed");
}
