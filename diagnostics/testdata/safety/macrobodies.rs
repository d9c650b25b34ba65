// SAFETY comments above the code of macro_rules! bodies, which krls reads
// as code (the macro-body view) when the macro is expanded in the crate.
#![allow(dead_code, unused, clippy::all)]

/// # Safety
///
/// None.
const unsafe fn f() -> u32 {
    1
}
fn g(x: u32) -> u32 {
    x
}
pub struct S;

macro_rules! statements {
    ($t:ty, $e:expr) => {
        impl S {
            fn h(&self) -> u32 {
                // SAFETY: nothing unsafe in this let. // ~ unnecessary-safety-comment
                let a: $t = 1;
                // SAFETY: an expression holding an expr fragment, whose
                // invocations pass no unsafe block. // ~^ unnecessary-safety-comment
                let b = g($e);
                // SAFETY: a block comes with the fragment below.
                let c = unsafe { f() };
                // SAFETY: the tail holds nothing unsafe. // ~ unnecessary-safety-comment
                g(a + b + c)
            }

            fn tail_ending_with_a_metavariable(&self) -> u32 {
                // SAFETY: rustc's span for this expression is the caller's.
                g(1) as $t
            }

            fn tail_for(&self) {
                // SAFETY: a `for` tail is lowered with the desugaring's span.
                for _ in 0..2 {}
            }
        }
    };
}
statements!(u32, 2);

macro_rules! expression {
    () => {
        // SAFETY: the tail of the function it lands in. // ~ unnecessary-safety-comment
        g(3)
    };
}

pub fn use_expression() -> u32 {
    expression!()
}

macro_rules! value {
    () => {
        // SAFETY: documents the block the call expands to.
        unsafe { f() }
    };
}

pub fn calls_value() -> u32 {
    // SAFETY: `value!()` expands to an unsafe block.
    let x = value!() + 1;
    x
}

macro_rules! takes_unsafe {
    (unsafe { $t:ty }) => {
        // SAFETY: the unsafe impl of the type passed.
        unsafe impl Sync for $t {}
    };
}

macro_rules! passes_unsafe {
    ($t:ty) => {
        takes_unsafe!(unsafe { $t });
    };
}
pub struct S2;
passes_unsafe!(S2);

pub fn tails() -> Option<u32> {
    let v = Some(1);
    // SAFETY: a `?` tail keeps its span. // ~ unnecessary-safety-comment
    Some(v?)
}

pub fn range_tail() -> core::ops::Range<u32> {
    // SAFETY: a range tail is lowered with the desugaring's span.
    0..3
}
