// SPDX-License-Identifier: GPL-2.0

//! Errors: a method that exists only with firmware loading.

pub struct Error;

impl Error {
    #[cfg(CONFIG_RUST_FW_LOADER_ABSTRACTIONS)]
    pub fn to_fw_status(&self) -> i32 {
        0
    }

    pub fn to_errno(&self) -> i32 {
        -1
    }
}
