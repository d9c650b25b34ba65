/// Swaps the values at two mutable locations, without deinitializing either one.
pub const fn swap<T>(x: &mut T, y: &mut T) {}
