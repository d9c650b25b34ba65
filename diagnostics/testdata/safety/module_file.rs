// krls-fixture: module krls-fixture: no-clippy
//
// A module file (not a crate root): clippy cannot relate the first item to
// its `mod` line in the parent file and lets it be, comment or not.

unsafe impl Send for S {}

pub struct S;

unsafe impl Sync for S {} // ~ undocumented-unsafe
