package extract

import "strings"

// wordList finds which of a few Chinese words a text holds in one pass
// over it, where a strings.Contains per word would read the text once per
// word: a bit per BMP rune says which runes start a word of the list, so
// most runes cost one table read.
type wordList struct {
	words  []string
	first  []uint32 // each word's first rune: its three bytes, read little-endian
	starts *[0x10000 / 64]uint64
}

// newWordList indexes up to 64 words, each made of three-byte runes.
func newWordList(words ...string) *wordList {
	if len(words) > 64 {
		panic("wordList: more than 64 words")
	}
	l := &wordList{words: words, starts: new([0x10000 / 64]uint64)}
	for _, w := range words {
		if len(w) < 3 || w[0] < 0xE0 || w[0] >= 0xF0 {
			panic("wordList: " + w + " does not start with a three-byte rune")
		}
		r := rune(w[0]&0x0F)<<12 | rune(w[1]&0x3F)<<6 | rune(w[2]&0x3F)
		l.starts[r>>6] |= 1 << (r & 63)
		l.first = append(l.first, uint32(w[0])|uint32(w[1])<<8|uint32(w[2])<<16)
	}
	return l
}

// in returns a bit per word of the list (bit k for words[k]) that t holds
// anywhere, as strings.Contains would find it.
func (l *wordList) in(t string) uint64 {
	var m uint64
	for i := 0; i+2 < len(t); {
		c, c1, c2 := t[i], t[i+1], t[i+2]
		// A word starts with a three-byte rune: only such a rune's first
		// byte can start one (the bytes inside it cannot).
		if c < 0xE0 || c >= 0xF0 || c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
			i++
			continue
		}
		r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
		if l.starts[r>>6]&(1<<(r&63)) != 0 {
			// Only the words that start with this rune are compared (a
			// number each, not a string).
			key := uint32(c) | uint32(c1)<<8 | uint32(c2)<<16
			for k, f := range l.first {
				if f == key && m&(1<<k) == 0 && strings.HasPrefix(t[i+3:], l.words[k][3:]) {
					m |= 1 << k
				}
			}
		}
		i += 3
	}
	return m
}

// prefixList finds which of a few words stands at a position, the first in
// the list's order, as a loop of hasAt would: a word's bytes are compared
// only when its first rune is the one there, read as a number (its bytes,
// little-endian), so that a position most words cannot start at costs a
// few integer compares, not a string compare per word.
type prefixList struct {
	words []string
	first []uint32 // the first rune's bytes
	wide  []bool   // the first rune is three bytes (else one)
}

// newPrefixList indexes words that start with an ASCII byte or a
// three-byte rune.
func newPrefixList(words ...string) *prefixList {
	p := &prefixList{words: words}
	for _, w := range words {
		switch {
		case w != "" && w[0] < 0x80:
			p.first, p.wide = append(p.first, uint32(w[0])), append(p.wide, false)
		case len(w) >= 3 && w[0] >= 0xE0 && w[0] < 0xF0:
			p.first, p.wide = append(p.first, uint32(w[0])|uint32(w[1])<<8|uint32(w[2])<<16), append(p.wide, true)
		default:
			panic("prefixList: " + w + " does not start with ASCII or a three-byte rune")
		}
	}
	return p
}

// at returns the index of the first word that s has at i, or -1.
func (p *prefixList) at(s string, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	k1, k3 := uint32(s[i]), ^uint32(0)
	if i+3 <= len(s) {
		k3 = k1 | uint32(s[i+1])<<8 | uint32(s[i+2])<<16
	}
	for j, f := range p.first {
		k := k1
		if p.wide[j] {
			k = k3
		}
		if f == k && strings.HasPrefix(s[i:], p.words[j]) {
			return j
		}
	}
	return -1
}
