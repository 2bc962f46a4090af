//! Where the CLI gets a signing key's password: `--password-file FILE`, else
//! `$SIGNET_KEY_PASSWORD`, else a prompt on the terminal (never an argument,
//! which `ps` and shell history would show). Core asks only when a key file
//! needs one; nothing here prints or keeps a password.

use std::io::IsTerminal;
use std::path::PathBuf;

use signet_core::keys::{Password, Passwords, Protection};
use signet_core::{Error, Result};
use zeroize::Zeroizing;

use crate::cli::PasswordArgs;

pub const ENV: &str = "SIGNET_KEY_PASSWORD";

pub struct Prompt {
    file: Option<PathBuf>,
    /// The command's `--unencrypted` (None: it has no such flag): with it,
    /// new keys are stored without a password.
    unencrypted: Option<bool>,
}

impl Prompt {
    pub fn new(args: &PasswordArgs, unencrypted: Option<bool>) -> Prompt {
        Prompt {
            file: args.password_file.clone(),
            unencrypted,
        }
    }

    /// The password given without asking: the file, else the environment.
    fn given(&self) -> Result<Option<Password>> {
        if let Some(path) = &self.file {
            let text =
                Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?);
            // The first line: a trailing newline is the editor's, not the password's.
            return Ok(Some(Password::new(text.lines().next().unwrap_or(""))));
        }
        // An empty variable is how CI configs say "unset".
        Ok(std::env::var(ENV)
            .ok()
            .filter(|v| !v.is_empty())
            .map(Password::new))
    }
}

fn ask(prompt: &str) -> Result<Password> {
    // Lines printed so far come before the question.
    let _ = crate::out::flush();
    rpassword::prompt_password(prompt)
        .map(Password::new)
        .map_err(|e| Error::Invalid(format!("cannot read a password from the terminal: {e}")))
}

fn terminal() -> bool {
    std::io::stdin().is_terminal()
}

impl Passwords for Prompt {
    fn existing(&self, what: &str) -> Result<Password> {
        if let Some(p) = self.given()? {
            return Ok(p);
        }
        if terminal() {
            return ask(&format!("Password for {what}: "));
        }
        Err(Error::Invalid(format!(
            "{what} is encrypted: give its password with --password-file FILE or {ENV} (there is no terminal to ask on)"
        )))
    }

    fn for_new_key(&self, what: &str) -> Result<Protection> {
        if self.unencrypted == Some(true) {
            return Ok(Protection::Unencrypted);
        }
        if let Some(p) = self.given()? {
            return Ok(Protection::Password(p));
        }
        if terminal() {
            let first = ask(&format!("New password for {what}: "))?;
            let again = ask("The same password again: ")?;
            return if first.matches(&again) {
                Ok(Protection::Password(first))
            } else {
                Err(Error::Invalid(
                    "the two passwords differ; nothing was written".into(),
                ))
            };
        }
        let or_not = if self.unencrypted.is_some() {
            ", or pass --unencrypted for a throwaway CI key"
        } else {
            ""
        };
        Err(Error::Invalid(format!(
            "{what} is to be encrypted with a password: give one with --password-file FILE or {ENV} \
             (there is no terminal to ask on){or_not}"
        )))
    }
}
