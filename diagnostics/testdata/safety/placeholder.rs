// SAFETY comments that satisfy the lint without justifying anything.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
unsafe fn f() -> u32 {
    1
}

fn placeholders() {
    // SAFETY: TODO. // ~ safety-placeholder
    unsafe { f() };

    // SAFETY: FIXME: explain // ~ safety-placeholder
    unsafe { f() };

    // SAFETY:
    unsafe { f() }; // ~^ safety-placeholder

    // SAFETY: ...
    unsafe { f() }; // ~^ safety-placeholder

    // SAFETY:
    // - The argument continues on the next lines.
    unsafe { f() };

    // SAFETY: `f` has no requirements.
    unsafe { f() };

    // SAFETY: todo-list handling is correct here.
    unsafe { f() };
}
