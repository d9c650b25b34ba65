// SPDX-License-Identifier: GPL-2.0

//! String literals module.rs's string reader (try_string) rejects in
//! 6.12: escape sequences and raw strings.

use kernel::prelude::*;

module! {
    type: Literals,
    name: r"literals", // ~ module-string-literal
    author: "A. \"U.\" Thor", // ~ module-string-literal
    description: "caf\u{e9} \x41", // ~ module-string-literal
    license: r#"GPL"#, // ~ module-string-literal
    alias: ["lit\x2dalias", r"raw", "fine"], // ~ module-string-literal module-string-literal
    firmware: ["line\
continued.bin"], // ~^ module-string-literal
}

module! {
    type: Literals,
    name: "literals",
    description: "no escapes, 'quotes' are fine",
    license: "Proprietary", // ~ module-non-gpl-license
}

struct Literals;
