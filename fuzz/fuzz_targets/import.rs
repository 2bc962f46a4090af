//! Arbitrary bytes → import → store in an in-memory database. Any panic
//! (or a crash in SQLite) is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    signet_core::fuzzing::import(data);
});
