// krls-fixture: conventions
// Memory-ordering justifications: calls passing an ordering, where the
// comment is accepted, and comments that justify nothing.
#![allow(dead_code, unused, clippy::all)]

use core::sync::atomic::{AtomicU32, Ordering};

pub fn load(a: &AtomicU32) -> u32 {
    a.load(Ordering::Relaxed) // ~ undocumented-ordering
}

pub fn documented(a: &AtomicU32) -> u32 {
    // ORDERING: no other memory is published through this counter.
    a.load(Ordering::Relaxed)
}

pub fn statement(a: &AtomicU32) -> u32 {
    // ORDERING: pairs with the Release in publish().
    let v = a.load(Ordering::Acquire) + 1;
    v
}

pub fn exchange(a: &AtomicU32) -> bool {
    // ORDERING: one comment for both orderings of the call.
    a.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_ok()
}

pub fn publish(a: &AtomicU32) {
    // ORDERING: nothing to order here. // ~ unnecessary-ordering-comment
    let x = 1;
    a.store(x, Ordering::Release); // ~ undocumented-ordering
}
