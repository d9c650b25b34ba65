// A hand-written stand-in for core's sources: only what the fixtures
// call, with docs in core's style.
pub enum Option<T> {
    None,
    Some(T),
}

impl<T> Option<T> {
    /// Returns the contained [`Some`] value, consuming the `self` value.
    ///
    /// # Panics
    ///
    /// Panics if the value is a [`None`] with a custom panic message provided by
    /// `msg`.
    #[inline]
    #[track_caller]
    #[stable(feature = "rust1", since = "1.0.0")]
    pub const fn expect(self, msg: &str) -> T {
        loop {}
    }

    /// Returns the contained [`Some`] value, consuming the `self` value.
    ///
    /// # Panics
    ///
    /// Panics if the self value equals [`None`].
    pub const fn unwrap(self) -> T {
        loop {}
    }

    /// Returns the contained [`Some`] value or a provided default.
    pub fn unwrap_or(self, default: T) -> T {
        default
    }
}
