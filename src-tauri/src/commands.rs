//! Tauri commands: parse arguments, call signet-core, return its types. Each
//! is async so the database work runs off the UI thread.

use std::path::PathBuf;

use serde::Serialize;
use signet_core::identity::Identity;
use signet_core::import::{import_file, ImportOptions, Imported};
use signet_core::model::{
    Event, ImportOutcome, ImportReport, ItemView, Person, Release, ReleaseSummary, ReleaseView,
    TemplateInfo, Tick,
};
use signet_core::render;
use signet_core::store::{Home, OpenItems, SectionSummary, TemplateOutline, TemplateVersion};
use tauri::State;

use crate::error::{AppError, Result};
use crate::state::AppState;

/// One file's import: what was found and what was stored, or why not.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FileImport {
    pub path: String,
    pub report: Option<ImportReport>,
    pub outcome: Option<ImportOutcome>,
    pub error: Option<AppError>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppInfo {
    pub version: String,
    pub database: String,
    /// Who every write records (a person's handle once one is known).
    pub actor: String,
    /// The person the app acts as; None: nobody registered is, and the UI
    /// asks "Who are you?".
    pub person: Option<Person>,
}

fn app_info_of(state: &AppState, identity: Identity) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        database: state.path.display().to_string(),
        actor: identity.actor,
        person: identity.person,
    }
}

/// Opens the folder of the log file (help overlay, "Open log folder") in
/// the file manager; the path is the app's own, never one the UI gives.
#[tauri::command]
pub async fn open_log_folder() -> Result<String> {
    let dir = crate::log::dir().ok_or_else(|| AppError::internal("no folder for the log file"))?;
    std::fs::create_dir_all(&dir).map_err(|e| signet_core::Error::io(&dir, &e))?;
    let shown = dir.display().to_string();
    open::that_detached(&dir)
        .map_err(|e| AppError::internal(format!("cannot open {shown}: {e}")))?;
    Ok(shown)
}

/// Opens a link from user markdown or evidence in the default browser or
/// mail program: http(s) and mailto only, checked here as well as in the
/// UI, since the webview renders hostile text.
#[tauri::command]
pub async fn open_link(url: String) -> Result<()> {
    let url = url.trim();
    if !signet_core::model::is_safe_link(url) {
        return Err(signet_core::Error::Invalid(format!(
            "{url}: only http(s) and mailto links are opened"
        ))
        .into());
    }
    open::that_detached(url).map_err(|e| AppError::internal(format!("cannot open {url}: {e}")))
}

/// Who the app acts as. People added since (by the CLI too) are matched
/// against the name it was started as again.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let store = state.store()?;
    let identity = state.refresh_identity(&store)?;
    drop(store);
    Ok(app_info_of(&state, identity))
}

/// The app acts as `person` (handle, name or e-mail) from now on, kept in
/// the database for the next start.
#[tauri::command]
pub async fn act_as(state: State<'_, AppState>, person: String) -> Result<AppInfo> {
    let mut store = state.store()?;
    store.set_acting_person(&person)?;
    let identity = state.refresh_identity(&store)?;
    drop(store);
    Ok(app_info_of(&state, identity))
}

#[tauri::command]
pub async fn list_templates(state: State<'_, AppState>) -> Result<Vec<TemplateInfo>> {
    Ok(state.store()?.templates()?)
}

#[tauri::command]
pub async fn template_sections(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<SectionSummary>> {
    Ok(state.store()?.template_sections(&name)?)
}

/// A template version to read: description, sections, items and fields.
#[tauri::command]
pub async fn template_outline(state: State<'_, AppState>, name: String) -> Result<TemplateOutline> {
    let mut outline = state.store()?.template_outline(&name)?;
    render::decorate_outline(&mut outline);
    Ok(outline)
}

/// Every version of a template, newest first, with what each changed.
#[tauri::command]
pub async fn template_versions(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<TemplateVersion>> {
    Ok(state.store()?.template_versions(&name)?)
}

/// Archives (or brings back) a template on this database.
#[tauri::command]
pub async fn set_template_archived(
    state: State<'_, AppState>,
    name: String,
    archived: bool,
) -> Result<TemplateInfo> {
    let mut store = state.store()?;
    Ok(if archived {
        store.archive_template(&name, &state.actor())?
    } else {
        store.unarchive_template(&name)?
    })
}

/// The import report's "Repair text": the stored version's text imported
/// again with its mojibake repaired, as the next version.
#[tauri::command]
pub async fn repair_mojibake(state: State<'_, AppState>, name: String) -> Result<FileImport> {
    let (report, outcome) = state.store()?.repair_mojibake(&name, &state.actor())?;
    Ok(FileImport {
        path: report.file.clone(),
        report: Some(report),
        outcome: Some(outcome),
        error: None,
    })
}

/// The home screen as of the UI's local `today`.
#[tauri::command]
pub async fn home(state: State<'_, AppState>, today: String) -> Result<Home> {
    Ok(state.store()?.home(Some(&today), LIST_LIMIT)?)
}

/// Open and blocked items `owner` holds across releases in work.
#[tauri::command]
pub async fn owned_items(
    state: State<'_, AppState>,
    owner: String,
    today: String,
) -> Result<OpenItems> {
    Ok(state
        .store()?
        .owned_items(&owner, Some(&today), LIST_LIMIT)?)
}

/// How many items a home list shows; the rest are counted.
const LIST_LIMIT: usize = 200;

/// Asks which markdown files to import (the dialog opens here, on the Rust
/// side, so the database is held and reconnected around it); `None` when
/// the user cancels. The UI then imports them with [`import_files`].
#[tauri::command]
pub async fn pick_markdown_files<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> Result<Option<Vec<String>>> {
    let dialog = crate::dialog::FileDialog::new("Import checklists")
        .filter("Markdown", &["md", "markdown", "txt"]);
    let chosen = crate::dialog::ask_paths(&app, dialog, crate::dialog::Choose::Files).await?;
    Ok(chosen.map(|paths| paths.iter().map(|p| p.display().to_string()).collect()))
}

/// Imports each file on its own: one bad file is reported, the others land.
#[tauri::command]
pub async fn import_files(
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
) -> Result<Vec<FileImport>> {
    let parsed: Vec<(PathBuf, signet_core::Result<Imported>)> = paths
        .into_iter()
        .map(|p| {
            let r = import_file(&p, &ImportOptions::default());
            (p, r)
        })
        .collect();
    let actor = state.actor();
    let mut store = state.store()?;
    let mut out = Vec::with_capacity(parsed.len());
    for (path, result) in parsed {
        let path_text = path.display().to_string();
        let entry = match result.and_then(|imp| Ok((store.import(&imp, &actor)?, imp.report))) {
            Ok((outcome, report)) => FileImport {
                path: path_text,
                report: Some(report),
                outcome: Some(outcome),
                error: None,
            },
            Err(e) => FileImport {
                path: path_text,
                report: None,
                outcome: None,
                error: Some(e.into()),
            },
        };
        out.push(entry);
    }
    Ok(out)
}

#[tauri::command]
pub async fn list_releases(state: State<'_, AppState>) -> Result<Vec<ReleaseSummary>> {
    Ok(state.store()?.releases()?)
}

#[tauri::command]
pub async fn create_release(
    state: State<'_, AppState>,
    name: String,
    due: Option<String>,
) -> Result<Release> {
    let due = due.filter(|d| !d.trim().is_empty());
    Ok(state
        .store()?
        .create_release(&name, due.as_deref(), &state.actor())?)
}

#[tauri::command]
pub async fn add_run(
    state: State<'_, AppState>,
    release: String,
    template: String,
    fresh: bool,
) -> Result<ReleaseView> {
    let mut store = state.store()?;
    store.add_run(&release, &template, fresh, &state.actor())?;
    let mut view = store.release_view(&release)?;
    render::decorate(&mut view);
    Ok(view)
}

/// The release, or with `limit` only its first items (the first screen of
/// a large release, while the UI fetches the rest).
#[tauri::command]
pub async fn release_view(
    state: State<'_, AppState>,
    name: String,
    limit: Option<usize>,
) -> Result<ReleaseView> {
    let store = state.store()?;
    let mut view = match limit {
        Some(limit) => store.release_view_first(&name, limit)?,
        None => store.release_view(&name)?,
    };
    drop(store);
    render::decorate(&mut view);
    Ok(view)
}

/// Returns the item as stored after the change: the UI never assumes success.
#[tauri::command]
pub async fn tick(
    state: State<'_, AppState>,
    release: String,
    item: String,
    change: Tick,
) -> Result<ItemView> {
    let mut view = state
        .store()?
        .tick(&release, &item, &change, &state.actor())?;
    render::decorate_one(&mut view);
    Ok(view)
}

#[tauri::command]
pub async fn item_history(
    state: State<'_, AppState>,
    release: String,
    item: String,
) -> Result<Vec<Event>> {
    Ok(state.store()?.history(&release, &item)?)
}

/// What upgrading a release's run to the template's newest version would
/// do: the same counts, pairs, removed and added items, nothing changed.
#[tauri::command]
/// `pairs`: the moved and reworded pairings the person kept (old key, new
/// key); None: as matched.
pub async fn upgrade_preview(
    state: State<'_, AppState>,
    release: String,
    template: String,
    pairs: Option<Vec<(String, String)>>,
) -> Result<signet_core::store::RunUpgrade> {
    Ok(state
        .store()?
        .upgrade_preview_with(&release, &template, pairs.as_deref())?)
}

/// Moves a release's run to the template's newest version (states kept by key).
#[tauri::command]
pub async fn upgrade_run(
    state: State<'_, AppState>,
    release: String,
    template: String,
    pairs: Option<Vec<(String, String)>>,
) -> Result<signet_core::store::RunUpgrade> {
    Ok(state
        .store()?
        .upgrade_run_with(&release, &template, &state.actor(), pairs.as_deref())?)
}
