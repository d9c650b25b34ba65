// `# Safety` sections: missing-safety-doc and unnecessary-safety-doc.
#![allow(dead_code, unused)]

/// Doc.
///
/// # Safety
///
/// The caller must hold the lock.
pub unsafe fn a1() {}

/// ## Safety
pub unsafe fn a2() {}

/// # SAFETY
pub unsafe fn a3() {}

/// # Implementation safety
pub unsafe fn a4() {}

/// # Implementation Safety
pub unsafe fn a5() {}

/// Safety
/// ======
pub unsafe fn a7() {}

/// # **Safety**
pub unsafe fn a11() {}

/// Text right before it.
/// # Safety
pub unsafe fn a12() {}

///
///     # Safety
pub unsafe fn a13() {}

/// > # Safety
pub unsafe fn a14() {}

/// - # Safety
pub unsafe fn a15() {}

#[doc = "# Safety"]
pub unsafe fn a16() {}

/** # Safety */
pub unsafe fn a17() {}

/// Closing hashes are fine.
///
/// # Safety #
pub unsafe fn a18() {}

pub unsafe fn no_docs() {} // ~ missing-safety-doc

/// Docs without the section.
pub unsafe fn no_section() {} // ~ missing-safety-doc

/// # Safety: with a colon is not the heading. // ~ unnecessary-safety-comment
pub unsafe fn colon() {} // ~ missing-safety-doc

/// ```
/// # Safety
/// ```
pub unsafe fn in_code_block() {} // ~ missing-safety-doc

/// #Safety
pub unsafe fn no_space() {} // ~ missing-safety-doc

/// # Safety requirements
pub unsafe fn other_text() {} // ~ missing-safety-doc

/// # safety
pub unsafe fn lower_case() {} // ~ missing-safety-doc

/// # Safety
pub fn safe_with_section() {} // ~ unnecessary-safety-doc

unsafe fn private() {} // ~ missing-safety-doc

#[doc(hidden)]
pub unsafe fn hidden() {}

pub unsafe extern "C" fn ext() {} // ~ missing-safety-doc

pub const unsafe fn cst() {} // ~ missing-safety-doc

pub struct T;

impl T {
    pub unsafe fn method() {} // ~ missing-safety-doc

    /// # Safety
    pub fn safe_method() {} // ~ unnecessary-safety-doc
}

pub unsafe trait Tr { // ~ missing-safety-doc
    unsafe fn required(); // ~ missing-safety-doc

    /// # Safety
    fn safe_required(); // ~ unnecessary-safety-doc
}

/// # Safety
pub trait SafeTrait {} // ~ unnecessary-safety-doc

/// # Safety
///
/// Implementers must be careful.
pub unsafe trait Documented {}

pub trait Tr2 {
    /// # Safety
    ///
    /// Fine.
    unsafe fn x();
}

impl Tr2 for T {
    // Methods of trait impls are never flagged.
    unsafe fn x() {}
}

// SAFETY: the impl itself needs a comment.
unsafe impl Tr for T {
    unsafe fn required() {}

    /// # Safety
    fn safe_required() {}
}

mod m {
    #![allow(clippy::missing_safety_doc)]
    pub unsafe fn n() {}
}

#[allow(clippy::missing_safety_doc)]
mod m2 {
    pub unsafe fn n() {}
}

#[expect(clippy::missing_safety_doc)]
pub unsafe fn expected() {}

#[allow(clippy::style)]
pub unsafe fn group_allowed() {}
