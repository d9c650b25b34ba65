pub trait Iterator {
    type Item;

    /// Creates an iterator which gives the current iteration count as well as
    /// the next value.
    ///
    /// # Overflow Behavior
    ///
    /// # Panics
    ///
    /// The returned iterator might panic if the to-be-returned index would
    /// overflow a `usize`.
    fn enumerate(self) -> Enumerate<Self>
    where
        Self: Sized,
    {
        loop {}
    }
}
