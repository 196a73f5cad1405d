package provider

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
	if v.timeoutsP == isKnown {
		m.Timeouts = make(map[string]string, len(timeoutNames))
		for i, op := range timeoutNames {
			if s := v.timeouts[i].value(); s != "" {
				m.Timeouts[op] = s
			}
		}
	}
	if v.membersP != isKnown {
		return m
	}
	m.Members = make(map[string]memberModel, len(v.members))
	for account, e := range v.members {
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
	}
	if m.Members != nil {
		v.membersP, v.members = isKnown, make(map[string]wireMember, len(m.Members))
		for account, mm := range m.Members {
			v.members[account] = mm.value()
		}
	}
	if m.Timeouts != nil {
		v.timeoutsP = isKnown
		for i, op := range timeoutNames {
			if s := m.Timeouts[op]; s != "" {
				v.timeouts[i] = known(s)
			}
		}
	}
	return v
}

func (m memberModel) value() wireMember {
	return wireMember{p: isKnown, role: known(m.Role), joinTime: nullableInt(m.JoinTime), unread: nullableInt(m.Unread)}
}
