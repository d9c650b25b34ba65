// SPDX-License-Identifier: GPL-2.0

//! Values: ASCII, kinds, licences, the object's name, the type.

use kernel::prelude::*;
use kernel::sync::Imported;

module! {
    type: Values,
    name: "valuës", // ~ module-non-ascii module-name-mismatch
    author: "Zoë", // non-ASCII is fine in a plain string
    license: "MIT", // ~ module-unknown-license
    alias: ["ok", "nö"], // ~ module-non-ascii
}

module! {
    type: Valuse, // ~ module-unknown-type
    name: b"values", // ~ module-value-kind
    license: "Proprietary",
    alias: "single", // ~ module-value-kind
}

module! {
    type: Imported,
    name: "values",
    license: "GPL v2",
}

module! {
    type: "Values", // ~ module-value-kind
    name: "values",
    license: "gpl", // ~ module-unknown-license
}

struct Values;

impl kernel::Module for Values {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Values)
    }
}
