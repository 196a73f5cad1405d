// Package members holds the pure logic of group membership: the difference
// between declared and live members and the queue that hands it out in batches.
// It does no I/O so that it can be table-tested, fuzzed and benchmarked.
package members

import (
	"slices"
	"sync"
)

// Roles as the API names them.
const (
	RoleOwner  = "Owner"
	RoleAdmin  = "Admin"
	RoleMember = "Member"
)

// Declared is one member as the configuration wants it.
type Declared struct {
	Role         string // RoleAdmin or RoleMember
	JoinTime     int64  // 0 when not declared
	UnreadMsgNum int64  // 0 when not declared; only sent on import
}

// Live is one member as the server reports it.
type Live struct {
	Role     string
	JoinTime int64
}

// Import is one member to send to import_group_member.
type Import struct {
	Account string
	Declared
}

// RoleChange is one modify_group_member_info call.
type RoleChange struct {
	Account string
	Role    string
}

// Changes is the minimum set of calls that turns live into declared.
// Rejoins (a changed join_time, which only import can set) appear in both
// Remove and Import, removal first.
type Changes struct {
	Import      []Import
	Remove      []string
	RoleChanges []RoleChange
	Rejoin      []string
}

// Empty reports whether nothing needs to be done.
func (c Changes) Empty() bool {
	return len(c.Import) == 0 && len(c.Remove) == 0 && len(c.RoleChanges) == 0
}

// Diff computes the changes. previouslyManaged says which accounts this
// resource managed before (its prior state); in non-exclusive mode only those
// may be removed, so members added by other means are never touched. In
// exclusive mode every live member that is not declared is removed. The owner
// is never imported, removed or modified.
func Diff(declared map[string]Declared, live map[string]Live, previouslyManaged func(string) bool, exclusive bool) Changes {
	var c Changes
	// Accounts are collected, sorted as plain strings (much faster than
	// sorting the structs), then turned into the calls.
	var imports, roles []string
	if len(declared) > len(live) {
		imports = make([]string, 0, len(declared)-len(live))
	}
	for account, d := range declared {
		l, ok := live[account]
		switch {
		case !ok:
			imports = append(imports, account)
		case l.Role == RoleOwner:
			// Validation refuses declaring the owner before any call; never act on it.
		case d.JoinTime != 0 && d.JoinTime != l.JoinTime:
			c.Rejoin = append(c.Rejoin, account)
			imports = append(imports, account)
		case d.Role != l.Role:
			roles = append(roles, account)
		}
	}
	for account, l := range live {
		if l.Role == RoleOwner {
			continue
		}
		if _, ok := declared[account]; ok {
			continue
		}
		if exclusive || (previouslyManaged != nil && previouslyManaged(account)) {
			c.Remove = append(c.Remove, account)
		}
	}
	slices.Sort(imports)
	slices.Sort(roles)
	slices.Sort(c.Rejoin)
	// A rejoin is removed before it is imported again.
	c.Remove = append(c.Remove, c.Rejoin...)
	slices.Sort(c.Remove)
	if len(imports) > 0 {
		c.Import = make([]Import, len(imports))
		for i, account := range imports {
			c.Import[i] = Import{Account: account, Declared: declared[account]}
		}
	}
	if len(roles) > 0 {
		c.RoleChanges = make([]RoleChange, len(roles))
		for i, account := range roles {
			c.RoleChanges[i] = RoleChange{Account: account, Role: declared[account].Role}
		}
	}
	return c
}

// Queue hands out consecutive chunks of items to parallel senders. A chunk
// given back (refused as too large) is handed out again first, cut to the
// size then asked for, so every chunk but the last of each run is full.
type Queue[T any] struct {
	mu       sync.Mutex
	items    []T
	returned [][]T
}

// NewQueue queues items (not copied).
func NewQueue[T any](items []T) *Queue[T] { return &Queue[T]{items: items} }

// Take returns the next chunk of at most size items, or nil when none are left.
func (q *Queue[T]) Take(size int) []T {
	size = max(size, 1)
	q.mu.Lock()
	defer q.mu.Unlock()
	src := &q.items
	if n := len(q.returned); n > 0 {
		src = &q.returned[n-1]
	}
	chunk := (*src)[:min(size, len(*src))]
	*src = (*src)[len(chunk):]
	if n := len(q.returned); n > 0 && len(q.returned[n-1]) == 0 {
		q.returned = q.returned[:n-1]
	}
	if len(chunk) == 0 {
		return nil
	}
	return chunk
}

// Empty reports whether nothing is left to take.
func (q *Queue[T]) Empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) == 0 && len(q.returned) == 0
}

// GiveBack returns a chunk that was not sent, to be taken again first.
func (q *Queue[T]) GiveBack(chunk []T) {
	if len(chunk) == 0 {
		return
	}
	q.mu.Lock()
	q.returned = append(q.returned, chunk)
	q.mu.Unlock()
}
