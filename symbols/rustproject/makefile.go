package rustproject

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// MakefileArgs is what rust/Makefile's rust-analyzer target passes the
// generator: each crate's cfgs and envs (--cfgs='core=$(core-cfgs)'), and
// the core edition.
type MakefileArgs struct {
	Cfgs map[string][]string
	Envs map[string]map[string]string
	// CoreEdition is the edition of the sysroot crates ("" when the
	// target passes none: 6.1).
	CoreEdition string
	// Unknown lists what could not be evaluated (a make function krls
	// does not know), dropped from the values.
	Unknown []string
}

var (
	recipeArgRE = regexp.MustCompile(`--(cfgs|envs)='([A-Za-z0-9_]+)=\$\(([A-Za-z0-9_-]+)\)'`)
	ifMinRE     = regexp.MustCompile(`\$\(if \$\(call rustc-min-version,([0-9]+)\),([^,()]*)(?:,([^()]*))?\)`)
	varRefRE    = regexp.MustCompile(`\$\([^)]*\)`)
)

// ReadMakefileArgs reads rust/Makefile for the rust-analyzer target's
// arguments, evaluating the `$(if $(call rustc-min-version,N),A,B)` tests
// with the configured rustc version (CONFIG_RUSTC_VERSION, e.g. 109701;
// 0 when unknown: the tests are false).
func ReadMakefileArgs(srctree string, rustcVersion int) (*MakefileArgs, error) {
	path := filepath.Join(srctree, "rust", "Makefile")
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rust/Makefile: %w", err)
	}
	return ParseMakefileArgs(src, rustcVersion), nil
}

// ParseMakefileArgs reads a rust/Makefile text (see ReadMakefileArgs).
func ParseMakefileArgs(src []byte, rustcVersion int) *MakefileArgs {
	a := &MakefileArgs{Cfgs: map[string][]string{}, Envs: map[string]map[string]string{}}
	vars := map[string]string{}
	var recipe []string
	inRecipe := false
	for _, line := range symbols.MakefileLines(src) {
		if strings.HasPrefix(line, "rust-analyzer:") {
			inRecipe = true
			continue
		}
		if inRecipe {
			if strings.HasPrefix(line, "\t") {
				recipe = append(recipe, line)
				continue
			}
			inRecipe = false
		}
		// NAME := value, NAME = value (a recursive variable is taken as
		// it is written: these hold lists).
		if i := strings.Index(line, "="); i > 0 {
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line[:i]), ":"))
			if name != "" && !strings.ContainsAny(name, " \t$:+?") {
				vars[name] = line[i+1:]
			}
		}
	}
	eval := func(name string) string {
		v := ifMinRE.ReplaceAllStringFunc(vars[name], func(m string) string {
			p := ifMinRE.FindStringSubmatch(m)
			n, _ := strconv.Atoi(p[1])
			if rustcVersion >= n {
				return p[2]
			}
			return p[3]
		})
		for _, u := range varRefRE.FindAllString(v, -1) {
			a.Unknown = append(a.Unknown, name+": "+u)
		}
		return varRefRE.ReplaceAllString(v, "")
	}
	text := strings.Join(recipe, "\n")
	for _, m := range recipeArgRE.FindAllStringSubmatch(text, -1) {
		val := eval(m[3])
		switch m[1] {
		case "cfgs":
			// The generator drops "--cfg" (6.x) and splits on spaces.
			a.Cfgs[m[2]] = strings.Fields(strings.ReplaceAll(val, "--cfg", ""))
		case "envs":
			env := map[string]string{}
			for _, kv := range strings.Fields(val) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					env[k] = v
				}
			}
			a.Envs[m[2]] = env
		}
	}
	if strings.Contains(text, "$(core-edition)") {
		a.CoreEdition = strings.TrimSpace(eval("core-edition"))
	}
	return a
}
