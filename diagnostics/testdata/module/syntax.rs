// SPDX-License-Identifier: GPL-2.0

//! Punctuation: module.rs wants a `,` after every value, the last one too.

use kernel::prelude::*;

module! { type: Syntax, name: "syntax", license: "GPL" } // ~ module-syntax

// A lost comma between keys: not a path `Syntax name`, not a missing name.
module! { type: Syntax name: "syntax", license: "GPL", } // ~ module-syntax

module! {
    type: Syntax, /* the type */
    name: "syntax" // ~ module-syntax
    license: "GPL",
    alias: ["syntax-a", "syntax-b"] // ~ module-syntax
}

module! {
    type: Syntax,
    name: "syntax",
    license: "GPL",
    params: { // ~ module-unknown-key
        x: i32 {},
    } // ~ module-syntax
}

struct Syntax;
