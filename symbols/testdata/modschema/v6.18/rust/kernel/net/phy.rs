// SPDX-License-Identifier: GPL-2.0

/// Declares a kernel module for PHYs drivers.
#[macro_export]
macro_rules! module_phy_driver {
    (@replace_expr $_t:tt $sub:expr) => {$sub};

    (drivers: [$($driver:ident),+ $(,)?], device_table: [$($dev:expr),+ $(,)?], $($f:tt)*) => {
        struct Module {
            _reg: $crate::net::phy::Registration,
        }

        $crate::prelude::module! {
            type: Module,
            $($f)*
        }
    }
}

/// Not a module macro: its input goes nowhere near module!.
#[macro_export]
macro_rules! module_param_helper {
    ($($f:tt)*) => { $($f)* };
}
