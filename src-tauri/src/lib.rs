//! signet-app: the Tauri v2 shell. It opens the shared database, seeds the
//! starter templates into an empty library, and exposes thin commands over
//! signet-core. Invariant: no business rules and no SQL here.

pub mod branding;
pub mod commands;
pub mod dialog;
pub mod error;
pub mod keys;
pub mod log;
pub mod signoff;
pub mod state;
pub mod sync;

use tauri::Manager;

use crate::state::AppState;

fn open_state() -> Result<AppState, String> {
    let path = state::database_path().map_err(|e| e.message)?;
    let config = state::config_dir().map_err(|e| e.message)?;
    let mut store = state::open_store(&path, &config)
        .map_err(|e| format!("Signet could not open its database at {}:\n{e}\n\nCheck the file's permissions, or point SIGNET_DB at another file.", path.display()))?;
    let actor = state::actor();
    signet_core::starter::seed(&mut store, &actor).map_err(|e| e.to_string())?;
    AppState::new(store, path, actor, config).map_err(|e| e.message)
}

/// Registers the state and commands on a builder (shared with the tests).
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .manage(sync::Running::default())
        .manage(keys::Session::default())
        .manage(branding::LogoPick::default())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::act_as,
            commands::list_templates,
            commands::template_sections,
            commands::template_outline,
            commands::template_versions,
            commands::set_template_archived,
            commands::repair_mojibake,
            commands::home,
            commands::owned_items,
            commands::pick_markdown_files,
            commands::import_files,
            commands::list_releases,
            commands::create_release,
            commands::add_run,
            commands::upgrade_preview,
            commands::upgrade_run,
            commands::release_view,
            commands::tick,
            commands::item_history,
            signoff::list_people,
            signoff::add_person,
            keys::create_key,
            keys::pick_key_file,
            keys::import_key,
            signoff::signoff_status,
            signoff::sign_off,
            signoff::reopen_release,
            signoff::compare_choices,
            signoff::export_report,
            branding::report_branding,
            branding::pick_logo,
            branding::set_branding,
            signoff::verify_report,
            sync::sync_status,
            sync::sync_now,
            commands::open_log_folder,
            commands::open_link,
        ])
}

pub fn run() {
    // Flushes the log when the app ends; held for the whole run.
    let _log = log::start();
    let app = builder(tauri::Builder::default())
        .setup(|app| {
            match open_state() {
                Ok(state) => {
                    tracing::info!(database = %state.path.display(), "database open");
                    app.manage(state);
                }
                Err(message) => {
                    tracing::error!("cannot start: {message}");
                    // Say what to do instead of panicking; quit when read.
                    let handle = app.handle().clone();
                    dialog::show_error(app.handle(), "Signet cannot start", message, move || {
                        handle.exit(1)
                    });
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            tracing::error!("cannot start: {e}");
            eprintln!("signet-app: {e}");
        }
    }
}
