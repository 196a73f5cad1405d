package emulator

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

type memberResult struct {
	Member_Account string
	Result         int
}

// memberEntry is a MemberList entry as a request gives it.
type memberEntry struct {
	account, role    string
	joinTime, unread int64
	data             map[string]string // create_group/import_group: AppMemberDefinedData
}

// memberList reads the MemberList of import_group_member, add_group_member,
// create_group and import_group: at most capacity entries, and at least one
// when required. Each entry is then read with member. After an error the
// list is nil, so a long list is not read in vain.
func (r *reader) memberList(capacity int, required bool) []obj {
	list := r.objects("MemberList")
	r.check(!required || len(list) > 0, 10004, "MemberList is required and must not be empty")
	r.check(len(list) <= capacity, 10005, "too many accounts: MemberList has %d entries, at most %d are allowed", len(list), capacity)
	if r.err() != nil {
		return nil
	}
	return list
}

// member reads MemberList[i].Member_Account and returns a reader for the
// entry's other fields.
func (r *reader) member(list []obj, i int) (*reader, string) {
	r.check(list[i] != nil, 10004, "MemberList[%d] must be an object", i)
	m := r.at(list[i])
	acct := m.account("Member_Account")
	r.check(acct != "", 10004, "MemberList[%d].Member_Account is required", i)
	return m, acct
}

// importGroupMember implements import_group_member.
//
// Choices for points the docs leave open:
//   - A non-existent account is handled by Settings.MissingAccount: that
//     member gets Result 0 ("member", the default: the current error list
//     has no 10019), the whole request fails with 10019 naming the accounts
//     ("request", QD-2018), or with a generic 10004 ("reject").
//   - Role "Admin" on a Private group (which has no Admin role) gives that
//     member Result 0; the rest of the batch is imported.
//   - A JoinTime outside (CreateTime, now) gives that member Result 0: the
//     docs ask for "大于群的创建时间并小于当前时间", both strict. JoinTime 0
//     counts as omitted (clients without omitempty send it) and omitted
//     means now.
//   - UnreadMsgNum is clamped to the group's message count, which is 0
//     because no messages are stored.
//   - If the members that would be added do not fit under MaxMemberNum, the
//     whole request fails with 10014 (as add_group_member documents) and
//     nothing is imported.
//   - An existing member gets Result 2 and keeps its role and join time; a
//     repeated account within one request gets Result 2 the second time.
func (e *Emulator) importGroupMember(appID uint64, r *reader) (*result, *apiError) {
	st := e.Settings()
	gid := r.groupID()
	list := r.memberList(st.ImportCap, true)
	entries := make([]memberEntry, len(list))
	for i := range list {
		m, acct := r.member(list, i)
		role := m.str("Role")
		r.check(role == "" || role == RoleAdmin, 10004, "MemberList[%d].Role %q is invalid: only Admin can be imported", i, role)
		entries[i] = memberEntry{account: acct, role: role, joinTime: m.integer("JoinTime"), unread: m.integer("UnreadMsgNum")}
		r.check(entries[i].unread >= 0, 10004, "MemberList[%d].UnreadMsgNum must not be negative", i)
	}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	return e.addMembers(appID, gid, "importing", st.MissingAccount, entries)
}

// addGroupMember implements add_group_member (no invitations: admins add
// directly, so Result 3 never occurs). Non-existent accounts always fail the
// request with 10019, as documented for this API.
func (e *Emulator) addGroupMember(appID uint64, r *reader) (*result, *apiError) {
	r.integer("Silence") // type-checked only
	gid := r.groupID()
	list := r.memberList(e.Settings().ImportCap, true)
	entries := make([]memberEntry, len(list))
	for i := range list {
		_, entries[i].account = r.member(list, i)
	}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	return e.addMembers(appID, gid, "adding", MissingAccountRequest, entries)
}

// addMembers adds entries to group gid for import_group_member and
// add_group_member (verb "importing", "adding"; AVChatRoom groups keep no
// member list). Accounts never imported are first answered as missingMode
// says; then each entry gets Result 1 (added), 2 (already a member, or
// repeated in the request) or 0 (refused, see importGroupMember). An
// add_group_member entry has no role or times, so it is never refused.
func (e *Emulator) addMembers(appID uint64, gid, verb, missingMode string, entries []memberEntry) (*result, *apiError) {
	now := e.now().Unix()
	results := make([]memberResult, len(entries))
	aerr := e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		g := a.groups[gid]
		switch {
		case g == nil:
			return false, groupMissing()
		case g.kind == kindAVChatRoom:
			return false, errf(10007, "AVChatRoom groups do not support %s members", verb)
		}
		if aerr := missingAccountError(missingMode, a, entries); aerr != nil {
			return false, aerr
		}
		added := map[string]bool{}
		var adds []*member
		for i, en := range entries {
			res := 0
			_, exists := a.accounts[en.account]
			switch {
			case g.members[en.account] != nil || added[en.account]:
				res = 2
			case !exists:
			case en.role == RoleAdmin && g.kind == kindPrivate:
			case en.joinTime != 0 && (en.joinTime <= g.createTime || en.joinTime >= now):
			default:
				res = 1
				added[en.account] = true
				adds = append(adds, &member{account: en.account, role: cmp.Or(en.role, RoleMember),
					joinTime: cmp.Or(en.joinTime, now), unread: min(en.unread, msgCount())})
			}
			results[i] = memberResult{Member_Account: en.account, Result: res}
		}
		// All or nothing: 10014 when they do not fit, as add_group_member documents.
		if g.full(len(adds)) {
			return false, errf(10014, "group is full: %d members plus %d new exceed MaxMemberNum %d", len(g.members), len(adds), g.maxMembers)
		}
		for _, m := range adds {
			g.addMember(m)
		}
		return len(adds) > 0, nil
	})
	return &result{fields: struct{ MemberList []memberResult }{results}, members: len(entries)}, aerr
}

// missingAccountError answers the entries whose accounts were never
// imported, as mode (Settings.MissingAccount) says; nil means "carry on,
// they fail one by one". Callers hold e.mu.
func missingAccountError(mode string, a *app, entries []memberEntry) *apiError {
	var missing []string
	seen := map[string]bool{}
	for _, en := range entries {
		if _, ok := a.accounts[en.account]; !ok && !seen[en.account] {
			seen[en.account] = true
			missing = append(missing, en.account)
		}
	}
	switch {
	case len(missing) == 0:
		return nil
	case mode == MissingAccountRequest:
		return errf(10019, "these accounts do not exist (not imported): %s", strings.Join(missing, ","))
	case mode == MissingAccountReject:
		return codeErr(10004) // generic: this reading does not say which accounts
	}
	return nil
}

// memberField is one member field, as a bit so a filter costs nothing per
// member when paging large groups.
type memberField uint16

const (
	mfRole memberField = 1 << iota
	mfJoinTime
	mfMsgSeq
	mfMsgFlag
	mfLastSendMsgTime
	mfMuteUntil
	mfNameCard
	mfUnreadMsgNum
	mfAppMemberDefinedData // see memberFilter

	// mfAll is what "no filter" returns: the member object of the docs'
	// samples (UnreadMsgNum only when asked for by name).
	mfAll = mfRole | mfJoinTime | mfMsgSeq | mfMsgFlag | mfLastSendMsgTime | mfMuteUntil | mfNameCard
)

// memberFieldNames are the valid MemberInfoFilter names, old ones included
// (ShutUpUntil is MuteUntil before the rename). Member_Account is always
// returned; "Account" is how the get_group_info sample names it.
var memberFieldNames = map[string]memberField{
	"Role": mfRole, "JoinTime": mfJoinTime, "MsgSeq": mfMsgSeq, "MsgFlag": mfMsgFlag,
	"LastSendMsgTime": mfLastSendMsgTime, "MuteUntil": mfMuteUntil, "ShutUpUntil": mfMuteUntil,
	"NameCard": mfNameCard, "UnreadMsgNum": mfUnreadMsgNum, "Account": 0, "Member_Account": 0,
}

// memberView is what a read lists of each member: its fields, and the
// custom member fields (mfAppMemberDefinedData) to list, in this order.
type memberView struct {
	fields     memberField
	keys       []string
	unsetEmpty bool // list a key the member has no value for, with Value ""
}

// memberFilter reads MemberInfoFilter (absent, null or [] = mfAll, since
// clients without omitempty send [] or null when they mean "no filter") and
// AppDefinedDataFilter_GroupMember, and says what to list. An unknown field
// name is refused, naming it. Custom member data is listed for the
// configured keys the filter names (an empty filter names none: members
// carry an empty list); with neither filter, for every configured key,
// unless Settings.MemberDataOnlyNamed (an app without configured keys lists
// none, like the docs' samples without the field). A named key that is not
// configured is left out, or refused with 10007 under MemberDataFilterRefuse.
func memberFilter(r *reader, st Settings) memberView {
	names := r.strs("MemberInfoFilter")
	v := memberView{fields: mfAll, unsetEmpty: st.MemberDataUnset == MemberDataUnsetEmpty}
	if len(names) > 0 {
		v.fields = 0
		for _, n := range names {
			f, ok := memberFieldNames[n]
			r.check(ok, 10004, "MemberInfoFilter: unknown member field %q", n)
			v.fields |= f
		}
	}
	keys := r.strs("AppDefinedDataFilter_GroupMember")
	switch {
	case len(keys) > 0:
		v.fields |= mfAppMemberDefinedData
		for _, k := range keys {
			switch {
			case st.memberDataKey(k):
				if !slices.Contains(v.keys, k) {
					v.keys = append(v.keys, k)
				}
			case st.MemberDataFilterUnknownKey == MemberDataFilterRefuse:
				r.fail(errf(10007, "no permission to read the fields in the request (无权限读取请求中的字段): %q is not a configured custom member field", k))
			}
		}
	case r.has("AppDefinedDataFilter_GroupMember"):
		v.fields |= mfAppMemberDefinedData
	case len(names) == 0 && !st.MemberDataOnlyNamed && len(st.MemberDefinedKeys) > 0:
		v.fields |= mfAppMemberDefinedData
		v.keys = st.MemberDefinedKeys
	}
	return v
}

// appendMember encodes one member object in the documented field order. It
// is hand-written because paging 100k-member groups is dominated by
// encoding.
func appendMember(b []byte, m *member, v memberView) []byte {
	f := v.fields
	b = append(b, `{"Member_Account":`...)
	b = appendString(b, m.account)
	if f&mfRole != 0 {
		b = appendString(append(b, `,"Role":`...), m.role)
	}
	if f&mfJoinTime != 0 {
		b = strconv.AppendInt(append(b, `,"JoinTime":`...), m.joinTime, 10)
	}
	if f&mfMsgSeq != 0 {
		b = append(b, `,"MsgSeq":0`...) // no messages are stored
	}
	if f&mfMsgFlag != 0 {
		b = appendString(append(b, `,"MsgFlag":`...), m.msgFlag)
	}
	if f&mfLastSendMsgTime != 0 {
		b = append(b, `,"LastSendMsgTime":0`...)
	}
	if f&mfMuteUntil != 0 {
		b = strconv.AppendInt(append(b, `,"MuteUntil":`...), m.muteUntil, 10)
	}
	if f&mfNameCard != 0 {
		b = appendString(append(b, `,"NameCard":`...), m.nameCard)
	}
	if f&mfUnreadMsgNum != 0 {
		b = strconv.AppendInt(append(b, `,"UnreadMsgNum":`...), m.unread, 10)
	}
	if f&mfAppMemberDefinedData != 0 {
		b = append(b, `,"AppMemberDefinedData":[`...)
		n := 0
		for _, k := range v.keys {
			val, ok := m.data[k]
			if !ok && !v.unsetEmpty {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendString(append(b, `{"Key":`...), k)
			b = append(appendString(append(b, `,"Value":`...), val), '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendMembers encodes a JSON array of members. Once b is past the 1 MB
// answer cap it stops: finish refuses the answer with 10018 anyway, and a
// 100k-member list would otherwise cost some 15 MB of encoding first.
func appendMembers(b []byte, ms []*member, v memberView) []byte {
	b = append(b, '[')
	for i, m := range ms {
		if len(b) > maxResponseBytes {
			return b
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMember(b, m, v)
	}
	return append(b, ']')
}

// appendString quotes s as JSON; plain ASCII (the usual UserID) is copied
// directly, anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s)
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// next reads the Community cursor strictly in the JSON type of
// Settings.NextType: under "string" a number is refused, under "integer" a
// string is (each reading is one documented server, and a client that
// passes back what it got never sends the other type). Absent and null
// mean the first page under both readings, as do "" and 0 in their own.
func (r *reader) next(nextType string) int64 {
	if !r.has("Next") {
		return 0
	}
	raw := r.o["Next"]
	if nextType == NextTypeInteger {
		var n int64
		r.check(json.Unmarshal(raw, &n) == nil && n >= 0, 10004, "Next must be a non-negative integer: pass back the Next of the previous page (0 for the first)")
		return n
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		r.fail(errf(10004, "Next must be a string: pass back the Next of the previous page (\"\" for the first)"))
		return 0
	}
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	r.check(err == nil && v >= 0, 10004, "Next %q is not a cursor returned by this server", s)
	return v
}

// getGroupMemberInfo implements get_group_member_info.
//
// Limit 0/absent returns the whole list (the field table: "不填则默认拉取
// 全部"), so a large group answers 10018 (over 1 MB) unless the fields are
// few; a Limit above PageSize (the narrative's 200) is capped at PageSize.
// Non-Community groups page by Offset over the order
// owner-first-then-join-order (after MemberRoleFilter). Community groups
// page only by Next: an Offset other than 0 is answered with 10004 (the docs
// say Offset is not supported there; the exact error is unconfirmed). The
// cursor is the join sequence number of the next member, so it stays valid
// while members come and go; the last page returns "" (NextType "string")
// or 0 ("integer").
func (e *Emulator) getGroupMemberInfo(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	limit, offset := r.integer("Limit"), r.integer("Offset")
	r.check(limit >= 0 && offset >= 0, 10004, "Limit and Offset must not be negative")
	st := e.Settings()
	view := memberFilter(r, st)
	roles := newRoleSet(r.strs("MemberRoleFilter"))
	cursor := r.next(st.NextType)
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	pageSize := math.MaxInt // no Limit: the whole list
	if limit > 0 {
		pageSize = int(min(limit, int64(st.PageSize)))
	}

	var b []byte
	var n int
	var aerr *apiError
	e.readLocked(func() {
		g := e.group(appID, gid)
		var page []*member
		var next int64
		switch {
		case g == nil:
			aerr = groupMissing()
		case g.kind == kindAVChatRoom:
			aerr = errf(10007, "AVChatRoom groups do not support listing members")
		case g.kind != kindCommunity:
			page = g.offsetPage(offset, pageSize, roles)
		case offset != 0:
			aerr = errf(10004, "Offset is not supported for Community groups, use Next")
		case st.CommunityLimitMax > 0 && limit > int64(st.CommunityLimitMax):
			aerr = errf(10004, "Limit %d exceeds %d for Community groups", limit, st.CommunityLimitMax)
		default:
			page, next = g.cursorPage(cursor, pageSize, roles)
		}
		if aerr != nil {
			return
		}
		// Encode while still holding the read lock: members may change after it.
		b = make([]byte, 0, 64+min(len(page)*192, maxResponseBytes))
		b = strconv.AppendInt(append(b, `{"MemberNum":`...), int64(len(g.members)), 10)
		b = appendMembers(append(b, `,"MemberList":`...), page, view)
		if g.kind == kindCommunity {
			b = append(b, `,"Next":`...)
			switch {
			case st.NextType == NextTypeInteger:
				b = strconv.AppendInt(b, next, 10)
			case next == 0:
				b = append(b, `""`...)
			default:
				b = strconv.AppendQuote(b, strconv.FormatInt(next, 10))
			}
		}
		b, n = append(b, '}'), len(page)
	})
	return &result{fields: json.RawMessage(b), members: n}, aerr
}

// roleSet is a MemberRoleFilter; nil lets every role through.
type roleSet map[string]bool

func newRoleSet(roles []string) roleSet {
	if len(roles) == 0 {
		return nil
	}
	s := roleSet{}
	for _, role := range roles {
		s[role] = true
	}
	return s
}

func (s roleSet) allows(m *member) bool { return s == nil || s[m.role] }

// offsetPage is the page of the read order (of the roles let through) from
// offset on. Callers hold e.mu.
func (g *group) offsetPage(offset int64, size int, roles roleSet) []*member {
	view := g.ordered()
	page := make([]*member, 0, min(size, len(view)))
	if roles == nil {
		if offset < int64(len(view)) {
			return append(page, view[offset:int(offset)+min(size, len(view)-int(offset))]...)
		}
		return page
	}
	skip := offset
	for _, m := range view {
		if len(page) == size {
			break
		}
		if !roles.allows(m) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		page = append(page, m)
	}
	return page
}

// cursorPage is a Community page (of the roles let through): the owner and
// the first members for cursor 0, else the members from join sequence cursor
// on; next is the sequence of the member after the page (0: none). Callers
// hold e.mu.
func (g *group) cursorPage(cursor int64, size int, roles roleSet) (page []*member, next int64) {
	others := g.others()
	page = make([]*member, 0, min(size, len(g.members)))
	idx := 0
	if cursor == 0 {
		if ow := g.members[g.owner]; ow != nil && roles.allows(ow) {
			page = append(page, ow)
		}
	} else {
		idx = seekSeq(others, cursor)
	}
	for ; idx < len(others) && len(page) < size; idx++ {
		if roles.allows(others[idx]) {
			page = append(page, others[idx])
		}
	}
	if idx < len(others) {
		next = others[idx].seq
	}
	return page, next
}

// deleteGroupMember implements delete_group_member. Non-members are ignored
// (documented). Removing the owner this way is refused with 10004 naming it
// and nothing is removed (the docs leave owner removal open; an owner must
// be changed with change_group_owner first).
func (e *Emulator) deleteGroupMember(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	r.integer("Silence") // type-checked only
	r.str("Reason")
	accts := r.accounts("MemberToDel_Account")
	r.check(len(accts) > 0, 10004, "MemberToDel_Account is required and must not be empty")
	st := e.Settings()
	if len(accts) > st.DeleteCap {
		if st.OversizedDeleteCode == 10005 {
			r.fail(errf(10005, "too many accounts: MemberToDel_Account has %d entries, at most %d are allowed", len(accts), st.DeleteCap))
		}
		r.fail(codeErr(10004)) // the documented error list has no 10005
	}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	aerr := e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		switch {
		case g == nil:
			return false, groupMissing()
		case g.kind == kindAVChatRoom:
			return false, errf(10004, "AVChatRoom groups do not support deleting members")
		}
		for _, acct := range accts {
			if g.owner != "" && acct == g.owner {
				return false, errf(10004, "the group owner %s cannot be deleted from the group", acct)
			}
		}
		removed := false
		for _, acct := range accts {
			if g.members[acct] != nil {
				g.removeMember(acct)
				removed = true
			}
		}
		return removed, nil
	})
	return &result{members: len(accts)}, aerr
}

var msgFlags = map[string]bool{"AcceptAndNotify": true, "AcceptNotNotify": true, "Discard": true, "AcceptNotNotifyExceptAt": true}

// modifyGroupMemberInfo implements modify_group_member_info. The mute
// duration is MuteTime (the current name) or ShutUpTime (the old one).
// Chosen readings: a non-member is 10004 ("member not in group"); Role Admin
// on a Private group is 10007 (the docs' likely code); the owner's role
// cannot be changed here (10004; use change_group_owner), but the owner's
// name card and custom fields can. AppMemberDefinedData sets only the keys
// it names; a Value "" clears one (see memberData for unconfigured keys).
// The request is checked whole before anything changes.
func (e *Emulator) modifyGroupMemberInfo(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	acct := r.account("Member_Account")
	r.check(acct != "", 10004, "Member_Account is required")
	role, hasRole := r.str("Role"), r.has("Role")
	r.check(!hasRole || role == RoleAdmin || role == RoleMember, 10004, "Role %q is invalid: use Admin or Member (change_group_owner changes the owner)", role)
	flag, hasFlag := r.str("MsgFlag"), r.has("MsgFlag")
	r.check(!hasFlag || msgFlags[flag], 10004, "MsgFlag %q is invalid", flag)
	card, hasCard := r.str("NameCard"), r.has("NameCard")
	r.check(len(card) <= maxNameCardBytes, 10004, "NameCard exceeds %d bytes", maxNameCardBytes)
	mute, muteKey, hasMute := aliased(r, "MuteTime", "ShutUpTime", r.integer)
	r.check(mute >= 0, 10004, "%s must not be negative", muteKey)
	data := r.memberData("AppMemberDefinedData", e.Settings())
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	now := e.now().Unix()
	aerr := e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		if g == nil {
			return false, groupMissing()
		}
		if g.kind == kindAVChatRoom {
			return false, errf(10007, "AVChatRoom groups do not store member data")
		}
		m := g.members[acct]
		if m == nil {
			return false, errf(10004, "member not in group: %s", acct)
		}
		if hasRole {
			if m.role == RoleOwner {
				return false, errf(10004, "the role of the group owner %s cannot be modified", acct)
			}
			if role == RoleAdmin && g.kind == kindPrivate {
				return false, errf(10007, "%s groups do not support the Admin role", g.kind)
			}
		}
		if hasMute && mute > 0 && g.kind == kindPrivate {
			return false, errf(10007, "%s groups do not support muting members", g.kind)
		}
		if hasRole {
			m.role = role
		}
		if hasFlag {
			m.msgFlag = flag
		}
		if hasCard {
			m.nameCard = card
		}
		for k, v := range data {
			m.setData(k, v)
		}
		if hasMute {
			m.muteUntil = 0
			if mute > 0 {
				m.muteUntil = now + mute
			}
		}
		return true, nil
	})
	return &result{members: 1}, aerr
}
