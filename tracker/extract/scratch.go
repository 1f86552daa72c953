package extract

import (
	"strings"
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
// result read from the normalized text are copied out (keep).
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
	w.doc = doc{}
	scratchPool.Put(w)
}

// keep returns t, copied when it points into the normalized text (whose
// buffer goes back to the pool).
func (w *scratch) keep(t string) string {
	if t == "" || len(w.b) == 0 {
		return t
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(t)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(w.b)))
	if p >= lo && p < lo+uintptr(cap(w.b)) {
		return strings.Clone(t)
	}
	return t
}
