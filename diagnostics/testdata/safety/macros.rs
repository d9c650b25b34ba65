// unsafe code written in macro_rules bodies and in macro calls.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
const unsafe fn f() -> u32 {
    1
}
const fn g(x: u32) -> u32 {
    x
}
pub struct S;
pub struct S4;

macro_rules! m1 {
    ($e:expr) => {{
        // SAFETY: in a macro, only the lines directly above the block count.
        let x = g(
            unsafe { f() }, // ~ undocumented-unsafe
        );
        // SAFETY: directly above.
        let y = unsafe { f() };
        let z = unsafe { f() }; // ~ undocumented-unsafe
        let w = unsafe {
            // SAFETY: inside the block.
            f()
        };
        // SAFETY: nothing unsafe here. // ~ unnecessary-safety-comment
        let v = 1;
        $e
    }};
}

macro_rules! m2 {
    ($t:ty) => {
        unsafe impl Send for $t {} // ~ undocumented-unsafe
        // SAFETY: an unsafe impl in a macro.
        unsafe impl Sync for $t {}
    };
}
m2!(S);

macro_rules! repeated {
    ($($t:ty),*) => {
        $(
            // SAFETY: inside a repetition.
            unsafe impl Send for $t {}
        )*
    };
}
repeated!(S4);

pub fn use_m1() -> u32 {
    // SAFETY: a block in a macro call's input, on the line below.
    m1!(unsafe { f() })
}

pub fn use_m1_multiline() -> u32 {
    // SAFETY: a block in a macro call's input does not take the statement's comment.
    m1!(
        unsafe { f() } // ~ undocumented-unsafe
    )
}

pub fn use_m1_inner() -> u32 {
    m1!(
        // SAFETY: directly above, inside the call.
        unsafe { f() }
    )
}

pub struct S5;
pub struct S6;

macro_rules! impl_sig {
    ([$($a:tt)*] [$($b:tt)*]) => {
        unsafe $($a)* {} // ~ undocumented-unsafe
        // SAFETY: the caller's tokens make an unsafe impl.
        unsafe $($b)* {}
    };
}
impl_sig!([impl Send for S5] [impl Send for S6]);

pub struct Device;

// A matcher that takes `unsafe` literally: the call's `unsafe { Device }`
// is a token pattern the macro consumes, not a block (the kernel's
// impl_device_context_deref!).
macro_rules! impl_for {
    (unsafe { $t:ident }) => {
        // SAFETY: the caller promises what impl_for! needs.
        unsafe impl Sync for $t {}
    };
}

// SAFETY: `Device` holds nothing that is not Sync.
impl_for!(unsafe { Device });

pub struct Device2;
impl_for!(unsafe { Device2 });

// A macro whose matcher takes no code: its input is never compiled.
macro_rules! names {
    ($($i:ident)*) => {};
}
names!(unsafe);
