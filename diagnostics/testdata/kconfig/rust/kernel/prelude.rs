// SPDX-License-Identifier: GPL-2.0

//! The prelude re-exports what every module needs.

pub use crate::error::Error;
