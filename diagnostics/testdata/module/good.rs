// SPDX-License-Identifier: GPL-2.0

//! A module! as it should be: no findings.

use kernel::prelude::*;

module! {
    type: Good,
    name: "good",
    author: "Rust for Linux Contributors",
    description: "Nothing wrong here",
    license: "GPL v2",
    alias: ["good-alias"],
    firmware: ["good.bin"],
}

// module! { type: InAComment, }

struct Good;

impl kernel::Module for Good {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let _ = "module! { nope: 1, }";
        Ok(Good)
    }
}
