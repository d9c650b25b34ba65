// krls-fixture: conventions
// krls-fixture: no-clippy (it calls the stand-in library of testdata/panics)
// Panic justifications: which code may panic (panicking macros, slicing,
// unwrap/expect, functions whose docs have a `# Panics` section, read
// from testdata/panics/library), where the comment is accepted (where a
// SAFETY comment would be), and comments that justify nothing.
#![allow(dead_code, unused, clippy::all)]

pub fn plain(x: Option<u32>) -> u32 {
    x.unwrap() // ~ undocumented-panic
}

pub fn documented(x: Option<u32>) -> u32 {
    // PANIC: the caller passes `Some`.
    x.unwrap()
}

pub fn expect_in_let(x: Option<u32>) -> u32 {
    // PANIC: the table is filled at probe.
    let v = x
        .map(|v| v + 1)
        .expect("filled at probe");
    v
}

pub fn undocumented_chain(x: Option<u32>) -> u32 {
    let v = x
        .map(|v| v + 1)
        .expect("filled at probe"); // ~ undocumented-panic
    v
}

pub fn slicing(dst: &mut [u8], src: &[u8]) {
    // PANIC: `dst` is at least as long as `src`: one comment for the
    // slicing and the copy of its statement.
    dst[..src.len()].copy_from_slice(src);
}

pub fn slicing_undocumented(dst: &[u8], n: usize) -> &[u8] {
    &dst[1..n] // ~ undocumented-panic
}

pub fn whole_range(dst: &[u8]) -> &[u8] {
    &dst[..]
}

pub fn indexing(dst: &[u8]) -> u8 {
    dst[0]
}

pub fn split(s: &[u8], n: usize) -> (&[u8], &[u8]) {
    if n <= s.len() {
        // PANIC: checked above.
        (s.split_at(n).0, &s[0..0])
    } else {
        (
            s,
            // PANIC: a tuple element has its own comment.
            s.split_at(0).1,
        )
    }
}

pub enum Size {
    Normal,
    Extended,
    Other,
}

pub fn arms(s: Size) -> u32 {
    match s {
        Size::Normal => 256,
        Size::Extended => 4096,
        // PANIC: the PCI core reports only the two sizes above.
        Size::Other => unreachable!(),
    }
}

pub fn arm_undocumented(s: Size) -> u32 {
    match s {
        Size::Normal => 256,
        _ => unreachable!(), // ~ undocumented-panic
    }
}

pub fn macros(n: u32) {
    if n == 0 {
        panic!("zero"); // ~ undocumented-panic
    }
    todo!() // ~ undocumented-panic
}

pub fn not_macros(n: u32) {
    core::panic::Location::caller();
    let unreachable = n;
}

pub fn in_a_closure(v: &[Option<u32>]) -> Vec<u32> {
    v.iter()
        .map(|x| {
            // PANIC: the values are filled.
            x.unwrap()
        })
        .collect()
}

pub fn closure_undocumented(v: &[Option<u32>]) -> Vec<u32> {
    v.iter().map(|x| x.unwrap()).collect() // ~ undocumented-panic
}

// `push`: Vec's documents a panic, Queue's does not; the receiver's type
// is not known, so the call is not counted. `swap_remove` is Vec's only.
pub fn by_name(v: &mut Vec<u32>, q: &mut Queue<u32>) -> u32 {
    v.push(1);
    q.push(1);
    v.swap_remove(0) // ~ undocumented-panic
}

// Overflow-only panics (Iterator::enumerate) and the atomics' orderings
// are not counted.
pub fn not_counted(v: &[u32], a: &AtomicU32) -> u32 {
    for (i, x) in v.iter().enumerate() {}
    a.load(Ordering::Relaxed) // ~ undocumented-ordering
}

// A path call of core's documented function.
pub fn path_call(x: &u32) -> &[u32] {
    core::slice::from_ref_checked(x, 1) // ~ undocumented-panic
}

pub fn path_not_documented(a: &mut u32, b: &mut u32) {
    core::mem::swap(a, b);
}

macro_rules! get_or_die {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            // PANIC: the macro's callers pass `Some`.
            None => unreachable!(),
        }
    };
}

macro_rules! undocumented_in_body {
    ($e:expr) => {
        $e.unwrap() // ~ undocumented-panic
    };
}

pub fn uses(x: Option<u32>) -> u32 {
    get_or_die!(x) + undocumented_in_body!(x)
}

pub fn nothing(x: u32) -> u32 {
    // PANIC: nothing here panics. // ~ unnecessary-panic-comment
    x.wrapping_add(1)
}

pub fn an_assert(x: u32) {
    // PANIC: an assert the file documents counts (the tree decides).
    assert!(x > 0);
    assert_eq!(x, 1); // ~ undocumented-panic
}

// The input of a macro that takes code (format and assert macros, the
// tree's macros whose input is code): its sites count.
pub fn in_macro_input(x: Option<u32>, v: &[u8]) {
    pr_info!("{}\n", x.unwrap()); // ~ undocumented-panic
    // PANIC: the caller passes `Some`.
    pr_info!("{}\n", x.unwrap());
    // This file documents an assert with a PANIC comment (an_assert), so
    // the assert family counts here: the assert and its slicing.
    assert!(v[1..].len() > 0); // ~ undocumented-panic undocumented-panic
}
