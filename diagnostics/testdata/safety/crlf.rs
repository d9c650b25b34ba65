// Windows line endings.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
unsafe fn f() -> u32 {
    1
}

fn crlf() {
    unsafe { f() }; // ~ undocumented-unsafe
    // SAFETY: documented.
    unsafe { f() };
    // SAFETY: nothing here. // ~ unnecessary-safety-comment
    let a = 1;
}
