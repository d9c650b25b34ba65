// SPDX-License-Identifier: GPL-2.0

//! PHY registers, in a module of a gated module.

pub struct C22;

pub fn uses_parent() -> super::Device {
    crate::net::phy::Device
}
