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

module! {
    type: New,
    name: "new",
    license: "GPL",
    params: {
        p: bool { // ~ module-value-kind
            default: 1,
            description: "esc\"aped", // ~ module-string-literal
        },
        q: u8 {
            default: SOME_CONST, // ~ module-value-kind
            description: "the hand-written reader takes a literal",
        } // ~ module-syntax
    },
}

kernel::module_platform_driver! {
    type: New,
    name: "new",
    authors: ["A. U. Thor"],
    license: "GPL",
}

struct New;
