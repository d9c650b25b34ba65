// SPDX-License-Identifier: GPL-2.0

//! CONFIG_ names in cfg predicates: defined, undefined, other arch.

#[cfg(CONFIG_NET)]
fn net() {}

#[cfg(CONFIG_NETT)] // ~ undefined-config
fn typo() {}

#[cfg(CONFIG_RUST_PHYLIB)] // ~ undefined-config
fn prefix() {}

#[cfg(CONFIG_ARM64)] // ~ config-not-for-arch
fn arm64() {}

#[cfg(not(CONFIG_ARM64_SVE = "y"))] // ~ config-not-for-arch
fn no_sve() {}

#[cfg(CONFIG_X86_64)]
fn x86() {}

#[cfg(any(test, doc, target_arch = "x86_64", MODULE, CONFIG_NO_SUCH_THING))] // ~ undefined-config
fn others() {}

#[cfg_attr(CONFIG_BLOCKK, allow(dead_code))] // ~ undefined-config
fn attr() {
    if cfg!(CONFIG_KUNIT) && cfg!(CONFIG_KUNITT) { // ~ undefined-config
    }
}

macro_rules! in_macro {
    () => {
        #[cfg(CONFIG_IN_MACRO_UNDEFINED)] // ~ undefined-config
        fn f() {}
    };
}

// #[cfg(CONFIG_IN_A_COMMENT)] is not code.
const S: &str = "#[cfg(CONFIG_IN_A_STRING)]";
