package timapi

// Group types as the REST API documents them (create_group, import_group,
// get_group_info). Work and Meeting are the client SDKs' names for Private and
// ChatRoom; the REST pages and independent server SDKs use only the names
// below, so the client sends and compares these (api-fidelity.md §1 #2).
const (
	GroupTypePrivate    = "Private"
	GroupTypePublic     = "Public"
	GroupTypeChatRoom   = "ChatRoom"
	GroupTypeAVChatRoom = "AVChatRoom"
	GroupTypeCommunity  = "Community"

	// Client SDK names, accepted from users and sent as their REST names.
	GroupTypeWork    = "Work"
	GroupTypeMeeting = "Meeting"
)

// RESTGroupType returns the REST name of a group type: Private for Work,
// ChatRoom for Meeting, anything else unchanged.
func RESTGroupType(t string) string {
	switch t {
	case GroupTypeWork:
		return GroupTypePrivate
	case GroupTypeMeeting:
		return GroupTypeChatRoom
	}
	return t
}

// SameGroupType reports whether two names denote the same group type.
func SameGroupType(a, b string) bool { return RESTGroupType(a) == RESTGroupType(b) }

// SupportsAdmin reports whether a group type has the Admin role: Work
// (Private) groups have none.
func SupportsAdmin(t string) bool { return RESTGroupType(t) != GroupTypePrivate }

// SupportsMemberList reports whether groups of type t keep a member list:
// AVChatRoom groups do not.
func SupportsMemberList(t string) bool { return RESTGroupType(t) != GroupTypeAVChatRoom }
