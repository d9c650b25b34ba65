package panics

import (
	"bytes"
	"slices"
)

// Macros are the macros that panic when reached, counted in every tree.
var Macros = []string{"panic", "unreachable", "todo", "unimplemented"}

// AssertMacros panic when their condition fails. Whether a `// PANIC:`
// comment is asked for them is read from the tree: they count when the
// tree's own code documents one of them with such a comment (none of
// Linux 6.1, 6.12 and 7.2 does; their PANIC comments document slicing,
// copy_from_slice, split_at, unreachable!() and expect()).
var AssertMacros = []string{"assert", "assert_eq", "assert_ne", "debug_assert", "debug_assert_eq", "debug_assert_ne"}

// Label is the comment's label.
const Label = "PANIC:"

// DocumentedAsserts lists the assert macros that a `// PANIC:` comment of
// src stands above: the first line below the comment block that is not a
// comment starts with one.
func DocumentedAsserts(src []byte) []string {
	if !bytes.Contains(src, []byte("// "+Label)) {
		return nil
	}
	var out []string
	lines := bytes.Split(src, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		if !bytes.Contains(lines[i], []byte("// "+Label)) {
			continue
		}
		j := i + 1
		for j < len(lines) && bytes.HasPrefix(bytes.TrimSpace(lines[j]), []byte("//")) {
			j++
		}
		if j == len(lines) {
			break
		}
		code := bytes.TrimSpace(lines[j])
		for _, m := range AssertMacros {
			if bytes.HasPrefix(code, []byte(m+"!")) && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		i = j - 1
	}
	return out
}

// MacroSet is the set of panicking macros of a tree whose code documents
// the assert macros in documented: one documented makes the family count.
func MacroSet(documented []string) map[string]bool {
	set := map[string]bool{}
	for _, m := range Macros {
		set[m] = true
	}
	if len(documented) > 0 {
		for _, m := range AssertMacros {
			set[m] = true
		}
	}
	return set
}
