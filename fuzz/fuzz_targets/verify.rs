//! Arbitrary bytes → `signet verify`. Must answer (valid, invalid or a
//! clear error), never panic, and never call garbage valid.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    signet_core::fuzzing::verify(data);
});
