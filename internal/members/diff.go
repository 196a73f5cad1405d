// Package members holds the pure logic of group membership: the difference
// between declared and live members and the queue that hands it out in batches.
// It does no I/O so that it can be table-tested, fuzzed and benchmarked.
package members

import (
	"maps"
	"slices"
	"strings"
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
	// NameCard is the member's name card: nil leaves it unmanaged, "" clears it.
	NameCard *string
	// CustomData are the custom member fields to manage: only the keys named
	// are, and "" clears one. Nil manages none.
	CustomData map[string]string
}

// Live is one member as the server reports it. NameCard and CustomData are
// what the read asked for (the read must ask for every field Declared
// manages); CustomData holds the fields with a value, nil when none.
type Live struct {
	Role       string
	JoinTime   int64
	NameCard   string
	CustomData map[string]string
}

// Equal reports whether l and o hold the same values.
func (l Live) Equal(o Live) bool {
	return l.Role == o.Role && l.JoinTime == o.JoinTime && l.NameCard == o.NameCard && maps.Equal(l.CustomData, o.CustomData)
}

// ManagesProfile reports whether d manages any part of the member's profile.
func (d Declared) ManagesProfile() bool { return d.NameCard != nil || len(d.CustomData) > 0 }

// Import is one member to send to import_group_member.
type Import struct {
	Account string
	Declared
}

// RoleChange is a member's new role, set with modify_group_member_info.
type RoleChange struct {
	Account string
	Role    string
}

// ProfileChange is the part of a member's profile to set with
// modify_group_member_info: only what differs from the server.
type ProfileChange struct {
	Account    string
	NameCard   *string           // nil: unchanged
	CustomData map[string]string // the fields to set ("" clears one); nil: none
}

// Changes is the minimum set of calls that turns live into declared.
// Rejoins (a changed join_time, which only import can set) appear in both
// Remove and Import, removal first. An account is at most once in
// RoleChanges and once in Profiles, and the engine makes one
// modify_group_member_info of the two; a member in Import has its profile
// in Profiles too (import cannot set it), to be set once it is imported.
type Changes struct {
	Import      []Import
	Remove      []string
	RoleChanges []RoleChange
	Profiles    []ProfileChange
	Rejoin      []string
}

// Empty reports whether nothing needs to be done.
func (c Changes) Empty() bool {
	return len(c.Import) == 0 && len(c.Remove) == 0 && len(c.RoleChanges) == 0 && len(c.Profiles) == 0
}

// ProfileChangeOf is what of d's profile differs from l's, if anything. A
// member about to be imported is compared with an empty profile, which is
// what a new member has; the engine also uses it for a member whose import
// found it already in the group, once its profile has been read again.
func ProfileChangeOf(account string, d Declared, l Live) (ProfileChange, bool) {
	pc := ProfileChange{Account: account}
	if d.NameCard != nil && *d.NameCard != l.NameCard {
		pc.NameCard = d.NameCard
	}
	for k, v := range d.CustomData {
		if l.CustomData[k] != v {
			if pc.CustomData == nil {
				pc.CustomData = make(map[string]string, len(d.CustomData))
			}
			pc.CustomData[k] = v
		}
	}
	return pc, pc.NameCard != nil || pc.CustomData != nil
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
			l = Live{}
		case l.Role == RoleOwner:
			// Validation refuses declaring the owner before any call; never act on it.
			continue
		case d.JoinTime != 0 && d.JoinTime != l.JoinTime:
			c.Rejoin = append(c.Rejoin, account)
			imports = append(imports, account)
			l = Live{} // imported again, with an empty profile
		case d.Role != l.Role:
			roles = append(roles, account)
		}
		if d.ManagesProfile() {
			if pc, changed := ProfileChangeOf(account, d, l); changed {
				c.Profiles = append(c.Profiles, pc)
			}
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
	slices.SortFunc(c.Profiles, func(a, b ProfileChange) int { return strings.Compare(a.Account, b.Account) })
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
