package lints

import (
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

func TestParseFlags(t *testing.T) {
	mk := []byte(`# a comment -Wclippy::all
export rust_common_flags := --edition=2021 \
			    -Dunsafe_op_in_unsafe_fn \
			    -Wclippy::all \
			    -Aclippy::collapsible_if # -Dclippy::restriction
OTHER := -Dclippy::undocumented_unsafe_blocks
KBUILD_RUSTFLAGS := $(rust_common_flags) -Wclippy::float_arithmetic
KBUILD_RUSTFLAGS += $(if $(X),-Dclippy::undocumented_unsafe_blocks)
rust_common_flags += -W clippy::undocumented_unsafe_blocks
`)
	got := ParseFlags(mk)
	want := []Flag{{Deny, "unsafe_op_in_unsafe_fn"}, {Warn, "clippy::all"}, {Allow, "clippy::collapsible_if"},
		{Warn, "clippy::float_arithmetic"}, {Warn, "clippy::undocumented_unsafe_blocks"}}
	if !slices.Equal(got, want) {
		t.Errorf("flags:\n%v\nwant\n%v", got, want)
	}
	tr := &Tree{Flags: got}
	if !tr.Enabled("clippy::undocumented_unsafe_blocks") || tr.Enabled("clippy::unnecessary_safety_comment") || !tr.Enabled("clippy::missing_safety_doc") {
		t.Errorf("levels: %s", tr.Describe())
	}
	// A later group flag overrides an earlier specific one, and -Awarnings
	// silences what warns.
	tr = &Tree{Flags: []Flag{{Warn, "clippy::undocumented_unsafe_blocks"}, {Allow, "clippy::restriction"}}}
	if tr.Enabled("clippy::undocumented_unsafe_blocks") {
		t.Error("a later -Aclippy::restriction did not win")
	}
	tr = &Tree{Flags: []Flag{{Allow, "warnings"}}}
	if tr.Enabled("clippy::missing_safety_doc") {
		t.Error("-Awarnings did not silence missing_safety_doc")
	}
	tr = &Tree{Flags: []Flag{{Deny, "warnings"}}}
	if tr.Enabled("clippy::undocumented_unsafe_blocks") {
		t.Error("-Dwarnings enabled an allowed lint")
	}
}

func TestParseUnlinted(t *testing.T) {
	mk := []byte(`syn-flags := \
    --cap-lints=allow \
    --cfg feature="x"

pin_init-flags := --extern pin_init_internal

$(obj)/libsyn.rlib: private skip_clippy = 1
$(obj)/libsyn.rlib: private rustc_target_flags = $(syn-flags)
$(obj)/libsyn.rlib: $(src)/syn/lib.rs $(obj)/libquote.rlib FORCE
$(obj)/capped.o: private rustc_target_flags = $(syn-flags)
$(obj)/capped.o: $(src)/capped/src/lib.rs FORCE
$(obj)/pin_init.o: private rustc_target_flags = $(pin_init-flags)
$(obj)/pin_init.o: $(src)/pin-init/src/lib.rs FORCE
$(obj)/core.o: private skip_clippy = 1
$(obj)/core.o: $(RUST_LIB_SRC)/core/src/lib.rs FORCE
$(obj)/build_error.o: private skip_clippy = 1
$(obj)/build_error.o: $(src)/build_error.rs FORCE
`)
	got := ParseUnlinted(mk)
	want := []Crate{{"rust/syn", "built without clippy (skip_clippy in rust/Makefile)"}, {"rust/capped", "lints capped (--cap-lints=allow in rust/Makefile)"}}
	if !slices.Equal(got, want) {
		t.Errorf("unlinted:\n%v\nwant\n%v", got, want)
	}
	tr := &Tree{Unlinted: got}
	if _, ok := tr.UnlintedCrate("rust/syn/lib.rs"); !ok {
		t.Error("rust/syn/lib.rs is linted")
	}
	if _, ok := tr.UnlintedCrate("rust/synergy/lib.rs"); ok {
		t.Error("rust/synergy/lib.rs is not linted")
	}
}

// TestRealTrees: what each fixture kernel's build says (the issue's
// findings: 6.1 enables none of the four SAFETY lints but
// missing_safety_doc, through -Dclippy::style; 6.12 and 7.2 all four;
// 7.2 builds its vendored crates without clippy).
func TestRealTrees(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			tr, err := Read(k.Src)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s; unlinted: %v", tr.Describe(), tr.Unlinted)
			var dirs []string
			for _, c := range tr.Unlinted {
				dirs = append(dirs, c.Dir)
			}
			switch k.Version {
			case "6.1":
				if tr.Enabled("clippy::undocumented_unsafe_blocks") || tr.Enabled("clippy::unnecessary_safety_comment") || tr.Enabled("clippy::unnecessary_safety_doc") {
					t.Errorf("6.1 enables a restriction lint: %s", tr.Describe())
				}
				if tr.Level("clippy::missing_safety_doc") != Deny {
					t.Errorf("6.1's -Dclippy::style: %s", tr.Describe())
				}
				if !slices.Equal(dirs, []string{"rust/alloc"}) {
					t.Errorf("6.1 unlinted: %v", dirs)
				}
			default:
				for name := range Known {
					if !tr.Enabled(name) {
						t.Errorf("%s is off: %s", name, tr.Describe())
					}
				}
			}
			if k.Version == "7.2" {
				for _, d := range []string{"rust/syn", "rust/quote", "rust/proc-macro2", "rust/zerocopy", "rust/zerocopy-derive"} {
					if !slices.Contains(dirs, d) {
						t.Errorf("7.2: %s is linted (unlinted: %v)", d, dirs)
					}
				}
				if slices.Contains(dirs, "rust/kernel") || slices.Contains(dirs, "rust/pin-init") || slices.Contains(dirs, "rust/macros") {
					t.Errorf("7.2: a linted crate is listed: %v", dirs)
				}
			}
		})
	}
}

// FuzzParseMakefiles: any Makefile text reads without a panic, and what
// it yields is well formed.
func FuzzParseMakefiles(f *testing.F) {
	f.Add([]byte("export rust_common_flags := -Wclippy::all \\\n -Aclippy::x\n"))
	f.Add([]byte("$(obj)/a.o: private skip_clippy = 1\n$(obj)/a.o: $(src)/a/lib.rs\nx-flags := --cap-lints=allow \\"))
	f.Fuzz(func(t *testing.T, mk []byte) {
		for _, fl := range ParseFlags(mk) {
			if fl.Name == "" || fl.Level < Allow || fl.Level > Forbid {
				t.Fatalf("bad flag %+v", fl)
			}
		}
		for _, c := range ParseUnlinted(mk) {
			if !strings.HasPrefix(c.Dir, "rust/") || c.Why == "" {
				t.Fatalf("bad crate %+v", c)
			}
		}
	})
}
