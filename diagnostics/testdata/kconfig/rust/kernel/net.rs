// SPDX-License-Identifier: GPL-2.0

//! Networking.

#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]
pub mod phy;

pub struct Ipv4;

/// A doc example that names the gated module is not code:
/// `kernel::net::phy::Device`.
pub fn from_phy() {
    #[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]
    let _ = self::phy::Device;
    let _ = self::phy::Device; // ~ disabled-cfg-item
}
