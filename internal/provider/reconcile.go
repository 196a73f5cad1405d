package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// applyFailure is one user-facing error: what failed and what to do.
type applyFailure struct {
	summary, detail string
}

func (f applyFailure) Error() string { return f.summary + ": " + f.detail }

// reconciler applies one resource's declaration to one group.
type reconciler struct {
	client *timapi.Client
	// Shared by every resource of the provider process (see providerData).
	importCap, deleteCap *timapi.BatchCap
	groupID              string
	parallel             int
	// missingGroupIsDone makes removals from a group that no longer exists
	// succeed: when destroying, a deleted group has no members left to remove.
	missingGroupIsDone bool
}

func newReconciler(data *providerData, groupID string) *reconciler {
	return &reconciler{client: data.client, importCap: data.importCap, deleteCap: data.deleteCap, groupID: groupID, parallel: data.maxParallel}
}

// liveGroup is the group and its members as read at the start of an apply.
type liveGroup struct {
	info    *timapi.GroupInfo
	members map[string]members.Live // owner included, with role Owner
}

// readGroup reads the group's info and all of its members: one get_group_info
// plus ceil(N/page) get_group_member_info calls.
func (r *reconciler) readGroup(ctx context.Context) (*liveGroup, error) {
	info, err := r.client.GetGroup(ctx, r.groupID)
	if err != nil {
		return nil, err
	}
	if info.Type == timapi.GroupTypeAVChatRoom {
		return &liveGroup{info: info}, nil
	}
	list, err := r.client.GetGroupMembers(ctx, r.groupID, timapi.ListOptions{Community: info.Type == timapi.GroupTypeCommunity})
	if err != nil {
		return nil, err
	}
	live := make(map[string]members.Live, len(list.Members))
	for _, m := range list.Members {
		live[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
	}
	if info.OwnerAccount != "" {
		if o, ok := live[info.OwnerAccount]; ok {
			o.Role = members.RoleOwner
			live[info.OwnerAccount] = o
		}
	}
	return &liveGroup{info: info, members: live}, nil
}

// precheck refuses, before any write, what the API would reject or what
// would be surprising to find out halfway through an apply.
func (r *reconciler) precheck(g *liveGroup, declared map[string]members.Declared) []applyFailure {
	var out []applyFailure
	if g.info.Type == timapi.GroupTypeAVChatRoom {
		return []applyFailure{{
			"AVChatRoom groups have no member list",
			fmt.Sprintf("Group %s is an AVChatRoom (audio-video) group: it keeps no member list, so its members cannot be managed. Remove this tencentim_group_members resource or point group_id at another group.", r.groupID),
		}}

	}
	if _, ok := declared[g.info.OwnerAccount]; ok && g.info.OwnerAccount != "" {
		out = append(out, applyFailure{
			"The group owner is declared as a member",
			fmt.Sprintf("%q owns group %s. The owner is not a managed member: it can't be imported, removed or given another role here. Remove it from members (use change_group_owner to hand over ownership).", g.info.OwnerAccount, r.groupID),
		})
	}
	var admins, tooEarly, future []string
	// The server judges join times by its own clock, strictly before now.
	now := r.client.ServerTime().Unix()
	for account, d := range declared {
		if d.Role == members.RoleAdmin && !timapi.SupportsAdmin(g.info.Type) {
			if l, ok := g.members[account]; !ok || l.Role != members.RoleAdmin {
				admins = append(admins, account)
			}
		}
		if d.JoinTime != 0 {
			if l, ok := g.members[account]; ok && l.JoinTime == d.JoinTime {
				continue
			}
			switch {
			case d.JoinTime <= g.info.CreateTime:
				tooEarly = append(tooEarly, account)
			case d.JoinTime >= now:
				future = append(future, account)
			}
		}
	}
	if len(admins) > 0 {
		out = append(out, applyFailure{
			"Admin role not supported by this group type",
			fmt.Sprintf("Group %s is a %s group, which has no Admin role. Set role = \"Member\" (or omit it) for: %s.", r.groupID, g.info.Type, listAccounts(admins)),
		})
	}
	if len(tooEarly) > 0 {
		out = append(out, applyFailure{
			"join_time before the group was created",
			fmt.Sprintf("Group %s was created at %d (%s); a member can only be imported with a later join_time. Fix join_time for: %s.", r.groupID, g.info.CreateTime, time.Unix(g.info.CreateTime, 0).UTC().Format(time.RFC3339), listAccounts(tooEarly)),
		})
	}
	if len(future) > 0 {
		out = append(out, applyFailure{
			"join_time in the future",
			fmt.Sprintf("A member's join_time must be before the server's current time (%d, %s). Fix join_time for: %s.", now, time.Unix(now, 0).UTC().Format(time.RFC3339), listAccounts(future)),
		})
	}
	return out
}

// serverState is what the server holds after the apply, as far as this
// apply's calls tell: the live read with every successful write applied.
type serverState struct {
	mu        sync.Mutex
	members   map[string]members.Live
	uncertain []string // imported as "already a member" without having been seen: role and join time unknown
	// missing are declared accounts the app does not have, found batch by
	// batch and reported once, with how the server answered them.
	missing    []string
	missingHow string
	refused    []string // refused one by one for another reason
	checkErr   error    // account_check failed, so refused may hold missing accounts
}

func (s *serverState) remove(accounts []string) {
	s.mu.Lock()
	for _, a := range accounts {
		delete(s.members, a)
	}
	s.mu.Unlock()
}

// apply makes the calls that turn the live group into the declared one. It
// returns what the server holds afterwards and every failure; a failure stops
// new calls from starting but never hides what already succeeded.
func (r *reconciler) apply(ctx context.Context, g *liveGroup, changes members.Changes) (map[string]members.Live, []applyFailure) {
	state := &serverState{members: make(map[string]members.Live, len(g.members)+len(changes.Import))}
	for a, l := range g.members {
		state.members[a] = l
	}

	var joinTime int64
	if slices.ContainsFunc(changes.Import, func(m members.Import) bool { return m.JoinTime == 0 }) {
		var err error
		if joinTime, err = r.defaultJoinTime(ctx, g.info.CreateTime); err != nil {
			return state.members, []applyFailure{r.callFailure("import_group_member", err, nil)}
		}
	}

	rejoin := make(map[string]bool, len(changes.Rejoin))
	for _, a := range changes.Rejoin {
		rejoin[a] = true
	}
	var first, rejoinImports []members.Import
	for _, m := range changes.Import {
		if m.JoinTime == 0 {
			m.JoinTime = joinTime
		}
		if rejoin[m.Account] {
			rejoinImports = append(rejoinImports, m)
		} else {
			first = append(first, m)
		}
	}

	importBatch := func(ctx context.Context, batch []members.Import) (bool, []applyFailure) {
		return r.importBatch(ctx, batch, state)
	}
	pool := newTaskPool(ctx, r.parallel)
	runBatches(pool, r.deleteCap, changes.Remove, func(ctx context.Context, batch []string) (bool, []applyFailure) {
		return r.deleteBatch(ctx, batch, state)
	})
	runBatches(pool, r.importCap, first, importBatch)
	for _, rc := range changes.RoleChanges {
		pool.submit(func(ctx context.Context) []applyFailure { return r.changeRole(ctx, rc, state) })
	}
	failures := pool.wait()

	// A rejoin's import must follow its removal, so it waits for the pool.
	if len(failures) == 0 && len(rejoinImports) > 0 {
		pool = newTaskPool(ctx, r.parallel)
		runBatches(pool, r.importCap, rejoinImports, importBatch)
		failures = pool.wait()
	}

	failures = append(failures, r.refusedFailures(state)...)

	if len(state.uncertain) > 0 {
		// Someone added these members between our read and our import; read
		// the group again so the state says what the server really holds.
		if again, err := r.readGroup(ctx); err == nil {
			for _, a := range state.uncertain {
				if l, ok := again.members[a]; ok {
					state.members[a] = l
				}
			}
		} else {
			failures = append(failures, r.callFailure("get_group_member_info", err, state.uncertain))
		}
	}
	return state.members, failures
}

// settle reads the group once more after a failed apply. A call that timed
// out or lost its connection may still have been carried out, so what this
// apply's answers say is not always what the server holds; the read is. It
// runs even when the apply was interrupted, with a short deadline of its own.
func (r *reconciler) settle(ctx context.Context, known map[string]members.Live, diags *diagnostics) map[string]members.Live {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
	}
	g, err := r.readGroup(ctx)
	if err != nil {
		diags.warnAt(nil, "Could not confirm the group's members after the failure",
			fmt.Sprintf("Reading group %s again failed too: %v. The state records what the successful calls reported; the next refresh corrects it.", r.groupID, err))
		return known
	}
	return g.members
}

// settleTimeout bounds the read that follows an interrupted apply.
const settleTimeout = 30 * time.Second

// defaultJoinTime is the join time sent for members declared without one, so
// that the state can record it without reading the group again. It uses the
// server's clock: the API refuses a join time in the future or not after the
// group's creation.
func (r *reconciler) defaultJoinTime(ctx context.Context, createTime int64) (int64, error) {
	for {
		now := r.client.ServerTime().Unix() - 1
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

// runBatches sends items in batches of the cap's current size, as tasks of
// pool. A batch refused as too large goes back to the queue and is sent
// again at the lowered size; while the size is unconfirmed, one batch is in
// flight at a time.
func runBatches[T any](pool *taskPool, limit *timapi.BatchCap, items []T, send func(context.Context, []T) (refused bool, failures []applyFailure)) {
	if len(items) == 0 {
		return
	}
	queue := members.NewQueue(items)
	// As many workers as there may be batches once the cap is known; those
	// that find the queue empty end at once.
	for range min(pool.parallel(), len(items)) {
		pool.submit(func(ctx context.Context) []applyFailure {
			for !pool.failed.Load() {
				if ctx.Err() != nil {
					return []applyFailure{interrupted(ctx.Err())}
				}
				unlock, err := limit.Probe(ctx)
				if err != nil {
					return []applyFailure{interrupted(err)}
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
				if pool.record(failures) {
					return nil
				}
			}
			return nil
		})
	}
}

// importBatch imports one batch. It reports refused when the server's
// per-request cap is below the batch's size (10005).
func (r *reconciler) importBatch(ctx context.Context, batch []members.Import, state *serverState) (refused bool, failures []applyFailure) {
	req := make([]timapi.ImportMember, len(batch))
	byAccount := make(map[string]members.Import, len(batch))
	for i, m := range batch {
		req[i] = timapi.ImportMember{Account: m.Account, JoinTime: m.JoinTime, UnreadMsgNum: m.UnreadMsgNum}
		if m.Role == members.RoleAdmin {
			req[i].Role = members.RoleAdmin
		}
		byAccount[m.Account] = m
	}
	results, err := r.client.ImportGroupMembers(ctx, r.groupID, req)
	switch {
	case timapi.IsTooManyAccounts(err) && len(batch) > 1:
		return true, nil
	case apiCode(err) == codeAccountMissing, apiCode(err) == codeInvalidParameter:
		// Servers that refuse the whole request over missing accounts (10019,
		// or a plain 10004 that names nobody) leave it to us to find them.
		return false, r.importWithoutMissing(ctx, batch, state, err)
	case err != nil:
		return false, []applyFailure{r.callFailure("import_group_member", err, accountsOf(batch))}
	}
	var failed []string
	state.mu.Lock()
	for _, res := range results {
		m, ok := byAccount[res.Account]
		if !ok {
			continue
		}
		switch res.Result {
		case 1:
			state.members[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
		case 2:
			if _, seen := state.members[m.Account]; !seen {
				state.members[m.Account] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
				state.uncertain = append(state.uncertain, m.Account)
			}
		default:
			failed = append(failed, m.Account)
		}
	}
	state.mu.Unlock()
	if len(failed) == 0 {
		return false, nil
	}
	// Result 0 does not say why; a missing account is the usual reason, and
	// the only one the user fixes outside this resource, so name those apart.
	missing, checkErr := r.missingAccounts(ctx, failed)
	state.addRefused(failed, missing, checkErr, "import_group_member answered Result 0 (failed) for them")
	return false, nil
}

// missingAccounts returns which of accounts do not exist in the app.
func (r *reconciler) missingAccounts(ctx context.Context, accounts []string) (map[string]bool, error) {
	statuses, err := r.client.AccountCheck(ctx, accounts)
	if err != nil {
		return nil, err
	}
	missing := make(map[string]bool)
	for _, s := range statuses {
		if !s.Imported {
			missing[s.UserID] = true
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
func (r *reconciler) refusedFailures(s *serverState) []applyFailure {
	var out []applyFailure
	if len(s.missing) > 0 {
		names := slices.Sorted(slices.Values(s.missing))
		out = append(out, applyFailure{
			fmt.Sprintf("%s not exist in the app", plural(len(names), "account does", "accounts do")),
			fmt.Sprintf("They cannot join group %s (%s; account_check confirms they were never imported): %s.\n\nImport these accounts into the app first (account_import / multiaccount_import, or a tencentim_accounts resource), or remove them from members. The other declared members were imported.", r.groupID, s.missingHow, listAccounts(names)),
		})
	}
	if len(s.refused) > 0 {
		names := slices.Sorted(slices.Values(s.refused))
		causes := "its join_time is outside the group's lifetime (after the group's creation and before the server's current time), or the group is full"
		if s.checkErr != nil {
			causes = "the account does not exist in the app (account_check, asked to find out, failed too: " + s.checkErr.Error() + "), " + causes
		}
		out = append(out, applyFailure{
			fmt.Sprintf("%s could not be imported into group %s", plural(len(names), "member", "members"), r.groupID),
			fmt.Sprintf("import_group_member reported Result 0 (failed) for: %s.\n\nLikely causes: %s. The other members were imported; run apply again after fixing these.", listAccounts(names), causes),
		})
	}
	return out
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// importWithoutMissing handles an import refused as a whole (10019 or
// 10004): it finds which accounts do not exist, imports the others and
// reports the missing ones by name.
func (r *reconciler) importWithoutMissing(ctx context.Context, batch []members.Import, state *serverState, importErr error) []applyFailure {
	accounts := accountsOf(batch)
	missing, err := r.missingAccounts(ctx, accounts)
	switch {
	case err != nil:
		f := r.callFailure("import_group_member", importErr, accounts)
		f.detail += fmt.Sprintf("\n\naccount_check, asked which of these accounts exist, failed too: %v.", err)
		return []applyFailure{f}
	case len(missing) == 0:
		f := r.callFailure("import_group_member", importErr, accounts)
		if apiCode(importErr) == codeInvalidParameter && len(batch) > 1 {
			f.detail += fmt.Sprintf("\n\naccount_check says every account in the request exists, so the server may accept fewer members per request than the %d sent: set the provider's import_batch_size lower (Tencent has documented 300, 100 and 20).", len(batch))
		}
		return []applyFailure{f}
	}
	var rest []members.Import
	for _, m := range batch {
		if !missing[m.Account] {
			rest = append(rest, m)
		}
	}
	var failures []applyFailure
	if len(rest) > 0 {
		refused, fs := r.importBatch(ctx, rest, state)
		if refused {
			fs = append(fs, r.callFailure("import_group_member", fmt.Errorf("the server refused %d members as too many for one request after accepting a larger batch", len(rest)), accountsOf(rest)))
		}
		failures = fs
	}
	var names []string
	for a := range missing {
		names = append(names, a)
	}
	state.addRefused(names, missing, nil, fmt.Sprintf("import_group_member refused the whole request with error %d", apiCode(importErr)))
	return failures
}

func (r *reconciler) deleteBatch(ctx context.Context, batch []string, state *serverState) (refused bool, failures []applyFailure) {
	err := r.client.DeleteGroupMembers(ctx, r.groupID, batch)
	switch {
	case timapi.IsTooManyAccounts(err) && len(batch) > 1:
		return true, nil
	case timapi.IsNotFound(err) && r.missingGroupIsDone:
	case err != nil:
		f := r.callFailure("delete_group_member", err, batch)
		if apiCode(err) == codeInvalidParameter && len(batch) > 1 {
			// delete_group_member documents no 10005, so a lowered cap would
			// most likely be answered like this.
			f.detail += fmt.Sprintf("\n\nThe server may accept fewer accounts per request than the %d sent: set the provider's delete_batch_size lower.", len(batch))
		}
		return false, []applyFailure{f}
	}
	state.remove(batch)
	return false, nil
}

func (r *reconciler) changeRole(ctx context.Context, rc members.RoleChange, state *serverState) []applyFailure {
	if err := r.client.ModifyGroupMemberRole(ctx, r.groupID, rc.Account, rc.Role); err != nil {
		return []applyFailure{r.callFailure("modify_group_member_info", err, []string{rc.Account})}
	}
	state.mu.Lock()
	l := state.members[rc.Account]
	l.Role = rc.Role
	state.members[rc.Account] = l
	state.mu.Unlock()
	return nil
}

// rateLimitedAdvice is what to do when rate-limit answers outlasted the
// retries, for every resource.
const rateLimitedAdvice = "The server kept answering that requests are too frequent until the operation's time ran out, although the provider lowered its rate each time. Check the app's API limits in the console (another client may be using the quota), raise the resource's timeouts or lower the provider's rate_limit, then run apply again: the state records what was applied."

// callFailure turns an API error into a message that names the call, the
// code, the group, the accounts and what to do.
func (r *reconciler) callFailure(command string, err error, accounts []string) applyFailure {
	var what string
	if len(accounts) > 0 {
		what = fmt.Sprintf(" Accounts in the failed request: %s.", listAccounts(accounts))
	}
	advice := "Nothing else was changed by this request; the state records what was applied, and running apply again carries on from there."
	switch {
	case timapi.IsRateLimited(err):
		advice = rateLimitedAdvice
	case errors.Is(err, context.DeadlineExceeded):
		advice = "The operation ran out of time. Raise the resource's timeouts, then run apply again: the state records what was applied."
	case errors.Is(err, context.Canceled):
		advice = "The operation was interrupted. Run apply again: the state records what was applied."
	case timapi.IsAuth(err):
		advice = timapi.AuthHint(err)
	case timapi.IsNotFound(err):
		advice = fmt.Sprintf("Group %s does not exist (any more). Check group_id and that the provider's sdkappid and region are the app's.", r.groupID)
	}
	summary := fmt.Sprintf("%s failed for group %s", command, r.groupID)
	if timapi.IsAuth(err) {
		summary = "Authentication failed: " + summary
	}
	return applyFailure{summary, fmt.Sprintf("%v.%s\n\n%s", err, what, advice)}
}

func accountsOf(batch []members.Import) []string {
	out := make([]string, len(batch))
	for i, m := range batch {
		out[i] = m.Account
	}
	return out
}

// listAccounts names up to 20 accounts and counts the rest, so a message
// about a 300-member batch stays readable.
func listAccounts(accounts []string) string {
	const shown = 20
	if len(accounts) <= shown {
		return strings.Join(accounts, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(accounts[:shown], ", "), len(accounts)-shown)
}

// taskPool runs tasks with bounded concurrency and stops starting new ones
// after the first failure; tasks already running finish and are recorded.
type taskPool struct {
	ctx      context.Context
	sem      chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	failures []applyFailure
	failed   atomic.Bool
}

func newTaskPool(ctx context.Context, parallel int) *taskPool {
	return &taskPool{ctx: ctx, sem: make(chan struct{}, max(parallel, 1))}
}

func (p *taskPool) parallel() int { return cap(p.sem) }

func (p *taskPool) submit(task func(context.Context) []applyFailure) {
	select {
	case p.sem <- struct{}{}:
	case <-p.ctx.Done():
		p.record([]applyFailure{interrupted(p.ctx.Err())})
		return
	}
	if p.failed.Load() {
		<-p.sem
		return
	}
	p.wg.Add(1)
	go func() {
		defer func() { <-p.sem; p.wg.Done() }()
		p.record(task(p.ctx))
	}()
}

// record keeps f; any failure stops the pool from starting new tasks.
func (p *taskPool) record(f []applyFailure) (stops bool) {
	if len(f) == 0 {
		return false
	}
	p.failed.Store(true)
	p.mu.Lock()
	p.failures = append(p.failures, f...)
	p.mu.Unlock()
	return true
}

func (p *taskPool) wait() []applyFailure {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return dedupeInterrupted(p.failures)
}

// interrupted is the failure of work not started because ctx ended.
func interrupted(err error) applyFailure {
	return applyFailure{"Interrupted", fmt.Sprintf("%v; not every call was made. Run apply again: the state records what was applied.", err)}
}

// dedupeInterrupted keeps one "Interrupted" entry however many submits saw
// the cancelled context.
func dedupeInterrupted(in []applyFailure) []applyFailure {
	out := in[:0]
	seen := false
	for _, f := range in {
		if f.summary == "Interrupted" {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, f)
	}
	return out
}

// API codes the engine acts on: the request-level "account does not exist"
// that the 2018 docs list for import_group_member, and "invalid parameter".
const (
	codeAccountMissing   = 10019
	codeInvalidParameter = 10004
)

func apiCode(err error) int {
	var apiErr *timapi.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return 0
}
