package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"

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
	src := kerneltest.WriteTree(t, map[string]string{"Kconfig": kc, ".config": dot})
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

// confErrorLines runs the tree's own conf (built in the object tree) on
// a Kconfig file of the tree with the given text, and returns the lines
// where it reports errors: what the tree's dialect accepts is what its
// conf does.
func confErrorLines(t *testing.T, src, obj, text string) []int {
	t.Helper()
	conf := filepath.Join(obj, "scripts", "kconfig", "conf")
	if _, err := os.Stat(conf); err != nil {
		t.Fatalf("the object tree has no conf: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "Kconfig")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(conf, "--olddefconfig", path)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "srctree=" + src, "KCONFIG_CONFIG=" + filepath.Join(dir, ".config")}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v", conf, err)
	}
	var lines []int
	for _, m := range regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(path)+`:(\d+): (.*)$`).FindAllStringSubmatch(string(out), -1) {
		if strings.HasPrefix(m[2], "warning") {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if !slices.Contains(lines, n) {
			lines = append(lines, n)
		}
	}
	if (err == nil) != (len(lines) == 0) {
		t.Fatalf("conf: %v, yet errors at %v:\n%s", err, lines, out)
	}
	return lines
}

// objtreeWith makes an object tree of src in a temporary folder whose
// .config is text: the fixture's trees are never written.
func objtreeWith(t *testing.T, src, text string) string {
	t.Helper()
	return kerneltest.WriteTree(t, map[string]string{
		".config":  text,
		"Makefile": "include " + filepath.Join(src, "Makefile") + "\n",
	})
}

func loadReal(t *testing.T, src, obj string) *Kernel {
	t.Helper()
	ks := NewKernels()
	t.Cleanup(ks.Close)
	k, err := ks.Get(context.Background(), KernelTrees{Srctree: src, Objtree: obj})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// syntaxErrorLines are the lines (1-based) of a document's kconfig-syntax
// errors.
func syntaxErrorLines(d *Document, k *Kernel) []int {
	var out []int
	for _, f := range kconfigFindings(d, k) {
		if f.Rule == RuleKconfigSyntax && f.Severity == diagnostics.Error {
			out = append(out, strings.Count(string(d.Text[:f.Start]), "\n")+1)
		}
	}
	return out
}

// TestKconfigDocsRealTrees: the Kconfig and .config features on each
// fixture kernel, read in the tree's own dialect.
func TestKconfigDocsRealTrees(t *testing.T) {
	const cdns3 = "drivers/usb/cdns3/Kconfig"
	const rapidio = "drivers/rapidio/Kconfig"
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			o := fk.RustObj(t)
			k := loadReal(t, fk.Src, o.Dir)
			dot := kerneltest.DotConfig(t, o.Dir)
			docAt := func(rel, text string) *Document {
				p := filepath.Join(fk.Src, rel)
				if text == "" {
					text = mustRead(t, p)
				}
				return &Document{Key: "file://" + p, Path: p, LanguageID: "kconfig", Text: []byte(text)}
			}

			// Every Kconfig file the load read, and the two whose syntax
			// changed across releases (7.2's cdns3 with `depends on X if
			// Y`, 6.1's rapidio with a tristate choice), has no syntax
			// error; each name said to be undefined is defined nowhere.
			t.Run("pristine files", func(t *testing.T) {
				defined := kerneltest.Definers(t, fk.Src)
				files := append([]string{cdns3, rapidio}, k.K.Files...)
				undefined := 0
				for _, rel := range files {
					d := docAt(rel, "")
					for _, f := range kconfigFindings(d, k) {
						line := strings.Count(string(d.Text[:f.Start]), "\n") + 1
						switch {
						case f.Rule == RuleKconfigUndefined:
							undefined++
							if name := string(d.Text[f.Start:f.End]); len(defined[name]) > 0 {
								t.Errorf("%s:%d: %s is said to be undefined, but a Kconfig file defines it", rel, line, name)
							}
						case f.Severity == diagnostics.Error || f.Rule == RuleKconfigSyntax:
							t.Errorf("%s:%d: %s %s", rel, line, f.Rule, f.Message)
						}
					}
				}
				t.Logf("%d files, %d references to undefined names", len(files), undefined)
			})

			// Errors typed into cdns3's Kconfig are reported at their
			// line, and the syntax of newer releases is an error exactly
			// where the tree's own conf rejects it.
			t.Run("edits", func(t *testing.T) {
				text := mustRead(t, filepath.Join(fk.Src, cdns3))
				lines := strings.Split(text, "\n")
				e := kerneltest.ReadEntry(t, fk.Src, cdns3, "USB_CDNS_SUPPORT")
				for _, c := range []struct{ name, line string }{
					{"unknown statement", "\tkrls_no_such_keyword USB"},
					{"depends on X if Y", "\tdepends on USB if !USB_GADGET"},
					{"transitional", "\ttransitional"},
				} {
					// After the entry's type line.
					edited := strings.Join(slices.Concat(lines[:e.Line+1], []string{c.line}, lines[e.Line+1:]), "\n")
					if c.name == "transitional" {
						// A transitional symbol has no prompt: a new one
						// at the end.
						edited = text + "\nconfig KRLS_TEST_OLD\n\tbool\n" + c.line + "\n"
					}
					at := kerneltest.LineOf(t, edited, c.line)
					want := confErrorLines(t, fk.Src, o.Dir, edited)
					got := syntaxErrorLines(docAt(cdns3, edited), k)
					t.Logf("%s at line %d: krls reports errors at %v, conf at %v", c.name, at, got, want)
					if slices.Contains(got, at) != slices.Contains(want, at) {
						t.Errorf("%s at line %d: krls reports errors at lines %v, the tree's conf at %v", c.name, at, got, want)
					}
					for _, l := range got {
						if !slices.Contains(want, l) {
							t.Errorf("%s at line %d: krls reports an error at line %d, the tree's conf not (%v)", c.name, at, l, want)
						}
					}
				}
			})

			// A hover on a definition in a Kconfig document, with the
			// values of this .config; 7.2's `depends on X if Y` reads as
			// written.
			t.Run("hover", func(t *testing.T) {
				d := docAt(cdns3, "")
				e := kerneltest.ReadEntry(t, fk.Src, cdns3, "USB_CDNS_SUPPORT")
				off := strings.Index(string(d.Text), "config USB_CDNS_SUPPORT\n") + len("config U")
				h, err := kconfigHover(d, k, off)
				if err != nil || h == nil {
					t.Fatalf("hover: %v %v", h, err)
				}
				if got := string(d.Text[h.Start:h.End]); got != "USB_CDNS_SUPPORT" {
					t.Errorf("hover range %q", got)
				}
				want := []string{
					fmt.Sprintf("**CONFIG_USB_CDNS_SUPPORT** = `%s` (tristate)", kerneltest.ValueOf(dot, "USB_CDNS_SUPPORT")),
					fmt.Sprintf("%q", e.Prompt()),
					fmt.Sprintf("Defined at %s:%d", cdns3, e.Line),
				}
				withValue := func(atom string) string {
					name := strings.TrimPrefix(atom, "!")
					return fmt.Sprintf("%s%s [=%s]", atom[:len(atom)-len(name)], name, kerneltest.ValueOf(dot, name))
				}
				ifs := e.DependsIf()
				for _, x := range ifs {
					want = append(want, withValue(x[0])+" if "+withValue(x[1]))
				}
				for _, w := range want {
					if !strings.Contains(h.Markdown, w) {
						t.Errorf("hover lacks %q:\n%s", w, h.Markdown)
					}
				}
				dep := ""
				for _, l := range strings.Split(h.Markdown, "\n") {
					if strings.HasPrefix(l, "Depends on: ") {
						dep = l
					}
				}
				if len(ifs) == 0 && strings.Contains(dep, " if ") {
					t.Errorf("the entry has no `depends on X if Y`, yet: %s", dep)
				}
				if fk.Version == "7.2" && len(ifs) == 0 {
					t.Errorf("Linux 7.2's %s has no `depends on X if Y` line any more: the test needs another symbol", cdns3)
				}
			})

			// Go to the definition of a dependency, in another file.
			t.Run("definition", func(t *testing.T) {
				d := docAt(cdns3, "")
				text := string(d.Text)
				i := strings.Index(text, "USB_GADGET")
				if i < 0 {
					t.Fatalf("%s does not name USB_GADGET", cdns3)
				}
				locs := kconfigDefinition(d, k, i+2)
				gadget := false
				for _, l := range locs {
					lines := strings.Split(mustRead(t, l.Path), "\n")
					if l.Line < 1 || l.Line > len(lines) || !regexp.MustCompile(`^(menu)?config USB_GADGET\s*$`).MatchString(lines[l.Line-1]) {
						t.Errorf("definition at %s:%d", l.Path, l.Line)
						continue
					}
					gadget = gadget || l.Path == filepath.Join(fk.Src, "drivers/usb/gadget/Kconfig")
				}
				if !gadget {
					t.Errorf("definitions of USB_GADGET: %+v", locs)
				}
			})

			// RAPIDIO_ENUM_BASIC made m in a copy of the .config: in
			// 6.1, a member of a tristate choice, which is m with it;
			// later, a plain tristate.
			t.Run("tristate choice", func(t *testing.T) {
				const member = "RAPIDIO_ENUM_BASIC"
				choicePrompt, inChoice := tristateChoice(t, mustRead(t, filepath.Join(fk.Src, rapidio)))
				wantDep := ""
				switch {
				case inChoice == member:
					wantDep = fmt.Sprintf("Depends on: `<choice %q> [=m]`", choicePrompt)
				case fk.Version == "6.1":
					t.Fatalf("Linux 6.1's %s has no tristate choice with %s any more", rapidio, member)
				default:
					e := kerneltest.ReadEntry(t, fk.Src, rapidio, member)
					if !slices.Contains(e.Lines, "\tdepends on RAPIDIO") {
						t.Fatalf("%s of Linux %s: %s does not depend on RAPIDIO alone", rapidio, fk.Version, member)
					}
					wantDep = "Depends on: `RAPIDIO [=y]`"
				}
				if dot["MODULES"] != "y" {
					t.Fatal("the .config has no modules")
				}
				orig := mustRead(t, filepath.Join(o.Dir, ".config"))
				text := regexp.MustCompile(`(?m)^(# )?CONFIG_RAPIDIO(=.*| is not set)\n`).ReplaceAllString(orig, "") +
					"CONFIG_RAPIDIO=y\nCONFIG_" + member + "=m\n"
				obj := objtreeWith(t, fk.Src, text)
				km := loadReal(t, fk.Src, obj)
				d := docAt(rapidio, "")
				off := strings.Index(string(d.Text), "config "+member+"\n") + len("config ")
				h, err := kconfigHover(d, km, off)
				if err != nil || h == nil {
					t.Fatalf("hover: %v %v", h, err)
				}
				for _, w := range []string{"**CONFIG_" + member + "** = `m` (tristate)", wantDep} {
					if !strings.Contains(h.Markdown, w) {
						t.Errorf("hover lacks %q:\n%s", w, h.Markdown)
					}
				}
				// The copy is consistent: nothing in it is stale.
				dd := &Document{Key: "k", Path: filepath.Join(obj, ".config"), Text: []byte(text)}
				fs, err := dotConfigFindings(dd, km)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					t.Errorf("in the .config with %s=m: %s %s", member, f.Rule, f.Message)
				}
			})

			// A stale .config: a copy of the fixture's with networking
			// turned off and another arch's symbol, loaded as the
			// kernel's own .config.
			t.Run("stale .config", func(t *testing.T) {
				d := &Document{Key: "k", Path: filepath.Join(o.Dir, ".config"), Text: []byte(mustRead(t, filepath.Join(o.Dir, ".config")))}
				if fs, err := dotConfigFindings(d, k); err != nil || len(fs) != 0 {
					t.Errorf("the fixture's own .config: %v %+v", err, fs)
				}
				if dot["NET"] != "y" || dot["INET"] != "y" {
					t.Fatalf("the .config has NET=%s, INET=%s", dot["NET"], dot["INET"])
				}
				other := kerneltest.OtherArchSymbol(o.Arch)
				text := strings.Replace(string(d.Text), "\nCONFIG_NET=y\n", "\n# CONFIG_NET is not set\n", 1) + "CONFIG_" + other + "=y\n"
				obj := objtreeWith(t, fk.Src, text)
				ks := loadReal(t, fk.Src, obj)
				ds := &Document{Key: "k", Path: filepath.Join(obj, ".config"), Text: []byte(text)}
				fs, err := dotConfigFindings(ds, ks)
				if err != nil {
					t.Fatal(err)
				}
				byLine := map[int][]diagnostics.Finding{}
				for _, f := range fs {
					l := strings.Count(text[:f.Start], "\n") + 1
					byLine[l] = append(byLine[l], f)
				}
				inet := byLine[kerneltest.LineOf(t, text, "CONFIG_INET=y")]
				if len(inet) != 1 || inet[0].Rule != RuleDotConfigStale || inet[0].Severity != diagnostics.Warning ||
					!strings.HasPrefix(inet[0].Message, "CONFIG_INET=y will be dropped by the next build: ") || !strings.Contains(inet[0].Message, "NET [=n]") {
					t.Errorf("CONFIG_INET=y: %+v", inet)
				}
				if f := byLine[kerneltest.LineOf(t, text, "# CONFIG_NET is not set")]; len(f) != 0 {
					t.Errorf("# CONFIG_NET is not set: %+v", f)
				}
				// ARM64 is arch/arm64's, X86_64 arch/x86's.
				unknown := byLine[kerneltest.LineOf(t, text, "CONFIG_"+other+"=y")]
				if len(unknown) != 1 || unknown[0].Rule != RuleDotConfigUnknown || !strings.Contains(unknown[0].Message, "arch/"+strings.ToLower(strings.TrimSuffix(other, "_64"))+"/Kconfig") {
					t.Errorf("CONFIG_%s=y: %+v", other, unknown)
				}
			})
		})
	}
}

// tristateChoice finds a choice of a Kconfig file with a tristate member:
// the choice's prompt and the member ("" for none).
func tristateChoice(t *testing.T, text string) (prompt, member string) {
	t.Helper()
	re := regexp.MustCompile(`(?ms)^choice\s*\n(.*?)^endchoice`)
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		body := m[1]
		p := regexp.MustCompile(`(?m)^\s+prompt\s+"([^"]*)"`).FindStringSubmatch(body)
		mem := regexp.MustCompile(`(?m)^config\s+(\w+)\s*\n\s+tristate\b`).FindStringSubmatch(body)
		if p != nil && mem != nil {
			return p[1], mem[1]
		}
	}
	return "", ""
}
