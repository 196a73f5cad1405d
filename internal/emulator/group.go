package emulator

import (
	"sort"
	"sync"
	"sync/atomic"
)

// kind is a group type. The order fixes the digit of generated IDs.
type kind int

const (
	kindPrivate kind = iota // client SDKs: Work
	kindPublic
	kindChatRoom // client SDKs: Meeting
	kindCommunity
	kindAVChatRoom
)

// typeNames are the names the REST API documents for Type (create_group
// "Private/Public/ChatRoom/AVChatRoom/Community"; api-fidelity.md #2); they
// are what the emulator stores and reports. Names are case-sensitive, like
// all Tencent parameters.
var typeNames = [...]string{kindPrivate: "Private", kindPublic: "Public", kindChatRoom: "ChatRoom", kindCommunity: "Community", kindAVChatRoom: "AVChatRoom"}

// clientTypeNames are the client-SDK names of the same types.
var clientTypeNames = map[string]kind{"Work": kindPrivate, "Meeting": kindChatRoom}

func (k kind) String() string { return typeNames[k] }

// kindOf maps a documented or client-SDK type name to its kind.
func kindOf(t string) (kind, bool) {
	if k, ok := clientTypeNames[t]; ok {
		return k, true
	}
	for k, name := range typeNames {
		if name == t {
			return kind(k), true
		}
	}
	return 0, false
}

// restKind maps the Type of a create_group/import_group request: client-SDK
// names only when Settings.AcceptClientTypeNames allows them.
func restKind(t string, acceptClientNames bool) (kind, *apiError) {
	if k, ok := clientTypeNames[t]; ok && !acceptClientNames {
		return 0, errf(10004, "group type %s is not a REST API type: use %s", t, k)
	}
	k, ok := kindOf(t)
	if !ok {
		return 0, errf(10004, "group type %q is invalid: use Private, Public, ChatRoom, AVChatRoom or Community", t)
	}
	return k, nil
}

// nextMsgSeq is every group's NextMsgSeq: the emulator stores no messages,
// so a group's message count (NextMsgSeq-1) is 0.
const nextMsgSeq = 1

func msgCount() int64 { return nextMsgSeq - 1 }

type group struct {
	id, name, owner string
	kind            kind
	createTime      int64
	maxMembers      int // 0 = unlimited
	introduction    string
	notification    string
	faceURL         string
	applyJoin       string
	muteAll         bool // MuteAllMember "On"
	infoSeq         int64
	// created is the group's place in creation order: get_appid_group_list
	// lists by it, and its Next cursor is one.
	created int64

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
	account  string
	role     string
	joinTime int64
	unread   int64
	msgFlag  string
	nameCard string
	// data holds the custom member fields that have a value
	// (AppMemberDefinedData); nil when none. Setting "" removes a key, so an
	// unset field and one set to "" are the same.
	data      map[string]string
	muteUntil int64
	seq       int64 // join order, >= 1; doubles as the Community Next cursor
	removed   bool
}

// groupsCreated numbers groups in creation order. It is process-wide, not
// per app: an order only has to grow, and the cursor is opaque (the docs'
// sample Next is 4454685361 for an app of two groups).
var groupsCreated atomic.Int64

func newGroup(g Group, k kind) *group {
	return &group{
		created:    groupsCreated.Add(1),
		id:         g.ID,
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
	return Group{ID: g.id, Type: g.kind.String(), Name: g.name, Owner: g.owner, CreateTime: g.createTime, MaxMemberNum: g.maxMembers}
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

// texts are the group's groupTexts fields, in that order.
func (g *group) texts() [len(groupTexts)]*string {
	return [...]*string{&g.introduction, &g.notification, &g.faceURL}
}

// setData sets custom member field k; "" removes it.
func (m *member) setData(k, v string) {
	if v == "" {
		delete(m.data, k)
		if len(m.data) == 0 {
			m.data = nil
		}
		return
	}
	if m.data == nil {
		m.data = map[string]string{}
	}
	m.data[k] = v
}
