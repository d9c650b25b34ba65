package kconfig

import (
	"slices"
	"strings"
)

// RustCfg is what the build gives rustc for a configuration: the lines of
// include/generated/rustc_cfg, which conf writes (confdata.c,
// print_symbol_for_rustccfg) for every symbol that goes into the .config:
//
//	--cfg=CONFIG_X           for a bool or tristate at y or m
//	--cfg=CONFIG_X="y"       and its value, for every written symbol but n
//	--cfg=CONFIG_HZ="250"    (hex values get a 0x prefix if they lack one)
//
// So `#[cfg(CONFIG_X)]` holds for X=y and X=m, never for an int, hex or
// string symbol, and `#[cfg(CONFIG_X = "m")]` tells a module apart.
type RustCfg struct {
	names  map[string]bool   // names given bare, with CONFIG_
	values map[string]string // name with CONFIG_ → value, unescaped
}

// RustCfg computes the cfg flags of e's configuration.
func (e *Eval) RustCfg() *RustCfg {
	c := &RustCfg{names: map[string]bool{}, values: map[string]string{}}
	for _, s := range e.K.Symbols {
		if s.Name == "" || s.Type == Unknown || s.Transitional || !e.Written(s) {
			continue
		}
		val := e.Str(s)
		name := "CONFIG_" + s.Name
		switch s.Type {
		case Bool, Tristate:
			if val == "n" {
				continue
			}
			c.names[name] = true
		case Hex:
			if !strings.HasPrefix(val, "0x") && !strings.HasPrefix(val, "0X") {
				val = "0x" + val
			}
		}
		c.values[name] = val
	}
	return c
}

// Set reports whether `cfg(name)` holds; name includes CONFIG_.
func (c *RustCfg) Set(name string) bool { return c.names[name] }

// Value returns the value `cfg(name = "...")` compares with, and whether
// the symbol has one (it is written and not n).
func (c *RustCfg) Value(name string) (string, bool) {
	v, ok := c.values[name]
	return v, ok
}

// Flags returns the rustc_cfg lines, sorted (conf writes them in the
// order of its symbol hash table).
func (c *RustCfg) Flags() []string {
	out := make([]string, 0, len(c.names)+len(c.values))
	for n := range c.names {
		out = append(out, "--cfg="+n)
	}
	for n, v := range c.values {
		out = append(out, "--cfg="+n+"="+escapeConfigString(v))
	}
	slices.Sort(out)
	return out
}
