package pagetext

import (
	"encoding/binary"
	"unicode/utf16"
)

// buildOLE writes a minimal version-3 compound file holding the given
// streams, in order, under the root storage: enough for tests to wrap
// hand-made WordDocument and Workbook streams (and garbage) the way Word,
// Excel and WPS do. Streams are padded to 4096 bytes so that none lives in
// the mini stream; the directory's sizes are the padded ones.
func buildOLE(names []string, streams [][]byte) []byte {
	const ss = 512
	const (
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
	)
	le := binary.LittleEndian
	var data []byte
	var fat []uint32
	starts := make([]uint32, len(streams))
	sizes := make([]int, len(streams))
	for i, s := range streams {
		if len(s) < 4096 {
			s = append(append([]byte{}, s...), make([]byte, 4096-len(s))...)
		}
		sizes[i] = len(s)
		n := (len(s) + ss - 1) / ss
		starts[i] = uint32(len(fat))
		for k := 0; k < n; k++ {
			next := uint32(len(fat) + 1)
			if k == n-1 {
				next = endOfChain
			}
			fat = append(fat, next)
		}
		data = append(data, s...)
		if pad := len(data) % ss; pad != 0 {
			data = append(data, make([]byte, ss-pad)...)
		}
	}
	// Directory: root, then each stream as the right sibling of the one
	// before.
	dir := make([]byte, 128*(len(streams)+1))
	entry := func(i int, name string, typ byte, child, right uint32, start uint32, size int) {
		e := dir[128*i:]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], freeSect)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint32(e[120:], uint32(size))
	}
	child := uint32(freeSect)
	if len(streams) > 0 {
		child = 1
	}
	entry(0, "Root Entry", 5, child, freeSect, endOfChain, 0)
	for i := range streams {
		right := uint32(i + 2)
		if i == len(streams)-1 {
			right = freeSect
		}
		entry(i+1, names[i], 2, freeSect, right, starts[i], sizes[i])
	}
	if pad := len(dir) % ss; pad != 0 {
		dir = append(dir, make([]byte, ss-pad)...)
	}
	dirStart := uint32(len(fat))
	for k := 0; k < len(dir)/ss; k++ {
		next := uint32(len(fat) + 1)
		if k == len(dir)/ss-1 {
			next = endOfChain
		}
		fat = append(fat, next)
	}
	// FAT sectors: enough to map every sector, themselves included.
	nFat := 1
	for (len(fat)+nFat)*4 > nFat*ss {
		nFat++
	}
	fatStart := uint32(len(fat))
	for k := 0; k < nFat; k++ {
		fat = append(fat, fatSect)
	}
	for len(fat)*4 < nFat*ss {
		fat = append(fat, freeSect)
	}
	hdr := make([]byte, ss)
	copy(hdr, oleMagic)
	le.PutUint16(hdr[24:], 0x3E)
	le.PutUint16(hdr[26:], 3)
	le.PutUint16(hdr[28:], 0xFFFE)
	le.PutUint16(hdr[30:], 9)
	le.PutUint16(hdr[32:], 6)
	le.PutUint32(hdr[44:], uint32(nFat))
	le.PutUint32(hdr[48:], dirStart)
	le.PutUint32(hdr[56:], 4096)
	le.PutUint32(hdr[60:], endOfChain)
	le.PutUint32(hdr[68:], endOfChain)
	for k := 0; k < 109; k++ {
		v := uint32(freeSect)
		if k < nFat {
			v = fatStart + uint32(k)
		}
		le.PutUint32(hdr[76+4*k:], v)
	}
	out := append(hdr, data...)
	out = append(out, dir...)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	return out
}
