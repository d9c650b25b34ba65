// SPDX-License-Identifier: GPL-2.0

//! A driver using the kernel crate's gated API under the fixture's
//! .config: NET and BLOCK are on, RUST_PHYLIB_ABSTRACTIONS and
//! RUST_FW_LOADER_ABSTRACTIONS are off.

use kernel::{
    block::GenDisk,
    net::phy::{self, reg::C22, DeviceId, Driver}, // ~ disabled-cfg-item
    prelude::*,
};
use kernel::firmware::Firmware; // ~ disabled-cfg-item
use kernel::net::{self, Ipv4};
#[cfg(CONFIG_RUST_FW_LOADER_ABSTRACTIONS)]
use kernel::firmware as fw;

kernel::module_phy_driver! { // ~ disabled-cfg-item
    drivers: [PhyA],
    // A name whose import is reported is not reported again, as rustc
    // reports an unresolved import once.
    device_table: [phy::DeviceId::new()],
}

struct PhyA;

impl Driver for PhyA {}

fn read(dev: &mut phy::Device) -> Result {
    let _ = C22;
    Ok(())
}

// Through an import that is fine (kernel::net) into what is not.
fn via_net(dev: &net::phy::Device) {} // ~ disabled-cfg-item

// The import is under a false cfg, so it was not reported: its use is.
fn via_fw() -> fw::Firmware { // ~ disabled-cfg-item
    todo!()
}

#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]
fn under_the_same_cfg(dev: &kernel::net::phy::Device) {}

#[cfg(all(test, CONFIG_RUST_FW_LOADER_ABSTRACTIONS))]
mod tests {
    fn t() {
        kernel::firmware::request();
    }
}

#[cfg(test)]
fn in_tests_only() {
    // cfg(test) may hold: a use there is reported.
    let _ = kernel::firmware::request(); // ~ disabled-cfg-item
}

fn maybe() {
    #[cfg(any(test, CONFIG_RUST_FW_LOADER_ABSTRACTIONS))]
    let _ = kernel::firmware::request(); // ~ disabled-cfg-item
    #[cfg(any(CONFIG_NET, CONFIG_RUST_FW_LOADER_ABSTRACTIONS))]
    let _ = kernel::firmware::request(); // ~ disabled-cfg-item
    #[cfg(all(CONFIG_NET, CONFIG_RUST_FW_LOADER_ABSTRACTIONS))]
    let _ = kernel::firmware::request();
    if cfg!(CONFIG_RUST_FW_LOADER_ABSTRACTIONS) {
        // cfg! does not gate: this is compiled, and fails.
        let _ = kernel::firmware::request(); // ~ disabled-cfg-item
    }
}

fn methods(e: &kernel::error::Error) {
    kernel::error::Error::to_errno(e);
    kernel::error::Error::to_fw_status(e); // ~ disabled-cfg-item
    kernel::block::tick();
    kernel::block::slow_tick(); // ~ disabled-cfg-item
    kernel::kunit_assert!(true);
}

mod nested {
    // The imports of the file do not reach into a nested module.
    fn f() {
        phy::Device::new();
    }
}
