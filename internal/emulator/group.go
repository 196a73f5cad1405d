package emulator

import (
	"sort"
	"sync"
)

type kind int

const (
	kindWork kind = iota
	kindPublic
	kindMeeting
	kindCommunity
	kindAVChatRoom
)

// kindOf maps documented type names (including the legacy aliases Private and
// ChatRoom) to a behaviour class. Names are case-sensitive, like all Tencent
// parameters; the name as created is what get_group_info echoes.
func kindOf(t string) (kind, bool) {
	switch t {
	case "Work", "Private":
		return kindWork, true
	case "Public":
		return kindPublic, true
	case "Meeting", "ChatRoom":
		return kindMeeting, true
	case "Community":
		return kindCommunity, true
	case "AVChatRoom":
		return kindAVChatRoom, true
	}
	return 0, false
}

type group struct {
	id, typ, name, owner string
	kind                 kind
	createTime           int64
	maxMembers           int // 0 = unlimited
	introduction         string
	notification         string
	faceURL              string
	applyJoin            string
	shutUpAll            bool // ShutUpAllMember "On"
	infoSeq              int64

	members map[string]*member
	// bySeq holds members in join order; removed entries stay (flagged) until
	// the next view rebuild compacts them, so removals are O(1).
	bySeq   []*member
	nextSeq int64

	// view is the cached read order: owner first, then everyone else in join
	// order (ascending seq). Appends keep it valid; removals and owner changes
	// drop it and the next read rebuilds it once, so paging a 100k-member
	// group costs O(page) per call instead of a sort per call. Mutations hold
	// the emulator write lock; readers (read lock) serialise rebuilds on
	// cacheMu.
	cacheMu sync.Mutex
	view    []*member
}

type member struct {
	account     string
	role        string
	joinTime    int64
	unread      int64
	msgFlag     string
	nameCard    string
	shutUpUntil int64
	seq         int64 // join order, >= 1; doubles as the Community Next cursor
	removed     bool
}

func newGroup(g Group, k kind) *group {
	return &group{
		id:         g.ID,
		typ:        g.Type,
		name:       g.Name,
		kind:       k,
		createTime: g.CreateTime,
		maxMembers: g.MaxMemberNum,
		applyJoin:  defaultApplyJoin(k),
		infoSeq:    1,
		members:    map[string]*member{},
		view:       []*member{},
	}
}

func defaultApplyJoin(k kind) string {
	if k == kindAVChatRoom {
		return "FreeAccess"
	}
	return "NeedPermission"
}

func (g *group) public() Group {
	return Group{ID: g.id, Type: g.typ, Name: g.name, Owner: g.owner, CreateTime: g.createTime, MaxMemberNum: g.maxMembers}
}

// addMember appends m in join order. A member whose role is Owner becomes the
// group owner.
func (g *group) addMember(m *member) {
	g.nextSeq++
	m.seq = g.nextSeq
	if m.msgFlag == "" {
		m.msgFlag = "AcceptAndNotify"
	}
	g.members[m.account] = m
	g.bySeq = append(g.bySeq, m)
	if m.role == RoleOwner {
		if g.owner != "" && g.owner != m.account {
			if old := g.members[g.owner]; old != nil {
				old.role = RoleMember
			}
		}
		g.owner = m.account
		g.view = nil
		return
	}
	if g.view != nil {
		g.view = append(g.view, m)
	}
}

func (g *group) removeMember(account string) {
	m := g.members[account]
	if m == nil {
		return
	}
	delete(g.members, account)
	m.removed = true
	if g.owner == account {
		g.owner = ""
	}
	g.view = nil
}

// setOwner makes a current member the owner; the old owner becomes Member
// (the docs do not say which role the old owner gets).
func (g *group) setOwner(account string) {
	if g.owner == account {
		return
	}
	if old := g.members[g.owner]; old != nil {
		old.role = RoleMember
	}
	g.members[account].role = RoleOwner
	g.owner = account
	g.view = nil
}

// ordered returns the read order (see view). Callers hold at least the read
// lock and must not modify the slice.
func (g *group) ordered() []*member {
	g.cacheMu.Lock()
	defer g.cacheMu.Unlock()
	if g.view != nil {
		return g.view
	}
	live := g.bySeq[:0]
	for _, m := range g.bySeq {
		if !m.removed {
			live = append(live, m)
		}
	}
	clear(g.bySeq[len(live):])
	g.bySeq = live
	v := make([]*member, 0, len(live))
	if o := g.members[g.owner]; o != nil {
		v = append(v, o)
	}
	for _, m := range live {
		if m.account != g.owner {
			v = append(v, m)
		}
	}
	g.view = v
	return v
}

// others returns the non-owner part of the read order (ascending seq).
func (g *group) others() []*member {
	v := g.ordered()
	if g.owner != "" && len(v) > 0 && v[0].account == g.owner {
		return v[1:]
	}
	return v
}

// seekSeq is the index of the first member in others with seq >= s.
func seekSeq(others []*member, s int64) int {
	return sort.Search(len(others), func(i int) bool { return others[i].seq >= s })
}

func (g *group) full(adding int) bool {
	return g.maxMembers > 0 && len(g.members)+adding > g.maxMembers
}
