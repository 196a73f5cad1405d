package timapi

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DocumentedRate is Tencent's published limit for a command, in calls per
// second: 200 for the group APIs, 100 for the batch account APIs and 1 for
// get_appid_group_list (api-fidelity.md §1 #4; CN 269/4919).
func DocumentedRate(command string) float64 {
	switch command {
	case "get_appid_group_list":
		return 1
	case "multiaccount_import", "account_check", "account_delete":
		return 100
	}
	return 200
}

// Adaptive throttling, as in the AWS SDKs' adaptive retry mode: a rate-limit
// answer halves the command's rate, each success adds a little back, so a
// server that allows less than the documented rate is met at its own pace
// instead of failing the apply once the retries run out.
const (
	throttleDecrease = 0.5
	// Each success adds this fraction of the ceiling: slow enough that the
	// rate spends most of its time below the server's limit.
	throttleIncrease = 0.0005
	minThrottledRate = 0.1
)

// adaptiveLimiter paces one command. Only one decrease counts per epoch, the
// time between two decreases: answers to requests sent before the latest
// decrease were paced by the old rate and say nothing about the new one.
//
// It schedules sends itself rather than with rate.Limiter, whose
// reservations keep the old pace after the rate is lowered: every request
// already waiting would then go out too fast and be refused again.
type adaptiveLimiter struct {
	ceiling float64

	mu      sync.Mutex
	current float64
	epoch   uint64
	next    time.Time // the earliest time of the next send
}

func newAdaptiveLimiter(ceiling float64) *adaptiveLimiter {
	return &adaptiveLimiter{ceiling: ceiling, current: ceiling}
}

// burst is how many sends may go at once after a quiet spell: a tenth of a
// second's worth, at most 10, so a freshly started apply does not spike
// above the server's per-second quota.
func (l *adaptiveLimiter) burst() float64 { return max(1, min(10, l.current/10)) }

func (l *adaptiveLimiter) interval() time.Duration {
	return time.Duration(float64(time.Second) / l.current)
}

var errLimiterDeadline = errors.New("the next request the rate allows would come after the context's deadline")

// wait blocks until the command may send, and returns the epoch the request
// is sent in.
func (l *adaptiveLimiter) wait(ctx context.Context) (uint64, error) {
	for {
		l.mu.Lock()
		now := time.Now()
		interval := l.interval()
		if earliest := now.Add(-time.Duration(l.burst()-1) * interval); l.next.Before(earliest) {
			l.next = earliest
		}
		at := l.next
		if !at.After(now) {
			l.next = at.Add(interval)
			epoch := l.epoch
			l.mu.Unlock()
			return epoch, nil
		}
		l.mu.Unlock()
		if deadline, ok := ctx.Deadline(); ok && at.After(deadline) {
			return 0, errLimiterDeadline
		}
		t := time.NewTimer(at.Sub(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		}
		// Another waiter may have taken the slot, or the rate changed.
	}
}

// throttled records a rate-limit answer to a request sent in epoch.
func (l *adaptiveLimiter) throttled(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if epoch != l.epoch {
		return
	}
	l.epoch++
	l.current = max(minThrottledRate, l.current*throttleDecrease)
	// No burst after a refusal: the next send waits a whole new interval.
	if next := time.Now().Add(l.interval()); l.next.Before(next) {
		l.next = next
	}
}

// paceFromAnswers is the ceiling below which the next send is also paced
// from the latest answer. At one call a second the send time is not when
// the server counts the call: a new connection's set-up delays an arrival,
// so the next request, paced from the send, reaches the server under a
// second later and is refused. An answer comes after its arrival, so a
// whole interval after it is a whole interval after the arrival. Above
// this, where calls overlap, it would only cost throughput.
const paceFromAnswers = 10

// succeeded records an answer that was not a rate-limit answer.
func (l *adaptiveLimiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current = min(l.ceiling, l.current+l.ceiling*throttleIncrease)
	if l.ceiling < paceFromAnswers {
		if next := time.Now().Add(l.interval()); l.next.Before(next) {
			l.next = next
		}
	}
}

// Rate is the command's current rate, in calls per second.
func (l *adaptiveLimiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

// set changes the rate (tests).
func (l *adaptiveLimiter) set(r float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current = r
}
