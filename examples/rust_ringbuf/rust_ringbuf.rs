// SPDX-License-Identifier: GPL-2.0

//! A small out-of-tree Rust module: a fixed-size byte ring shared with C.
//!
//! It is the example `make run` checks. It compiles against Linux 6.12, and
//! it has a few of the omissions the kernel's clippy settings catch.

use core::ptr;
use kernel::prelude::*;

module! {
    type: RustRingbuf,
    name: "rust_ringbuf",
    author: "krls developers",
    description: "A byte ring buffer",
    license: "GPL",
}

const CAPACITY: usize = 64;

struct Ring {
    data: [u8; CAPACITY],
    head: usize,
    len: usize,
}

impl Ring {
    const fn new() -> Self {
        Self { data: [0; CAPACITY], head: 0, len: 0 }
    }

    /// Appends `byte`, overwriting the oldest byte when full.
    fn push(&mut self, byte: u8) {
        let tail = (self.head + self.len) % CAPACITY;
        // SAFETY: `tail < CAPACITY` by the modulo above.
        unsafe { *self.data.get_unchecked_mut(tail) = byte };
        if self.len == CAPACITY {
            self.head = (self.head + 1) % CAPACITY;
        } else {
            self.len += 1;
        }
    }

    /// Returns the byte `i` places after the oldest one.
    ///
    /// # Safety
    ///
    /// `i` must be less than the number of bytes in the ring.
    unsafe fn get_unchecked(&self, i: usize) -> u8 {
        // SAFETY: `i < self.len <= CAPACITY`, as the caller guarantees.
        unsafe { *self.data.get_unchecked((self.head + i) % CAPACITY) }
    }

    /// Copies the ring's bytes to `dst`, oldest first.
    unsafe fn copy_to(&self, dst: *mut u8) {
        for i in 0..self.len {
            unsafe { ptr::write(dst.add(i), self.get_unchecked(i)) };
        }
    }
}

struct RustRingbuf {
    ring: Ring,
}

impl kernel::Module for RustRingbuf {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut ring = Ring::new();
        for b in b"hello" {
            ring.push(*b);
        }
        let mut out = [0u8; CAPACITY];
        // SAFETY: `out` has room for `CAPACITY` bytes, the most the ring holds.
        unsafe { ring.copy_to(out.as_mut_ptr()) };
        // SAFETY: the ring was just filled.
        let first = out[0];
        pr_info!("rust_ringbuf: first byte {}\n", first);
        Ok(RustRingbuf { ring })
    }
}

impl Drop for RustRingbuf {
    fn drop(&mut self) {
        pr_info!("rust_ringbuf: {} bytes left\n", self.ring.len);
    }
}
