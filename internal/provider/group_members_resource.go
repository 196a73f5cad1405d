package provider

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// groupMembersResource serves tencentim_group_members on the plugin protocol
// directly. The framework's plan path visits every value with a context that
// grows by one layer per value, which makes a 10,000-member map take minutes;
// here every RPC is a single linear pass over the members.
type groupMembersResource struct {
	unsupported
	provider *tencentimProvider
	now      func() time.Time
}

func (r *groupMembersResource) schema() *tfprotov6.Schema { return groupMembersSchema() }

func (r *groupMembersResource) identitySchema() *tfprotov6.ResourceIdentitySchema {
	return groupIdentitySchema()
}

func (r *groupMembersResource) UpgradeResourceIdentity(_ context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return upgradeGroupIdentity(groupMembersTypeName, req), nil
}

func rootPath(name string) *tftypes.AttributePath {
	return tftypes.NewAttributePath().WithAttributeName(name)
}

func memberPath(account, attr string) *tftypes.AttributePath {
	p := rootPath(attrMembers).WithElementKeyString(account)
	if attr != "" {
		p = p.WithAttributeName(attr)
	}
	return p
}

func (r *groupMembersResource) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	var diags diagnostics
	if config, ok := readValue(req.Config, &diags, "configuration"); ok {
		validateConfig(config, r.now(), &diags)
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: diags}, nil
}

func validateGroupID(id string, p *tftypes.AttributePath, diags *diagnostics) {
	if summary, detail := groupIDProblem(id); summary != "" {
		diags.errorAt(p, summary, detail)
	}
}

func (r *groupMembersResource) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return groupMembers.upgradeResponse(req, "Remove it with `terraform state rm` and import the group again."), nil
}

func (r *groupMembersResource) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.PlanResourceChangeResponse{}
	proposed, ok1 := readValue(req.ProposedNewState, &diags, "proposed state")
	prior, ok2 := readValue(req.PriorState, &diags, "prior state")
	config, ok3 := readValue(req.Config, &diags, "configuration")
	if !ok1 || !ok2 || !ok3 {
		resp.Diagnostics = diags
		return resp, nil
	}
	if proposed.p == isNull {
		resp.PlannedState = req.ProposedNewState
		resp.PlannedIdentity = req.PriorIdentity
		return resp, nil
	}
	data := r.provider.configured.Load()
	// A create's checks need the group's base info: it is read while the
	// plan is computed.
	var info func() (*timapi.GroupInfo, error)
	if data != nil && config.groupID.p == isKnown && (prior.p != isKnown || !config.groupID.equal(prior.groupID)) {
		info = startGroupInfo(ctx, data, config.groupID.value())
	}
	planned, requiresReplace, changed := planValue(config, prior, &diags)
	if data != nil && !diags.hasError() && changed {
		if len(requiresReplace) > 0 {
			prior = groupMembersValue{}
		}
		facts := newPlanFacts(prior, planned)
		checkLiveGroup(ctx, data, prior, planned, facts, info, &diags)
		size, _ := data.engine.ImportCap.Size()
		if s := changeSummary(prior, planned, facts, size); s != "" && len(requiresReplace) == 0 {
			diags.warnAt(rootPath(attrMembers), "A large membership change", s)
		}
	}
	resp.RequiresReplace = requiresReplace
	resp.PlannedState = writeValue(planned)
	// None yet for a group created in the same apply (see groupIdentity).
	resp.PlannedIdentity = groupIdentity(planned.groupID)
	resp.Diagnostics = diags
	return resp, nil
}

// planValue computes the planned state from the configuration in one pass:
// defaults, values kept from the prior state, unknowns for what only the
// apply can tell, and warnings for changes that do less than they seem.
// changed is whether the plan differs from the prior state.
func planValue(config, prior groupMembersValue, diags *diagnostics) (planned groupMembersValue, requiresReplace []*tftypes.AttributePath, changed bool) {
	priorModel := prior.model()
	groupID := config.groupID
	priorKnown := prior.p == isKnown
	sameGroup := priorKnown && groupID.equal(prior.groupID)
	if priorKnown && !sameGroup {
		requiresReplace = append(requiresReplace, rootPath(attrGroupID))
	}

	planned = groupMembersValue{
		p:            isKnown,
		id:           groupID,
		groupID:      groupID,
		exclusive:    config.exclusive,
		ownerAccount: unknownString(),
		groupType:    unknownString(),
		members:      config.members,
		timeouts:     config.timeouts,
	}
	if sameGroup {
		planned.ownerAccount, planned.groupType = prior.ownerAccount, prior.groupType
	}
	if planned.exclusive.p == isNull {
		planned.exclusive = wireBool{p: isKnown}
	}

	if config.members.p == isKnown {
		var priorMembers map[string]memberModel
		if sameGroup {
			priorMembers = priorModel.Members
		}
		out := make(map[string]wireMember, len(config.members.elems))
		for account, e := range config.members.elems {
			out[account] = planMember(account, e, priorMembers, diags)
		}
		planned.members.elems = out
	}
	// An update may follow a hand-over of the group in the same apply
	// (tencentim_group changes owner first), so the owner it records is
	// known only then. With nothing to update, the plan stays empty.
	changed = !sameGroup || !bytes.Equal(encodeMsgpack(groupMembersObject, &planned), encodeMsgpack(groupMembersObject, &prior))
	if sameGroup && changed {
		planned.ownerAccount = unknownString()
	}
	return planned, requiresReplace, changed
}

// startGroupInfo starts reading group id's base info and returns its result.
func startGroupInfo(ctx context.Context, data *providerData, id string) func() (*timapi.GroupInfo, error) {
	type result struct {
		info *timapi.GroupInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := data.client.GetGroup(ctx, id)
		done <- result{info, err}
	}()
	return func() (*timapi.GroupInfo, error) { r := <-done; return r.info, r.err }
}

// checkLiveGroup refuses at plan time what the apply would refuse before its
// first write, so that a reviewer sees it on the pull request: the apply's
// precheck, and declared accounts that do not exist. A create reads the
// group's base info (one get_group_info); an update judges the group as the
// refresh read it (the prior state) and makes no call. An unknown group_id,
// such as a group created in the same apply, skips the checks. It runs only
// for a plan that changes something.
func checkLiveGroup(ctx context.Context, data *providerData, prior, planned groupMembersValue, f planFacts, info func() (*timapi.GroupInfo, error), diags *diagnostics) {
	if planned.groupID.p != isKnown || f.declared == nil || prior.p != isKnown && info == nil {
		return
	}
	groupID := planned.groupID.value()
	g := &membership.Group{Info: &timapi.GroupInfo{GroupID: groupID}, Members: f.live}
	if prior.p == isKnown {
		g.Info.Type, g.Info.OwnerAccount = prior.groupType.value(), prior.ownerAccount.value()
		if info, ok := data.refreshed.Load(groupID); ok {
			if info, ok := info.(*timapi.GroupInfo); ok {
				g.Info.CreateTime = info.CreateTime
			}
		}
	} else {
		info, err := info()
		if err != nil {
			fail := readFailure(groupID, err)
			diags.errorAt(rootPath(attrGroupID), fail.summary, fail.detail)
			return
		}
		g.Info = info
		g.Info.GroupID = groupID
	}
	for _, fail := range membership.Precheck(g, f.declared, data.client.ServerTime()) {
		at := rootPath(attrGroupID)
		if len(fail.Accounts) > 0 {
			at = memberPath(fail.Accounts[0], fail.Field)
		}
		diags.errorAt(at, fail.Summary, fail.Detail)
	}
	if diags.hasError() {
		return
	}
	var toImport []string
	for a := range f.declared {
		if _, member := g.Members[a]; !member {
			toImport = append(toImport, a)
		}
	}
	if len(toImport) == 0 || len(toImport) > membership.PlanAccountCheckMax {
		return
	}
	slices.Sort(toImport)
	missing, failures := data.accounts.missing(ctx, data, toImport)
	for _, fail := range failures {
		diags.errorAt(rootPath(attrMembers), fail.summary, fail.detail)
	}
	if len(missing) > 0 {
		diags.errorAt(memberPath(missing[0], ""), fmt.Sprintf("%s not exist in the app", membership.Plural(len(missing), "account does", "accounts do")),
			fmt.Sprintf("Group %s cannot import them (account_check): %s.\n\n%s, or remove them from members.", groupID, listAccounts(missing), createAccountsFirst))
	}
}

func planMember(account string, e wireMember, prior map[string]memberModel, diags *diagnostics) wireMember {
	if e.p != isKnown {
		return e
	}
	if e.role.p == isNull {
		e.role = known(members.RoleMember)
	}
	p, existed := prior[account]
	if e.joinTime.p == isNull {
		if existed && p.JoinTime != nil {
			e.joinTime = knownInt(*p.JoinTime)
		} else {
			e.joinTime = wireNumber{p: isUnknown}
		}
	} else if existed && e.joinTime.p == isKnown && p.JoinTime != nil {
		if jt := e.joinTime.int64Ptr(); jt != nil && *jt != *p.JoinTime {
			diags.warnAt(memberPath(account, attrJoinTime), "Changing join_time re-imports the member",
				fmt.Sprintf("The API cannot change a member's join time. %q will be removed from the group and imported again with join_time %d (it was %d). The member briefly leaves the group.", account, *jt, *p.JoinTime))
		}
	}
	if existed && e.unread.p != isUnknown && !equalInt64(e.unread.int64Ptr(), p.Unread) {
		diags.warnAt(memberPath(account, attrUnreadMsgNum), "unread_msg_num only applies when a member is imported",
			fmt.Sprintf("%q is already a member, so the new unread_msg_num changes nothing in the group; it is only recorded in the state.", account))
	}
	return e
}

func equalInt64(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (r *groupMembersResource) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ApplyResourceChangeResponse{}
	planned, ok1 := readValue(req.PlannedState, &diags, "planned state")
	prior, ok2 := readValue(req.PriorState, &diags, "prior state")
	if !ok1 || !ok2 {
		resp.Diagnostics = diags
		return resp, nil
	}
	data := r.provider.dataOrError(&diags)
	if data == nil {
		resp.Diagnostics = diags
		resp.NewState = req.PriorState
		resp.NewIdentity = stateIdentity(prior)
		return resp, nil
	}
	var newState groupMembersValue
	if planned.p == isNull {
		newState = r.delete(ctx, data, prior, &diags)
	} else {
		newState = r.createOrUpdate(ctx, data, prior, planned, &diags)
	}
	resp.NewState = writeValue(newState)
	resp.NewIdentity = stateIdentity(newState)
	resp.Diagnostics = diags
	return resp, nil
}

func (r *groupMembersResource) createOrUpdate(ctx context.Context, data *providerData, priorV, plannedV groupMembersValue, diags *diagnostics) groupMembersValue {
	creating := priorV.p == isNull
	planned := plannedV.model()
	prior := priorV.model()
	op := "update"
	if creating {
		op = "create"
	}
	ctx, cancel := context.WithTimeout(ctx, operationTimeout(planned, op))
	defer cancel()
	ctx = tflog.SetField(ctx, "group_id", planned.GroupID)

	// A failed create saves nothing: Terraform would otherwise taint the
	// resource and its replacement would remove members already imported.
	// The next apply reads the group and adopts them instead.
	unchanged := priorV
	// The declared members do not depend on the read: they are built while
	// it waits on the network.
	declaredCh := make(chan map[string]members.Declared, 1)
	go func() { declaredCh <- declaredMembers(planned.Members) }()
	// The profiles are read only as far as the plan manages them.
	live, err := data.reads.ReadGroupWith(ctx, data.client, planned.GroupID, readOptions(nonNil(planned.Members)))
	declared := <-declaredCh
	if err != nil {
		diags.failures([]applyFailure{readFailure(planned.GroupID, err)})
		return unchanged
	}
	if fs := membership.Precheck(live, declared, data.client.ServerTime()); len(fs) > 0 {
		diags.failures(memberFailures(planned.GroupID, fs))
		return unchanged
	}
	var managed func(string) bool
	if prior.Members != nil {
		managed = func(a string) bool { _, ok := prior.Members[a]; return ok }
	}
	changes := members.Diff(declared, live.Members, managed, planned.Exclusive)
	tflog.Debug(ctx, "applying membership changes", map[string]any{
		"imports": len(changes.Import), "removals": len(changes.Remove), "role_changes": len(changes.RoleChanges), "rejoins": len(changes.Rejoin), "profile_changes": len(changes.Profiles),
	})
	server, failures := data.engine.Apply(ctx, live, changes)
	diags.failures(memberFailures(planned.GroupID, failures))
	if len(failures) > 0 && !creating {
		server, _ = settle(ctx, data.engine, planned.GroupID, live.Read, server, diags)
	}
	if creating && len(failures) > 0 {
		diags.errorAt(nil, "Nothing was saved to the state",
			fmt.Sprintf("Creating %s for group %s failed part-way. Members already imported stay in the group; the next apply reads the group, adopts them without importing them again, and carries on.", groupMembersTypeName, planned.GroupID))
		return groupMembersValue{}
	}

	state := planned
	state.ID = planned.GroupID
	state.OwnerAccount = live.Info.OwnerAccount
	state.GroupType = live.Info.Type
	state.Members = stateMembers(server, planned, prior, declared)
	return state.value()
}

// stateMembers is what the state records: the server's view of every member
// this resource manages. After a partial failure that includes members whose
// removal failed (so the next plan removes them again) and excludes members
// whose import failed (so the next plan imports them again).
func stateMembers(server map[string]members.Live, planned, prior groupMembersModel, declared map[string]members.Declared) map[string]memberModel {
	out := make(map[string]memberModel, len(declared))
	for account, l := range server {
		if l.Role == members.RoleOwner {
			continue
		}
		_, isDeclared := declared[account]
		_, wasManaged := prior.Members[account]
		if !isDeclared && !wasManaged && !planned.Exclusive {
			continue
		}
		jt := l.JoinTime
		m := memberModel{Role: l.Role, JoinTime: &jt}
		if p, ok := planned.Members[account]; ok {
			// The read asked for every profile field the plan manages.
			m.Unread, m.NameCard, m.CustomData = p.Unread, p.NameCard, p.CustomData
			m = m.profileFrom(l, false)
		} else if p, ok := prior.Members[account]; ok {
			// Not declared any more (its removal failed): as last known.
			m.Unread, m.NameCard, m.CustomData = p.Unread, p.NameCard, p.CustomData
		}
		out[account] = m
	}
	return out
}

func declaredMembers(planned map[string]memberModel) map[string]members.Declared {
	declared := make(map[string]members.Declared, len(planned))
	for account, m := range planned {
		declared[account] = m.declared()
	}
	return declared
}

// nonNil is ms, or an empty map for nil: a plan always declares its
// members, so its reads never take nil for "just imported".
func nonNil(ms map[string]memberModel) map[string]memberModel {
	if ms == nil {
		return map[string]memberModel{}
	}
	return ms
}

// settle is the members as read again after a failed apply (with the
// profile fields opt asks for), or known, with a warning, when that read
// fails too; read says which.
func settle(ctx context.Context, eng membership.Engine, groupID string, opt membership.ReadOptions, known map[string]members.Live, diags *diagnostics) (_ map[string]members.Live, read bool) {
	live, err := eng.SettleWith(ctx, groupID, opt)
	if err != nil {
		diags.warnAt(nil, "Could not confirm the group's members after the failure",
			fmt.Sprintf("Reading group %s again failed too: %v. The state records what the successful calls reported; the next refresh corrects it.", groupID, err))
		return known, false
	}
	return live, true
}

func (r *groupMembersResource) delete(ctx context.Context, data *providerData, priorV groupMembersValue, diags *diagnostics) groupMembersValue {
	prior := priorV.model()
	ctx, cancel := context.WithTimeout(ctx, operationTimeout(prior, "delete"))
	defer cancel()
	eng := data.engine
	eng.MissingGroupIsDone = true
	live := &membership.Group{Info: &timapi.GroupInfo{GroupID: prior.GroupID}, Members: make(map[string]members.Live, len(prior.Members))}
	var changes members.Changes
	for a, m := range prior.Members {
		if a == prior.OwnerAccount {
			continue
		}
		changes.Remove = append(changes.Remove, a)
		live.Members[a] = members.Live{Role: m.Role}
	}
	slices.Sort(changes.Remove)
	server, failures := eng.Apply(ctx, live, changes)
	if len(failures) == 0 {
		return groupMembersValue{}
	}
	diags.failures(memberFailures(prior.GroupID, failures))
	opt := readOptions(nonNil(prior.Members))
	server, read := settle(ctx, eng, prior.GroupID, opt, server, diags)
	left := prior
	left.Members = make(map[string]memberModel, len(server))
	for a, l := range server {
		if m, managed := prior.Members[a]; managed {
			jt := l.JoinTime
			kept := memberModel{Role: l.Role, JoinTime: &jt, Unread: m.Unread, NameCard: m.NameCard, CustomData: m.CustomData}
			if read {
				// The settle read these fields; the prior state's are kept
				// when it failed.
				kept = kept.profileFrom(l, false)
			}
			left.Members[a] = kept
		}
	}
	return left.value()
}

func (r *groupMembersResource) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, NewIdentity: req.CurrentIdentity}
	current, ok := readValue(req.CurrentState, &diags, "state")
	if !ok || current.p == isNull {
		resp.Diagnostics = diags
		return resp, nil
	}
	// Every answer carries the identity, also when the read fails, so that
	// a state saved before identity existed gets one on its first refresh.
	resp.NewIdentity = stateIdentity(current)
	data := r.provider.dataOrError(&diags)
	if data == nil {
		resp.Diagnostics = diags
		return resp, nil
	}
	m := current.model()
	ctx, cancel := context.WithTimeout(ctx, operationTimeout(m, "read"))
	defer cancel()
	// Just imported (members null), every profile is read, to be adopted;
	// otherwise only the fields the state manages.
	live, err := data.reads.ReadGroupWith(ctx, data.client, m.GroupID, readOptions(m.Members))
	switch {
	case timapi.IsNotFound(err):
		diags.warnAt(nil, fmt.Sprintf("Group %s no longer exists", m.GroupID),
			fmt.Sprintf("%v. %s is removed from the state; the next apply creates it again if the group is back, or fails naming the group.", err, groupMembersTypeName))
		resp.NewState, resp.NewIdentity = writeValue(groupMembersValue{}), nil
		resp.Diagnostics = diags
		return resp, nil
	case err != nil:
		diags.failures([]applyFailure{readFailure(m.GroupID, err)})
		resp.Diagnostics = diags
		return resp, nil
	}
	data.refreshed.Store(m.GroupID, live.Info)
	resp.NewState = writeValue(refreshed(m, live).value())
	resp.Diagnostics = diags
	return resp, nil
}

// refreshed is the state m as a read of the group finds it: every managed
// member as the server holds it, and every other member too when m was just
// imported (members null) or is exclusive. The list resource builds its
// results with it, so that a result is exactly what an import would read.
func refreshed(m groupMembersModel, live *membership.Group) groupMembersModel {
	adoptAll := m.Members == nil || m.Exclusive
	next := make(map[string]memberModel, len(m.Members))
	for account, l := range live.Members {
		if l.Role == members.RoleOwner {
			continue
		}
		prev, known := m.Members[account]
		if !known && !adoptAll {
			continue
		}
		jt := l.JoinTime
		// An adopted member's profile is filled as far as the read found
		// one (an import reads them all); a known one keeps what it manages.
		next[account] = memberModel{Role: l.Role, JoinTime: &jt, Unread: prev.Unread, NameCard: prev.NameCard, CustomData: prev.CustomData}.profileFrom(l, !known)
	}
	m.ID = m.GroupID
	m.Members = next
	m.OwnerAccount = live.Info.OwnerAccount
	m.GroupType = live.Info.Type
	return m
}

// imported is the state an import of group id starts from: members null,
// so that the read which follows adopts every member.
func imported(id string) groupMembersModel { return groupMembersModel{ID: id, GroupID: id} }

func (r *groupMembersResource) ImportResourceState(_ context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ImportResourceStateResponse{}
	id, how := strings.TrimSpace(req.ID), "Import with the group ID: terraform import "+groupMembersTypeName+".NAME '@TGS#...'."
	if req.ID == "" && req.Identity != nil {
		// An import block's identity = { group_id = "..." } (Terraform and
		// OpenTofu ≥ 1.12).
		how = "Import with identity = { group_id = \"@TGS#...\" } in the import block."
		var err error
		if id, err = identityGroupIDOf(req.Identity); err != nil {
			diags.errorAt(nil, "Invalid import identity", fmt.Sprintf("The identity given to import %s: %v. %s", groupMembersTypeName, err, how))
			resp.Diagnostics = diags
			return resp, nil
		}
	}
	validateGroupID(id, nil, &diags)
	if diags.hasError() {
		diags[0].Detail += " " + how
		resp.Diagnostics = diags
		return resp, nil
	}
	v := imported(id).value()
	resp.ImportedResources = []*tfprotov6.ImportedResource{{TypeName: groupMembersTypeName, State: writeValue(v), Identity: stateIdentity(v)}}
	resp.Diagnostics = diags
	return resp, nil
}
