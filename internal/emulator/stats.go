package emulator

import (
	"sync"
	"time"
)

// CallStats counts the requests that reached a command.
type CallStats struct {
	Calls   int
	Members []int // members per call: len(MemberList) for import/add, len(MemberToDel_Account) for delete, returned page length for reads
	Failed  int   // answered with a nonzero code, an HTTP error, or a dropped connection
}

// LoggedRequest is one API request. HTTPStatus is 0 for a dropped connection.
type LoggedRequest struct {
	Time       time.Time
	Command    string
	SDKAppID   uint64
	GroupID    string
	Members    int
	ErrorCode  int
	HTTPStatus int
	Duration   time.Duration // wall time spent answering, including Latency/Delay
}

// maxLog bounds the request log; older entries are dropped first.
const maxLog = 50000

// record adds a finished call to Stats and Log, then hands it to OnRequest
// (outside the lock: the callback may be slow or call back into Stats).
func (e *Emulator) record(c *call, failed bool) {
	c.rec.Duration = time.Since(c.start)
	e.count(c.rec, failed)
	if e.onRequest != nil {
		e.onRequest(c.rec)
	}
}

func (e *Emulator) count(rec LoggedRequest, failed bool) {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	if rec.Command != "" {
		s := e.stats[rec.Command]
		if s == nil {
			s = &CallStats{}
			e.stats[rec.Command] = s
		}
		s.Calls++
		s.Members = append(s.Members, rec.Members)
		if failed {
			s.Failed++
		}
	}
	if len(e.log) >= maxLog {
		e.log = append(e.log[:0], e.log[len(e.log)-maxLog+1:]...)
	}
	e.log = append(e.log, rec)
}

// Stats returns per-command counters (a copy).
func (e *Emulator) Stats() map[string]CallStats {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	out := make(map[string]CallStats, len(e.stats))
	for k, s := range e.stats {
		out[k] = CallStats{Calls: s.Calls, Members: append([]int(nil), s.Members...), Failed: s.Failed}
	}
	return out
}

// Log returns the request log (a copy), oldest first.
func (e *Emulator) Log() []LoggedRequest {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	return append([]LoggedRequest(nil), e.log...)
}

// ResetStats clears Stats and Log.
func (e *Emulator) ResetStats() {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	e.stats = map[string]*CallStats{}
	e.log = nil
}

// Recorder keeps the requests reported to it until they are taken; its Add
// is an Options.OnRequest hook, for measuring one command at a time.
type Recorder struct {
	mu   sync.Mutex
	reqs []LoggedRequest
}

// Add records a request.
func (r *Recorder) Add(l LoggedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, l)
}

// Take returns the requests recorded since the last Take and forgets them.
func (r *Recorder) Take() []LoggedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}
