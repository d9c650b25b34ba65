package symbols

// Rust identifiers, byte by byte. Rust allows Unicode identifiers
// (XID_Start / XID_Continue); the scanners here work on bytes, so every
// byte of a non-ASCII character (>= 0x80) counts as an identifier byte.
// That accepts a little more than Rust does (a non-ASCII symbol outside
// strings and comments, which rustc rejects anyway) but never splits a
// UTF-8 sequence and keeps `größe` or `ключ` one word.

// IsIdentByte reports whether c may continue a Rust identifier.
func IsIdentByte(c byte) bool {
	return IsIdentStart(c) || '0' <= c && c <= '9'
}

// IsIdentStart reports whether c may begin a Rust identifier (or a
// keyword).
func IsIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
