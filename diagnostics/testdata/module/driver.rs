// SPDX-License-Identifier: GPL-2.0

//! module_phy_driver!: its own keys come first; `type` is its own.
//! Built into composite.o (composite-y := driver.o).

use kernel::net::phy::{self, DeviceId, Driver};
use kernel::prelude::*;

kernel::module_phy_driver! {
    drivers: [PhyA],
    device_table: [DeviceId::new_with_driver::<PhyA>()],
    name: "composite",
    author: "A. U. Thor",
    license: "GPL",
}

kernel::module_phy_driver! {
    device_table: [DeviceId::new_with_driver::<PhyA>()], // ~ module-key-order
    drivers: [PhyA],
    type: PhyA, // ~ module-unknown-key
    name: "phy", // ~ module-name-mismatch
    license: "GPL",
}

kernel::module_phy_driver! { // ~ module-missing-key
    drivers: [PhyA],
    name: "composite",
    license: "GPL",
}

macro_rules! not_checked {
    ($($f:tt)*) => {
        module! { $($f)* }
    };
}

struct PhyA;
