// SAFETY: after a byte-order mark. // ~ unnecessary-safety-comment
pub fn bom() {}
