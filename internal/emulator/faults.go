package emulator

import "time"

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
	defer e.faultMu.Unlock()
	e.faults = append(e.faults, fs)
}

// ClearFaults removes all faults.
func (e *Emulator) ClearFaults() {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.faults = nil
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
