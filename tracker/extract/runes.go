package extract

import (
	"strings"
	"unicode/utf8"
)

// Notices are Chinese: most runes the rules read are three bytes long and
// far from any white space. The helpers here answer as their strings and
// unicode/utf8 namesakes do, byte for byte, but tell such a rune by its
// bytes instead of decoding it (the standard functions decode every
// non-ASCII rune, through a call), and fall back to the standard function
// for anything else.

// trimSpace is strings.TrimSpace. Unicode's white space outside ASCII
// starts with the bytes C2, E1, E2 or E3 (U+0085, U+00A0, U+1680,
// U+2000–U+205F, U+3000); a rune starting with another byte, or invalid
// (read as U+FFFD), is none, which one byte tells on the left and a whole
// three-byte rune on the right. Either end that needs more than that is
// left to strings.TrimSpace.
func trimSpace(t string) string {
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c < utf8.RuneSelf {
			if asciiSpace(c) {
				continue
			}
			break
		}
		if c == 0xC2 || c >= 0xE1 && c <= 0xE3 {
			return strings.TrimSpace(t)
		}
		break
	}
	j := len(t)
	for ; j > i; j-- {
		c := t[j-1]
		if c < utf8.RuneSelf {
			if asciiSpace(c) {
				continue
			}
			break
		}
		// A three-byte rune led by E4 to EF, or an invalid one: no space.
		if j-i >= 3 && t[j-3] >= 0xE4 && t[j-3] <= 0xEF && t[j-2]&0xC0 == 0x80 && c&0xC0 == 0x80 {
			break
		}
		return strings.TrimSpace(t)
	}
	return t[i:j]
}

// asciiSpace is the ASCII white space strings.TrimSpace trims.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// runeCount is utf8.RuneCountInString. A lead E1 to EC, EE or EF and two
// continuation bytes are always a valid rune (only E0 and ED restrict
// their second byte); anything else is decoded as the standard function
// does, an invalid byte counting as one rune.
func runeCount(t string) int {
	n := 0
	for i := 0; i < len(t); n++ {
		i += runeWidth(t, i)
	}
	return n
}

// moreRunes reports runeCount(t) > k, counting no further than it must. A
// rune takes one to four bytes (an invalid byte counts as one), so the
// length alone often tells.
func moreRunes(t string, k int) bool {
	if len(t) <= k {
		return false
	}
	if len(t) > 4*k {
		return true
	}
	n := 0
	for i := 0; i < len(t); n++ {
		if n == k {
			return true // a rune beyond the k-th starts at i
		}
		i += runeWidth(t, i)
	}
	return false
}

// runeWidth is the width of the rune at t[i] as DecodeRuneInString reads
// it (1 for an invalid byte).
func runeWidth(t string, i int) int {
	c := t[i]
	if c < utf8.RuneSelf {
		return 1
	}
	if (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) && i+2 < len(t) && t[i+1]&0xC0 == 0x80 && t[i+2]&0xC0 == 0x80 {
		return 3
	}
	_, w := utf8.DecodeRuneInString(t[i:])
	return w
}

// decodeRune is utf8.DecodeRuneInString, with the valid three-byte runes
// of runeCount read from their bytes.
func decodeRune(t string) (rune, int) {
	if len(t) >= 3 {
		if c := t[0]; (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) && t[1]&0xC0 == 0x80 && t[2]&0xC0 == 0x80 {
			return rune(c&0x0F)<<12 | rune(t[1]&0x3F)<<6 | rune(t[2]&0x3F), 3
		}
	}
	if len(t) > 0 && t[0] < utf8.RuneSelf {
		return rune(t[0]), 1
	}
	return utf8.DecodeRuneInString(t)
}

// decodeLastRune is utf8.DecodeLastRuneInString, likewise: when the last
// three bytes are such a rune, it is the last rune (its continuation bytes
// cannot start one, and DecodeLastRuneInString backs up to its lead).
func decodeLastRune(t string) (rune, int) {
	n := len(t)
	if n >= 3 {
		if c := t[n-3]; (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) && t[n-2]&0xC0 == 0x80 && t[n-1]&0xC0 == 0x80 {
			return rune(c&0x0F)<<12 | rune(t[n-2]&0x3F)<<6 | rune(t[n-1]&0x3F), 3
		}
	}
	if n > 0 && t[n-1] < utf8.RuneSelf {
		return rune(t[n-1]), 1
	}
	return utf8.DecodeLastRuneInString(t)
}
