macro_rules! atomic_int {
    ($int_type:ident $atomic_type:ident) => {
        impl $atomic_type {
            /// Loads a value from the atomic integer.
            ///
            /// # Panics
            ///
            /// Panics if `order` is [`Release`] or [`AcqRel`].
            pub fn load(&self, order: Ordering) -> $int_type {
                loop {}
            }
        }
    };
}
