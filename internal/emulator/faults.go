package emulator

import (
	"time"
)

// Fault makes matching API calls fail (or slow down) before they reach the
// state, so a faulted call changes nothing.
type Fault struct {
	Command        string        // e.g. "import_group_member"; "" = any command
	Skip           int           // let this many matching calls through first (fail the k-th batch: Skip = k-1)
	Times          int           // how many matching calls fail; 0 means 1; -1 means every call from then on
	ErrorCode      int           // API code answered with HTTP 200 envelope (ActionStatus FAIL)
	ErrorInfo      string        // optional; default a realistic text
	HTTPStatus     int           // answer with this HTTP status (e.g. 500, 502) and a non-JSON body like a gateway would
	Delay          time.Duration // alone: do the work, then answer this late (a slow response); with another field: wait, then fail
	DropConnection bool          // hijack and close the connection without a response
}

type faultState struct {
	Fault
	skipLeft int
	left     int // -1 = unlimited
}

// InjectFault adds a fault. Faults are consulted in injection order; each
// counts the matching calls it sees for Skip, and the first one that fires
// handles the call (later faults do not see that call).
func (e *Emulator) InjectFault(f Fault) {
	fs := &faultState{Fault: f, skipLeft: f.Skip, left: f.Times}
	if fs.left == 0 {
		fs.left = 1
	}
	if fs.skipLeft < 0 {
		fs.skipLeft = 0
	}
	e.faultMu.Lock()
	e.faults = append(e.faults, fs)
	e.faultMu.Unlock()
}

// ClearFaults removes all faults.
func (e *Emulator) ClearFaults() {
	e.faultMu.Lock()
	e.faults = nil
	e.faultMu.Unlock()
}

func (e *Emulator) takeFault(command string) (Fault, bool) {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	for i := 0; i < len(e.faults); i++ {
		fs := e.faults[i]
		if fs.Command != "" && fs.Command != command {
			continue
		}
		if fs.skipLeft > 0 {
			fs.skipLeft--
			continue
		}
		if fs.left > 0 {
			fs.left--
		}
		if fs.left == 0 {
			// Spent: drop it so ClearFaults is not needed between tests.
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		return fs.Fault, true
	}
	return Fault{}, false
}

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

func (e *Emulator) record(c *call, failed bool) {
	c.rec.Duration = time.Since(c.start)
	e.statMu.Lock()
	if c.command != "" {
		s := e.stats[c.command]
		if s == nil {
			s = &CallStats{}
			e.stats[c.command] = s
		}
		s.Calls++
		s.Members = append(s.Members, c.rec.Members)
		if failed {
			s.Failed++
		}
	}
	if len(e.log) >= maxLog {
		e.log = append(e.log[:0], e.log[len(e.log)-maxLog+1:]...)
	}
	e.log = append(e.log, c.rec)
	e.statMu.Unlock()
	if e.onRequest != nil {
		e.onRequest(c.rec)
	}
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
	e.stats = map[string]*CallStats{}
	e.log = nil
	e.statMu.Unlock()
}
