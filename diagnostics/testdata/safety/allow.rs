// allow/expect attributes silence the rules as they silence clippy.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
unsafe fn f() -> u32 {
    1
}
pub struct S;

#[allow(clippy::undocumented_unsafe_blocks)]
fn on_function() {
    unsafe { f() };
}

fn on_statements() {
    #[allow(clippy::undocumented_unsafe_blocks)]
    let x = unsafe { f() };
    #[expect(clippy::undocumented_unsafe_blocks)]
    unsafe { f() };
    unsafe { f() }; // ~ undocumented-unsafe
}

#[allow(clippy::restriction)]
fn group() {
    unsafe { f() };
}

impl S {
    #[allow(clippy::undocumented_unsafe_blocks)]
    fn method() {
        unsafe { f() };
    }
}

#[allow(clippy::undocumented_unsafe_blocks)]
impl S {
    fn on_impl() {
        unsafe { f() };
    }
}

#[allow(clippy::undocumented_unsafe_blocks)]
unsafe impl Send for S {}

#[allow(clippy::unnecessary_safety_comment)]
fn unnecessary_allowed() {
    // SAFETY: allowed.
    let x = 1;
}

mod inner {
    #![allow(clippy::undocumented_unsafe_blocks)]
    fn g() {
        unsafe { super::f() };
    }
}

#[allow(clippy::undocumented_unsafe_blocks)]
mod outer {
    #[warn(clippy::undocumented_unsafe_blocks)]
    fn g() {
        unsafe { super::f() }; // ~ undocumented-unsafe
    }
}

#[allow(unused, clippy::undocumented_unsafe_blocks, reason = "a list")]
fn in_a_list() {
    unsafe { f() };
}
