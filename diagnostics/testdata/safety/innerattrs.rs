// A crate root's first item: clippy looks for its comment across the
// crate's inner attributes.

// SAFETY: nothing unsafe below. // ~ unnecessary-safety-comment
#![allow(dead_code)]
//
// A comment between inner attributes.
#![allow(unused)]

/// The first item.
#[inline]
pub fn first() {}
