impl<T> [T] {
    /// Copies all elements from `src` into `self`, using a memcpy.
    ///
    /// # Panics
    ///
    /// This function will panic if the two slices have different lengths.
    pub const fn copy_from_slice(&mut self, src: &[T])
    where
        T: Copy,
    {
    }

    /// Divides one slice into two at an index.
    ///
    /// # Panics
    ///
    /// Panics if `mid > len`.
    pub const fn split_at(
        &self,
        mid: usize,
    ) -> (&[T], &[T]) {
        loop {}
    }

    /// Swaps two elements in the slice.
    ///
    /// # Panics
    ///
    /// Panics if `a` or `b` are out of bounds.
    pub const fn swap(&mut self, a: usize, b: usize) {}

    /// Returns the number of elements in the slice.
    pub const fn len(&self) -> usize {
        0
    }
}

/// Forms a slice from a pointer and a length.
///
/// # Panics
///
/// Panics if `len` is too large.
pub fn from_ref_checked<T>(s: &T, len: usize) -> &[T] {
    loop {}
}
