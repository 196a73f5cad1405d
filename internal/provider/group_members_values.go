package provider

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// groupMembersModel is tencentim_group_members as plain Go values. Unknown
// values (only possible in a planned state) decode as zero values or nil.
type groupMembersModel struct {
	ID, GroupID, OwnerAccount, GroupType string
	Exclusive                            bool
	// Members is nil when the attribute is null, which only happens right
	// after an import: the next read then adopts every member.
	Members  map[string]memberModel
	Timeouts map[string]string
}

type memberModel struct {
	Role     string
	JoinTime *int64 // nil when null or not known yet
	Unread   *int64 // nil when not declared
}

func decodeGroupMembers(v tftypes.Value) (groupMembersModel, error) {
	var m groupMembersModel
	attrs, err := objectAttrs(v)
	if err != nil {
		return m, err
	}
	m.ID = stringOf(attrs[attrID])
	m.GroupID = stringOf(attrs[attrGroupID])
	m.OwnerAccount = stringOf(attrs[attrOwnerAccount])
	m.GroupType = stringOf(attrs[attrGroupType])
	m.Exclusive = boolOf(attrs[attrExclusive])
	if t, err := objectAttrs(attrs[attrTimeouts]); err == nil && t != nil {
		m.Timeouts = make(map[string]string, len(t))
		for k, tv := range t {
			if s := stringOf(tv); s != "" {
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
		ea, err := objectAttrs(ev)
		if err != nil {
			return m, fmt.Errorf("members[%q]: %w", account, err)
		}
		m.Members[account] = memberModel{
			Role:     stringOf(ea[attrRole]),
			JoinTime: int64Of(ea[attrJoinTime]),
			Unread:   int64Of(ea[attrUnreadMsgNum]),
		}
	}
	return m, nil
}

func encodeGroupMembers(m groupMembersModel) tftypes.Value {
	members := tftypes.NewValue(membersMapType, nil)
	if m.Members != nil {
		elems := make(map[string]tftypes.Value, len(m.Members))
		for account, mm := range m.Members {
			elems[account] = encodeMember(mm)
		}
		members = tftypes.NewValue(membersMapType, elems)
	}
	timeouts := tftypes.NewValue(timeoutsType, nil)
	if m.Timeouts != nil {
		t := make(map[string]tftypes.Value, len(timeoutNames))
		for _, op := range timeoutNames {
			t[op] = nullableString(m.Timeouts[op])
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

func encodeMember(m memberModel) tftypes.Value {
	return tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
		attrRole:         tftypes.NewValue(tftypes.String, m.Role),
		attrJoinTime:     nullableNumber(m.JoinTime),
		attrUnreadMsgNum: nullableNumber(m.Unread),
	})
}

func objectAttrs(v tftypes.Value) (map[string]tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, err
	}
	return attrs, nil
}

func stringOf(v tftypes.Value) string {
	var s string
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	return s
}

func boolOf(v tftypes.Value) bool {
	var b bool
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&b)
	}
	return b
}

// int64Of returns nil for null, unknown and non-integral numbers (validation
// refuses the latter before they get here).
func int64Of(v tftypes.Value) *int64 {
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

func nullableNumber(p *int64) tftypes.Value {
	if p == nil {
		return tftypes.NewValue(tftypes.Number, nil)
	}
	return tftypes.NewValue(tftypes.Number, *p)
}

func nullableString(s string) tftypes.Value {
	if s == "" {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, s)
}
