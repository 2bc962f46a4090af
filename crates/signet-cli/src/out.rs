//! Printing helpers: every write returns io errors (a closed pipe ends the
//! command quietly instead of panicking inside println!).
//!
//! Standard output is block-buffered unless it is a terminal: `signet home`
//! listing a thousand open items into a pipe or a file is then a handful of
//! writes instead of a thousand (a third of its time). [`flush`] runs before
//! anything goes to standard error, so the two still come out in order, and
//! at the end of `main`, where a failed write still becomes an error.

use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::sync::{LazyLock, Mutex, PoisonError};

use serde::Serialize;

use crate::error::Result;

struct Out {
    buffer: BufWriter<Stdout>,
    terminal: bool,
}

static OUT: LazyLock<Mutex<Out>> = LazyLock::new(|| {
    let stdout = std::io::stdout();
    Mutex::new(Out {
        terminal: stdout.is_terminal(),
        buffer: BufWriter::with_capacity(64 * 1024, stdout),
    })
});

/// Writes to standard output; on a terminal, each call is seen at once.
fn write(f: impl FnOnce(&mut BufWriter<Stdout>) -> Result<()>) -> Result<()> {
    let mut out = OUT.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut out.buffer)?;
    if out.terminal {
        out.buffer.flush()?;
    }
    Ok(())
}

/// Sends what standard output holds.
pub fn flush() -> Result<()> {
    let mut out = OUT.lock().unwrap_or_else(PoisonError::into_inner);
    out.buffer.flush()?;
    Ok(())
}

pub fn line(text: impl AsRef<str>) -> Result<()> {
    write(|out| {
        out.write_all(text.as_ref().as_bytes())?;
        out.write_all(b"\n")?;
        Ok(())
    })
}

/// A warning on stderr: the command still succeeds.
pub fn warn(text: impl AsRef<str>) -> Result<()> {
    problem(format!("signet: warning: {}", text.as_ref()))
}

/// A problem on stderr, as is: the caller decides the exit code.
pub fn problem(text: impl AsRef<str>) -> Result<()> {
    flush()?;
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", text.as_ref())?;
    Ok(())
}

pub fn json<T: Serialize>(value: &T) -> Result<()> {
    write(|out| {
        serde_json::to_writer_pretty(&mut *out, value)?;
        out.write_all(b"\n")?;
        Ok(())
    })
}

pub fn bytes(data: &[u8]) -> Result<()> {
    write(|out| {
        out.write_all(data)?;
        Ok(())
    })
}
