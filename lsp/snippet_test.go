package lsp

import "testing"

func TestPlainSnippet(t *testing.T) {
	for in, want := range map[string]string{
		`name: "$1",`:                         `name: "",`,
		"module! {\n\ttype: ${1:Foo},\n}\n$0": "module! {\n\ttype: Foo,\n}\n",
		`a ${2:x\}y} \$ $12b`:                 `a x}y $ b`,
		`${1:unclosed`:                        `unclosed`,
		`$`:                                   `$`,
	} {
		if got := plainSnippet(in); got != want {
			t.Errorf("plainSnippet(%q) = %q, want %q", in, got, want)
		}
	}
}
