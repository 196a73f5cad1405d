package provider

// The tftypes implementation of the resource's values, as it was before the
// direct wire codec. It is the oracle the codec is checked against, and it
// keeps the tests written against it (decodeGroupMembers,
// encodeGroupMembers, planGroupMembers, validateGroupMembersConfig) running
// against the new code through the adapters below. The plan and validation
// rules are written once, in the resource, and tested by table.

import (
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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
		mm := memberModel{
			Role:     refStringOf(ea[attrRole]),
			JoinTime: refInt64Of(ea[attrJoinTime]),
			Unread:   refInt64Of(ea[attrUnreadMsgNum]),
		}
		if v := ea[attrNameCard]; v.IsKnown() && !v.IsNull() {
			s := refStringOf(v)
			mm.NameCard = &s
		}
		if v := ea[attrCustomData]; v.IsKnown() && !v.IsNull() {
			var data map[string]tftypes.Value
			if err := v.As(&data); err != nil {
				return m, fmt.Errorf("members[%q].custom_data: %w", account, err)
			}
			mm.CustomData = make(map[string]string, len(data))
			for k, dv := range data {
				mm.CustomData[k] = refStringOf(dv)
			}
		}
		m.Members[account] = mm
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
		attrNameCard:     refStringPtr(m.NameCard),
		attrCustomData:   refStringMap(m.CustomData),
	})
}

func refStringPtr(p *string) tftypes.Value {
	if p == nil {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, *p)
}

func refStringMap(m map[string]string) tftypes.Value {
	if m == nil {
		return tftypes.NewValue(stringMapType, nil)
	}
	elems := make(map[string]tftypes.Value, len(m))
	for k, v := range m {
		elems[k] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(stringMapType, elems)
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
		attrNameCard:     stringToTF(m.nameCard),
		attrCustomData:   stringsToTF(m.customData),
	})
}

func stringsToTF(m wireStrings) tftypes.Value {
	switch m.p {
	case isNull:
		return tftypes.NewValue(stringMapType, nil)
	case isUnknown:
		return tftypes.NewValue(stringMapType, tftypes.UnknownValue)
	}
	elems := make(map[string]tftypes.Value, len(m.elems))
	for k, v := range m.elems {
		elems[k] = stringToTF(v)
	}
	return tftypes.NewValue(stringMapType, elems)
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
	planned, rr, _ := planValue(mustFromTF(config), mustFromTF(prior), diags)
	return valueToTF(planned), rr
}

func validateGroupMembersConfig(config tftypes.Value, now time.Time, diags *diagnostics) {
	validateConfig(mustFromTF(config), now, diags)
}
