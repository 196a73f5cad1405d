package provider

// The tftypes implementation of the resource's values, as it was before the
// direct wire codec (group_members_wire.go). It is the oracle the codec and
// planValue are checked against, and it keeps the tests written against it
// (decodeGroupMembers, encodeGroupMembers, planGroupMembers,
// validateGroupMembersConfig) running against the new code through the
// adapters below.

import (
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
)

func refDecodeGroupMembers(v tftypes.Value) (groupMembersModel, error) {
	var m groupMembersModel
	attrs, err := refObjectAttrs(v)
	if err != nil {
		return m, err
	}
	m.ID = refStringOf(attrs[attrID])
	m.GroupID = refStringOf(attrs[attrGroupID])
	m.OwnerAccount = refStringOf(attrs[attrOwnerAccount])
	m.GroupType = refStringOf(attrs[attrGroupType])
	m.Exclusive = refBoolOf(attrs[attrExclusive])
	if t, err := refObjectAttrs(attrs[attrTimeouts]); err == nil && t != nil {
		m.Timeouts = make(map[string]string, len(t))
		for k, tv := range t {
			if s := refStringOf(tv); s != "" {
				m.Timeouts[k] = s
			}
		}
	}
	mv := attrs[attrMembers]
	if mv.IsNull() || !mv.IsKnown() {
		return m, nil
	}
	var elems map[string]tftypes.Value
	if err := mv.As(&elems); err != nil {
		return m, fmt.Errorf("members: %w", err)
	}
	m.Members = make(map[string]memberModel, len(elems))
	for account, ev := range elems {
		ea, err := refObjectAttrs(ev)
		if err != nil {
			return m, fmt.Errorf("members[%q]: %w", account, err)
		}
		m.Members[account] = memberModel{
			Role:     refStringOf(ea[attrRole]),
			JoinTime: refInt64Of(ea[attrJoinTime]),
			Unread:   refInt64Of(ea[attrUnreadMsgNum]),
		}
	}
	return m, nil
}

func refEncodeGroupMembers(m groupMembersModel) tftypes.Value {
	members := tftypes.NewValue(membersMapType, nil)
	if m.Members != nil {
		elems := make(map[string]tftypes.Value, len(m.Members))
		for account, mm := range m.Members {
			elems[account] = refEncodeMember(mm)
		}
		members = tftypes.NewValue(membersMapType, elems)
	}
	timeouts := tftypes.NewValue(timeoutsType, nil)
	if m.Timeouts != nil {
		t := make(map[string]tftypes.Value, len(timeoutNames))
		for _, op := range timeoutNames {
			t[op] = refNullableString(m.Timeouts[op])
		}
		timeouts = tftypes.NewValue(timeoutsType, t)
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           tftypes.NewValue(tftypes.String, m.ID),
		attrGroupID:      tftypes.NewValue(tftypes.String, m.GroupID),
		attrExclusive:    tftypes.NewValue(tftypes.Bool, m.Exclusive),
		attrMembers:      members,
		attrOwnerAccount: tftypes.NewValue(tftypes.String, m.OwnerAccount),
		attrGroupType:    tftypes.NewValue(tftypes.String, m.GroupType),
		attrTimeouts:     timeouts,
	})
}

func refEncodeMember(m memberModel) tftypes.Value {
	return tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
		attrRole:         tftypes.NewValue(tftypes.String, m.Role),
		attrJoinTime:     refNullableNumber(m.JoinTime),
		attrUnreadMsgNum: refNullableNumber(m.Unread),
	})
}

func refObjectAttrs(v tftypes.Value) (map[string]tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, err
	}
	return attrs, nil
}

func refStringOf(v tftypes.Value) string {
	var s string
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	return s
}

func refBoolOf(v tftypes.Value) bool {
	var b bool
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&b)
	}
	return b
}

// int64Of returns nil for null, unknown and non-integral numbers (validation
// refuses the latter before they get here).
func refInt64Of(v tftypes.Value) *int64 {
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	var f big.Float
	if err := v.As(&f); err != nil || !f.IsInt() {
		return nil
	}
	i, _ := f.Int64()
	return &i
}

func refNullableNumber(p *int64) tftypes.Value {
	if p == nil {
		return tftypes.NewValue(tftypes.Number, nil)
	}
	return tftypes.NewValue(tftypes.Number, *p)
}

func refNullableString(s string) tftypes.Value {
	if s == "" {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, s)
}

func refUnmarshal(dv *tfprotov6.DynamicValue, diags *diagnostics, what string) (tftypes.Value, bool) {
	if dv == nil {
		return tftypes.NewValue(groupMembersType, nil), true
	}
	v, err := dv.Unmarshal(groupMembersType)
	if err != nil {
		diags.errorAt(nil, "Unable to read "+what, fmt.Sprintf("The %s of %s could not be decoded: %v. This is a bug in the provider; please report it.", what, groupMembersTypeName, err))
		return v, false
	}
	return v, true
}

func refMarshal(v tftypes.Value, diags *diagnostics) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(groupMembersType, v)
	if err != nil {
		diags.errorAt(nil, "Unable to encode state", fmt.Sprintf("%v. This is a bug in the provider; please report it.", err))
		return nil
	}
	return &dv
}

// validateGroupMembersConfig checks every known value, so that a typo fails
// at validate or plan time, before any API call.
func refValidateGroupMembersConfig(config tftypes.Value, now time.Time, diags *diagnostics) {
	attrs, err := refObjectAttrs(config)
	if err != nil || attrs == nil {
		return
	}
	if gid := attrs[attrGroupID]; gid.IsKnown() && !gid.IsNull() {
		validateGroupID(refStringOf(gid), rootPath(attrGroupID), diags)
	}
	if t := attrs[attrTimeouts]; t.IsKnown() && !t.IsNull() {
		tattrs, _ := refObjectAttrs(t)
		for _, op := range timeoutNames {
			v := tattrs[op]
			if !v.IsKnown() || v.IsNull() {
				continue
			}
			if d, err := time.ParseDuration(refStringOf(v)); err != nil || d <= 0 {
				diags.errorAt(rootPath(attrTimeouts).WithAttributeName(op), "Invalid timeout",
					fmt.Sprintf("%q is not a positive duration; use a value such as \"30m\" or \"1h\".", refStringOf(v)))
			}
		}
	}
	mv := attrs[attrMembers]
	if !mv.IsKnown() || mv.IsNull() {
		return
	}
	var elems map[string]tftypes.Value
	if err := mv.As(&elems); err != nil {
		return
	}
	for account, ev := range elems {
		if p := checkMemberKey(account); p != nil {
			diags.errorAt(memberPath(account, ""), p.summary, p.detail)
		}
		ea, err := refObjectAttrs(ev)
		if err != nil || ea == nil {
			continue
		}
		if role := ea[attrRole]; role.IsKnown() && !role.IsNull() {
			switch s := refStringOf(role); s {
			case members.RoleAdmin, members.RoleMember:
			case members.RoleOwner:
				diags.errorAt(memberPath(account, attrRole), "The owner role cannot be declared",
					fmt.Sprintf("%q has role \"Owner\". A group's owner is set when the group is created or with change_group_owner, never by this resource. Use \"Admin\" or \"Member\".", account))
			default:
				diags.errorAt(memberPath(account, attrRole), "Invalid role",
					fmt.Sprintf("%q has role %q. Use \"Admin\" or \"Member\" (the default); roles are case-sensitive.", account, s))
			}
		}
		if jt, ok := refWholeNumber(ea[attrJoinTime], memberPath(account, attrJoinTime), "join_time", diags); ok {
			switch {
			case jt <= 0:
				diags.errorAt(memberPath(account, attrJoinTime), "Invalid join_time",
					fmt.Sprintf("join_time of %q is %d; it must be a positive Unix time in seconds, after the group's creation.", account, jt))
			case jt > now.Unix():
				diags.errorAt(memberPath(account, attrJoinTime), "join_time in the future",
					fmt.Sprintf("join_time of %q is %d (%s), after now; the API only imports members that joined in the past.", account, jt, time.Unix(jt, 0).UTC().Format(time.RFC3339)))
			}
		}
		if n, ok := refWholeNumber(ea[attrUnreadMsgNum], memberPath(account, attrUnreadMsgNum), "unread_msg_num", diags); ok && n < 0 {
			diags.errorAt(memberPath(account, attrUnreadMsgNum), "Invalid unread_msg_num",
				fmt.Sprintf("unread_msg_num of %q is %d; it must be zero or more.", account, n))
		}
	}
}

// wholeNumber returns a known, non-null number that must be an integer.
func refWholeNumber(v tftypes.Value, p *tftypes.AttributePath, name string, diags *diagnostics) (int64, bool) {
	if !v.IsKnown() || v.IsNull() {
		return 0, false
	}
	var f big.Float
	if err := v.As(&f); err != nil {
		return 0, false
	}
	i, acc := f.Int64()
	if !f.IsInt() || acc != big.Exact {
		diags.errorAt(p, "Invalid "+name, fmt.Sprintf("%s is %s; it must be a whole number.", name, f.Text('g', -1)))
		return 0, false
	}
	return i, true
}

// planGroupMembers computes the planned state from the configuration in one
// pass: defaults, values kept from the prior state, unknowns for what only
// the apply can tell, and warnings for changes that do less than they seem.
func refPlanGroupMembers(config, prior tftypes.Value, diags *diagnostics) (tftypes.Value, []*tftypes.AttributePath) {
	cfg, _ := refObjectAttrs(config)
	priorAttrs, _ := refObjectAttrs(prior)
	priorModel, _ := refDecodeGroupMembers(prior)

	groupID := cfg[attrGroupID]
	sameGroup := priorAttrs != nil && groupID.Equal(priorAttrs[attrGroupID])
	var requiresReplace []*tftypes.AttributePath
	if priorAttrs != nil && !sameGroup {
		requiresReplace = append(requiresReplace, rootPath(attrGroupID))
	}

	unknownString := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	ownerV, typeV := unknownString, unknownString
	if sameGroup {
		ownerV, typeV = priorAttrs[attrOwnerAccount], priorAttrs[attrGroupType]
	}

	exclusive := cfg[attrExclusive]
	if exclusive.IsNull() {
		exclusive = tftypes.NewValue(tftypes.Bool, false)
	}

	members := cfg[attrMembers]
	if members.IsKnown() && !members.IsNull() {
		var elems map[string]tftypes.Value
		_ = members.As(&elems)
		var priorMembers map[string]memberModel
		if sameGroup {
			priorMembers = priorModel.Members
		}
		owner := ""
		if sameGroup {
			owner = priorModel.OwnerAccount
		}
		out := make(map[string]tftypes.Value, len(elems))
		for account, ev := range elems {
			out[account] = refPlanMember(account, ev, priorMembers, diags)
			if owner != "" && account == owner {
				diags.errorAt(memberPath(account, ""), "The group owner is declared as a member",
					fmt.Sprintf("%q owns group %s. The owner is not a managed member: it can't be imported, removed or given another role here. Remove it from members (use change_group_owner to hand over ownership).", account, priorModel.GroupID))
			}
		}
		members = tftypes.NewValue(membersMapType, out)
	}

	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           groupID,
		attrGroupID:      groupID,
		attrExclusive:    exclusive,
		attrMembers:      members,
		attrOwnerAccount: ownerV,
		attrGroupType:    typeV,
		attrTimeouts:     cfg[attrTimeouts],
	}), requiresReplace
}

func refPlanMember(account string, ev tftypes.Value, prior map[string]memberModel, diags *diagnostics) tftypes.Value {
	ea, err := refObjectAttrs(ev)
	if err != nil || ea == nil {
		return ev
	}
	role := ea[attrRole]
	if role.IsNull() {
		role = tftypes.NewValue(tftypes.String, members.RoleMember)
	}
	joinTime := ea[attrJoinTime]
	p, existed := prior[account]
	if joinTime.IsNull() {
		if existed && p.JoinTime != nil {
			joinTime = tftypes.NewValue(tftypes.Number, *p.JoinTime)
		} else {
			joinTime = tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)
		}
	} else if existed && joinTime.IsKnown() && p.JoinTime != nil {
		if jt := refInt64Of(joinTime); jt != nil && *jt != *p.JoinTime {
			diags.warnAt(memberPath(account, attrJoinTime), "Changing join_time re-imports the member",
				fmt.Sprintf("The API cannot change a member's join time. %q will be removed from the group and imported again with join_time %d (it was %d). The member briefly leaves the group.", account, *jt, *p.JoinTime))
		}
	}
	unread := ea[attrUnreadMsgNum]
	if existed && unread.IsKnown() && !equalInt64(refInt64Of(unread), p.Unread) {
		diags.warnAt(memberPath(account, attrUnreadMsgNum), "unread_msg_num only applies when a member is imported",
			fmt.Sprintf("%q is already a member, so the new unread_msg_num changes nothing in the group; it is only recorded in the state.", account))
	}
	return tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
		attrRole:         role,
		attrJoinTime:     joinTime,
		attrUnreadMsgNum: unread,
	})
}

// ------------------------------------------------ adapters and conversions

func valueToTF(v groupMembersValue) tftypes.Value {
	switch v.p {
	case isNull:
		return tftypes.NewValue(groupMembersType, nil)
	case isUnknown:
		return tftypes.NewValue(groupMembersType, tftypes.UnknownValue)
	}
	var membersV tftypes.Value
	switch v.members.p {
	case isNull:
		membersV = tftypes.NewValue(membersMapType, nil)
	case isUnknown:
		membersV = tftypes.NewValue(membersMapType, tftypes.UnknownValue)
	default:
		elems := make(map[string]tftypes.Value, len(v.members.elems))
		for a, m := range v.members.elems {
			elems[a] = memberToTF(m)
		}
		membersV = tftypes.NewValue(membersMapType, elems)
	}
	var timeoutsV tftypes.Value
	switch v.timeouts.p {
	case isNull:
		timeoutsV = tftypes.NewValue(timeoutsType, nil)
	case isUnknown:
		timeoutsV = tftypes.NewValue(timeoutsType, tftypes.UnknownValue)
	default:
		t := map[string]tftypes.Value{}
		for i, op := range timeoutNames {
			t[op] = stringToTF(v.timeouts.ops[i])
		}
		timeoutsV = tftypes.NewValue(timeoutsType, t)
	}
	var excl tftypes.Value
	switch v.exclusive.p {
	case isNull:
		excl = tftypes.NewValue(tftypes.Bool, nil)
	case isUnknown:
		excl = tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
	default:
		excl = tftypes.NewValue(tftypes.Bool, v.exclusive.b)
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           stringToTF(v.id),
		attrGroupID:      stringToTF(v.groupID),
		attrExclusive:    excl,
		attrMembers:      membersV,
		attrOwnerAccount: stringToTF(v.ownerAccount),
		attrGroupType:    stringToTF(v.groupType),
		attrTimeouts:     timeoutsV,
	})
}

func memberToTF(m wireMember) tftypes.Value {
	switch m.p {
	case isNull:
		return tftypes.NewValue(memberObjectType, nil)
	case isUnknown:
		return tftypes.NewValue(memberObjectType, tftypes.UnknownValue)
	}
	return tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
		attrRole:         stringToTF(m.role),
		attrJoinTime:     numberToTF(m.joinTime),
		attrUnreadMsgNum: numberToTF(m.unread),
	})
}

func stringToTF(s wireString) tftypes.Value {
	switch s.p {
	case isNull:
		return tftypes.NewValue(tftypes.String, nil)
	case isUnknown:
		return tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	}
	return tftypes.NewValue(tftypes.String, s.s)
}

func numberToTF(n wireNumber) tftypes.Value {
	switch {
	case n.p == isNull:
		return tftypes.NewValue(tftypes.Number, nil)
	case n.p == isUnknown:
		return tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)
	case n.f != nil:
		return tftypes.NewValue(tftypes.Number, n.f)
	}
	return tftypes.NewValue(tftypes.Number, n.i)
}

func mustFromTF(v tftypes.Value) groupMembersValue {
	w, err := groupMembers.fromTF(v)
	if err != nil {
		panic(err)
	}
	return w
}

// The names the tests were written against, over the new implementation.

func decodeGroupMembers(v tftypes.Value) (groupMembersModel, error) {
	w, err := groupMembers.fromTF(v)
	return w.model(), err
}

func encodeGroupMembers(m groupMembersModel) tftypes.Value { return valueToTF(m.value()) }

func planGroupMembers(config, prior tftypes.Value, diags *diagnostics) (tftypes.Value, []*tftypes.AttributePath) {
	planned, rr := planValue(mustFromTF(config), mustFromTF(prior), diags)
	return valueToTF(planned), rr
}

func validateGroupMembersConfig(config tftypes.Value, now time.Time, diags *diagnostics) {
	validateConfig(mustFromTF(config), now, diags)
}
