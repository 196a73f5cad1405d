// Package emulator is a local, in-memory emulator of the Tencent Cloud IM
// (Chat) server REST API subset that the provider uses: group membership,
// group lifecycle and account import, including UserSig authentication.
//
// It follows /work/shared/reference/tencent-im-api.md (the documented wire
// format), not any particular client. Where the documentation leaves behaviour
// open, the choice made here is noted next to the code, and the alternatives
// that matter to a client are switchable through Settings.
package emulator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Settings are the switchable limits and behaviours. Zero values mean the
// documented default (see withDefaults).
type Settings struct {
	ImportCap        int           // max MemberList per import_group_member (and add_group_member); default 300 (docs also say 100, 20) -> 10005
	DeleteCap        int           // max MemberToDel_Account per delete_group_member; default 100 -> 10005
	PageSize         int           // max members returned per get_group_member_info page regardless of Limit; default 200
	MissingAccount   string        // "request" (default): a non-existent account fails the whole import with 10019; "member": that member gets Result 0
	NextType         string        // "string" (default) or "integer": JSON type of Community "Next" in responses
	Latency          time.Duration // from a request's arrival to its answer, the emulator's own work included
	RateLimit        int           // requests/second per app (all commands); 0 = unlimited; excess answered with ErrorCode 10006 (HTTP 200)
	GroupMemberLimit int           // default MaxMemberNum for new groups when not given; 0 = 6000 for Work/Public/Meeting, 100000 for Community
}

// Values of Settings.MissingAccount and Settings.NextType.
const (
	MissingAccountRequest = "request"
	MissingAccountMember  = "member"
	NextTypeString        = "string"
	NextTypeInteger       = "integer"
)

func (s Settings) withDefaults() Settings {
	if s.ImportCap <= 0 {
		s.ImportCap = 300
	}
	if s.DeleteCap <= 0 {
		s.DeleteCap = 100
	}
	if s.PageSize <= 0 {
		s.PageSize = 200
	}
	if s.MissingAccount == "" {
		s.MissingAccount = MissingAccountRequest
	}
	if s.NextType == "" {
		s.NextType = NextTypeString
	}
	if s.RateLimit < 0 {
		s.RateLimit = 0
	}
	if s.Latency < 0 {
		s.Latency = 0
	}
	if s.GroupMemberLimit < 0 {
		s.GroupMemberLimit = 0
	}
	return s
}

// Options configure New.
type Options struct {
	Settings    Settings
	Now         func() time.Time // default time.Now; drives CreateTime/JoinTime and UserSig expiry
	PersistPath string           // optional: load state from this JSON file at start (if it exists) and save after every mutating call (atomic write: tmp + rename)
	// OnRequest, if set, is called after every API request (not control
	// requests) with its log record; the command uses it for its access log.
	OnRequest func(LoggedRequest)
}

// Errors returned by the Go seeding / out-of-band API.
var (
	ErrUnknownApp    = errors.New("emulator: no such sdkappid")
	ErrGroupNotFound = errors.New("emulator: no such group")
	ErrGroupExists   = errors.New("emulator: group ID already in use")
	ErrNotMember     = errors.New("emulator: account is not a member of the group")
	ErrInvalid       = errors.New("emulator: invalid argument")
)

// Emulator is an http.Handler serving the IM REST API under /v4/ and test
// controls under /emulator/. All methods are safe for concurrent use.
type Emulator struct {
	now         func() time.Time
	persistPath string
	onRequest   func(LoggedRequest)

	setMu    sync.RWMutex
	settings Settings

	// mu guards apps and everything below them. API reads take the read lock
	// so paging a large group does not serialise readers.
	mu   sync.RWMutex
	apps map[uint64]*app

	limMu   sync.Mutex
	buckets map[uint64]*bucket

	faultMu sync.Mutex
	faults  []*faultState

	statMu sync.Mutex
	stats  map[string]*CallStats
	log    []LoggedRequest

	persist persister
}

type app struct {
	id       uint64
	key      string
	admins   map[string]bool
	accounts map[string]profile
	groups   map[string]*group
}

type profile struct {
	Nick    string `json:"nick,omitempty"`
	FaceURL string `json:"face_url,omitempty"`
}

// New builds an emulator. With PersistPath set, existing state is loaded from
// that file; a load failure is reported by PersistError (state starts empty).
func New(opts Options) *Emulator {
	e := &Emulator{
		now:         opts.Now,
		persistPath: opts.PersistPath,
		onRequest:   opts.OnRequest,
		settings:    opts.Settings.withDefaults(),
		apps:        map[uint64]*app{},
		buckets:     map[uint64]*bucket{},
		stats:       map[string]*CallStats{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.persistPath != "" {
		e.persist.err = e.load()
	}
	return e
}

// Settings returns the effective settings (defaults filled in).
func (e *Emulator) Settings() Settings {
	e.setMu.RLock()
	defer e.setMu.RUnlock()
	return e.settings
}

// UpdateSettings changes settings atomically; zero values revert to defaults.
func (e *Emulator) UpdateSettings(f func(*Settings)) {
	e.setMu.Lock()
	s := e.settings
	f(&s)
	old := e.settings.RateLimit
	e.settings = s.withDefaults()
	changed := e.settings.RateLimit != old
	e.setMu.Unlock()
	if changed {
		// A new rate starts with full buckets rather than inheriting debt.
		e.limMu.Lock()
		e.buckets = map[uint64]*bucket{}
		e.limMu.Unlock()
	}
}

// AddApp registers an app (or updates the key of an existing one and adds
// admins). Admin identifiers are console-configured administrators; they are
// not added as IM accounts, so Accounts lists only imported/seeded users.
func (e *Emulator) AddApp(sdkappid uint64, secretKey string, admins ...string) {
	e.mu.Lock()
	a := e.apps[sdkappid]
	if a == nil {
		a = newApp(sdkappid)
		e.apps[sdkappid] = a
	}
	a.key = secretKey
	for _, ad := range admins {
		a.admins[ad] = true
	}
	e.mu.Unlock()
	e.changed()
}

func newApp(id uint64) *app {
	return &app{id: id, admins: map[string]bool{}, accounts: map[string]profile{}, groups: map[string]*group{}}
}

// AddAccounts imports accounts into an existing app (unknown apps are created
// without a key, which makes every UserSig fail with 70009 until AddApp).
func (e *Emulator) AddAccounts(sdkappid uint64, userIDs ...string) {
	e.mu.Lock()
	a := e.apps[sdkappid]
	if a == nil {
		a = newApp(sdkappid)
		e.apps[sdkappid] = a
	}
	for _, u := range userIDs {
		if _, ok := a.accounts[u]; !ok {
			a.accounts[u] = profile{}
		}
	}
	e.mu.Unlock()
	e.changed()
}

// Accounts lists an app's accounts, sorted.
func (e *Emulator) Accounts(sdkappid uint64) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.apps[sdkappid]
	if a == nil {
		return nil
	}
	out := make([]string, 0, len(a.accounts))
	for u := range a.accounts {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Group is the seedable/observable part of a group.
type Group struct {
	ID, Type, Name, Owner string
	CreateTime            int64
	MaxMemberNum          int
}

// Member is a group member as seen by tests.
type Member struct {
	Account, Role          string
	JoinTime, UnreadMsgNum int64
}

// Member roles.
const (
	RoleOwner  = "Owner"
	RoleAdmin  = "Admin"
	RoleMember = "Member"
)

// AddGroup creates a group out of band. ID "" generates "@TGS#..."
// ("@TGS#_..." for Community); CreateTime 0 means now; MaxMemberNum 0 means
// the default for the type; the owner, if any, becomes a member with Role
// Owner and JoinTime = CreateTime. Custom IDs are not validated beyond
// uniqueness so tests can seed anything.
func (e *Emulator) AddGroup(sdkappid uint64, g Group) (string, error) {
	k, ok := kindOf(g.Type)
	if !ok {
		return "", fmt.Errorf("%w: group type %q", ErrInvalid, g.Type)
	}
	e.mu.Lock()
	a := e.apps[sdkappid]
	if a == nil {
		e.mu.Unlock()
		return "", ErrUnknownApp
	}
	if g.ID == "" {
		g.ID = a.newGroupID(k)
	} else if _, taken := a.groups[g.ID]; taken {
		e.mu.Unlock()
		return "", fmt.Errorf("%w: %s", ErrGroupExists, g.ID)
	}
	if g.CreateTime == 0 {
		g.CreateTime = e.now().Unix()
	}
	if g.MaxMemberNum <= 0 {
		g.MaxMemberNum = e.defaultMaxMembers(k)
	}
	grp := newGroup(g, k)
	if g.Owner != "" {
		grp.addMember(&member{account: g.Owner, role: RoleOwner, joinTime: g.CreateTime})
	}
	a.groups[g.ID] = grp
	e.mu.Unlock()
	e.changed()
	return g.ID, nil
}

// GroupInfo returns a group's seedable fields.
func (e *Emulator) GroupInfo(sdkappid uint64, groupID string) (Group, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.group(sdkappid, groupID)
	if g == nil {
		return Group{}, false
	}
	return g.public(), true
}

// Groups lists an app's groups sorted by ID.
func (e *Emulator) Groups(sdkappid uint64) []Group {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.apps[sdkappid]
	if a == nil {
		return nil
	}
	out := make([]Group, 0, len(a.groups))
	for _, g := range a.groups {
		out = append(out, g.public())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Members returns a snapshot of the members, owner included.
func (e *Emulator) Members(sdkappid uint64, groupID string) (map[string]Member, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.group(sdkappid, groupID)
	if g == nil {
		return nil, false
	}
	out := make(map[string]Member, len(g.members))
	for acct, m := range g.members {
		out[acct] = Member{Account: acct, Role: m.role, JoinTime: m.joinTime, UnreadMsgNum: m.unread}
	}
	return out, true
}

// PutMember adds a member or changes an existing member out of band (drift).
// Role "" means Member; Role Owner makes the account the owner (the previous
// owner becomes Member). JoinTime 0 means now for a new member and "keep" for
// an existing one. The account does not have to exist and MaxMemberNum is
// not enforced, so tests can create states the API would refuse.
func (e *Emulator) PutMember(sdkappid uint64, groupID string, m Member) error {
	if m.Account == "" {
		return fmt.Errorf("%w: empty account", ErrInvalid)
	}
	switch m.Role {
	case "":
		m.Role = RoleMember
	case RoleOwner, RoleAdmin, RoleMember:
	default:
		return fmt.Errorf("%w: role %q", ErrInvalid, m.Role)
	}
	e.mu.Lock()
	g := e.group(sdkappid, groupID)
	if g == nil {
		e.mu.Unlock()
		return ErrGroupNotFound
	}
	cur := g.members[m.Account]
	if cur == nil {
		jt := m.JoinTime
		if jt == 0 {
			jt = e.now().Unix()
		}
		cur = &member{account: m.Account, role: RoleMember, joinTime: jt}
		g.addMember(cur)
	} else if m.JoinTime != 0 {
		cur.joinTime = m.JoinTime
	}
	cur.unread = m.UnreadMsgNum
	switch {
	case m.Role == RoleOwner:
		g.setOwner(m.Account)
	case g.owner == m.Account:
		// Demoting the owner out of band leaves the group ownerless.
		g.owner = ""
		cur.role = m.Role
		g.view = nil
	default:
		cur.role = m.Role
	}
	e.mu.Unlock()
	e.changed()
	return nil
}

// RemoveMember removes a member out of band; removing the owner leaves the
// group ownerless.
func (e *Emulator) RemoveMember(sdkappid uint64, groupID, account string) error {
	e.mu.Lock()
	g := e.group(sdkappid, groupID)
	if g == nil {
		e.mu.Unlock()
		return ErrGroupNotFound
	}
	if g.members[account] == nil {
		e.mu.Unlock()
		return ErrNotMember
	}
	g.removeMember(account)
	e.mu.Unlock()
	e.changed()
	return nil
}

// DeleteGroup removes a group out of band.
func (e *Emulator) DeleteGroup(sdkappid uint64, groupID string) error {
	e.mu.Lock()
	a := e.apps[sdkappid]
	if a == nil || a.groups[groupID] == nil {
		e.mu.Unlock()
		return ErrGroupNotFound
	}
	delete(a.groups, groupID)
	e.mu.Unlock()
	e.changed()
	return nil
}

// group looks a group up; callers hold e.mu.
func (e *Emulator) group(sdkappid uint64, id string) *group {
	a := e.apps[sdkappid]
	if a == nil {
		return nil
	}
	return a.groups[id]
}

func (e *Emulator) defaultMaxMembers(k kind) int {
	if k == kindAVChatRoom {
		return 0 // no member list limit for AVChatRoom
	}
	if l := e.Settings().GroupMemberLimit; l > 0 {
		return l
	}
	if k == kindCommunity {
		return 100000
	}
	return 6000
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newGroupID imitates server-generated IDs such as "@TGS#2J4SZEAEL";
// Community IDs carry the "@TGS#_" prefix the docs require for them.
func (a *app) newGroupID(k kind) string {
	for {
		var b strings.Builder
		if k == kindCommunity {
			b.WriteString("@TGS#_@TGS#c")
		} else {
			b.WriteString("@TGS#")
			b.WriteByte("12345"[k])
		}
		for range 9 {
			b.WriteByte(idAlphabet[rand.IntN(len(idAlphabet))])
		}
		if id := b.String(); a.groups[id] == nil {
			return id
		}
	}
}

// Start serves the emulator on a random loopback port, like httptest.Server.
// stop shuts the server down and flushes persistence.
func (e *Emulator) Start() (baseURL string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("emulator: listen: %v", err))
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	var once sync.Once
	return "http://" + ln.Addr().String(), func() {
		once.Do(func() {
			// Close, not Shutdown: tests stop with calls possibly parked in a
			// Delay fault and should not wait for them.
			_ = srv.Close()
			<-done
			_ = e.Close()
		})
	}
}
