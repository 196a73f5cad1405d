package timapi

import (
	"context"
	"sync"
)

// Per-request caps as Tencent has documented them over time, largest first.
// import_group_member has been 300, 100 and, in the newest CN page
// (2026-01-27), 20 (api-fidelity.md §1 #3); delete_group_member is 100.
var (
	ImportCaps = []int{300, 100, 20}
	DeleteCaps = []int{100}
)

// Documented request caps of the other batch calls: get_group_info, and
// multiaccount_import, account_check and account_delete.
const (
	maxGroupInfoPerCall = 50
	MaxAccountsPerCall  = 100
)

// BatchCap is the number of items a batch call may carry, learned from the
// server's "too many accounts" answers (10005). One BatchCap per command is
// shared by every resource of a provider process, so the cap is found once,
// not once per batch or per resource.
//
// A refused size steps down to the next documented cap below it, so a server
// at any documented cap is found in at most len(documented) refusals; below
// the smallest documented cap it halves. Until a batch of the current size
// (or the last one of a run) has succeeded, callers send one batch at a time
// (Probe), so that a wrong guess is refused once rather than once per
// parallel request.
type BatchCap struct {
	probe chan struct{} // one token: held by the batch in flight while unconfirmed

	mu         sync.Mutex
	size       int
	confirmed  bool
	documented []int
}

// NewBatchCap starts at size (at least 1) and steps down through the
// documented caps (largest first).
func NewBatchCap(size int, documented []int) *BatchCap {
	return &BatchCap{probe: make(chan struct{}, 1), size: max(1, size), documented: documented}
}

// Size is the current batch size, and whether a batch of it has succeeded.
func (b *BatchCap) Size() (size int, confirmed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size, b.confirmed
}

// Probe serialises batches while the size is unconfirmed: it returns an
// unlock function, which is a no-op once the size is confirmed, or ctx's
// error when ctx ends first.
func (b *BatchCap) Probe(ctx context.Context) (unlock func(), err error) {
	if _, ok := b.Size(); ok {
		return func() {}, nil
	}
	select {
	case b.probe <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if _, ok := b.Size(); ok {
		// Confirmed while this caller waited: no need to go alone.
		<-b.probe
		return func() {}, nil
	}
	return func() { <-b.probe }, nil
}

// Refused records that a batch of n items was refused as too large and
// returns the new size (unchanged when another batch already lowered it).
func (b *BatchCap) Refused(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.size {
		return b.size
	}
	next := max(1, n/2)
	for _, c := range b.documented {
		if c < n {
			next = c
			break
		}
	}
	b.size, b.confirmed = next, false
	return next
}

// Accepted records that a batch of n items succeeded; last says it held
// everything that was left to send, so no larger batch was possible.
func (b *BatchCap) Accepted(n int, last bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n >= b.size || last {
		b.confirmed = true
	}
}
