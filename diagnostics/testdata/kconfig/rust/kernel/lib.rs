// SPDX-License-Identifier: GPL-2.0

//! A tiny kernel crate: cfg-gated modules as in Linux 6.12.

#![no_std]

#[cfg(not(CONFIG_RUST))]
compile_error!("Missing kernel configuration for conditional compilation");

#[cfg(CONFIG_BLOCK)]
pub mod block;
pub mod error;
#[cfg(CONFIG_RUST_FW_LOADER_ABSTRACTIONS)]
pub mod firmware;
#[cfg(CONFIG_KUNIT)]
pub mod kunit;
#[cfg(CONFIG_NET)]
pub mod net;
pub mod prelude;

// The crate itself may use what it gates, under the same cfg.
#[cfg(CONFIG_RUST_FW_LOADER_ABSTRACTIONS)]
pub use firmware::Firmware;

pub fn uses_net() -> crate::net::Ipv4 {
    crate::net::Ipv4
}

pub fn uses_phy() {
    let _ = crate::net::phy::Device; // ~ disabled-cfg-item
}
