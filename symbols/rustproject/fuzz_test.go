package rustproject

import "testing"

// FuzzParseGenerator: any text gives a generator or an error, never a
// panic, and every crate it reads has a name.
func FuzzParseGenerator(f *testing.F) {
	f.Add("def append_crate(display_name):\n    pass\nappend_crate(\"a\", srctree / \"rust\" / \"a.rs\", [\"core\"])\n")
	f.Add("core = append_sysroot_crate(\"core\", [])\nk = append_crate_with_generated(\"kernel\", [core])\n")
	f.Add("append_crate(\"x\", srctree / \"y\"")
	f.Add("append_crate(\"x\", path, [a, b], cfg=cfg, edition=\"2018\") # )\nfor dir in (\"samples\",")
	f.Fuzz(func(t *testing.T, src string) {
		g, err := ParseGenerator(src)
		if err != nil {
			return
		}
		for _, c := range g.Fixed {
			if c.Name == "" {
				t.Fatalf("a crate without a name: %+v", c)
			}
		}
	})
}

// FuzzParseMakefileArgs: any rust/Makefile text is read without a panic.
func FuzzParseMakefileArgs(f *testing.F) {
	f.Add([]byte("core-cfgs := \\\n    no_fp_fmt_parse\nrust-analyzer:\n\t$(Q)x --cfgs='core=$(core-cfgs)' $(core-edition)\n"), 108700)
	f.Add([]byte("a-cfgs := $(if $(call rustc-min-version,108800),x y)\nrust-analyzer:\n\t--cfgs='a=$(a-cfgs)' --envs='a=$(a-cfgs)'\n"), 0)
	f.Fuzz(func(t *testing.T, src []byte, version int) {
		ParseMakefileArgs(src, version)
	})
}
