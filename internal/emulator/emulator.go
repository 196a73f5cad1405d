// Package emulator is a local, in-memory emulator of the Tencent Cloud IM
// (Chat) server REST API subset that the provider uses: group membership,
// group lifecycle, group listing and account import, including UserSig
// authentication.
//
// It follows Tencent's documentation as collected in the project's API
// reference (tencent-im-api.md and the newer api-fidelity.md audit), not any
// particular client. Where the documentation leaves behaviour open, the
// choice made here is noted next to the code, and the alternatives that
// matter to a client are switchable through Settings (README: "Readings of
// open points").
package emulator

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Settings are the switchable limits and behaviours. Zero values mean the
// documented default (see withDefaults).
type Settings struct {
	ImportCap        int           // max MemberList per import_group_member (and add_group_member); default 20 (newest CN page; older pages say 100 and 300) -> 10005
	DeleteCap        int           // max MemberToDel_Account per delete_group_member; default 100 -> OversizedDeleteCode
	PageSize         int           // max members per get_group_member_info page when Limit is given; default 200 (Limit absent = the whole list)
	MissingAccount   string        // non-existent account on import_group_member/create_group: "member" (default, that member gets Result 0), "request" (10019 naming them) or "reject" (generic 10004)
	NextType         string        // "string" (default) or "integer": JSON type of the Community "Next" cursor, in responses and (strictly) in requests
	Latency          time.Duration // from a request's arrival to its answer, the emulator's own work included
	RateLimit        int           // requests/second per app over all commands; 0 = unlimited; excess answered with ErrorCode 10006 (HTTP 200)
	GroupMemberLimit int           // when > 0, the default MaxMemberNum of new groups (create_group and import_group) instead of the plan's, and a higher explicit maximum
	// CommandRateScale multiplies every documented per-command rate
	// (commandRates): 0 means 1 (the documented rates), 0.1 a tenth (for
	// tests); a negative value turns the per-command limits off. Excess is
	// answered with 10006 (group service) or 60007 (login service).
	CommandRateScale float64
	// Plan is the app's edition: PlanEnterprise (default), PlanUltimate,
	// PlanPro or PlanTrial. It sets the default MaxMemberNum, the trial
	// quotas, whether Community groups exist and whether account_delete is
	// allowed (see plans).
	Plan string
	// AcceptClientTypeNames accepts the client-SDK type names Work and
	// Meeting in create_group/import_group and as get_appid_group_list's
	// GroupType (as Private and ChatRoom). By default they are refused with
	// 10004: the REST API documents only Private, Public, ChatRoom,
	// AVChatRoom and Community.
	AcceptClientTypeNames bool
	// OversizedDeleteCode answers a delete_group_member over DeleteCap:
	// 10004 (default; the API's error list has no 10005, api-fidelity.md
	// §1 #16) or 10005 ("too many accounts", as import answers it).
	OversizedDeleteCode int
	// CommunityLimitMax, when > 0, refuses a get_group_member_info Limit
	// above it on Community groups with 10004, the reading where the
	// client SDKs' maximum of 100 is the server's too (api-fidelity.md §1
	// #7). By default Community pages take the same Limit as others.
	CommunityLimitMax int
	// AccountDeleteEnabled models the console switch that allows
	// account_delete on paid plans (trial always allows it). IDs deleted
	// on a paid plan cannot be imported again (70399).
	AccountDeleteEnabled bool
	// GroupListFinalEmptyPage keeps get_appid_group_list's Next non-zero on
	// every page that lists a group, as in the docs' sample answer (all of
	// TotalCount 2 listed, Next 4454685361), so that a listing ends with an
	// empty page whose Next is 0. By default Next is 0 on the page that
	// lists the last group ("返回的 Next 为0代表拉完了").
	GroupListFinalEmptyPage bool
	// GroupListNonAdmin10007 answers a get_appid_group_list from an
	// identifier that is not an app admin with that page's own 10007 ("此
	// API 只有 App 管理员才可以调用") instead of the common 60010 that every
	// other command answers.
	GroupListNonAdmin10007 bool
	// MemberDefinedKeys are the custom member fields configured for the app
	// (the console's 群成员维度自定义字段): at most 5 keys of 1 to 16 bytes
	// of letters, digits and underscores. The console configures them per
	// group type; here they hold for every type that keeps members (not
	// AVChatRoom). None by default ("默认情况是没有的，需要开通"), so
	// AppMemberDefinedData is refused until some are set.
	MemberDefinedKeys []string
	// MemberDataUnknownKey answers AppMemberDefinedData (modify_group_member_info,
	// the MemberList of create_group/import_group) naming keys that are not
	// configured: MemberDataUnknownKeyDrop (default) stores the configured
	// ones and ignores the rest, and refuses only a list with no configured
	// key, with 10004 "all defined key is invalid" (the text users report
	// from the real server, which says "all"); MemberDataUnknownKeyRefuse
	// answers 10004 for any unconfigured key and changes nothing.
	MemberDataUnknownKey string
	// MemberDataUnset is how an answer lists a requested custom member field
	// the member has no value for (never set, or set to ""):
	// MemberDataUnsetOmit (default) leaves it out, MemberDataUnsetEmpty lists
	// it with Value "". The docs show neither.
	MemberDataUnset string
	// MemberDataOnlyNamed answers custom member data only for the keys that
	// AppDefinedDataFilter_GroupMember names. By default a read with no
	// filter at all also carries every configured field: the docs' basic
	// form "用来获取群成员详细信息（群成员资料和群成员维度自定义字段）", and its
	// sample answer.
	MemberDataOnlyNamed bool
	// MemberDataFilterUnknownKey answers an AppDefinedDataFilter_GroupMember
	// that names a key which is not configured: MemberDataFilterIgnore
	// (default) lists nothing for it; MemberDataFilterRefuse answers 10007,
	// the error list's "是否有权限读取请求中的字段".
	MemberDataFilterUnknownKey string
}

// Values of Settings.MissingAccount, Settings.NextType and Settings.Plan.
const (
	MissingAccountMember  = "member"
	MissingAccountRequest = "request"
	MissingAccountReject  = "reject"

	NextTypeString  = "string"
	NextTypeInteger = "integer"

	PlanTrial      = "trial"
	PlanPro        = "pro"
	PlanUltimate   = "ultimate"
	PlanEnterprise = "enterprise"

	MemberDataUnknownKeyDrop   = "drop"
	MemberDataUnknownKeyRefuse = "refuse"

	MemberDataUnsetOmit  = "omit"
	MemberDataUnsetEmpty = "empty"

	MemberDataFilterIgnore = "ignore"
	MemberDataFilterRefuse = "refuse"
)

// choices lists the valid values of the enumerated settings; "" is also
// valid and means the default (the first value).
var choices = []struct {
	name   string
	get    func(*Settings) *string
	values []string
}{
	{"MissingAccount", func(s *Settings) *string { return &s.MissingAccount }, []string{MissingAccountMember, MissingAccountRequest, MissingAccountReject}},
	{"NextType", func(s *Settings) *string { return &s.NextType }, []string{NextTypeString, NextTypeInteger}},
	{"Plan", func(s *Settings) *string { return &s.Plan }, []string{PlanEnterprise, PlanUltimate, PlanPro, PlanTrial}},
	{"MemberDataUnknownKey", func(s *Settings) *string { return &s.MemberDataUnknownKey }, []string{MemberDataUnknownKeyDrop, MemberDataUnknownKeyRefuse}},
	{"MemberDataUnset", func(s *Settings) *string { return &s.MemberDataUnset }, []string{MemberDataUnsetOmit, MemberDataUnsetEmpty}},
	{"MemberDataFilterUnknownKey", func(s *Settings) *string { return &s.MemberDataFilterUnknownKey }, []string{MemberDataFilterIgnore, MemberDataFilterRefuse}},
}

// Validate reports settings that have no meaning (an unknown enumerated
// value, a NaN or infinite CommandRateScale). New and UpdateSettings do not
// call it: the Go API trusts its caller, the command and /emulator/settings
// check with it.
func (s Settings) Validate() error {
	for _, c := range choices {
		v := *c.get(&s)
		if v != "" && !slices.Contains(c.values, v) {
			return fmt.Errorf("%s %q is invalid: use %s", c.name, v, strings.Join(c.values, ", "))
		}
	}
	if math.IsNaN(s.CommandRateScale) || math.IsInf(s.CommandRateScale, 0) {
		return fmt.Errorf("CommandRateScale %v is invalid: use a finite number", s.CommandRateScale)
	}
	if len(s.MemberDefinedKeys) > maxMemberDataKeys {
		return fmt.Errorf("MemberDefinedKeys: %d keys, at most %d custom member fields can be configured", len(s.MemberDefinedKeys), maxMemberDataKeys)
	}
	for i, k := range s.MemberDefinedKeys {
		if !validMemberDataKey(k) {
			return fmt.Errorf("MemberDefinedKeys: %q is invalid: use 1 to %d bytes of letters, digits and underscores", k, maxMemberDataKeyBytes)
		}
		if slices.Contains(s.MemberDefinedKeys[:i], k) {
			return fmt.Errorf("MemberDefinedKeys: %q is repeated", k)
		}
	}
	return nil
}

func (s Settings) withDefaults() Settings {
	if s.ImportCap <= 0 {
		s.ImportCap = 20
	}
	if s.DeleteCap <= 0 {
		s.DeleteCap = 100
	}
	if s.PageSize <= 0 {
		s.PageSize = 200
	}
	for _, c := range choices {
		if v := c.get(&s); *v == "" {
			*v = c.values[0]
		}
	}
	s.RateLimit = max(s.RateLimit, 0)
	if s.CommandRateScale == 0 {
		s.CommandRateScale = 1
	}
	s.Latency = max(s.Latency, 0)
	if s.OversizedDeleteCode != 10005 {
		s.OversizedDeleteCode = 10004
	}
	s.CommunityLimitMax = max(s.CommunityLimitMax, 0)
	s.GroupMemberLimit = max(s.GroupMemberLimit, 0)
	// A copy, so that the caller's slice can change without changing these.
	s.MemberDefinedKeys = slices.Clip(slices.Clone(s.MemberDefinedKeys))
	if len(s.MemberDefinedKeys) == 0 {
		s.MemberDefinedKeys = nil
	}
	return s
}

// memberDataKey reports whether k is a configured custom member field.
func (s Settings) memberDataKey(k string) bool { return slices.Contains(s.MemberDefinedKeys, k) }

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

	limMu    sync.Mutex
	limiters map[rateKey]*rate.Limiter

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
	// deleted holds the IDs removed by account_delete on a paid plan, which
	// cannot be imported again ("3 months"; here: for good).
	deleted map[string]bool
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
		limiters:    map[rateKey]*rate.Limiter{},
		stats:       map[string]*CallStats{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.persistPath != "" {
		// Nothing else can see e yet, so the state needs no lock.
		if apps, err := e.load(); err != nil {
			e.persist.err = err
		} else if apps != nil {
			e.apps = apps
		}
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
	if old, cur := e.updateSettings(f); old.RateLimit != cur.RateLimit || old.CommandRateScale != cur.CommandRateScale {
		e.resetLimiters()
	}
}

func (e *Emulator) updateSettings(f func(*Settings)) (old, cur Settings) {
	e.setMu.Lock()
	defer e.setMu.Unlock()
	old = e.settings
	s := old
	f(&s)
	e.settings = s.withDefaults()
	return old, e.settings
}

// mutate runs f under the write lock and, when f reports a change, persists
// the state once the lock is released (a save takes the read lock). It and
// readLocked are the only places that take e.mu.
func (e *Emulator) mutate(f func() (changed bool, aerr *apiError)) *apiError {
	changed, aerr := func() (bool, *apiError) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return f()
	}()
	if changed {
		e.changed()
	}
	return aerr
}

// readLocked runs f under the read lock.
func (e *Emulator) readLocked(f func()) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	f()
}

// mutateOutOfBand is mutate for the Go seeding API: success means a change.
func (e *Emulator) mutateOutOfBand(f func() error) error {
	var err error
	_ = e.mutate(func() (bool, *apiError) { // f reports through err, never an *apiError
		err = f()
		return err == nil, nil
	})
	return err
}

// AddApp registers an app (or updates the key of an existing one and adds
// admins). Admin identifiers are console-configured administrators; they are
// not added as IM accounts, so Accounts lists only imported/seeded users.
func (e *Emulator) AddApp(sdkappid uint64, secretKey string, admins ...string) {
	_ = e.mutateOutOfBand(func() error {
		a := e.appOrNew(sdkappid)
		a.key = secretKey
		for _, ad := range admins {
			a.admins[ad] = true
		}
		return nil
	})
}

// appOrNew returns an app, creating it without a key; callers hold e.mu.
func (e *Emulator) appOrNew(sdkappid uint64) *app {
	a := e.apps[sdkappid]
	if a == nil {
		a = newApp(sdkappid)
		e.apps[sdkappid] = a
	}
	return a
}

func newApp(id uint64) *app {
	return &app{id: id, admins: map[string]bool{}, accounts: map[string]profile{}, groups: map[string]*group{}, deleted: map[string]bool{}}
}

// AddAccounts imports accounts into an existing app (unknown apps are created
// without a key, which makes every UserSig fail with 70009 until AddApp).
// Plan quotas and the re-import block on deleted IDs do not apply.
func (e *Emulator) AddAccounts(sdkappid uint64, userIDs ...string) {
	_ = e.mutateOutOfBand(func() error {
		a := e.appOrNew(sdkappid)
		for _, u := range userIDs {
			if _, ok := a.accounts[u]; !ok {
				a.accounts[u] = profile{}
			}
		}
		return nil
	})
}

// Accounts lists an app's accounts, sorted.
func (e *Emulator) Accounts(sdkappid uint64) (out []string) {
	e.readLocked(func() {
		if a := e.apps[sdkappid]; a != nil {
			out = make([]string, 0, len(a.accounts))
			for u := range a.accounts {
				out = append(out, u)
			}
		}
	})
	sort.Strings(out)
	return out
}

// Group is the seedable/observable part of a group. Type is reported with
// its documented REST name.
type Group struct {
	ID, Type, Name, Owner string
	CreateTime            int64
	MaxMemberNum          int
}

// Member is a group member as seen by tests. CustomData is the member's
// custom fields (AppMemberDefinedData) that have a value; nil when none.
type Member struct {
	Account, Role          string
	JoinTime, UnreadMsgNum int64
	NameCard               string
	CustomData             map[string]string
}

// Member roles.
const (
	RoleOwner  = "Owner"
	RoleAdmin  = "Admin"
	RoleMember = "Member"
)

// AddGroup creates a group out of band. Type may also be a client-SDK name
// (Work, Meeting); the documented name (Private, ChatRoom) is stored. ID ""
// generates "@TGS#..." ("@TGS#_..." for Community); CreateTime 0 means now;
// MaxMemberNum 0 means create_group's default for the type and plan; the
// owner, if any, becomes a member with Role Owner and JoinTime = CreateTime.
// Custom IDs are not validated beyond uniqueness, and plan rules do not
// apply, so tests can seed anything.
func (e *Emulator) AddGroup(sdkappid uint64, g Group) (string, error) {
	k, ok := kindOf(g.Type)
	if !ok {
		return "", fmt.Errorf("%w: group type %q", ErrInvalid, g.Type)
	}
	if g.CreateTime == 0 {
		g.CreateTime = e.now().Unix()
	}
	if g.MaxMemberNum <= 0 {
		g.MaxMemberNum = e.Settings().defaultMaxMembers(k, false)
	}
	err := e.mutateOutOfBand(func() error {
		a := e.apps[sdkappid]
		if a == nil {
			return ErrUnknownApp
		}
		if g.ID == "" {
			g.ID = a.newGroupID(k)
		} else if _, taken := a.groups[g.ID]; taken {
			return fmt.Errorf("%w: %s", ErrGroupExists, g.ID)
		}
		grp := newGroup(g, k)
		if g.Owner != "" {
			grp.addMember(&member{account: g.Owner, role: RoleOwner, joinTime: g.CreateTime})
		}
		a.groups[g.ID] = grp
		return nil
	})
	if err != nil {
		return "", err
	}
	return g.ID, nil
}

// GroupInfo returns a group's seedable fields.
func (e *Emulator) GroupInfo(sdkappid uint64, groupID string) (info Group, ok bool) {
	e.readLocked(func() {
		if g := e.group(sdkappid, groupID); g != nil {
			info, ok = g.public(), true
		}
	})
	return info, ok
}

// Groups lists an app's groups sorted by ID.
func (e *Emulator) Groups(sdkappid uint64) (out []Group) {
	e.readLocked(func() {
		if a := e.apps[sdkappid]; a != nil {
			out = make([]Group, 0, len(a.groups))
			for _, g := range a.groups {
				out = append(out, g.public())
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Members returns a snapshot of the members, owner included.
func (e *Emulator) Members(sdkappid uint64, groupID string) (out map[string]Member, ok bool) {
	e.readLocked(func() {
		g := e.group(sdkappid, groupID)
		if ok = g != nil; ok {
			out = make(map[string]Member, len(g.members))
			for acct, m := range g.members {
				out[acct] = Member{Account: acct, Role: m.role, JoinTime: m.joinTime, UnreadMsgNum: m.unread, NameCard: m.nameCard, CustomData: maps.Clone(m.data)}
			}
		}
	})
	return out, ok
}

// PutMember adds a member or changes an existing member out of band (drift).
// Role "" means Member; Role Owner makes the account the owner (the previous
// owner becomes Member). JoinTime 0 means now for a new member and "keep" for
// an existing one. NameCard and CustomData replace the member's (an empty
// value is no value), as Role and UnreadMsgNum do. The account does not have
// to exist, and neither MaxMemberNum, the UnreadMsgNum clamp nor the custom
// field rules are enforced, so tests can create states the API would refuse.
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
	now := e.now().Unix()
	return e.mutateOutOfBand(func() error {
		g := e.group(sdkappid, groupID)
		if g == nil {
			return ErrGroupNotFound
		}
		cur := g.members[m.Account]
		if cur == nil {
			jt := m.JoinTime
			if jt == 0 {
				jt = now
			}
			cur = &member{account: m.Account, role: RoleMember, joinTime: jt}
			g.addMember(cur)
		} else if m.JoinTime != 0 {
			cur.joinTime = m.JoinTime
		}
		cur.unread = m.UnreadMsgNum
		cur.nameCard = m.NameCard
		cur.data = nil
		for k, v := range m.CustomData {
			cur.setData(k, v)
		}
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
		return nil
	})
}

// RemoveMember removes a member out of band; removing the owner leaves the
// group ownerless.
func (e *Emulator) RemoveMember(sdkappid uint64, groupID, account string) error {
	return e.mutateOutOfBand(func() error {
		g := e.group(sdkappid, groupID)
		if g == nil {
			return ErrGroupNotFound
		}
		if g.members[account] == nil {
			return ErrNotMember
		}
		g.removeMember(account)
		return nil
	})
}

// DeleteGroup removes a group out of band.
func (e *Emulator) DeleteGroup(sdkappid uint64, groupID string) error {
	return e.mutateOutOfBand(func() error {
		a := e.apps[sdkappid]
		if a == nil || a.groups[groupID] == nil {
			return ErrGroupNotFound
		}
		delete(a.groups, groupID)
		return nil
	})
}

// group looks a group up; callers hold e.mu.
func (e *Emulator) group(sdkappid uint64, id string) *group {
	a := e.apps[sdkappid]
	if a == nil {
		return nil
	}
	return a.groups[id]
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
