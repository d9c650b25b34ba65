// SPDX-License-Identifier: GPL-2.0

//! PHY drivers: off, because RUST_PHYLIB_ABSTRACTIONS needs PHYLIB=y.

pub mod reg;

pub struct Device;

pub struct DeviceId;

impl DeviceId {
    pub const fn new() -> Self {
        DeviceId
    }
}

pub trait Driver {}

#[macro_export]
macro_rules! module_phy_driver {
    ($($t:tt)*) => {
        static _REG: $crate::net::phy::Device = $crate::net::phy::Device;
    };
}
