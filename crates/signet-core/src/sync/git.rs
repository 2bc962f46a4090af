//! Git as a transport for operation batches (written by the git helper).
