// SAFETY comments on statements and tail expressions.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
unsafe fn f() -> u32 {
    1
}
fn g(x: u32) -> u32 {
    x
}

fn statements(c: bool) -> u32 {
    // SAFETY: nothing unsafe here. // ~ unnecessary-safety-comment
    let x = 1;

    // SAFETY: a let without a value is not checked.
    let y;

    // SAFETY: an assignment. // ~ unnecessary-safety-comment
    y = 1;

    // SAFETY: a call. // ~ unnecessary-safety-comment
    g(1);

    // SAFETY: unsafe inside a nested block does not count. // ~ unnecessary-safety-comment
    if c {
        unsafe { f() }; // ~ undocumented-unsafe
    }

    // SAFETY: unsafe in a condition does.
    if unsafe { f() } == 1 {}

    // SAFETY: unsafe in a match arm makes the comment necessary, yet does not document it.
    let m = match c {
        true => unsafe { f() }, // ~ undocumented-unsafe
        false => 0,
    };

    // SAFETY: a loop body counts, as clippy's visitor enters it.
    loop {
        unsafe { f() }; // ~ undocumented-unsafe
        break;
    }

    // SAFETY: a while body does not. // ~ unnecessary-safety-comment
    while c {
        unsafe { f() }; // ~ undocumented-unsafe
    }

    // SAFETY: a closure without braces counts.
    let h = || unsafe { f() };

    let z = {
        // SAFETY: in a nested block. // ~ unnecessary-safety-comment
        let q = 1;
        q
    };

    // SAFETY: inside an unsafe block nothing is reported.
    unsafe {
        // SAFETY: not reported.
        let a = 1;
        f()
    };

    // SAFETY: a macro call statement is not checked.
    println!("x");

    // SAFETY: a tail expression. // ~ unnecessary-safety-comment
    x
}

fn tail_if(c: bool) {
    // SAFETY: a tail if with the unsafe block in its body. // ~ unnecessary-safety-comment
    if c {
        unsafe { f() }; // ~ undocumented-unsafe
    }
}

fn tail_unsafe() -> u32 {
    let x = 1;
    // SAFETY: a tail unsafe block.
    unsafe { f() }
}
