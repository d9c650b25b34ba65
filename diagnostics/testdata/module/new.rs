// SPDX-License-Identifier: GPL-2.0

//! krls-fixture: schema v6.18 — authors, imports_ns, params.

use kernel::prelude::*;

module! {
    type: New,
    name: "new",
    author: "A. U. Thor", // ~ module-unknown-key
    license: "GPL",
    params: {
        my_i32: i32 {
            default: 42,
            description: "Example of i32",
        },
    },
}

module! {
    type: New,
    name: "new",
    authors: ["A. U. Thor", "Ö. Ther"], // ~ module-non-ascii
    license: "GPL",
    imports_ns: ["DMA_BUF"],
}

kernel::module_platform_driver! {
    type: New,
    name: "new",
    authors: ["A. U. Thor"],
    license: "GPL",
}

struct New;
