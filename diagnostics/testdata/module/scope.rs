// SPDX-License-Identifier: GPL-2.0

//! krls-fixture: schema v7.2 — only the kernel's module! and driver
//! macros are checked: not a macro_rules! module of the file (as
//! rust/zerocopy/src/byteorder.rs defines), not another crate's.

use kernel::prelude;
use other::module_platform_driver as other_driver;
use kernel::module_pci_driver as pci;

macro_rules! module {
    ($name:ident, $trait:ident) => {
        pub mod $name {}
    };
}

module!(big_endian, BigEndian);
module!(little_endian, LittleEndian);

zerocopy::module! { not: "the kernel's" }

other_driver! { not: "the kernel's" }

kernel::module! { // ~ module-missing-key
    type: Scope,
    name: "scope",
}

prelude::module! {
    type: Scope,
    name: "scope",
    author: "gone in 7.x", // ~ module-unknown-key
    license: "GPL",
}

pci! {
    type: Scope,
    name: "scope",
    license: "GPL",
}

struct Scope;
