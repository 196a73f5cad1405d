package provider

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// groupMembersResource serves tencentim_group_members on the plugin protocol
// directly. The framework's plan path visits every value with a context that
// grows by one layer per value, which makes a 10,000-member map take minutes;
// here every RPC is a single linear pass over the members.
type groupMembersResource struct {
	provider *tencentimProvider
	now      func() time.Time
}

func defaultTimeout(op string) time.Duration {
	if op == "read" {
		return 10 * time.Minute
	}
	return 30 * time.Minute
}

// diagnostics collects protocol diagnostics.
type diagnostics []*tfprotov6.Diagnostic

func (d *diagnostics) add(sev tfprotov6.DiagnosticSeverity, p *tftypes.AttributePath, summary, detail string) {
	*d = append(*d, &tfprotov6.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Attribute: p})
}

func (d *diagnostics) errorAt(p *tftypes.AttributePath, summary, detail string) {
	d.add(tfprotov6.DiagnosticSeverityError, p, summary, detail)
}

func (d *diagnostics) warnAt(p *tftypes.AttributePath, summary, detail string) {
	d.add(tfprotov6.DiagnosticSeverityWarning, p, summary, detail)
}

func (d *diagnostics) failures(fs []applyFailure) {
	for _, f := range fs {
		d.errorAt(nil, f.summary, f.detail)
	}
}

func (d diagnostics) hasError() bool {
	for _, x := range d {
		if x.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
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

// client returns the configured provider data, or reports why there is none.
func (r *groupMembersResource) client(diags *diagnostics) *providerData {
	data := r.provider.configured.Load()
	if data == nil {
		diags.errorAt(nil, "Provider not configured",
			"The tencentim provider has no configuration yet, usually because a provider setting depends on a value known only after apply. Set the provider's settings from variables or values known at plan time.")
	}
	return data
}

func (r *groupMembersResource) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	var diags diagnostics
	if config, ok := readValue(req.Config, &diags, "configuration"); ok {
		validateConfig(config, r.now(), &diags)
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: diags}, nil
}

// validateConfig checks every known value, so that a typo fails at validate
// or plan time, before any API call.
func validateConfig(config groupMembersValue, now time.Time, diags *diagnostics) {
	if config.p != isKnown {
		return
	}
	if gid := config.groupID; gid.set() {
		validateGroupID(gid.s, rootPath(attrGroupID), diags)
	}
	if config.timeoutsP == isKnown {
		for i, op := range timeoutNames {
			v := config.timeouts[i]
			if !v.set() {
				continue
			}
			if d, err := time.ParseDuration(v.s); err != nil || d <= 0 {
				diags.errorAt(rootPath(attrTimeouts).WithAttributeName(op), "Invalid timeout",
					fmt.Sprintf("%q is not a positive duration; use a value such as \"30m\" or \"1h\".", v.s))
			}
		}
	}
	if config.membersP != isKnown {
		return
	}
	for account, e := range config.members {
		validateAccount(account, diags)
		if e.p != isKnown {
			continue
		}
		if role := e.role; role.set() {
			switch s := role.s; s {
			case members.RoleAdmin, members.RoleMember:
			case members.RoleOwner:
				diags.errorAt(memberPath(account, attrRole), "The owner role cannot be declared",
					fmt.Sprintf("%q has role \"Owner\". A group's owner is set when the group is created or with change_group_owner, never by this resource. Use \"Admin\" or \"Member\".", account))
			default:
				diags.errorAt(memberPath(account, attrRole), "Invalid role",
					fmt.Sprintf("%q has role %q. Use \"Admin\" or \"Member\" (the default); roles are case-sensitive.", account, s))
			}
		}
		if jt, ok := wholeNumber(e.joinTime, account, attrJoinTime, diags); ok {
			switch {
			case jt <= 0:
				diags.errorAt(memberPath(account, attrJoinTime), "Invalid join_time",
					fmt.Sprintf("join_time of %q is %d; it must be a positive Unix time in seconds, after the group's creation.", account, jt))
			case jt > now.Unix():
				diags.errorAt(memberPath(account, attrJoinTime), "join_time in the future",
					fmt.Sprintf("join_time of %q is %d (%s), after now; the API only imports members that joined in the past.", account, jt, time.Unix(jt, 0).UTC().Format(time.RFC3339)))
			}
		}
		if n, ok := wholeNumber(e.unread, account, attrUnreadMsgNum, diags); ok && n < 0 {
			diags.errorAt(memberPath(account, attrUnreadMsgNum), "Invalid unread_msg_num",
				fmt.Sprintf("unread_msg_num of %q is %d; it must be zero or more.", account, n))
		}
	}
}

// wholeNumber returns a known, non-null number that must be an integer.
// The attribute path is only built for a diagnostic.
func wholeNumber(n wireNumber, account, name string, diags *diagnostics) (int64, bool) {
	if !n.set() {
		return 0, false
	}
	if n.f == nil {
		return n.i, true
	}
	i, acc := n.f.Int64()
	if !n.f.IsInt() || acc != big.Exact {
		diags.errorAt(memberPath(account, name), "Invalid "+name, fmt.Sprintf("%s is %s; it must be a whole number.", name, n.f.Text('g', -1)))
		return 0, false
	}
	return i, true
}

func validateGroupID(id string, p *tftypes.AttributePath, diags *diagnostics) {
	switch {
	case id == "":
		diags.errorAt(p, "Empty group_id", "Set group_id to the ID of an existing group, such as \"@TGS#2J4SZEAEL\".")
	case len(id) > 48:
		diags.errorAt(p, "group_id too long", fmt.Sprintf("group_id is %d bytes; group IDs are at most 48 bytes.", len(id)))
	case !printableASCII(id):
		diags.errorAt(p, "Invalid group_id", fmt.Sprintf("group_id %q contains characters other than printable ASCII; group IDs use only printable ASCII.", id))
	}
}

// validateAccount reports a member key that is not a valid UserID, by the
// same rule as tencentim_accounts; the path is built only for an error.
func validateAccount(account string, diags *diagnostics) {
	msg := userIDProblem(account)
	if msg == "" {
		return
	}
	summary := "Invalid account"
	if account == "" {
		summary, msg = "Empty account", "A member key is empty. Keys are the members' accounts (UserIDs)."
	}
	diags.errorAt(memberPath(account, ""), summary, msg)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (r *groupMembersResource) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.UpgradeResourceStateResponse{}
	if req.RawState == nil {
		return resp, nil
	}
	v, err := upgradeState(req.RawState)
	if err != nil {
		diags.errorAt(nil, "Unable to read the saved state", fmt.Sprintf("The state of %s (schema version %d) could not be decoded: %v. Remove it with `terraform state rm` and import the group again.", groupMembersTypeName, req.Version, err))
		resp.Diagnostics = diags
		return resp, nil
	}
	resp.UpgradedState = writeValue(v)
	return resp, nil
}

// upgradeState reads the saved state, dropping attributes no longer in the
// schema. Plain JSON as Terraform writes it is read directly; anything else
// goes through tftypes.
func upgradeState(raw *tfprotov6.RawState) (groupMembersValue, error) {
	if raw.JSON != nil {
		if v, err := decodeStateJSON(raw.JSON); err == nil {
			return v, nil
		}
	}
	tv, err := raw.UnmarshalWithOpts(groupMembersType, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return groupMembersValue{}, err
	}
	return valueFromTF(tv)
}

func (r *groupMembersResource) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
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
		return resp, nil
	}
	planned, requiresReplace := planValue(config, prior, &diags)
	resp.RequiresReplace = requiresReplace
	resp.PlannedState = writeValue(planned)
	resp.Diagnostics = diags
	return resp, nil
}

// planValue computes the planned state from the configuration in one pass:
// defaults, values kept from the prior state, unknowns for what only the
// apply can tell, and warnings for changes that do less than they seem.
func planValue(config, prior groupMembersValue, diags *diagnostics) (groupMembersValue, []*tftypes.AttributePath) {
	priorModel := prior.model()
	groupID := config.groupID
	priorKnown := prior.p == isKnown
	sameGroup := priorKnown && groupID.equal(prior.groupID)
	var requiresReplace []*tftypes.AttributePath
	if priorKnown && !sameGroup {
		requiresReplace = append(requiresReplace, rootPath(attrGroupID))
	}

	planned := groupMembersValue{
		p:            isKnown,
		id:           groupID,
		groupID:      groupID,
		exclusive:    config.exclusive,
		ownerAccount: unknownString(),
		groupType:    unknownString(),
		membersP:     config.membersP,
		members:      config.members,
		timeoutsP:    config.timeoutsP,
		timeouts:     config.timeouts,
	}
	if sameGroup {
		planned.ownerAccount, planned.groupType = prior.ownerAccount, prior.groupType
	}
	if planned.exclusive.p == isNull {
		planned.exclusive = wireBool{p: isKnown}
	}

	if config.membersP == isKnown {
		var priorMembers map[string]memberModel
		owner := ""
		if sameGroup {
			priorMembers, owner = priorModel.Members, priorModel.OwnerAccount
		}
		out := make(map[string]wireMember, len(config.members))
		for account, e := range config.members {
			out[account] = planMember(account, e, priorMembers, diags)
			if owner != "" && account == owner {
				diags.errorAt(memberPath(account, ""), "The group owner is declared as a member",
					fmt.Sprintf("%q owns group %s. The owner is not a managed member: it can't be imported, removed or given another role here. Remove it from members (use change_group_owner to hand over ownership).", account, priorModel.GroupID))
			}
		}
		planned.members = out
	}
	return planned, requiresReplace
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

func operationTimeout(m groupMembersModel, op string) time.Duration {
	if s, ok := m.Timeouts[op]; ok {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return defaultTimeout(op)
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
	data := r.client(&diags)
	if data == nil {
		resp.Diagnostics = diags
		resp.NewState = req.PriorState
		return resp, nil
	}
	var newState groupMembersValue
	if planned.p == isNull {
		newState = r.delete(ctx, data, prior, &diags)
	} else {
		newState = r.createOrUpdate(ctx, data, prior, planned, &diags)
	}
	resp.NewState = writeValue(newState)
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
	rec := newReconciler(data, planned.GroupID)
	// The declared members do not depend on the read: they are built while
	// it waits on the network.
	declaredCh := make(chan map[string]members.Declared, 1)
	go func() { declaredCh <- declaredMembers(planned.Members) }()
	live, err := rec.readGroup(ctx)
	declared := <-declaredCh
	if err != nil {
		diags.failures([]applyFailure{rec.readFailure(err)})
		return unchanged
	}
	if fs := rec.precheck(live, declared); len(fs) > 0 {
		diags.failures(fs)
		return unchanged
	}
	var managed func(string) bool
	if prior.Members != nil {
		managed = func(a string) bool { _, ok := prior.Members[a]; return ok }
	}
	changes := members.Diff(declared, live.members, managed, planned.Exclusive)
	tflog.Debug(ctx, "applying membership changes", map[string]any{
		"imports": len(changes.Import), "removals": len(changes.Remove), "role_changes": len(changes.RoleChanges), "rejoins": len(changes.Rejoin),
	})
	server, failures := rec.apply(ctx, live, changes)
	diags.failures(failures)
	if len(failures) > 0 && !creating {
		server = rec.settle(ctx, server, diags)
	}
	if creating && len(failures) > 0 {
		diags.errorAt(nil, "Nothing was saved to the state",
			fmt.Sprintf("Creating %s for group %s failed part-way. Members already imported stay in the group; the next apply reads the group, adopts them without importing them again, and carries on.", groupMembersTypeName, planned.GroupID))
		return groupMembersValue{}
	}

	state := planned
	state.ID = planned.GroupID
	state.OwnerAccount = live.info.OwnerAccount
	state.GroupType = live.info.Type
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
			m.Unread = p.Unread
		} else if p, ok := prior.Members[account]; ok {
			m.Unread = p.Unread
		}
		out[account] = m
	}
	return out
}

func declaredMembers(planned map[string]memberModel) map[string]members.Declared {
	declared := make(map[string]members.Declared, len(planned))
	for account, m := range planned {
		d := members.Declared{Role: m.Role}
		if m.JoinTime != nil {
			d.JoinTime = *m.JoinTime
		}
		if m.Unread != nil {
			d.UnreadMsgNum = *m.Unread
		}
		declared[account] = d
	}
	return declared
}

func (rec *reconciler) readFailure(err error) applyFailure {
	if timapi.IsNotFound(err) {
		return applyFailure{
			fmt.Sprintf("Group %s does not exist", rec.groupID),
			fmt.Sprintf("%v.\n\nCreate the group first (for example with a tencentim_group resource), or check group_id and that the provider's sdkappid and region are the app's.", err),
		}
	}
	return rec.callFailure("reading group", err, nil)
}

func (r *groupMembersResource) delete(ctx context.Context, data *providerData, priorV groupMembersValue, diags *diagnostics) groupMembersValue {
	prior := priorV.model()
	ctx, cancel := context.WithTimeout(ctx, operationTimeout(prior, "delete"))
	defer cancel()
	rec := newReconciler(data, prior.GroupID)
	rec.missingGroupIsDone = true
	live := &liveGroup{info: &timapi.GroupInfo{GroupID: prior.GroupID}, members: make(map[string]members.Live, len(prior.Members))}
	var changes members.Changes
	for a, m := range prior.Members {
		if a == prior.OwnerAccount {
			continue
		}
		changes.Remove = append(changes.Remove, a)
		live.members[a] = members.Live{Role: m.Role}
	}
	slices.Sort(changes.Remove)
	server, failures := rec.apply(ctx, live, changes)
	if len(failures) == 0 {
		return groupMembersValue{}
	}
	diags.failures(failures)
	server = rec.settle(ctx, server, diags)
	left := prior
	left.Members = make(map[string]memberModel, len(server))
	for a, l := range server {
		if m, managed := prior.Members[a]; managed {
			jt := l.JoinTime
			left.Members[a] = memberModel{Role: l.Role, JoinTime: &jt, Unread: m.Unread}
		}
	}
	return left.value()
}

func (r *groupMembersResource) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState}
	current, ok := readValue(req.CurrentState, &diags, "state")
	if !ok || current.p == isNull {
		resp.Diagnostics = diags
		return resp, nil
	}
	data := r.client(&diags)
	if data == nil {
		resp.Diagnostics = diags
		return resp, nil
	}
	m := current.model()
	ctx, cancel := context.WithTimeout(ctx, operationTimeout(m, "read"))
	defer cancel()
	rec := newReconciler(data, m.GroupID)
	live, err := rec.readGroup(ctx)
	switch {
	case timapi.IsNotFound(err):
		diags.warnAt(nil, fmt.Sprintf("Group %s no longer exists", m.GroupID),
			fmt.Sprintf("%v. %s is removed from the state; the next apply creates it again if the group is back, or fails naming the group.", err, groupMembersTypeName))
		resp.NewState = writeValue(groupMembersValue{})
		resp.Diagnostics = diags
		return resp, nil
	case err != nil:
		diags.failures([]applyFailure{rec.readFailure(err)})
		resp.Diagnostics = diags
		return resp, nil
	}
	adoptAll := m.Members == nil || m.Exclusive
	next := make(map[string]memberModel, len(m.Members))
	for account, l := range live.members {
		if l.Role == members.RoleOwner {
			continue
		}
		prev, known := m.Members[account]
		if !known && !adoptAll {
			continue
		}
		jt := l.JoinTime
		next[account] = memberModel{Role: l.Role, JoinTime: &jt, Unread: prev.Unread}
	}
	m.ID = m.GroupID
	m.Members = next
	m.OwnerAccount = live.info.OwnerAccount
	m.GroupType = live.info.Type
	resp.NewState = writeValue(m.value())
	resp.Diagnostics = diags
	return resp, nil
}

func (r *groupMembersResource) ImportResourceState(_ context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ImportResourceStateResponse{}
	id := strings.TrimSpace(req.ID)
	validateGroupID(id, nil, &diags)
	if diags.hasError() {
		diags[0].Detail += " Import with the group ID: terraform import " + groupMembersTypeName + ".NAME '@TGS#...'."
		resp.Diagnostics = diags
		return resp, nil
	}
	// Members stay null so that the read which follows adopts every member.
	state := writeValue(groupMembersModel{ID: id, GroupID: id}.value())
	resp.ImportedResources = []*tfprotov6.ImportedResource{{TypeName: groupMembersTypeName, State: state}}
	resp.Diagnostics = diags
	return resp, nil
}

func (r *groupMembersResource) MoveResourceState(context.Context, *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: []*tfprotov6.Diagnostic{{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Moving state is not supported",
		Detail:   groupMembersTypeName + " cannot take over the state of another resource type. Import the group instead.",
	}}}, nil
}

func (r *groupMembersResource) UpgradeResourceIdentity(context.Context, *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: []*tfprotov6.Diagnostic{{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Resource identity is not supported",
		Detail:   groupMembersTypeName + " has no resource identity; import it by group ID.",
	}}}, nil
}

func (r *groupMembersResource) GenerateResourceConfig(context.Context, *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return &tfprotov6.GenerateResourceConfigResponse{Diagnostics: []*tfprotov6.Diagnostic{{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Generating configuration is not supported",
		Detail:   "Write the " + groupMembersTypeName + " block by hand; `terraform plan` after an import shows the members it holds.",
	}}}, nil
}
