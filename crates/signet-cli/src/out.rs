//! Printing helpers: every write returns io errors (a closed pipe ends the
//! command quietly instead of panicking inside println!).

use std::io::Write;

use serde::Serialize;

use crate::error::Result;

pub fn line(text: impl AsRef<str>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_ref().as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A warning on stderr: the command still succeeds.
pub fn warn(text: impl AsRef<str>) -> Result<()> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "signet: warning: {}", text.as_ref())?;
    Ok(())
}

/// A problem on stderr, as is: the caller decides the exit code.
pub fn problem(text: impl AsRef<str>) -> Result<()> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", text.as_ref())?;
    Ok(())
}

pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn bytes(data: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(data)?;
    out.flush()?;
    Ok(())
}
