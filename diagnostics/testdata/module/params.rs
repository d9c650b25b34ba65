// SPDX-License-Identifier: GPL-2.0

//! krls-fixture: schema v7.2 — syn's module!: `type` is a type, params
//! entries `name: type { default: ..., description: ... }`.

use kernel::prelude::*;

module! {
    type: Params<u8>,
    name: "params",
    authors: ["A. U. Thor"],
    license: "GPL",
    params: {
        good: i64 {
            default: -1,
            description: "a parameter of 7.2's types",
        },
        also_good: usize { default: 4096, description: r"raw strings are fine with syn", },
    },
}

module! {
    type: Params,
    name: "params",
    license: "GPL",
    params: {
        flag: bool { // ~ module-value-kind
            default: false,
            description: "bool: mapped by module.rs, no ModuleParam impl",
        },
        upper: U32 { default: 1, description: "u32", }, // ~ module-value-kind
        order: u8 {
            description: "out of order", // ~ module-key-order
            default: 0,
        },
        typo: u8 { // ~ module-missing-key
            defualt: 1, // ~ module-unknown-key
            description: "x",
        },
        number: u8 { default: 1, description: 7, }, // ~ module-value-kind
        comma: u8 {
            default: 1 // ~ module-syntax
            description: "comma",
        } // ~ module-syntax
        good: u8 { default: 1, description: "first", },
        good: u8 { default: 2, description: "second", }, // ~ module-duplicate-key
        noblock: i32, // ~ module-syntax
        notype: { default: 1, description: "y", }, // ~ module-value-kind
    },
}

kernel::module_pwm_platform_driver! {
    type: Params,
    name: "params",
    license: "GPL",
    imports_ns: ["DMA_BUF"], // ~ module-unknown-key
}

kernel::module_pwm_platform_driver! {
    type: Params,
    name: "params",
    license: "GPL",
    params: { p: u8 { default: 1, description: "p", }, }, // ~ module-unknown-key
}

struct Params;
