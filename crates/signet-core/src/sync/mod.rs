//! Team sync: signed operations (the changes people made) and their
//! transport through git refs. See docs/SYNC.md.

pub mod git;
pub mod op;
