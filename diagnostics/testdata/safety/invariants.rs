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

/// Holds a `NonZero`; no invariants of its own.
pub struct Holder {
    inner: NonZero,
    tag: u8,
}

// A value built in a field of another: the comment above the whole
// statement documents it (one comment, every site of its statement)...
pub fn holder() -> Holder {
    // INVARIANT: 5 is not zero.
    Holder {
        inner: NonZero { n: 5 },
        tag: 0,
    }
}

// ... and so does one above the field, inside the outer construction.
pub fn holder_ok() -> Result<Holder, ()> {
    Ok(Holder {
        // INVARIANT: 6 is not zero.
        inner: NonZero { n: 6 },
        tag: 0,
    })
}

pub fn holder_undocumented() -> Holder {
    Holder {
        inner: NonZero { n: 7 }, // ~ missing-invariant-comment
        tag: 0,
    }
}

// cfg'd alternatives of one type (7.2's atomic `Flag`): when any of them
// has invariants, building it needs the comment on every arch.
#[cfg(CONFIG_X86_64)]
pub struct Flag {
    b: bool,
}

/// # Invariants
///
/// `padding` is all zeroes.
#[cfg(not(CONFIG_X86_64))]
pub struct Flag {
    b: bool,
    padding: [u8; 3],
}

impl Flag {
    pub fn new(b: bool) -> Self {
        Self { // ~ missing-invariant-comment
            b,
            #[cfg(not(CONFIG_X86_64))]
            padding: [0; 3],
        }
    }
}
