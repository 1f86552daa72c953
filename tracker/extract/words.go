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
