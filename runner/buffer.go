package runner

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"
)

// ring keeps the last limit bytes written to it.
type ring struct {
	buf   []byte
	limit int
	next  int // write position once full
	full  bool
}

func (r *ring) write(p []byte) {
	if r.limit <= 0 {
		return
	}
	if len(p) >= r.limit {
		r.buf = append(r.buf[:0], p[len(p)-r.limit:]...)
		r.next, r.full = 0, true
		return
	}
	if !r.full {
		room := r.limit - len(r.buf)
		if len(p) <= room {
			r.buf = append(r.buf, p...)
			return
		}
		r.buf = append(r.buf, p[:room]...)
		p = p[room:]
		r.full, r.next = true, 0
	}
	for len(p) > 0 {
		n := copy(r.buf[r.next:], p)
		p = p[n:]
		r.next = (r.next + n) % r.limit
	}
}

func (r *ring) bytes() []byte {
	if !r.full {
		return append([]byte(nil), r.buf...)
	}
	out := make([]byte, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// outStream is one of the target's output streams on its way to Output
// events. It is guarded by the run's mutex.
type outStream struct {
	stream   Stream
	ring     ring
	buf      []byte // pending's backing array, from its start
	pending  []byte // bytes waiting for the pump: a window on buf
	lines    int    // newlines in pending
	since    time.Time
	dropped  int64 // bytes dropped after pending
	eof      bool
	lossless bool
	space    *sync.Cond // readers wait here for room in pending
	copyTo   io.Writer  // the caller's writer, instead of events
	pipe     *os.File
}

func newOutStream(s Stream, limit int, lossless bool, mu *sync.Mutex) *outStream {
	return &outStream{stream: s, ring: ring{limit: limit}, lossless: lossless, space: sync.NewCond(mu)}
}

// readAll runs a reader per captured stream and closes readersDone when
// every one has reached the end.
func (r *Run) readAll() {
	var wg sync.WaitGroup
	for _, s := range r.streams {
		if s.pipe == nil {
			continue
		}
		wg.Add(1)
		go func(s *outStream) {
			defer wg.Done()
			r.readStream(s)
		}(s)
	}
	wg.Wait()
	close(r.readersDone)
}

func (r *Run) readStream(s *outStream) {
	buf := make([]byte, readChunk)
	for {
		n, err := s.pipe.Read(buf)
		if n > 0 {
			if s.copyTo != nil {
				s.copyTo.Write(buf[:n])
			} else {
				r.addOutput(s, buf[:n])
			}
		}
		if err != nil {
			break
		}
	}
	r.mu.Lock()
	s.eof = true
	r.mu.Unlock()
	r.kick()
}

// addOutput keeps p in the ring and queues it for the pump. When the
// queue is full the bytes are dropped and counted, or, for lossless
// output, the reader waits (and the target blocks writing to its pipe).
func (r *Run) addOutput(s *outStream, p []byte) {
	r.mu.Lock()
	s.ring.write(p)
	// A full queue first holds the reader back (and so the target, on its
	// pipe) for a moment, so a burst does not lose output to a reader of
	// the events that is only briefly behind.
	var deadline time.Time
	for s.dropped == 0 && len(s.pending)+len(p) > maxPending && len(s.pending) > 0 && !r.abandoned {
		if !s.lossless {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(dropAfter)
			}
			if !now.Before(deadline) {
				break
			}
			t := time.AfterFunc(deadline.Sub(now), s.space.Broadcast)
			s.space.Wait()
			t.Stop()
			continue
		}
		s.space.Wait()
	}
	if s.dropped > 0 {
		// Once dropping, keep dropping until the pump has taken what is
		// pending, so the gap sits at one place in the stream.
		s.dropped += int64(len(p))
		p = nil
	} else if room := max(maxPending-len(s.pending), 0); len(p) > room && (!s.lossless || r.abandoned) {
		s.dropped += int64(len(p) - room)
		p = p[:room]
	}
	if len(p) > 0 {
		if len(s.pending) == 0 {
			s.since = time.Now()
		}
		s.appendPending(p)
		s.lines += bytes.Count(p, []byte{'\n'})
	}
	r.mu.Unlock()
	r.kick()
}

// appendPending adds p after pending. Bytes the pump took from the front
// are reclaimed here, by moving pending to the front of buf, only when the
// room after it runs out: each byte is moved at most once per batch size
// taken, not on every cut.
func (s *outStream) appendPending(p []byte) {
	if len(s.pending)+len(p) <= cap(s.pending) {
		s.pending = append(s.pending, p...)
		return
	}
	need := len(s.pending) + len(p)
	if need > cap(s.buf) {
		nb := make([]byte, need, max(need, 2*cap(s.buf), readChunk))
		copy(nb, s.pending)
		copy(nb[len(s.pending):], p)
		s.buf, s.pending = nb[:0], nb
		return
	}
	n := copy(s.buf[:need], s.pending)
	copy(s.buf[n:need], p)
	s.pending = s.buf[:need]
}

// kick wakes the pump.
func (r *Run) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// takeOutput cuts the next batch from s when one is due (or when force is
// set), at a line end where possible. The caller holds the mutex.
func (s *outStream) takeOutput(now time.Time, force bool) (Output, bool, time.Time) {
	if len(s.pending) == 0 {
		if s.dropped > 0 {
			ev := Output{Stream: s.stream, Dropped: s.dropped}
			s.dropped = 0
			return ev, true, time.Time{}
		}
		return Output{}, false, time.Time{}
	}
	due := s.since.Add(OutputBatchDelay)
	if !force && !s.eof && s.lines < OutputBatchLines && len(s.pending) < outputBatchBytes && now.Before(due) {
		return Output{}, false, due
	}
	// A batch is due at OutputBatchLines lines, but carries everything
	// pending up to outputBatchBytes: a flood of short lines makes few
	// large events, not many small ones.
	cut := len(s.pending)
	if cut > outputBatchBytes {
		cut = outputBatchBytes
		if i := bytes.LastIndexByte(s.pending[:cut], '\n'); i >= 0 {
			cut = i + 1
		}
	}
	// A cut by size or time may fall inside a multi-byte UTF-8 character;
	// hold its first bytes back for the next batch, so each batch is text
	// a reader can show. Not when they are all there is: the writer has
	// paused mid-character, or nothing more will come.
	if c := runeCut(s.pending, cut); c > 0 && c < cut && (cut < len(s.pending) || !force && !s.eof) {
		cut = c
	}
	data := string(s.pending[:cut])
	n := s.lines
	if cut < len(s.pending) {
		n = bytes.Count(s.pending[:cut], []byte{'\n'})
	}
	// The rest stays where it is: pending is a window on buf, moved to
	// the front only when an append needs the room (addOutput).
	s.pending = s.pending[cut:]
	if len(s.pending) == 0 {
		s.pending = s.buf[:0]
		if cap(s.buf) > maxPending {
			// Give back the memory a burst took.
			s.buf, s.pending = nil, nil
		}
	}
	s.lines -= n
	s.since = now
	s.space.Broadcast()
	return Output{Stream: s.stream, Data: data, Lines: n}, true, time.Time{}
}

// runeCut is cut, moved back to the start of the UTF-8 sequence that
// b[:cut] ends in the middle of, if it does. Bytes that are not UTF-8 at
// all are left where they are.
func runeCut(b []byte, cut int) int {
	for i := cut - 1; i >= 0 && i > cut-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:cut]) {
				return i
			}
			break
		}
	}
	return cut
}

// pump is the only sender on the events channel. It sends Started first,
// then denial rows and output batches as they become due, and finally
// Exited and Verdict, for which two slots of the channel are always kept
// free: a consumer that stopped reading cannot make the final events wait.
func (r *Run) pump() {
	defer close(r.events)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		evs, finals, next := r.collect(time.Now())
		for _, ev := range evs {
			r.send(ev)
		}
		if finals != nil {
			for _, ev := range finals {
				r.events <- ev
			}
			return
		}
		if len(evs) > 0 {
			continue
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = time.Until(next)
			if wait < time.Millisecond {
				wait = time.Millisecond
			}
		}
		timer.Reset(wait)
		select {
		case <-r.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// collect gathers the events that are due, and the finals once everything
// else has been sent. next is when something pending becomes due.
func (r *Run) collect(now time.Time) (evs, finals []Event, next time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	soon := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if r.startEv != nil {
		evs = append(evs, *r.startEv)
		r.startEv, r.startSent = nil, true
	}
	if r.dirtyRows > 0 {
		for _, row := range r.rows {
			if !row.dirty {
				continue
			}
			if row.sent && !r.finishing && now.Sub(row.lastSent) < DenialUpdateEvery {
				soon(row.lastSent.Add(DenialUpdateEvery))
				continue
			}
			evs = append(evs, row.event())
			row.dirty, row.sent, row.lastSent = false, true, now
			r.dirtyRows--
		}
	}
	// Output waits for Started so that it never comes first.
	if r.startSent || r.finishing {
		// At most maxPending bytes are taken per stream at a time, so the
		// pump holds no more than the streams' own bound while it waits.
		for _, s := range r.streams {
			for taken := 0; len(evs) < eventBuffer && taken < maxPending; {
				ev, ok, due := s.takeOutput(now, r.finishing)
				soon(due)
				if !ok {
					break
				}
				evs = append(evs, ev)
				taken += len(ev.Data)
			}
		}
	}
	if r.finishing && len(evs) == 0 && r.dirtyRows == 0 {
		return nil, r.finals, next
	}
	if len(evs) >= eventBuffer {
		soon(now)
	}
	return evs, nil, next
}

// send delivers a non-final event, waiting while the channel has no room
// beyond the reserved slots. After Stop, a consumer that has not made room
// for abandonAfter is considered gone and further events are dropped.
func (r *Run) send(ev Event) {
	for len(r.events) >= cap(r.events)-reservedSlots {
		r.mu.Lock()
		now := time.Now()
		if r.fullSince.IsZero() {
			r.fullSince = now
		}
		if !r.stopAt.IsZero() && now.Sub(r.fullSince) > abandonAfter && now.Sub(r.stopAt) > abandonAfter {
			r.abandoned = true
			for _, s := range r.streams {
				s.space.Broadcast()
			}
		}
		gone := r.abandoned
		r.mu.Unlock()
		if gone {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.mu.Lock()
	r.fullSince = time.Time{}
	r.mu.Unlock()
	r.events <- ev
}
