// SAFETY: the first line of a crate root counts.
unsafe impl Send for S {}
pub struct S;
