//! `signet key …`: init, protect, import, export, rotate, revoke.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use signet_core::keys::{self, KeyFile, KeyHome, KeyInit, KeyStore, Keyring, Protected};
use signet_core::Error;

use super::Ctx;
use crate::cli::{KeyStoreArgs, KeyStoreChoice, PasswordArgs};
use crate::error::{CliError, Result};
use crate::out;
use crate::password::Prompt;

/// The one warning for a key anyone who can read it can sign with.
pub fn warn_unencrypted(keyring: &Keyring, handle: &str) -> Result<()> {
    out::warn(format!(
        "{handle}'s signing key {} is not encrypted: {} can sign as {handle}; \
         encrypt it with `signet key protect --as {handle}`",
        where_is(keyring, handle),
        who_can_sign(keyring, handle, "anyone who can read it".into())
    ))
}

/// Where `handle`'s key is, for a message: its file's path, or "in" the OS
/// store with the account.
fn where_is(keyring: &Keyring, handle: &str) -> String {
    match keyring.home(handle) {
        Some(home @ KeyHome::OsStore { .. }) => format!("in {home}"),
        Some(KeyHome::File(path)) => path.display().to_string(),
        None => keyring.secret_path(handle).display().to_string(),
    }
}

/// Who can sign with an unencrypted key where it is kept: for a key file,
/// `file_words`.
fn who_can_sign(keyring: &Keyring, handle: &str, file_words: String) -> String {
    match keyring.home(handle) {
        Some(KeyHome::OsStore { store, .. }) => {
            format!("any program running as you while {store} is unlocked")
        }
        _ => file_words,
    }
}

/// The keyring with the policy for new keys from `--key-store`.
fn keyring_for_new_keys(ctx: &Ctx, store: &KeyStoreArgs) -> Result<Keyring> {
    Ok(ctx.keyring()?.with_key_store(match store.key_store {
        KeyStoreChoice::Auto => KeyStore::Auto,
        KeyStoreChoice::File => KeyStore::File,
        KeyStoreChoice::Os => KeyStore::Os,
    }))
}

/// Whether `handle`'s key is encrypted, to warn when it is not. A key in
/// an OS store that does not answer now cannot say; the command that asked
/// has done its work without it, so it is not failed for that.
fn encrypted(keyring: &Keyring, handle: &str) -> Result<bool> {
    match keyring.read(handle) {
        Ok(file) => Ok(file.is_encrypted()),
        Err(_) if matches!(keyring.home(handle), Some(KeyHome::OsStore { .. })) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

pub fn init(
    ctx: &mut Ctx,
    who: &str,
    force: bool,
    unencrypted: bool,
    password: &PasswordArgs,
    store: &KeyStoreArgs,
) -> Result<ExitCode> {
    let keyring = keyring_for_new_keys(ctx, store)?;
    let prompt = Prompt::new(password, Some(unencrypted));
    let (p, outcome) = keys::init(&mut ctx.store, &keyring, who, force, &prompt, &ctx.actor)?;
    let key_id = p.key_id.as_deref().unwrap_or("?");
    let secret = where_is(&keyring, &p.handle);
    let is_encrypted = encrypted(&keyring, &p.handle)?;
    let made = matches!(outcome, KeyInit::Created | KeyInit::Replaced { .. });
    let in_os_store = matches!(keyring.home(&p.handle), Some(KeyHome::OsStore { .. }));
    let protection = match (is_encrypted, in_os_store) {
        (true, false) => "encrypted with your password, readable only by you",
        (false, false) => "unencrypted, readable only by you",
        (true, true) => "encrypted with your password; only a marker is on disk",
        (false, true) => "unencrypted; only a marker is on disk",
    };
    let created = format!(
        "created signing key {key_id} for {} — secret key {secret} ({protection}), public key registered",
        p.handle
    );
    match outcome {
        KeyInit::AlreadyRegistered => out::line(format!(
            "{}'s signing key {key_id} on this machine is already the registered one; nothing changed",
            p.handle
        ))?,
        KeyInit::RegisteredExisting => out::line(format!(
            "registered {}'s signing key {key_id}, already on this machine ({secret})",
            p.handle
        ))?,
        KeyInit::Created => out::line(created)?,
        KeyInit::Replaced { old_key_id } => {
            out::warn(format!(
                "replaced {}'s registered signing key {old_key_id} with {key_id}; signatures made with {old_key_id} stay valid only with the old key",
                p.handle
            ))?;
            out::line(created)?;
        }
    }
    let revoked = ctx
        .store
        .person_keys(&p.handle)?
        .into_iter()
        .filter(|k| p.public_key.as_deref() == Some(k.public_key.as_str()))
        .find_map(|k| k.revocation);
    if let Some(r) = revoked {
        out::warn(format!(
            "{}'s key {key_id} was {r} and signs nothing more; make a new one with `signet key rotate --as {}`",
            p.handle, p.handle
        ))?;
    }
    if !is_encrypted {
        if made && unencrypted {
            out::warn(format!(
                "{}'s secret key is stored unencrypted: {} can sign as {}; \
                 keep that to throwaway CI keys",
                p.handle,
                who_can_sign(&keyring, &p.handle, format!("anyone who can read {secret}")),
                p.handle
            ))?;
        } else {
            warn_unencrypted(&keyring, &p.handle)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn protect(ctx: &Ctx, who: &str, password: &PasswordArgs) -> Result<ExitCode> {
    let keyring = ctx.keyring()?;
    let handle = ctx.store.person(who)?.handle;
    let place = where_is(&keyring, &handle);
    match keyring.protect(&handle, &Prompt::new(password, None))? {
        Protected::AlreadyEncrypted => out::line(format!(
            "{handle}'s signing key ({place}) is already encrypted; nothing changed"
        ))?,
        Protected::Encrypted { key_id } => out::line(format!(
            "encrypted {handle}'s signing key {key_id} in place ({place}); sign-offs now ask for its password"
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import(
    ctx: &mut Ctx,
    file: &Path,
    who: &str,
    force: bool,
    password: &PasswordArgs,
    store: &KeyStoreArgs,
) -> Result<ExitCode> {
    let keyring = keyring_for_new_keys(ctx, store)?;
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, &e))?;
    let key_file = KeyFile::parse(&file.display().to_string(), &text)?;
    let prompt = Prompt::new(password, None);
    let imported = keys::import(
        &mut ctx.store,
        &keyring,
        who,
        &key_file,
        force,
        &prompt,
        &ctx.actor,
    )?;
    let p = &imported.person;
    let key_id = p.key_id.as_deref().unwrap_or("?");
    if let Some(old) = &imported.replaced {
        out::warn(format!(
            "replaced {}'s registered signing key {old} with {key_id}; signatures made with {old} stay valid only with the old key",
            p.handle
        ))?;
    }
    let protection = if imported.encrypted {
        "still encrypted with its own password"
    } else {
        "unencrypted"
    };
    out::line(format!(
        "imported signing key {key_id} for {} from {} — secret key {} ({protection}), public key registered",
        p.handle,
        file.display(),
        where_is(&keyring, &p.handle)
    ))?;
    if !imported.encrypted {
        warn_unencrypted(&keyring, &p.handle)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal before a secret key leaves its folder; without a
/// terminal, only `--yes-i-understand` says yes.
fn confirm_secret_export(handle: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "exporting {handle}'s secret key needs --yes-i-understand (or a terminal to confirm on)"
        )));
    }
    out::flush()?;
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "This writes {handle}'s secret signing key (encrypted with its password). Whoever gets the \
         file and the password can sign as {handle}. Type 'yes' to go on: "
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        return Err(CliError::Usage(
            "secret key export cancelled; nothing was written".into(),
        ));
    }
    Ok(())
}

pub fn export(
    ctx: &Ctx,
    who: &str,
    secret: bool,
    yes: bool,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let p = ctx.store.person(who)?;
    if !secret {
        let Some(k) = &p.public_key else {
            return Err(Error::Invalid(format!(
                "{} has no public key; run `signet key init --as {}`",
                p.handle, p.handle
            ))
            .into());
        };
        out::bytes(
            signet_core::seal::public_file_text(
                k,
                &format!("minisign public key of {} ({})", p.name, p.handle),
            )
            .as_bytes(),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    // Refused before asking: an unencrypted key is never exported.
    let text = ctx.keyring()?.export_secret(&p.handle)?;
    confirm_secret_export(&p.handle, yes)?;
    match output {
        Some(path) => {
            keys::write_secret_file(path, &text)?;
            out::warn(format!(
                "wrote {}'s encrypted secret key to {}; import it elsewhere with `signet key import {} --as {}`, then delete this copy",
                p.handle,
                path.display(),
                path.display(),
                p.handle
            ))?;
        }
        None => out::bytes(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn rotate(
    ctx: &mut Ctx,
    who: &str,
    force: bool,
    unencrypted: bool,
    password: &PasswordArgs,
    store: &KeyStoreArgs,
) -> Result<ExitCode> {
    let keyring = keyring_for_new_keys(ctx, store)?;
    let prompt = Prompt::new(password, Some(unencrypted));
    let r = keys::rotate(&mut ctx.store, &keyring, who, force, &prompt, &ctx.actor)?;
    let p = &r.person;
    let new_id = p.key_id.as_deref().unwrap_or("?");
    out::line(format!(
        "rotated {}'s signing key: {} → {new_id}; what {} signed keeps verifying, new sign-offs use {new_id} (secret key {})",
        p.handle,
        r.old_key_id,
        r.old_key_id,
        where_is(&keyring, &p.handle)
    ))?;
    if !encrypted(&keyring, &p.handle)? {
        warn_unencrypted(&keyring, &p.handle)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn revoke(ctx: &mut Ctx, key: &str, reason: &str, from: Option<&str>) -> Result<ExitCode> {
    let revoked = ctx.store.revoke_key(key, from, reason, &ctx.actor)?;
    for k in &revoked {
        let Some(r) = &k.revocation else { continue };
        out::line(format!(
            "revoked {}'s key {} from {} ({}): signatures dated after that are invalid, earlier ones are flagged as made with a key revoked later",
            k.handle, k.key_id, r.from, r.reason
        ))?;
        if k.replaced_at.is_none() {
            out::line(format!(
                "it was {}'s current key, which signs nothing more: make a new one with `signet key rotate --as {}`",
                k.handle, k.handle
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
