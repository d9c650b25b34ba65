// unsafe impl, and SAFETY comments on items.
#![allow(dead_code, unused)]

/// # Safety
///
/// None.
const unsafe fn f() -> u32 {
    1
}
const fn g(x: u32) -> u32 {
    x
}

pub struct S;
pub struct S2;
pub struct S3;
pub struct S4;
pub struct S5;

unsafe impl Send for S {} // ~ undocumented-unsafe

// SAFETY: above the impl.
unsafe impl Sync for S {}

/// Doc comment first.
// SAFETY: then the SAFETY comment.
unsafe impl Send for S2 {}

// SAFETY: a SAFETY comment first,
/// then a doc comment,
#[allow(unused)]
/// and an attribute.
unsafe impl Sync for S2 {}

/// SAFETY: a doc comment counts too.
unsafe impl Send for S3 {}

// SAFETY: a multi-line attribute ends the search.
#[allow(
    unused
)]
unsafe impl Sync for S3 {} // ~ undocumented-unsafe

pub struct Inline; unsafe impl Send for Inline {} // ~ undocumented-unsafe

// SAFETY: not needed for a struct. // ~ unnecessary-safety-comment
pub struct NotNeeded;

// SAFETY: not needed for a function. // ~ unnecessary-safety-comment
pub fn nn() {}

// SAFETY: a function whose body has unsafe code still does not take it. // ~ unnecessary-safety-comment
pub fn body() -> u32 {
    // SAFETY: this one is needed.
    unsafe { f() }
}

// SAFETY: not needed for an enum. // ~ unnecessary-safety-comment
enum E {
    A,
}

// SAFETY: not needed for a type alias. // ~ unnecessary-safety-comment
type T = u32;

// SAFETY: not needed for a union. // ~ unnecessary-safety-comment
union U {
    a: u32,
}

// SAFETY: not needed for a trait. // ~ unnecessary-safety-comment
trait Tr {}

// SAFETY: not needed for a module. // ~ unnecessary-safety-comment
mod m {}

// SAFETY: not needed for an import. // ~ unnecessary-safety-comment
use core::ptr;

// SAFETY: not needed for a macro. // ~ unnecessary-safety-comment
macro_rules! m3 {
    () => {};
}

// SAFETY: not needed for extern crate. // ~ unnecessary-safety-comment
extern crate core;

// SAFETY: not needed for a foreign module. // ~ unnecessary-safety-comment
extern "C" {
    fn ff();
}

// SAFETY: a static whose value is exactly an unsafe block.
static ST: u32 = unsafe { f() };

// SAFETY: not exactly an unsafe block: reported, yet it documents the block. // ~ unnecessary-safety-comment
static ST2: u32 = g(unsafe { f() });

// SAFETY: a const with no unsafe at all. // ~ unnecessary-safety-comment
const C1: u32 = 1;

// SAFETY: a const whose value is exactly an unsafe block.
const C2: u32 = unsafe { f() };

// SAFETY: a multi-line attribute on a const.
#[allow(
    unused
)]
const C3: u32 = unsafe { f() }; // ~ undocumented-unsafe

impl S4 {
    // SAFETY: members of impls are never reported.
    const A: u32 = 1;

    // SAFETY: associated const with a call around the block.
    const B: u32 = g(
        unsafe { f() });

    // SAFETY: methods neither.
    fn m() {}
}

// SAFETY: inherent impls are never reported.
impl S4 {}

trait Tr2 {
    // SAFETY: trait members are never reported.
    fn t() {}
}

// SAFETY: an unsafe trait takes no SAFETY comment either. // ~ unnecessary-safety-comment
/// # Safety
///
/// Implementers must be careful.
unsafe trait Careful {}

// SAFETY: this impl is unsafe.
unsafe impl Careful for S5 {}

pub fn items_in_functions() {
    // SAFETY: an item in a function body. // ~ unnecessary-safety-comment
    fn inner() {}

    // SAFETY: an unsafe impl in a function body.
    unsafe impl Sync for S5 {}

    unsafe impl Send for S5 {} // ~ undocumented-unsafe
}

mod inner {
    // SAFETY: the first item of a module.
    unsafe impl Send for super::S4 {}
}
