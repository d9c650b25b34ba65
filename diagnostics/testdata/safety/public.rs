// krls-fixture: public-only
//
// Without check-private-items, only exported items need a `# Safety` section.
#![allow(dead_code, unused)]

pub unsafe fn exported() {} // ~ missing-safety-doc

unsafe fn private() {}

pub(crate) unsafe fn crate_visible() {}

pub struct Public;
impl Public {
    pub unsafe fn method() {} // ~ missing-safety-doc
    unsafe fn private_method() {}
}

struct Private;
impl Private {
    pub unsafe fn of_a_private_type() {}
}

pub fn outer() {
    pub unsafe fn in_a_function() {}
}

mod private_mod {
    pub unsafe fn hidden_by_module() {}
}

pub mod public_mod {
    pub unsafe fn reachable() {} // ~ missing-safety-doc
}

pub unsafe trait UnsafeTrait {} // ~ missing-safety-doc

unsafe trait PrivateUnsafeTrait {} // ~ missing-safety-doc
