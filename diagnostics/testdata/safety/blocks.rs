// Where a SAFETY comment for an unsafe block may stand.
#![allow(dead_code, unused)]

/// # Safety
///
/// None really.
unsafe fn f() -> u32 {
    1
}
fn g(x: u32) -> u32 {
    x
}
struct P {
    a: u32,
}

fn above() {
    unsafe { f() }; // ~ undocumented-unsafe

    // SAFETY: directly above.
    unsafe { f() };

    // SAFETY: blank lines in between are skipped.

    unsafe { f() };

    // SAFETY: the first line of a run.
    // The run goes on,
    // and on.
    unsafe { f() };

    // A run that mentions
    // Safety: anywhere in it, in any case.
    unsafe { f() };

    // safety: lower case counts.
    unsafe { f() };

    // SAFETY without a colon does not count.
    unsafe { f() }; // ~ undocumented-unsafe

    // SAFETY: a one-line attribute is skipped.
    #[allow(unused)]
    let x = unsafe { f() };

    // SAFETY: an attribute inside the run is skipped too.
    #[allow(unused)]
    // more text
    let x = unsafe { f() };

    // SAFETY: a multi-line attribute ends the search.
    #[allow(
        unused
    )]
    let x = unsafe { f() }; // ~ undocumented-unsafe

    // SAFETY: attribute followed by a trailing comment is not skipped.
    #[allow(unused)] // note
    let x = unsafe { f() }; // ~ undocumented-unsafe

    // SAFETY: here. // ~ unnecessary-safety-comment
    let x = 1; // code in between
    unsafe { f() }; // ~ undocumented-unsafe
}

fn inner() {
    unsafe {
        // SAFETY: first thing in the block.
        f()
    };
    unsafe { // SAFETY: right after the brace.
        f()
    };
    unsafe {

        // SAFETY: after a blank line.
        f()
    };
    unsafe { // ~ undocumented-unsafe
        // First a plain comment,
        // SAFETY: then the safety one: too late.
        f()
    };
    unsafe { // ~ undocumented-unsafe
        // Note SAFETY: must begin the comment.
        f()
    };
    unsafe { // ~ undocumented-unsafe
        let a = 1;
        // SAFETY: after code.
        f()
    };
    unsafe { // ~ undocumented-unsafe
        /// SAFETY: a doc comment is not a plain comment here.
        f()
    };
}

fn parents(o: Option<u32>, arr: [u32; 4]) -> u32 {
    // SAFETY: above the let of a call argument.
    let x = g(
        unsafe { f() },
    );

    // SAFETY: method chains.
    let x = g(1)
        .wrapping_add(unsafe { f() })
        .wrapping_add(2);

    // SAFETY: casts and parentheses.
    let x = (
        unsafe { f() }
    ) as u64;

    // SAFETY: arrays.
    let a = [
        unsafe { f() },
        1,
    ];

    // SAFETY: tuples.
    let t = (1,
        unsafe { f() });

    // SAFETY: indexing.
    let y = arr[
        unsafe { f() } as usize];

    // SAFETY: references.
    let r = &
        unsafe { f() };

    // SAFETY: a closure without braces.
    let c = ||
        unsafe { f() };

    let mut y = 0;
    // SAFETY: assignment.
    y =
        unsafe { f() };

    // SAFETY: compound assignment.
    y +=
        unsafe { f() };

    // SAFETY: an expression statement.
    g(
        unsafe { f() },
    );

    // SAFETY: the method receiver.
    let r = unsafe {
        f() }.wrapping_add(1);

    // SAFETY: return.
    return
        g(unsafe { f() });
}

fn not_parents(o: Option<u32>) {
    // SAFETY: a struct field does not take the let's comment.
    let p = P {
        a: unsafe { f() }, // ~ undocumented-unsafe
    };

    // SAFETY: nor a match arm.
    let x = match o {
        Some(_) => unsafe { f() }, // ~ undocumented-unsafe
        None => 0,
    };

    // SAFETY: nor a closure with braces. // ~ unnecessary-safety-comment
    let c = || {
        unsafe { f() } // ~ undocumented-unsafe
    };

    // SAFETY: nor an if condition.
    if
        unsafe { f() } == 1 {} // ~ undocumented-unsafe

    // SAFETY: nor a match scrutinee.
    match
        unsafe { f() } { _ => {} } // ~ undocumented-unsafe

    // SAFETY: nor a for head.
    for i in 0..
        unsafe { f() } {} // ~ undocumented-unsafe

    // SAFETY: nor a while condition.
    while
        unsafe { f() } == 2 {} // ~ undocumented-unsafe

    // SAFETY: nor a loop body.
    loop {
        unsafe { f() }; // ~ undocumented-unsafe
        break;
    }

    // SAFETY: but an if inside a let is fine.
    let z = if unsafe {
        f() } == 1 { 1 } else { 2 };
}

fn nested() {
    // SAFETY: the outer block.
    unsafe {
        let a = f();
        unsafe { f() }; // ~ undocumented-unsafe
        // SAFETY: the inner block.
        unsafe { f() };
    }
}

fn same_line() -> u32 { unsafe { f() } } // ~ undocumented-unsafe

fn same_line_inner() -> u32 { unsafe { /* SAFETY: inner. */ f() } }

fn boundary() { // SAFETY: on the function's line does not count.
    unsafe { f() }; // ~ undocumented-unsafe
}
