// SPDX-License-Identifier: GPL-2.0

//! krls-fixture: schema v6.1 — byte strings, one alias, no firmware.

use kernel::prelude::*;

module! {
    type: Old,
    name: b"old",
    author: "A. U. Thor", // ~ module-value-kind
    license: b"GPL",
    firmware: ["x.bin"], // ~ module-unknown-key
}

struct Old;
