package symbols

import "testing"

func TestIdentBytes(t *testing.T) {
	for _, tc := range []struct {
		s            string
		start, ident bool
	}{
		{"a", true, true}, {"Z", true, true}, {"_", true, true},
		{"7", false, true},
		{"-", false, false}, {" ", false, false}, {":", false, false}, {"!", false, false},
		// Every byte of a non-ASCII character: a word is never split
		// inside a UTF-8 sequence.
		{"ä", true, true}, {"ж", true, true}, {"𝔘", true, true},
	} {
		for i := 0; i < len(tc.s); i++ {
			if IsIdentStart(tc.s[i]) != tc.start || IsIdentByte(tc.s[i]) != tc.ident {
				t.Errorf("%q byte %d: IsIdentStart %v IsIdentByte %v, want %v %v", tc.s, i, IsIdentStart(tc.s[i]), IsIdentByte(tc.s[i]), tc.start, tc.ident)
			}
		}
	}
}
