// SPDX-License-Identifier: GPL-2.0

//! Keys: unknown, duplicated, out of order, missing.

use kernel::prelude::*;

module! {
    type: Keys,
    name: "keys",
    autor: "A. U. Thor", // ~ module-unknown-key
    license: "GPL",
}

module! {
    type: Keys,
    name: "keys",
    name: "keys", // ~ module-duplicate-key
    license: "GPL",
}

module! {
    type: Keys,
    license: "GPL", // ~ module-key-order
    name: "keys",
}

module! { // ~ module-missing-key module-missing-key
    type: Keys,
    author: "A. U. Thor",
}

module! {
    type: Keys,
    name: "keys",
    license: "GPL",
    // Being typed: no colon yet, not a key.
    desc
}

struct Keys;

impl kernel::Module for Keys {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Keys)
    }
}
