package provider

import "time"

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

// model is the value as plain Go values.
func (v groupMembersValue) model() groupMembersModel {
	var m groupMembersModel
	if v.p != isKnown {
		return m
	}
	m.ID, m.GroupID = v.id.value(), v.groupID.value()
	m.OwnerAccount, m.GroupType = v.ownerAccount.value(), v.groupType.value()
	m.Exclusive = v.exclusive.p == isKnown && v.exclusive.b
	m.Timeouts = v.timeouts.durations()
	if v.members.p != isKnown {
		return m
	}
	m.Members = make(map[string]memberModel, len(v.members.elems))
	for account, e := range v.members.elems {
		m.Members[account] = memberModel{Role: e.role.value(), JoinTime: e.joinTime.int64Ptr(), Unread: e.unread.int64Ptr()}
	}
	return m
}

// value is the model as the value saved in the state.
func (m groupMembersModel) value() groupMembersValue {
	v := groupMembersValue{
		p:  isKnown,
		id: known(m.ID), groupID: known(m.GroupID),
		ownerAccount: known(m.OwnerAccount), groupType: known(m.GroupType),
		exclusive: wireBool{p: isKnown, b: m.Exclusive},
		timeouts:  timeoutsFrom(m.Timeouts),
	}
	if m.Members != nil {
		v.members = wireMap[wireMember]{p: isKnown, elems: make(map[string]wireMember, len(m.Members))}
		for account, mm := range m.Members {
			v.members.elems[account] = mm.value()
		}
	}
	return v
}

func (m memberModel) value() wireMember {
	return wireMember{p: isKnown, role: known(m.Role), joinTime: nullableInt(m.JoinTime), unread: nullableInt(m.Unread)}
}

func operationTimeout(m groupMembersModel, op string) time.Duration {
	if d, err := time.ParseDuration(m.Timeouts[op]); err == nil && d > 0 {
		return d
	}
	return defaultTimeout(op)
}
