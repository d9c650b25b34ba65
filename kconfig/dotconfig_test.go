package kconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of the .config reader (conf_read_simple in confdata.c): what each
// kind of line gives, and, on the tree of testdata/dotconfig, that krls
// writes the same .config and warns about the same lines as the kernel's
// own conf.

func TestParseDotConfig(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       string
		entries  string // name=value, "unset" marked, with lines
		problems string
		header   string
	}{
		{name: "values", in: "CONFIG_B=y\nCONFIG_T=m\nCONFIG_N=n\nCONFIG_I=-12\nCONFIG_H=0x1F\nCONFIG_S=\"a \\\" and \\\\\"\n",
			entries: `1 B=y|2 T=m|3 N=n|4 I=-12|5 H=0x1F|6 S="a \" and \\"`},
		{name: "not set", in: "# CONFIG_B is not set\n#CONFIG_C is not set\n# CONFIG_D is not set \n# CONFIG_E is unset\n# CONFIG_F\n# CONFIGX is not set\n",
			entries: "1 B=n unset"},
		{name: "header", in: "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86_64 6.12.0 Kernel Configuration\n#\nCONFIG_A=y\n",
			entries: "5 A=y", header: "Linux/x86_64 6.12.0 Kernel Configuration"},
		{name: "header too late", in: "\n\n\n\n# Linux/x86_64 6.12.0 Kernel Configuration\n"},
		{name: "odd lines", in: "garbage\nCONFIG_NOEQUALS\n  CONFIG_B=y\nconfig_b=y\nCONFIG_=y\nCONFIG_A==y\nCONFIG_X=y=z\n",
			entries: "5 =y|6 A==y|7 X=y=z",
			problems: "in:1: unexpected data: garbage|in:2: unexpected data: CONFIG_NOEQUALS|" +
				"in:3: unexpected data:   CONFIG_B=y|in:4: unexpected data: config_b=y"},
		{name: "duplicates kept in order", in: "CONFIG_A=y\nCONFIG_A=n\n# CONFIG_A is not set\n",
			entries: "1 A=y|2 A=n|3 A=n unset"},
		{name: "CRLF", in: "CONFIG_A=y\r\n# CONFIG_B is not set\r\n\r\nCONFIG_S=\"x\"\r\n", entries: "1 A=y|2 B=n unset|4 S=\"x\""},
		// As getline_stripped: a carriage return goes only before a newline.
		{name: "CR at the end without newline", in: "CONFIG_A=y\nCONFIG_I=5\r", entries: "1 A=y|2 I=5\r"},
		{name: "missing trailing newline", in: "CONFIG_A=y\nCONFIG_B=m", entries: "1 A=y|2 B=m"},
		{name: "NUL ends a line", in: "CONFIG_I=5\x00junk\nCONFIG_\x00A=y\n\x00garbage\n", entries: "1 I=5",
			problems: "in:2: unexpected data: CONFIG_"},
		{name: "empty", in: ""},
		{name: "only newlines", in: "\n\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := ParseDotConfig("in", strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			var es, ps []string
			for _, e := range d.Entries {
				s := fmt.Sprintf("%d %s=%s", e.Line, e.Name, e.Value)
				if e.Unset {
					s += " unset"
				}
				es = append(es, s)
			}
			for _, p := range d.Problems {
				if !p.Warning {
					t.Errorf("problem %v is not a warning", p)
				}
				ps = append(ps, p.Error())
			}
			if got := strings.Join(es, "|"); got != c.entries {
				t.Errorf("entries %q, want %q", got, c.entries)
			}
			if got := strings.Join(ps, "|"); got != c.problems {
				t.Errorf("problems %q, want %q", got, c.problems)
			}
			if d.Header != c.header {
				t.Errorf("header %q, want %q", d.Header, c.header)
			}
		})
	}
}

func TestParseDotConfigLookup(t *testing.T) {
	d, _ := ParseDotConfig("in", strings.NewReader("CONFIG_A=y\n# CONFIG_A is not set\nCONFIG_B=\"x\"\n"))
	if e, ok := d.Lookup("A"); !ok || !e.Unset || e.Line != 2 {
		t.Errorf("A: %+v %v: the last entry wins", e, ok)
	}
	if _, ok := d.Lookup("C"); ok {
		t.Error("C found")
	}
}

type failingReader struct{ data []byte }

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseDotConfigReadError(t *testing.T) {
	d, err := ParseDotConfig("in", &failingReader{data: []byte("CONFIG_A=y\nCONFIG_B=")})
	if err == nil || err.Error() != "read in: line 2: disk on fire" {
		t.Errorf("error %v", err)
	}
	if d == nil || len(d.Entries) != 1 {
		t.Errorf("the lines before the failure are lost: %+v", d)
	}
}

// TestParseDotConfigHuge: no limit on line length or count, and linear
// time.
func TestParseDotConfigHuge(t *testing.T) {
	var b bytes.Buffer
	const n = 300000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "CONFIG_SYM_%d=y\n", i)
	}
	long := strings.Repeat("x", 20<<20)
	b.WriteString("CONFIG_S=\"" + long + "\"\n")
	b.WriteString(long + "\n")
	b.WriteString("CONFIG_LAST=y")
	start := time.Now()
	d, err := ParseDotConfig("in", &b)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if len(d.Entries) != n+2 {
		t.Fatalf("%d entries", len(d.Entries))
	}
	if e, _ := d.Lookup("S"); len(e.Value) != len(long)+2 || e.Line != n+1 {
		t.Errorf("long value: %d bytes at line %d", len(e.Value), e.Line)
	}
	if e, _ := d.Lookup("LAST"); e.Line != n+3 {
		t.Errorf("LAST at line %d", e.Line)
	}
	// The message quotes the start of the long line only.
	if len(d.Problems) != 1 || d.Problems[0].Line != n+2 || len(d.Problems[0].Msg) > 300 {
		t.Errorf("problems: %d", len(d.Problems))
	}
}

// dotconfigTree loads testdata/dotconfig.
func dotconfigTree(t testing.TB) (string, *Kconfig) {
	t.Helper()
	tree, _ := filepath.Abs("testdata/dotconfig")
	k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: &Toolchain{Env: map[string]string{"srctree": tree}}})
	if err != nil {
		t.Fatal(err)
	}
	return tree, k
}

// applyText reads input into a new Eval of k and returns the .config it
// writes and the reader's warnings, in line order, as "LINE: message".
func applyText(t testing.TB, k *Kconfig, input []byte) ([]byte, []string) {
	t.Helper()
	out, d, e := applyAndWrite(t, k, input)
	var ws []*Error
	ws = append(ws, d.Problems...)
	for _, w := range e.Warnings {
		if w.File == "in" {
			ws = append(ws, w)
		}
	}
	slices.SortStableFunc(ws, func(a, b *Error) int { return a.Line - b.Line })
	var lines []string
	for _, w := range ws {
		lines = append(lines, fmt.Sprintf("%d: %s", w.Line, w.Msg))
	}
	return out, lines
}

// loadClean loads a Kconfig tree, failing the test on any error that is
// not a warning.
func loadClean(t testing.TB, opts LoadOptions) *Kconfig {
	t.Helper()
	k, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range k.Errors {
		if !e.Warning {
			t.Fatalf("load: %v", e)
		}
	}
	return k
}

// applyAndWrite reads input (named "in") into a new Eval of k, as
// olddefconfig does, and returns the .config it writes, the input read
// and the Eval.
func applyAndWrite(t testing.TB, k *Kconfig, input []byte) ([]byte, *DotConfig, *Eval) {
	t.Helper()
	d, err := ParseDotConfig("in", bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEval(k)
	e.Apply(d)
	var out bytes.Buffer
	if err := e.WriteConfig(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), d, e
}

// confReading runs conf on tree with input, returning the .config it
// writes and its warnings about the input, as "LINE: message".
func confReading(t *testing.T, conf, tree string, input []byte) ([]byte, []string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".config")
	if err := os.WriteFile(cfg, input, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(conf, "-s", "--olddefconfig", "Kconfig")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "srctree="+tree, "KCONFIG_CONFIG="+cfg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("conf: %v\n%s", err, stderr.String())
	}
	out, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if rest, ok := strings.CutPrefix(l, cfg+":"); ok {
			lines = append(lines, strings.Replace(rest, ":warning: ", ": ", 1))
		}
	}
	return out, lines
}

// dotconfigInputs are .config files with every kind of line conf reads
// or complains about.
var dotconfigInputs = []struct{ name, in string }{
	{"values", "CONFIG_B=y\nCONFIG_T=m\nCONFIG_I=42\nCONFIG_H=0x1f\nCONFIG_S=\"str with \\\" and \\\\ in it\"\nCONFIG_C2=y\n"},
	{"not set", "# CONFIG_MODULES is not set\n# CONFIG_B is not set\nCONFIG_T=y\n"},
	{"modules off makes m y", "# CONFIG_MODULES is not set\nCONFIG_T=m\n"},
	{"odd lines", "garbage\nCONFIG_NOEQUALS\n  CONFIG_B=y\n#CONFIG_B is not set\nCONFIG_=y\nCONFIG_B=y\n"},
	{"unknown symbols", "CONFIG_UNDEFINED=y\n# CONFIG_ALSO_UNDEFINED is not set\nCONFIG_B=y\n"},
	{"duplicates", "CONFIG_B=y\nCONFIG_B=n\nCONFIG_I=1\nCONFIG_I=2\nCONFIG_I=bad\n"},
	{"ignored values set no flag", "CONFIG_S=unquoted\nCONFIG_S=\"then quoted\"\nCONFIG_UNTYPED=y\nCONFIG_UNTYPED=y\nCONFIG_B=y\n"},
	{"wrong types", "CONFIG_B=x\nCONFIG_B=m\nCONFIG_T=2\nCONFIG_I=abc\nCONFIG_I=08\nCONFIG_I=\nCONFIG_H=0xg\nCONFIG_H=\nCONFIG_S=\"unterminated\nCONFIG_S=\"ok\"\n"},
	{"prefixes decide", "CONFIG_B=yes\nCONFIG_T=maybe\nCONFIG_MODULES=nope\n"},
	{"numbers", "CONFIG_I=-0\nCONFIG_I=100\nCONFIG_I=101\nCONFIG_H=ff\nCONFIG_H=0XAB\n"},
	{"range clamps", "CONFIG_I=500\nCONFIG_H=0x0\n"},
	{"string escapes", "CONFIG_S=\"\\a\\\\b\\\"c\" trailing\n"},
	{"CRLF", "CONFIG_B=y\r\nCONFIG_T=m\r\n# CONFIG_MODULES is not set\r\nCONFIG_S=\"crlf\"\r\nCONFIG_I=5\r"},
	{"missing trailing newline", "CONFIG_B=y\nCONFIG_I=7"},
	{"NUL", "CONFIG_I=5\x00junk\nCONFIG_B=y\x00\n"},
	{"the constants y, m and n", "CONFIG_y=y\nCONFIG_y=x\nCONFIG_m=m\nCONFIG_n=\n"},
	{"choice: the last wins", "CONFIG_C2=y\nCONFIG_C1=y\n"},
	{"choice: n for all", "# CONFIG_C1 is not set\n# CONFIG_C2 is not set\n"},
	{"empty", ""},
}

func TestDotConfigAgainstConf(t *testing.T) {
	conf := confBinary(t)
	tree, k := dotconfigTree(t)
	for _, c := range dotconfigInputs {
		t.Run(c.name, func(t *testing.T) {
			want, wantWarn := confReading(t, conf, tree, []byte(c.in))
			got, gotWarn := applyText(t, k, []byte(c.in))
			if d := firstDiff(want, got); d != "" {
				t.Errorf("output differs from conf: %s\nconf:\n%s\nkrls:\n%s", d, want, got)
			}
			if !slices.Equal(wantWarn, gotWarn) {
				t.Errorf("warnings differ from conf:\nconf:\n%s\nkrls:\n%s", strings.Join(wantWarn, "\n"), strings.Join(gotWarn, "\n"))
			}
		})
	}
}

// TestDotConfigWarnings pins the reader's warnings without conf.
func TestDotConfigWarnings(t *testing.T) {
	_, k := dotconfigTree(t)
	for _, c := range []struct{ in, want string }{
		{"CONFIG_B=y\nCONFIG_B=n\n", "2: override: reassigning to symbol B"},
		{"CONFIG_S=unquoted\nCONFIG_S=\"x\"\n", ""},
		{"CONFIG_B=x\n", "1: symbol value 'x' invalid for B"},
		{"CONFIG_I=0x10\n", "1: symbol value '0x10' invalid for I"},
		{"CONFIG_H=0xzz\n", "1: symbol value '0xzz' invalid for H"},
		{"CONFIG_S=\"abc\n", "1: invalid string found"},
		{"junk\n", "1: unexpected data: junk"},
		{"CONFIG_y=q\n", "1: symbol value 'q' invalid for y"},
		{"CONFIG_UNDEFINED=y\n", ""},
	} {
		_, got := applyText(t, k, []byte(c.in))
		if strings.Join(got, "|") != c.want {
			t.Errorf("%q: warnings %q, want %q", c.in, got, c.want)
		}
	}
}

// TestDotConfigChanged: Changed is conf_get_changed after conf_read.
func TestDotConfigChanged(t *testing.T) {
	_, k := dotconfigTree(t)
	written, _ := applyText(t, k, []byte("CONFIG_B=y\nCONFIG_C1=y\n"))
	for _, c := range []struct {
		in      string
		changed bool
	}{
		{string(written), false},
		{string(written) + "CONFIG_UNDEFINED=y\n", true},
		{string(written) + "garbage\n", true},
		{string(written) + "CONFIG_B=y\n", true}, // override warning
		{string(written) + "CONFIG_I=x\n", true},
		{string(written) + "CONFIG_y=y\n", false},
		{strings.Replace(string(written), "CONFIG_B=y", "# CONFIG_B is not set", 1), false},
		{strings.Replace(string(written), "CONFIG_I=0", "CONFIG_I=500", 1), true}, // out of range
	} {
		d, _ := ParseDotConfig("in", strings.NewReader(c.in))
		e := NewEval(k)
		e.Apply(d)
		if e.Changed != c.changed {
			t.Errorf("%q: changed %v, want %v", c.in, e.Changed, c.changed)
		}
	}
}
