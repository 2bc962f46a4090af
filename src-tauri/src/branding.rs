//! Report branding in the app: the organisation and client names and the
//! logo that `signet config` sets, read and set through core.
//!
//! The logo's file dialog opens here, on the Rust side, and core reads and
//! checks the file it returns (`report::branding::logo_from_file`): the
//! webview never names a file to read, and a logo it sends back could not
//! skip that check because it never sends one. A chosen logo waits in
//! [`LogoPick`] until the dialog is saved, so Cancel keeps the old one.

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use signet_core::report::branding::{data_url, logo_from_file};
use signet_core::report::model::{Branding, Logo};
use tauri::{AppHandle, Runtime, State};

use crate::dialog::{Choose, FileDialog};
use crate::error::{AppError, Result};
use crate::state::{lock, AppState};

/// The branding as the settings dialog shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BrandingView {
    pub org_name: Option<String>,
    pub client_name: Option<String>,
    pub logo: Option<LogoView>,
}

/// A logo, for a preview: the CSP lets `data:` images in (`img-src`), and
/// an SVG shown through `<img>` runs no script and loads nothing.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LogoView {
    /// The file it was read from, for a logo just chosen; None once stored.
    pub file: Option<String>,
    /// `image/png` or `image/svg+xml`.
    pub media_type: String,
    pub kib: u32,
    pub data_url: String,
}

impl LogoView {
    fn of(logo: &Logo, file: Option<String>) -> LogoView {
        // base64 of n bytes is 4·⌈n/3⌉ characters.
        let bytes = logo.data.len() / 4 * 3;
        LogoView {
            file,
            media_type: logo.media_type.clone(),
            kib: u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX),
            data_url: data_url(logo),
        }
    }
}

impl From<&Branding> for BrandingView {
    fn from(b: &Branding) -> Self {
        BrandingView {
            org_name: b.org_name.clone(),
            client_name: b.client_name.clone(),
            logo: b.logo.as_ref().map(|l| LogoView::of(l, None)),
        }
    }
}

/// What saving does with the logo.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum LogoChoice {
    /// The stored one stays (or none stays none).
    Keep,
    /// The one [`pick_logo`] chose replaces it.
    Chosen,
    /// Reports carry no logo from now on.
    Remove,
}

/// The logo chosen in the dialog, checked, not yet stored.
#[derive(Default)]
pub struct LogoPick(Mutex<Option<Logo>>);

impl LogoPick {
    /// Reads and checks the logo at `path` (core's rules: PNG, or SVG
    /// without script, ≤ 512 KiB; errors name the file) and keeps it for
    /// [`set_branding`].
    pub fn pick(&self, path: &Path) -> Result<LogoView> {
        let logo = logo_from_file(path)?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let view = LogoView::of(&logo, Some(file));
        *lock(&self.0) = Some(logo);
        Ok(view)
    }
}

#[tauri::command]
pub async fn report_branding(state: State<'_, AppState>) -> Result<BrandingView> {
    Ok((&state.store()?.branding()?).into())
}

/// Asks for a logo file and checks it; [`set_branding`] then stores it.
/// `None` when the user cancels.
#[tauri::command]
pub async fn pick_logo<R: Runtime>(
    app: AppHandle<R>,
    pick: State<'_, LogoPick>,
) -> Result<Option<LogoView>> {
    let dialog =
        FileDialog::new("Choose a logo for reports").filter("PNG or SVG images", &["png", "svg"]);
    match crate::dialog::ask_path(&app, dialog, Choose::File).await? {
        None => Ok(None),
        Some(path) => pick.pick(&path).map(Some),
    }
}

/// Sets the names (empty: cleared) and the logo reports carry from now on;
/// core checks the names.
#[tauri::command]
pub async fn set_branding(
    state: State<'_, AppState>,
    pick: State<'_, LogoPick>,
    org_name: Option<String>,
    client_name: Option<String>,
    logo: LogoChoice,
) -> Result<BrandingView> {
    let mut store = state.store()?;
    let mut b = store.branding()?;
    b.org_name = org_name;
    b.client_name = client_name;
    b.logo = match logo {
        LogoChoice::Keep => b.logo,
        LogoChoice::Remove => None,
        LogoChoice::Chosen => Some(lock(&pick.0).clone().ok_or_else(|| {
            AppError::refused("choose the logo again (“Choose logo…”): none is waiting")
        })?),
    };
    // Kept until stored: a name core refuses leaves the chosen logo waiting.
    let stored = store.set_branding(&b)?;
    *lock(&pick.0) = None;
    Ok((&stored).into())
}
