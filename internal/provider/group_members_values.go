package provider

import (
	"maps"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
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
	// NameCard is nil when not managed; CustomData is nil when no custom
	// member field is (null), and holds the managed fields otherwise.
	NameCard   *string
	CustomData map[string]string
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
		m.Members[account] = e.model()
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

func (e wireMember) model() memberModel {
	m := memberModel{Role: e.role.value(), JoinTime: e.joinTime.int64Ptr(), Unread: e.unread.int64Ptr()}
	if e.nameCard.p == isKnown {
		card := e.nameCard.s
		m.NameCard = &card
	}
	if e.customData.p == isKnown {
		m.CustomData = make(map[string]string, len(e.customData.elems))
		for k, v := range e.customData.elems {
			m.CustomData[k] = v.value()
		}
	}
	return m
}

func (m memberModel) value() wireMember {
	e := wireMember{p: isKnown, role: known(m.Role), joinTime: nullableInt(m.JoinTime), unread: nullableInt(m.Unread)}
	if m.NameCard != nil {
		e.nameCard = known(*m.NameCard)
	}
	if m.CustomData != nil {
		e.customData = wireStrings{p: isKnown, elems: make(map[string]wireString, len(m.CustomData))}
		for k, v := range m.CustomData {
			e.customData.elems[k] = known(v)
		}
	}
	return e
}

// declared is the member as the engine manages it.
func (m memberModel) declared() members.Declared {
	d := members.Declared{Role: m.Role, NameCard: m.NameCard, CustomData: m.CustomData}
	if m.JoinTime != nil {
		d.JoinTime = *m.JoinTime
	}
	if m.Unread != nil {
		d.UnreadMsgNum = *m.Unread
	}
	return d
}

// profileFrom is m with the name card and custom member fields it manages
// as l holds them: the managed custom fields that l has no value for read
// "". With adopt, an unmanaged profile is taken from l too, as far as it is
// not empty (an import: a matching configuration then plans no change).
func (m memberModel) profileFrom(l members.Live, adopt bool) memberModel {
	switch {
	case m.NameCard != nil:
		card := l.NameCard
		m.NameCard = &card
	case adopt && l.NameCard != "":
		card := l.NameCard
		m.NameCard = &card
	}
	switch {
	case m.CustomData != nil:
		data := make(map[string]string, len(m.CustomData))
		for k := range m.CustomData {
			data[k] = l.CustomData[k]
		}
		m.CustomData = data
	case adopt && len(l.CustomData) > 0:
		m.CustomData = maps.Clone(l.CustomData)
	}
	return m
}

// readOptions is what a read of the group must ask of the profiles for the
// members ms: nothing when none manages a name card or a custom field, so
// that a resource that uses neither reads exactly as before they existed.
// A nil ms (just imported: every member is adopted) reads them all.
func readOptions(ms map[string]memberModel) membership.ReadOptions {
	if ms == nil {
		return membership.ReadOptions{AllCustomData: true}
	}
	declared := make(map[string]members.Declared)
	for a, m := range ms {
		if m.NameCard != nil || len(m.CustomData) > 0 {
			declared[a] = members.Declared{NameCard: m.NameCard, CustomData: m.CustomData}
		}
	}
	return membership.ReadOptionsFor(declared)
}

func operationTimeout(m groupMembersModel, op string) time.Duration {
	if d, err := time.ParseDuration(m.Timeouts[op]); err == nil && d > 0 {
		return d
	}
	return defaultTimeout(op)
}
