// Block comments and comments that follow code on the line above.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
unsafe fn f() -> u32 {
    1
}

fn block_comments() {
    /* SAFETY: a block comment on its own line. */
    unsafe { f() };

    /*
     * SAFETY: a multi-line block comment.
     */
    unsafe { f() };

    /* Note SAFETY: anywhere in a block comment that starts its line. */
    unsafe { f() };

    /* SAFETY: blank lines may follow. */

    unsafe { f() };

    /* SAFETY: but not code. */ // ~ unnecessary-safety-comment
    let q = 1;
    unsafe { f() }; // ~ undocumented-unsafe

    // SAFETY: a line comment above a block comment does not count.
    /* other */
    unsafe { f() }; // ~ undocumented-unsafe

    /* SAFETY: a block comment above a line comment does not count. */
    // other
    unsafe { f() }; // ~ undocumented-unsafe

    /* x */
    /* SAFETY: the nearest comment counts. */
    unsafe { f() };

    /* SAFETY: x */
    /* the nearest comment is this one */
    unsafe { f() }; // ~ undocumented-unsafe

    /* SAFETY: followed by code on its line */ let q = 1;
    unsafe { f() };

    /* Note SAFETY: followed by code */ let q = 1;
    unsafe { f() }; // ~ undocumented-unsafe
}

fn trailing() {
    let q = 1; // SAFETY: a trailing comment on the line above.
    unsafe { f() };

    let q = 1; /* SAFETY: trailing block comment. */
    unsafe { f() };

    let q = 1; // safety: any case.
    unsafe { f() };

    let q = 1; //SAFETY: no space.
    unsafe { f() };

    let q = 1; // Note SAFETY: must begin the comment.
    unsafe { f() }; // ~ undocumented-unsafe

    let q = 1; /* a */ // SAFETY: the first comment on the line decides.
    unsafe { f() }; // ~ undocumented-unsafe

    let q = 1; /** SAFETY: a doc block comment starts with '*'. */
    unsafe { f() }; // ~ undocumented-unsafe

    let q = 1; // SAFETY: only the line directly above.
    // more
    unsafe { f() }; // ~ undocumented-unsafe

    let a = 1; // SAFETY: this documents the next statement. // ~ unnecessary-safety-comment
    let b = 2;

    let q = "SAFETY: in a string is not a comment";
    unsafe { f() }; // ~ undocumented-unsafe

    // The scan is textual, as clippy's is: a comment marker in a string counts.
    let q = "/* SAFETY: x */";
    unsafe { f() };
}

fn two_per_line() {
    // SAFETY: both statements on the next line take it. // ~ unnecessary-safety-comment
    let q = 1; let r = 2;

    // SAFETY: the unsafe block on this line takes it, the call does not. // ~ unnecessary-safety-comment
    g(1); unsafe { f() };
}

fn g(x: u32) {}
