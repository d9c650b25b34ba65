// SPDX-License-Identifier: GPL-2.0

//! Block layer: CONFIG_BLOCK is y.

pub struct GenDisk;

#[cfg(CONFIG_HZ = "100")]
pub fn slow_tick() {}

#[cfg(CONFIG_HZ = "250")]
pub fn tick() {}
