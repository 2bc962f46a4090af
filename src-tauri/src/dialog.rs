//! Native dialogs through rfd (GTK 3 on Linux): the file choosers every
//! command that reads or writes a file opens, and the box that says why the
//! app cannot start. They open here, on the Rust side, so the webview never
//! names a path. tauri-plugin-dialog did the same over rfd, but brought
//! tauri-plugin-fs and both plugins' webview commands, which nothing here
//! calls (docs/ARCHITECTURE.md, "Binary size").
//!
//! Never: a dialog built off the main thread (GTK's), or a command's thread
//! blocked on the main thread.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use rfd::{AsyncFileDialog, AsyncMessageDialog, FileHandle, MessageButtons, MessageLevel};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppError, Result};
use crate::state::AppState;

/// What a file dialog asks for.
#[derive(Debug, Clone, Copy)]
pub enum Choose {
    /// One existing file.
    File,
    /// One or more existing files.
    Files,
    /// A file to write, new or not.
    SaveAs,
}

/// A file dialog to open: its title, file-type filters and suggested name.
#[derive(Debug, Clone)]
pub struct FileDialog {
    title: String,
    filters: Vec<(String, Vec<String>)>,
    file_name: Option<String>,
}

type Answer = Pin<Box<dyn Future<Output = Option<Vec<FileHandle>>> + Send>>;

impl FileDialog {
    pub fn new(title: &str) -> Self {
        FileDialog {
            title: title.into(),
            filters: Vec::new(),
            file_name: None,
        }
    }

    pub fn filter(mut self, name: &str, extensions: &[&str]) -> Self {
        let extensions = extensions.iter().map(|e| e.to_string()).collect();
        self.filters.push((name.into(), extensions));
        self
    }

    pub fn file_name(mut self, name: String) -> Self {
        self.file_name = Some(name);
        self
    }

    /// Opens the dialog and waits for it: the chosen paths, `None` when the
    /// user cancels. Blocks the calling thread, which must not be the main
    /// one (the dialog is built there).
    pub fn blocking<R: Runtime>(
        self,
        app: &AppHandle<R>,
        choose: Choose,
    ) -> Result<Option<Vec<PathBuf>>> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        app.run_on_main_thread(move || {
            let dialog = self.rfd();
            let answer: Answer = match choose {
                Choose::File => {
                    let file = dialog.pick_file();
                    Box::pin(async move { file.await.map(|f| vec![f]) })
                }
                Choose::Files => Box::pin(dialog.pick_files()),
                Choose::SaveAs => {
                    let file = dialog.save_file();
                    Box::pin(async move { file.await.map(|f| vec![f]) })
                }
            };
            // Awaited off the main thread, whose loop runs the dialog.
            std::thread::spawn(move || {
                // The receiver is gone only if the command was dropped.
                let _ = tx.send(tauri::async_runtime::block_on(answer));
            });
        })
        .map_err(|e| AppError::internal(format!("the file dialog did not open: {e}")))?;
        let files = rx
            .recv()
            .map_err(|_| AppError::internal("the file dialog closed without an answer"))?;
        Ok(files.map(|files| files.iter().map(|f| f.path().to_path_buf()).collect()))
    }

    fn rfd(self) -> AsyncFileDialog {
        let mut dialog = AsyncFileDialog::new()
            .set_title(self.title)
            .set_can_create_directories(true);
        if let Some(name) = self.file_name {
            dialog = dialog.set_file_name(name);
        }
        for (name, extensions) in &self.filters {
            dialog = dialog.add_filter(name, extensions);
        }
        dialog
    }
}

/// Opens a file dialog off the async runtime, with the
/// database held and reconnected after it ([`AppState::with_dialog`]); the
/// path chosen, or `None` when the user cancels.
pub(crate) async fn ask_path<R: Runtime>(
    app: &AppHandle<R>,
    dialog: FileDialog,
    choose: Choose,
) -> Result<Option<PathBuf>> {
    let paths = ask_paths(app, dialog, choose).await?;
    Ok(paths.and_then(|p| p.into_iter().next()))
}

/// [`ask_path`] for dialogs that choose several files.
pub(crate) async fn ask_paths<R: Runtime>(
    app: &AppHandle<R>,
    dialog: FileDialog,
    choose: Choose,
) -> Result<Option<Vec<PathBuf>>> {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>()
            .with_dialog(|| dialog.blocking(&app, choose))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??
}

/// Shows an error box titled `title`; `then` runs once it is closed.
pub fn show_error<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    message: String,
    then: impl FnOnce() + Send + 'static,
) {
    let title = title.to_string();
    let shown = app.run_on_main_thread(move || {
        let closed = AsyncMessageDialog::new()
            .set_level(MessageLevel::Error)
            .set_title(title)
            .set_description(message)
            .set_buttons(MessageButtons::Ok)
            .show();
        std::thread::spawn(move || {
            tauri::async_runtime::block_on(closed);
            then();
        });
    });
    if let Err(e) = shown {
        tracing::error!("the error box did not open: {e}");
    }
}
