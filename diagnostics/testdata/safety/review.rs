// Shapes found in review, each checked against clippy.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
pub const unsafe fn f() -> u32 {
    1
}
pub struct A;
pub trait Tr {}

// SAFETY: a safe trait impl takes no SAFETY comment. // ~ unnecessary-safety-comment
impl Tr for A {}

// SAFETY: nor does Drop. // ~ unnecessary-safety-comment
impl Drop for A {
    fn drop(&mut self) {}
}

// SAFETY: parentheses around the block do not count.
pub const PA: u32 = (unsafe { f() });

pub fn shapes() {
    // SAFETY: an array length is a constant of its own. // ~ unnecessary-safety-comment
    let a = [0u8; unsafe { f() } as usize];

    // SAFETY: format! puts its arguments in a block of its own. // ~ unnecessary-safety-comment
    let s = format!("{}", unsafe { f() });

    // SAFETY: vec! does not.
    let v = vec![unsafe { f() }];

    let s = 1; let x = unsafe { f() }; // ~ undocumented-unsafe
}

#[allow(warnings)]
fn all_warnings_allowed() {
    unsafe { f() };
}

#[cfg_attr(any(), allow(clippy::undocumented_unsafe_blocks))]
fn false_cfg_attr() {
    unsafe { f() }; // ~ undocumented-unsafe
}

/** Docs on the item's line. */ pub unsafe fn on_one_line() {} // ~ missing-safety-doc

pub struct A2; pub unsafe fn after_an_item() {} // ~ missing-safety-doc

struct Private;
impl Private {
    pub unsafe fn of_a_private_type() {} // ~ missing-safety-doc
}

fn outer() {
    pub unsafe fn in_a_function() {} // ~ missing-safety-doc
}
