// Package membership is the engine that applies a declared membership to a
// group: it reads the live group, refuses before any write what the API
// would refuse, makes the calls of a members.Diff (batched at the learned
// caps, in parallel) and reads the group again after a failure. It knows
// nothing of Terraform: it returns structured failures, and the provider
// turns them into diagnostics.
package membership

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// Failure is one thing that went wrong, for the caller to render.
//
//   - A failed call has Command, the accounts of its request and Err;
//     Detail, when set, is a note to add to the error.
//   - Work not started because the context ended has only Err.
//   - A refusal that no API error stands for (a precheck, members refused
//     one by one) has Summary and Detail, and Accounts when it names some;
//     Field is the member field at fault, if one is.
type Failure struct {
	Command         string
	Accounts        []string
	Err             error
	Summary, Detail string
	Field           string
}

// Member fields a Failure can point at.
const (
	FieldRole       = "role"
	FieldJoinTime   = "join_time"
	FieldNameCard   = "name_card"
	FieldCustomData = "custom_data"
)

func (f Failure) Error() string {
	switch {
	case f.Err == nil:
		return f.Summary + ": " + f.Detail
	case f.Command == "":
		return "interrupted: " + f.Err.Error()
	}
	return f.Command + ": " + f.Err.Error()
}

// Interrupted reports whether f is work not started because the context ended.
func (f Failure) Interrupted() bool { return f.Err != nil && f.Command == "" }

// PlanAccountCheckMax is the most accounts to import that a plan checks
// with account_check (⌈N/100⌉ calls); the apply finds missing accounts
// beyond it.
const PlanAccountCheckMax = 2000

// Engine applies changes to groups. Its batch caps are shared by every
// resource of the provider process, so what one apply learns, all use.
type Engine struct {
	Client               *timapi.Client
	ImportCap, DeleteCap *timapi.BatchCap
	Parallel             int // calls in flight at most
	// MissingGroupIsDone makes removals from a group that no longer exists
	// succeed: when destroying, a deleted group has no members left to remove.
	MissingGroupIsDone bool
}

// Group is a group and its members as read at the start of an apply.
type Group struct {
	Info    *timapi.GroupInfo
	Members map[string]members.Live // owner included, with role Owner
	// Read is what of the members' profiles was read; Apply reads the same
	// when it must read the group again.
	Read ReadOptions
}

// ReadOptions says which parts of the members' profiles a read asks for.
// The zero value reads none, and costs and returns what a read always did.
type ReadOptions struct {
	NameCard       bool     // each member's name card
	CustomDataKeys []string // these custom member fields
	// AllCustomData reads the name card and every custom member field the
	// app configured, for a reader that does not know the keys (an import);
	// see timapi.ListOptions.AllCustomData. NameCard and CustomDataKeys are
	// then implied.
	AllCustomData bool
}

// ReadOptionsFor is what a read must ask for so that members.Diff can judge
// the profiles declared: the name card if any member manages it, and every
// custom member field any member manages. Keys that cannot name a field are
// left out (no server holds them; Precheck refuses them).
func ReadOptionsFor(declared map[string]members.Declared) ReadOptions {
	var o ReadOptions
	var keys map[string]bool
	for _, d := range declared {
		o.NameCard = o.NameCard || d.NameCard != nil
		for k := range d.CustomData {
			if timapi.ValidCustomDataKey(k) {
				if keys == nil {
					keys = map[string]bool{}
				}
				keys[k] = true
			}
		}
	}
	o.CustomDataKeys = slices.Sorted(maps.Keys(keys))
	return o
}

// key identifies the options among reads of one group ("" for the zero value).
func (o ReadOptions) key() string {
	if !o.NameCard && len(o.CustomDataKeys) == 0 && !o.AllCustomData {
		return ""
	}
	return fmt.Sprintf("\x00%v\x00%v\x00%s", o.AllCustomData, o.NameCard, strings.Join(o.CustomDataKeys, "\x00"))
}

// ReadGroup reads the group's info and all of its members: one
// get_group_info plus the member pages (by offset, or along the Community
// cursor). AVChatRoom groups keep no member list, so Members is nil. It
// reads no profile: see ReadGroupWith.
func ReadGroup(ctx context.Context, c *timapi.Client, groupID string) (*Group, error) {
	return ReadGroupWith(ctx, c, groupID, ReadOptions{})
}

// ReadGroupWith is ReadGroup that also reads what opt asks of each member's
// profile, in the same pages.
func ReadGroupWith(ctx context.Context, c *timapi.Client, groupID string, opt ReadOptions) (*Group, error) {
	info, err := c.GetGroup(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if info.GroupID == "" {
		info.GroupID = groupID
	}
	if !timapi.SupportsMemberList(info.Type) {
		return &Group{Info: info, Read: opt}, nil
	}
	list, err := c.GetGroupMembers(ctx, groupID, timapi.ListOptions{
		Community: info.Type == timapi.GroupTypeCommunity, NameCard: opt.NameCard, CustomDataKeys: opt.CustomDataKeys,
		AllCustomData: opt.AllCustomData,
	})
	if err != nil {
		return nil, err
	}
	live := make(map[string]members.Live, len(list.Members))
	for _, m := range list.Members {
		live[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime, NameCard: m.NameCard, CustomData: m.CustomData}
	}
	if o, ok := live[info.OwnerAccount]; ok && info.OwnerAccount != "" {
		o.Role = members.RoleOwner
		live[info.OwnerAccount] = o
	}
	return &Group{Info: info, Members: live, Read: opt}, nil
}

// SharedReads lets callers that read one group at the same time share a
// single read: resources that split a group between them refresh together,
// and each would otherwise read every member. A finished read is never
// reused, and callers must not change what it returns.
type SharedReads struct{ flight singleflight.Group }

// ReadGroup is ReadGroup, shared with the calls for groupID in flight.
func (s *SharedReads) ReadGroup(ctx context.Context, c *timapi.Client, groupID string) (*Group, error) {
	return s.ReadGroupWith(ctx, c, groupID, ReadOptions{})
}

// ReadGroupWith is ReadGroupWith, shared with the calls in flight for
// groupID that read the same parts of the profiles.
func (s *SharedReads) ReadGroupWith(ctx context.Context, c *timapi.Client, groupID string, opt ReadOptions) (*Group, error) {
	ch := s.flight.DoChan(groupID+opt.key(), func() (any, error) { return ReadGroupWith(ctx, c, groupID, opt) })
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case res := <-ch:
		if res.Err != nil && res.Shared && ctx.Err() == nil && (errors.Is(res.Err, context.Canceled) || errors.Is(res.Err, context.DeadlineExceeded)) {
			// The read ran on another caller's context, which ended first.
			return ReadGroupWith(ctx, c, groupID, opt)
		}
		g, _ := res.Val.(*Group)
		return g, res.Err
	}
}

// Precheck refuses, before any write, what the API would reject or what
// would be surprising to find out halfway through an apply. now is the
// server's clock (timapi.Client.ServerTime): it judges join times strictly
// before it.
func Precheck(g *Group, declared map[string]members.Declared, now time.Time) []Failure {
	id, info := g.Info.GroupID, g.Info
	if !timapi.SupportsMemberList(info.Type) {
		return []Failure{{
			Summary: "AVChatRoom groups have no member list",
			Detail:  fmt.Sprintf("Group %s is an AVChatRoom (audio-video) group: it keeps no member list, so its members cannot be managed. Remove this tencentim_group_members resource or point group_id at another group.", id),
		}}
	}
	var out []Failure
	if _, ok := declared[info.OwnerAccount]; ok && info.OwnerAccount != "" {
		out = append(out, Failure{
			Summary:  "The group owner is declared as a member",
			Detail:   fmt.Sprintf("%q owns group %s. The owner is not a managed member: it can't be imported, removed or given another role here. Remove it from members (to hand the group over, set owner_account on its tencentim_group).", info.OwnerAccount, id),
			Accounts: []string{info.OwnerAccount},
		})
	}
	var admins, tooEarly, future, longCards, manyKeys, badKeys, longValues []string
	nowUnix := now.Unix()
	for account, d := range declared {
		if d.NameCard != nil && len(*d.NameCard) > timapi.MaxNameCardBytes {
			longCards = append(longCards, account)
		}
		if len(d.CustomData) > timapi.MaxCustomDataKeys {
			manyKeys = append(manyKeys, account)
		}
		if k, v := badCustomData(d.CustomData); k {
			badKeys = append(badKeys, account)
		} else if v {
			longValues = append(longValues, account)
		}
		l, isMember := g.Members[account]
		if d.Role == members.RoleAdmin && !timapi.SupportsAdmin(info.Type) && (!isMember || l.Role != members.RoleAdmin) {
			admins = append(admins, account)
		}
		if d.JoinTime == 0 || isMember && l.JoinTime == d.JoinTime {
			continue
		}
		switch {
		case d.JoinTime <= info.CreateTime:
			tooEarly = append(tooEarly, account)
		case d.JoinTime >= nowUnix:
			future = append(future, account)
		}
	}
	add := func(accounts []string, field, summary, format string, args ...any) {
		if len(accounts) > 0 {
			slices.Sort(accounts)
			out = append(out, Failure{Summary: summary, Detail: fmt.Sprintf(format, append(args, ListAccounts(accounts))...), Accounts: accounts, Field: field})
		}
	}
	add(admins, FieldRole, "Admin role not supported by this group type",
		"Group %s is a %s group, which has no Admin role. Set role = \"Member\" (or omit it) for: %s.", id, info.Type)
	add(tooEarly, FieldJoinTime, "join_time before the group was created",
		"Group %s was created at %d (%s); a member can only be imported with a later join_time. Fix join_time for: %s.", id, info.CreateTime, rfc3339(info.CreateTime))
	add(future, FieldJoinTime, "join_time in the future",
		"A member's join_time must be before the server's current time (%d, %s). Fix join_time for: %s.", nowUnix, rfc3339(nowUnix))
	add(longCards, FieldNameCard, "Name card too long",
		"A member's name card is at most %d bytes of UTF-8 (a Chinese character takes 3). Shorten it for: %s.", timapi.MaxNameCardBytes)
	add(manyKeys, FieldCustomData, "Too many custom member fields",
		"An app has at most %d custom member fields, so no member can carry more. Fix the custom fields of: %s.", timapi.MaxCustomDataKeys)
	add(badKeys, FieldCustomData, "Invalid custom member field name",
		"A custom member field is named by 1 to %d bytes of letters, digits and underscores, as configured in the IM console. Fix the field names of: %s.", timapi.MaxCustomDataKeyBytes)
	add(longValues, FieldCustomData, "Custom member field value too long",
		"A custom member field's value is at most %d bytes. Shorten the values of: %s.", timapi.MaxCustomDataValueBytes)
	return out
}

// badCustomData reports whether data has a key that cannot name a custom
// member field, or a value too long for one.
func badCustomData(data map[string]string) (badKey, longValue bool) {
	for k, v := range data {
		badKey = badKey || !timapi.ValidCustomDataKey(k)
		longValue = longValue || len(v) > timapi.MaxCustomDataValueBytes
	}
	return badKey, longValue
}

func rfc3339(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }

// Apply makes the calls that turn the live group into the declared one. It
// returns what the server holds afterwards, as far as the answers tell, and
// every failure; a failure stops new calls from starting but never hides
// what already succeeded.
//
// A member's role and profile change in one modify_group_member_info. The
// profile of a member being imported (which import cannot set) is set with
// one modify once the imports are done: the declared profile if its import
// added it; for a member found already in the group (added by someone else,
// or by a retried import's first attempt), what its profile as read again
// lacks. A member refused keeps no profile, and the state says so.
func (e Engine) Apply(ctx context.Context, g *Group, changes members.Changes) (map[string]members.Live, []Failure) {
	s := &serverState{Engine: e, groupID: g.Info.GroupID, members: make(map[string]members.Live, len(g.Members)+len(changes.Import)), imported: map[string]bool{}}
	maps.Copy(s.members, g.Members)
	modifies, afterImport := modifyCalls(changes)

	var joinTime int64
	if slices.ContainsFunc(changes.Import, func(m members.Import) bool { return m.JoinTime == 0 }) {
		var err error
		if joinTime, err = e.defaultJoinTime(ctx, g.Info.CreateTime); err != nil {
			return s.members, []Failure{{Command: "import_group_member", Err: err}}
		}
	}
	rejoin := make(map[string]bool, len(changes.Rejoin))
	for _, a := range changes.Rejoin {
		rejoin[a] = true
	}
	var first, rejoins []members.Import
	for _, m := range changes.Import {
		if m.JoinTime == 0 {
			m.JoinTime = joinTime
		}
		if rejoin[m.Account] {
			rejoins = append(rejoins, m)
		} else {
			first = append(first, m)
		}
	}

	p := e.newPool()
	runBatches(ctx, p, e.DeleteCap, changes.Remove, s.deleteBatch)
	runBatches(ctx, p, e.ImportCap, first, s.importBatch)
	for _, m := range modifies {
		p.submit(ctx, func(ctx context.Context) []Failure { return s.modify(ctx, m) })
	}
	failures := p.wait()

	// A rejoin's import must follow its removal, so it waits for the pool.
	if len(failures) == 0 && len(rejoins) > 0 {
		p = e.newPool()
		runBatches(ctx, p, e.ImportCap, rejoins, s.importBatch)
		failures = p.wait()
	}
	reread := map[string]bool{}
	if len(s.uncertain) > 0 {
		// Someone added these members between our read and our import (or
		// a retried import found its own earlier attempt); read the group
		// again so the state says what the server really holds.
		if again, err := ReadGroupWith(ctx, e.Client, s.groupID, g.Read); err == nil {
			for _, a := range s.uncertain {
				if l, ok := again.Members[a]; ok {
					s.members[a] = l
					reread[a] = true
				}
			}
		} else {
			failures = append(failures, Failure{Command: "get_group_member_info", Err: err, Accounts: s.uncertain})
		}
	}
	// The profiles of the members just imported, which import cannot set.
	// A member the import found already in the group gets what its profile,
	// as read again, lacks.
	if len(failures) == 0 && len(afterImport) > 0 {
		declared := make(map[string]members.Declared, len(changes.Import))
		for _, im := range changes.Import {
			declared[im.Account] = im.Declared
		}
		p = e.newPool()
		for _, m := range afterImport {
			switch {
			case s.imported[m.account]:
				p.submit(ctx, func(ctx context.Context) []Failure { return s.modify(ctx, m) })
			case reread[m.account]:
				if pc, changed := members.ProfileChangeOf(m.account, declared[m.account], s.members[m.account]); changed {
					m := modifyCall{account: m.account, profile: pc}
					p.submit(ctx, func(ctx context.Context) []Failure { return s.modify(ctx, m) })
				}
			}
		}
		failures = p.wait()
	}
	failures = append(failures, s.refusedFailures()...)
	return s.members, failures
}

// Settle reads the members once more after a failed apply. A call that
// timed out or lost its connection may still have been carried out, so what
// the apply's answers say is not always what the server holds; the read is.
// It runs even when ctx has ended, with a short deadline of its own. It
// reads no profile: see SettleWith.
func (e Engine) Settle(ctx context.Context, groupID string) (map[string]members.Live, error) {
	return e.SettleWith(ctx, groupID, ReadOptions{})
}

// SettleWith is Settle that also reads what opt asks of the profiles (the
// options of the apply's read, Group.Read).
func (e Engine) SettleWith(ctx context.Context, groupID string, opt ReadOptions) (map[string]members.Live, error) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
		defer cancel()
	}
	g, err := ReadGroupWith(ctx, e.Client, groupID, opt)
	if err != nil {
		return nil, err
	}
	return g.Members, nil
}

// SettleTimeout bounds the read that follows an interrupted apply.
const SettleTimeout = 30 * time.Second

// defaultJoinTime is the join time sent for members declared without one,
// so that the state can record it without reading the group again. It uses
// the server's clock: the API refuses a join time in the future or not
// after the group's creation.
func (e Engine) defaultJoinTime(ctx context.Context, createTime int64) (int64, error) {
	for {
		now := e.Client.ServerTime().Unix() - 1
		if now > createTime {
			return now, nil
		}
		// The group is less than two seconds old.
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Duration(createTime-now+1) * time.Second):
		}
	}
}

// pool runs tasks, at most parallel at a time, and stops starting new ones
// after the first failure; tasks already running finish and are recorded.
type pool struct {
	g        errgroup.Group
	parallel int
	failed   atomic.Bool
	mu       sync.Mutex
	failures []Failure
}

func (e Engine) newPool() *pool {
	p := &pool{parallel: max(e.Parallel, 1)}
	p.g.SetLimit(p.parallel)
	return p
}

// submit runs task once a slot is free, unless a failure came first.
func (p *pool) submit(ctx context.Context, task func(context.Context) []Failure) {
	if p.failed.Load() {
		return
	}
	p.g.Go(func() error {
		switch {
		case p.failed.Load():
		case ctx.Err() != nil:
			p.record([]Failure{{Err: ctx.Err()}})
		default:
			p.record(task(ctx))
		}
		return nil
	})
}

// record keeps fs; any failure stops the pool from starting new tasks.
func (p *pool) record(fs []Failure) (stops bool) {
	if len(fs) == 0 {
		return false
	}
	p.failed.Store(true)
	p.mu.Lock()
	p.failures = append(p.failures, fs...)
	p.mu.Unlock()
	return true
}

// wait returns the failures, with one "interrupted" however many tasks saw
// the context end.
func (p *pool) wait() []Failure {
	_ = p.g.Wait() // tasks report through record
	seen := false
	return slices.DeleteFunc(p.failures, func(f Failure) bool {
		dup := f.Interrupted() && seen
		seen = seen || f.Interrupted()
		return dup
	})
}

// runBatches sends items in batches of the cap's current size, as tasks of
// p. A batch refused as too large (10005) goes back to the queue and is sent
// again at the lowered size; while the size is unconfirmed, one batch is in
// flight at a time.
func runBatches[T any](ctx context.Context, p *pool, limit *timapi.BatchCap, items []T, send func(context.Context, []T) (refused bool, failures []Failure)) {
	if len(items) == 0 {
		return
	}
	queue := members.NewQueue(items)
	// As many workers as there may be batches once the cap is known; those
	// that find the queue empty end at once.
	for range min(p.parallel, len(items)) {
		p.submit(ctx, func(ctx context.Context) []Failure {
			for !p.failed.Load() {
				if ctx.Err() != nil {
					return []Failure{{Err: ctx.Err()}}
				}
				unlock, err := limit.Probe(ctx)
				if err != nil {
					return []Failure{{Err: err}}
				}
				size, _ := limit.Size()
				batch := queue.Take(size)
				if batch == nil {
					unlock()
					return nil
				}
				refused, failures := send(ctx, batch)
				switch {
				case refused:
					limit.Refused(len(batch))
					queue.GiveBack(batch)
				case len(failures) == 0:
					limit.Accepted(len(batch), queue.Empty())
				}
				unlock()
				if p.record(failures) {
					return nil
				}
			}
			return nil
		})
	}
}

// serverState is what the server holds after the apply, as far as this
// apply's calls tell: the live read with every successful write applied.
type serverState struct {
	Engine
	groupID   string
	mu        sync.Mutex
	members   map[string]members.Live
	uncertain []string        // imported as "already a member" without having been seen: role and join time unknown
	imported  map[string]bool // added by this apply's imports (Result 1), so with an empty profile
	// missing are declared accounts the app does not have, found batch by
	// batch and reported once, with how the server answered them.
	missing    []string
	missingHow string
	refused    []string // refused one by one for another reason
	checkErr   error    // account_check failed, so refused may hold missing accounts
}

// importBatch imports one batch. It reports refused when the server's
// per-request cap is below the batch's size (10005).
func (s *serverState) importBatch(ctx context.Context, batch []members.Import) (refused bool, failures []Failure) {
	req := make([]timapi.ImportMember, len(batch))
	byAccount := make(map[string]members.Import, len(batch))
	for i, m := range batch {
		req[i] = timapi.ImportMember{Account: m.Account, JoinTime: m.JoinTime, UnreadMsgNum: m.UnreadMsgNum}
		if m.Role == members.RoleAdmin {
			req[i].Role = members.RoleAdmin
		}
		byAccount[m.Account] = m
	}
	results, err := s.Client.ImportGroupMembers(ctx, s.groupID, req)
	switch {
	case timapi.IsTooManyAccounts(err) && len(batch) > 1:
		return true, nil
	case timapi.Code(err) == codeAccountMissing, timapi.Code(err) == codeInvalidParameter:
		// Servers that refuse the whole request over missing accounts (10019,
		// or a plain 10004 that names nobody) leave it to us to find them.
		return false, s.importWithoutMissing(ctx, batch, err)
	case err != nil:
		return false, []Failure{{Command: "import_group_member", Err: err, Accounts: accountsOf(batch)}}
	}
	var failed []string
	s.mu.Lock()
	for _, res := range results {
		m, ok := byAccount[res.Account]
		if !ok {
			continue
		}
		switch res.Result {
		case 1:
			s.members[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
			s.imported[m.Account] = true
		case 2:
			if _, seen := s.members[m.Account]; !seen {
				s.members[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
				s.uncertain = append(s.uncertain, m.Account)
			}
		default:
			failed = append(failed, m.Account)
		}
	}
	s.mu.Unlock()
	if len(failed) > 0 {
		// Result 0 does not say why; a missing account is the usual reason,
		// and the only one the user fixes outside the group, so name those apart.
		missing, checkErr := s.missingAccounts(ctx, failed)
		s.addRefused(failed, missing, checkErr, "import_group_member answered Result 0 (failed) for them")
	}
	return false, nil
}

// importWithoutMissing handles an import refused as a whole (10019 or
// 10004): it finds which accounts do not exist, imports the others and
// reports the missing ones by name.
func (s *serverState) importWithoutMissing(ctx context.Context, batch []members.Import, importErr error) []Failure {
	accounts := accountsOf(batch)
	missing, err := s.missingAccounts(ctx, accounts)
	switch {
	case err != nil:
		return []Failure{{Command: "import_group_member", Err: importErr, Accounts: accounts,
			Detail: fmt.Sprintf("account_check, asked which of these accounts exist, failed too: %v.", err)}}
	case len(missing) == 0:
		f := Failure{Command: "import_group_member", Err: importErr, Accounts: accounts}
		if timapi.Code(importErr) == codeInvalidParameter && len(batch) > 1 {
			f.Detail = fmt.Sprintf("account_check says every account in the request exists, so the server may accept fewer members per request than the %d sent: set the provider's import_batch_size lower (Tencent has documented 300, 100 and 20).", len(batch))
		}
		return []Failure{f}
	}
	rest := slices.DeleteFunc(slices.Clone(batch), func(m members.Import) bool { return missing[m.Account] })
	var failures []Failure
	if len(rest) > 0 {
		refused, fs := s.importBatch(ctx, rest)
		if refused {
			fs = append(fs, Failure{Command: "import_group_member", Accounts: accountsOf(rest),
				Err: fmt.Errorf("the server refused %d members as too many for one request after accepting a larger batch", len(rest))})
		}
		failures = fs
	}
	s.addRefused(slices.Collect(maps.Keys(missing)), missing, nil, fmt.Sprintf("import_group_member refused the whole request with error %d", timapi.Code(importErr)))
	return failures
}

// missingAccounts returns which of accounts do not exist in the app.
func (s *serverState) missingAccounts(ctx context.Context, accounts []string) (map[string]bool, error) {
	statuses, err := s.Client.AccountCheck(ctx, accounts)
	if err != nil {
		return nil, err
	}
	missing := make(map[string]bool)
	for _, st := range statuses {
		if !st.Imported {
			missing[st.UserID] = true
		}
	}
	return missing, nil
}

// addRefused records members the server refused one by one: those whose
// accounts are missing (and how the server said so), and the others, with
// why account_check could not tell them apart, if it failed.
func (s *serverState) addRefused(accounts []string, missing map[string]bool, checkErr error, how string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range accounts {
		if missing[a] {
			s.missing = append(s.missing, a)
			s.missingHow = how
		} else {
			s.refused = append(s.refused, a)
		}
	}
	if checkErr != nil {
		s.checkErr = checkErr
	}
}

// refusedFailures reports the members refused one by one, once for the
// whole apply: such refusals do not stop the other calls.
func (s *serverState) refusedFailures() []Failure {
	var out []Failure
	if len(s.missing) > 0 {
		names := slices.Sorted(slices.Values(s.missing))
		out = append(out, Failure{
			Summary:  fmt.Sprintf("%s not exist in the app", Plural(len(names), "account does", "accounts do")),
			Detail:   fmt.Sprintf("They cannot join group %s (%s; account_check confirms they were never imported): %s.\n\nImport these accounts into the app first (account_import / multiaccount_import, or a tencentim_accounts resource), or remove them from members. The other declared members were imported.", s.groupID, s.missingHow, ListAccounts(names)),
			Accounts: names,
		})
	}
	if len(s.refused) > 0 {
		names := slices.Sorted(slices.Values(s.refused))
		causes := "its join_time is outside the group's lifetime (after the group's creation and before the server's current time), or the group is full"
		if s.checkErr != nil {
			causes = "the account does not exist in the app (account_check, asked to find out, failed too: " + s.checkErr.Error() + "), " + causes
		}
		out = append(out, Failure{
			Summary:  fmt.Sprintf("%s could not be imported into group %s", Plural(len(names), "member", "members"), s.groupID),
			Detail:   fmt.Sprintf("import_group_member reported Result 0 (failed) for: %s.\n\nLikely causes: %s. The other members were imported; run apply again after fixing these.", ListAccounts(names), causes),
			Accounts: names,
		})
	}
	return out
}

func (s *serverState) deleteBatch(ctx context.Context, batch []string) (refused bool, failures []Failure) {
	err := s.Client.DeleteGroupMembers(ctx, s.groupID, batch)
	switch {
	case timapi.IsTooManyAccounts(err) && len(batch) > 1:
		return true, nil
	case timapi.IsNotFound(err) && s.MissingGroupIsDone:
	case err != nil:
		f := Failure{Command: "delete_group_member", Err: err, Accounts: batch}
		if timapi.Code(err) == codeInvalidParameter && len(batch) > 1 {
			// delete_group_member documents no 10005, so a lowered cap would
			// most likely be answered like this.
			f.Detail = fmt.Sprintf("The server may accept fewer accounts per request than the %d sent: set the provider's delete_batch_size lower.", len(batch))
		}
		return false, []Failure{f}
	}
	s.mu.Lock()
	for _, a := range batch {
		delete(s.members, a)
	}
	s.mu.Unlock()
	return false, nil
}

// modifyCall is one modify_group_member_info: a member's new role ("" to
// leave it) and the part of its profile to set.
type modifyCall struct {
	account string
	role    string
	profile members.ProfileChange
}

// modifyCalls merges each member's role change and profile change into one
// call. The profiles of members being imported come apart, in afterImport:
// they can only be set once the member is in the group.
func modifyCalls(c members.Changes) (modifies, afterImport []modifyCall) {
	importing := make(map[string]bool, len(c.Import))
	for _, m := range c.Import {
		importing[m.Account] = true
	}
	profiles := make(map[string]members.ProfileChange, len(c.Profiles))
	for _, pc := range c.Profiles {
		if importing[pc.Account] {
			afterImport = append(afterImport, modifyCall{account: pc.Account, profile: pc})
		} else {
			profiles[pc.Account] = pc
		}
	}
	modifies = make([]modifyCall, 0, len(c.RoleChanges)+len(profiles))
	for _, rc := range c.RoleChanges {
		m := modifyCall{account: rc.Account, role: rc.Role}
		if pc, ok := profiles[rc.Account]; ok {
			m.profile = pc
			delete(profiles, rc.Account)
		}
		modifies = append(modifies, m)
	}
	for _, pc := range c.Profiles {
		if _, ok := profiles[pc.Account]; ok {
			modifies = append(modifies, modifyCall{account: pc.Account, profile: pc})
		}
	}
	return modifies, afterImport
}

// modify makes one modify_group_member_info and, once it succeeded, records
// what it set.
func (s *serverState) modify(ctx context.Context, m modifyCall) []Failure {
	var err error
	if m.profile.NameCard == nil && len(m.profile.CustomData) == 0 {
		err = s.Client.ModifyGroupMemberRole(ctx, s.groupID, m.account, m.role)
	} else {
		err = s.Client.ModifyGroupMember(ctx, s.groupID, m.account, timapi.MemberChange{Role: m.role, NameCard: m.profile.NameCard, CustomData: m.profile.CustomData})
	}
	if err != nil {
		f := Failure{Command: "modify_group_member_info", Err: err, Accounts: []string{m.account}}
		if timapi.Code(err) == codeInvalidParameter && len(m.profile.CustomData) > 0 {
			f.Detail = fmt.Sprintf("The server refuses custom member fields that the app has not configured (IM console: group member custom fields) and values over %d bytes.", timapi.MaxCustomDataValueBytes)
		}
		return []Failure{f}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.members[m.account]
	if m.role != "" {
		l.Role = m.role
	}
	if m.profile.NameCard != nil {
		l.NameCard = *m.profile.NameCard
	}
	if len(m.profile.CustomData) > 0 {
		// A new map: the read's may be shared with other callers.
		data := maps.Clone(l.CustomData)
		for k, v := range m.profile.CustomData {
			if v == "" {
				delete(data, k)
				continue
			}
			if data == nil {
				data = map[string]string{}
			}
			data[k] = v
		}
		if len(data) == 0 {
			data = nil
		}
		l.CustomData = data
	}
	s.members[m.account] = l
	return nil
}

func accountsOf(batch []members.Import) []string {
	out := make([]string, len(batch))
	for i, m := range batch {
		out[i] = m.Account
	}
	return out
}

// ListAccounts names up to 20 accounts and counts the rest, so a message
// about a 300-member batch stays readable.
func ListAccounts(accounts []string) string {
	const shown = 20
	if len(accounts) <= shown {
		return strings.Join(accounts, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(accounts[:shown], ", "), len(accounts)-shown)
}

// Plural is "1 thing" or "n things".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// API codes the engine acts on: the request-level "account does not exist"
// that the 2018 docs list for import_group_member, and "invalid parameter".
const (
	codeAccountMissing   = 10019
	codeInvalidParameter = 10004
)
