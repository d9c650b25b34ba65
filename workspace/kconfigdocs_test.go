package workspace

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
)

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		lang, path, key string
		want            DocKind
	}{
		{"rust", "", "untitled:1", KindRust},
		{"", "/k/drivers/Kconfig", "", KindKconfig},
		{"", "/k/lib/Kconfig.debug", "", KindKconfig},
		{"kconfig", "/k/x/whatever", "", KindKconfig},
		{"properties", "/build/.config", "", KindDotConfig},
		{"", "", "file:///build/.config", KindDotConfig},
		{"", "/k/arch/x86/configs/x86_64_defconfig", "", KindOther},
		{"plaintext", "/k/README", "", KindOther},
		{"", "/k/KconfigX", "", KindOther},
	} {
		if got := KindOf(c.lang, c.path, c.key); got != c.want {
			t.Errorf("KindOf(%q, %q, %q) = %v, want %v", c.lang, c.path, c.key, got, c.want)
		}
	}
}

func TestWordsIn(t *testing.T) {
	line := []byte(`	depends on A && AB || "A" && A # A`)
	got := wordsIn(line, 100, "A")
	if len(got) != 2 || got[0] != 100+len("\tdepends on ") || got[1] != 100+strings.LastIndex(string(line), "&& A")+3 {
		t.Errorf("wordsIn = %v", got)
	}
}

const docsKconfig = `config MODULES
	bool "modules"
	modules
	default y

config DEP
	tristate "dep"

config T
	tristate "t"
	depends on DEP

config S
	string "s"
	default "x"

config OLD
	bool
	transitional
`

func loadTiny(t *testing.T, kc, dot string) (*Kernel, string) {
	t.Helper()
	src := writeTree(t, map[string]string{"Kconfig": kc, ".config": dot})
	ks := NewKernels()
	t.Cleanup(ks.Close)
	ks.Getenv = envOf(map[string]string{"ARCH": "x86_64"})
	k, err := ks.Get(context.Background(), KernelTrees{Srctree: src, Objtree: src})
	if err != nil {
		t.Fatal(err)
	}
	return k, src
}

func TestDotConfigFindings(t *testing.T) {
	k, src := loadTiny(t, docsKconfig, "CONFIG_MODULES=y\n")
	text := "CONFIG_MODULES=y\nCONFIG_DEP=m\nCONFIG_T=y\nCONFIG_S=\"x\"\nCONFIG_OLD=y\nCONFIG_NOPE=y\nCONFIG_DEP=bad\n"
	d := &Document{Key: "k", Path: filepath.Join(src, ".config"), Text: []byte(text)}
	fs, err := dotConfigFindings(d, k)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		line := strings.Count(text[:f.Start], "\n") + 1
		got = append(got, f.Rule+":"+string(rune('0'+line))+":"+f.Message)
	}
	want := []string{
		"dotconfig-invalid:7:override: reassigning to symbol DEP",
		"dotconfig-invalid:7:symbol value 'bad' invalid for DEP",
		"dotconfig-stale:3:the next build changes CONFIG_T from y to m: as the .config sets it (y, limited to m by its dependencies)",
		"dotconfig-stale:5:CONFIG_OLD is transitional: the next build reads it once and drops it",
		"dotconfig-unknown-symbol:6:CONFIG_NOPE is not a symbol of this tree for x86_64: the next build drops it",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range fs {
		if f.Severity == diagnostics.Error {
			t.Errorf("a .config finding at error level: %+v", f)
		}
	}
}

func TestKconfigFindingsAndHover(t *testing.T) {
	k, src := loadTiny(t, docsKconfig, "CONFIG_MODULES=y\nCONFIG_DEP=y\nCONFIG_T=m\n")
	text := docsKconfig + "\nconfig NEW\n\tbool \"new\"\n\tdepends on DEP && UNDEFINED_X\n\tselect NEW2\n\nconfig NEW2\n\tbool\n\nendmenu\n"
	d := &Document{Key: "k", Path: filepath.Join(src, "Kconfig"), Text: []byte(text)}
	var got []string
	for _, f := range kconfigFindings(d, k) {
		got = append(got, f.Rule+" "+text[f.Start:f.End])
	}
	want := []string{"kconfig-syntax endmenu", "kconfig-undefined-symbol UNDEFINED_X"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("findings %q, want %q", got, want)
	}
	h, err := kconfigHover(d, k, strings.Index(text, "config T")+7)
	if err != nil || h == nil {
		t.Fatalf("hover: %v %v", h, err)
	}
	for _, w := range []string{"**CONFIG_T** = `m` (tristate)", "Depends on: `DEP [=y]`", "Defined at Kconfig:9"} {
		if !strings.Contains(h.Markdown, w) {
			t.Errorf("hover lacks %q:\n%s", w, h.Markdown)
		}
	}
	if text[h.Start:h.End] != "T" {
		t.Errorf("hover range %q", text[h.Start:h.End])
	}
	locs := kconfigDefinition(d, k, strings.Index(text, "DEP &&")+1)
	if len(locs) != 1 || locs[0].Line != 6 {
		t.Errorf("definition of DEP: %+v", locs)
	}
}
