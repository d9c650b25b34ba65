// krls-fixture: conventions
// Building values of types documented with invariants.
#![allow(dead_code, unused, clippy::all)]

/// A count that is never zero.
///
/// # Invariants
///
/// `n` is not zero.
pub struct NonZero {
    n: u32,
}

/// A wrapper with invariants.
///
/// # Invariants
///
/// The value is even.
pub struct Even(u32);

/// No invariants here.
pub struct Plain {
    x: u32,
}

impl NonZero {
    pub fn one() -> Self {
        Self { n: 1 } // ~ missing-invariant-comment
    }

    pub fn new(n: u32) -> Option<Self> {
        if n == 0 {
            return None;
        }
        // INVARIANT: `n` was checked above.
        Some(Self { n })
    }

    pub fn named(n: u32) -> NonZero {
        // INVARIANT: the caller passes a non-zero `n`.
        let v = NonZero { n };
        v
    }
}

impl Even {
    pub fn two() -> Self {
        Self(2) // ~ missing-invariant-comment
    }

    pub fn double(x: u32) -> Even {
        // INVARIANT: twice a number is even.
        Even(x * 2)
    }
}

pub fn plain() -> Plain {
    Plain { x: 1 }
}

pub fn nested() -> Option<NonZero> {
    Some(NonZero { n: 3 }) // ~ missing-invariant-comment
}

// The kernel writes the comment inside the construction, above the field
// that keeps the invariant (as in `pin_init!(Self { .. })`).
pub fn inside(n: u32) -> NonZero {
    NonZero {
        // INVARIANT: one more than anything is not zero.
        n: n.saturating_add(1),
    }
}

pub fn in_vec() -> Vec<NonZero> {
    vec![NonZero { n: 1 }] // ~ missing-invariant-comment
}
