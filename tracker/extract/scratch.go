package extract

import (
	"sync"
	"unsafe"
)

// scratch holds the buffers one Extract call works in: the normalized
// text and what normalize notes, the dates, the candidates, the windows
// and the line-break verdicts. They are taken from a pool and handed back
// when the call returns, so that a notice costs no fresh allocation of its
// own size (the normalized copy alone is as long as the text): allocating
// and clearing them, and the collections they caused, were a tenth of the
// time.
//
// Nothing that Extract returns may point into them: the strings of the
// result read from the normalized text are copied out (textPiece), with
// its dates, as one string.
type scratch struct {
	b        []byte
	pts      []offPoint
	anchors  []int32
	ends     []int32
	newlines []int32
	mentions []mention
	cands    []cand
	windows  []window
	soft     []int8
	doc      doc
	res      []byte  // the result's own strings, one after another
	pieces   []piece // where each is in res
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled is the longest text whose buffers go back to the pool: one
// huge notice should not keep its buffers alive for ever.
const maxPooled = 1 << 20

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// put hands the buffers back, forgetting what the windows and candidates
// point to.
func (w *scratch) put() {
	if cap(w.b) > maxPooled {
		return
	}
	// Only what this call wrote: the rest was cleared by an earlier put
	// (or never written).
	clear(w.cands)
	clear(w.windows)
	clear(w.pieces)
	w.res = w.res[:0]
	w.doc = doc{}
	scratchPool.Put(w)
}

// inBuffer reports whether t points into the normalized text, whose
// buffer goes back to the pool.
func (w *scratch) inBuffer(t string) bool {
	if t == "" || len(w.b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(t)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(w.b)))
	return p >= lo && p < lo+uintptr(cap(w.b))
}

// piece is one string of the result: res[off:end] of the strings written
// for it, or s itself when it needs no memory of its own (off < 0).
type piece struct {
	off, end int
	s        string
}

// in returns the piece's string, all being the written strings.
func (p piece) in(all string) string {
	if p.off < 0 {
		return p.s
	}
	return all[p.off:p.end]
}

// textPiece is t, written out when it lies in the normalized text.
func (w *scratch) textPiece(t string) piece {
	if !w.inBuffer(t) {
		return piece{off: -1, s: t}
	}
	off := len(w.res)
	w.res = append(w.res, t...)
	return piece{off: off, end: len(w.res)}
}

// datePiece is d.String(), written out.
func (w *scratch) datePiece(d Date) piece {
	if d.IsZero() || d.Year < 1000 || d.Year > 9999 {
		return piece{off: -1, s: d.String()}
	}
	off := len(w.res)
	w.res = appendDate(w.res, d)
	return piece{off: off, end: len(w.res)}
}
