// krls-fixture: conventions
// Cast justifications: where they are accepted (where a SAFETY comment
// would be), which casts need one, and comments that justify nothing.
#![allow(dead_code, unused, clippy::all)]

pub struct S {
    x: u64,
}

pub fn plain(x: u64) -> u32 {
    x as u32 // ~ undocumented-cast
}

pub fn documented(x: u64) -> u32 {
    // CAST: the caller passes values below 2^32.
    x as u32
}

pub fn statement(x: u64, y: u64) -> u32 {
    // CAST: one comment for the casts of its statement.
    let z = (x as u32).wrapping_add(y as u32);
    z
}

pub fn through_unsafe(p: *const u8) -> u8 {
    // CAST: the pointer is the u8 view of an S, as the caller promises.
    // SAFETY: the caller passes a valid pointer.
    let v = unsafe {
        *p.cast::<u8>()
    };
    v
}

pub fn methods(p: *const S) -> *mut u8 {
    let a = p.cast::<u8>(); // ~ undocumented-cast
    // CAST: the caller owns the S.
    a.cast_mut()
}

pub fn in_a_closure(v: &[u64]) -> Vec<u32> {
    v.iter()
        .map(|x| {
            // CAST: the values come from u32 fields.
            *x as u32
        })
        .collect()
}

pub fn nothing(x: u32) -> u32 {
    // CAST: nothing is cast here. // ~ unnecessary-cast-comment
    let y = x + 1;
    y
}

macro_rules! narrow {
    ($t:ty, $e:expr) => {{
        // CAST: the macro's callers pass values that fit.
        let v = $e as $t;
        v
    }};
}

pub fn use_narrow(x: u64) -> u8 {
    narrow!(u8, x)
}

// Another comment is not a cast justification.
pub fn other_comment(x: u64) -> u16 {
    // The value fits.
    x as u16 // ~ undocumented-cast
}

// A cast in the input of an assert: code.
pub fn in_assert(x: u64) {
    assert!(x as u32 > 0); // ~ undocumented-cast
    // CAST: `x` is a page count, far below 2^32.
    assert!(x as u32 > 0);
}

pub struct Pair {
    a: u32,
    b: u16,
}

// A cast in a field's value: documented above the statement, or above the
// field inside the struct expression.
pub fn pair(x: u64) -> Pair {
    // CAST: both fit, the caller passes small values.
    Pair {
        a: x as u32,
        b: x as u16,
    }
}

pub fn pair_fields(x: u64) -> Option<Pair> {
    Some(Pair {
        // CAST: the caller passes small values.
        a: x as u32,
        b: x as u16, // ~ undocumented-cast
    })
}

// A macro the crate exports under another name (7.2's build_assert!),
// and `paste!`, whose `[< .. >]` pastes identifiers: the input of both is
// code, also inside a macro body and nested in one another.
#[macro_export]
macro_rules! fits_macro {
    ($cond:expr $(,)?) => {{
        let _ = $cond;
    }};
}
pub use crate::fits_macro as fits;

macro_rules! paste {
    ($($t:tt)*) => { $($t)* };
}

pub fn nested_input(x: u64) {
    // CAST: the caller passes a byte.
    fits!(x as u8 > 0);
    fits!(x as u8 > 1); // ~ undocumented-cast
}

macro_rules! impl_narrow {
    ($from:ty => $into:ty) => {
        paste! {
            pub const fn [<$from _to_ $into>](n: $from) -> $into {
                fits!(n <= $into::MAX as $from); // ~ undocumented-cast
                // CAST: checked by the assertion above.
                n as $into
            }
        }
    };
}

// (Not invoked: this stand-in paste! does not paste, the kernel's does.)

pub fn pair_long(x: u64) -> Pair {
    Pair {
        // CAST: the caller passes small values.
        a:
            x as u32,
        b: x as u16, // ~ undocumented-cast
    }
}

// A nested macro whose input is no expression (a pattern with a guard)
// stays tokens; the rest of the outer input is still read.
pub fn nested_pattern(k: Option<u32>, x: u64) {
    assert!(matches!(k, Some(v) if v > 3) && (x as u32) < 5); // ~ undocumented-cast
}
