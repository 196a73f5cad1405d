package emulator

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

func requireGroupID(o obj) (string, *apiError) {
	id, ok, aerr := o.str("GroupId", 10004)
	if aerr != nil {
		return "", aerr
	}
	if !ok || id == "" {
		return "", errf(10004, "GroupId is required")
	}
	return id, nil
}

func groupMissing() *apiError { return errf(10010, "this group does not exist") }

type memberResult struct {
	Member_Account string
	Result         int
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
func (e *Emulator) importGroupMember(appID uint64, o obj) (*result, *apiError) {
	st := e.Settings()
	gid, list, aerr := memberListRequest(o, st.ImportCap)
	if aerr != nil {
		return nil, aerr
	}
	type entry struct {
		account, role string
		joinTime      int64
		unread        int64
	}
	entries := make([]entry, len(list))
	for i, m := range list {
		acct, aerr := memberAccount(m, i)
		if aerr != nil {
			return nil, aerr
		}
		role, _, aerr := m.str("Role", 10004)
		if aerr != nil {
			return nil, aerr
		}
		if role != "" && role != RoleAdmin {
			return nil, errf(10004, "MemberList[%d].Role %q is invalid: only Admin can be imported", i, role)
		}
		jt, _, aerr := m.integer("JoinTime")
		if aerr != nil {
			return nil, aerr
		}
		unread, _, aerr := m.integer("UnreadMsgNum")
		if aerr != nil {
			return nil, aerr
		}
		if unread < 0 {
			return nil, errf(10004, "MemberList[%d].UnreadMsgNum must not be negative", i)
		}
		entries[i] = entry{account: acct, role: role, joinTime: jt, unread: unread}
	}

	now := e.now().Unix()
	results := make([]memberResult, len(entries))
	aerr = e.mutate(func() (bool, *apiError) {
		a, g, aerr := e.memberGroup(appID, gid, "importing")
		if aerr != nil {
			return false, aerr
		}
		if aerr := missingAccountError(st.MissingAccount, missingAccounts(a, entries, func(en entry) string { return en.account })); aerr != nil {
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
				m := &member{account: en.account, role: RoleMember, joinTime: en.joinTime, unread: min(en.unread, msgCount())}
				if en.role == RoleAdmin {
					m.role = RoleAdmin
				}
				if m.joinTime == 0 {
					m.joinTime = now
				}
				adds = append(adds, m)
			}
			results[i] = memberResult{Member_Account: en.account, Result: res}
		}
		return addAll(g, adds)
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{fields: struct{ MemberList []memberResult }{results}, members: len(entries)}, nil
}

// memberListRequest reads what import_group_member and add_group_member
// share: GroupId, and a non-empty MemberList of at most capacity entries.
func memberListRequest(o obj, capacity int) (string, []obj, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return "", nil, aerr
	}
	list, ok, aerr := o.objects("MemberList", 10004)
	if aerr != nil {
		return "", nil, aerr
	}
	if !ok || len(list) == 0 {
		return "", nil, errf(10004, "MemberList is required and must not be empty")
	}
	if len(list) > capacity {
		return "", nil, errf(10005, "too many accounts: MemberList has %d entries, at most %d are allowed", len(list), capacity)
	}
	return gid, list, nil
}

// memberAccount reads MemberList[i].Member_Account.
func memberAccount(m obj, i int) (string, *apiError) {
	if m == nil {
		return "", errf(10004, "MemberList[%d] must be an object", i)
	}
	acct, ok, aerr := m.str("Member_Account", 60015)
	if aerr != nil {
		return "", aerr
	}
	if !ok || acct == "" {
		return "", errf(10004, "MemberList[%d].Member_Account is required", i)
	}
	return acct, nil
}

// memberGroup finds the group that members are being added to (verb:
// "importing", "adding"); AVChatRoom groups keep no member list. Callers
// hold e.mu.
func (e *Emulator) memberGroup(appID uint64, gid, verb string) (*app, *group, *apiError) {
	a := e.apps[appID]
	g := a.groups[gid]
	if g == nil {
		return nil, nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		return nil, nil, errf(10007, "AVChatRoom groups do not support %s members", verb)
	}
	return a, g, nil
}

// addAll adds members that were accepted, or none when they do not fit
// under MaxMemberNum (10014, as add_group_member documents). It reports
// whether the state changed. Callers hold e.mu.
func addAll(g *group, adds []*member) (bool, *apiError) {
	if g.full(len(adds)) {
		return false, errf(10014, "group is full: %d members plus %d new exceed MaxMemberNum %d", len(g.members), len(adds), g.maxMembers)
	}
	for _, m := range adds {
		g.addMember(m)
	}
	return len(adds) > 0, nil
}

// missingAccountError answers accounts that were never imported according to
// Settings.MissingAccount; nil means "carry on, they fail one by one".
func missingAccountError(mode string, missing []string) *apiError {
	if len(missing) == 0 {
		return nil
	}
	switch mode {
	case MissingAccountRequest:
		return errf(10019, "these accounts do not exist (not imported): %s", strings.Join(missing, ","))
	case MissingAccountReject:
		return codeErr(10004) // generic: this reading does not say which accounts
	}
	return nil
}

// missingAccounts lists, in request order and without repeats, the accounts
// not imported into the app. Callers hold e.mu.
func missingAccounts[T any](a *app, items []T, acct func(T) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		u := acct(it)
		if _, ok := a.accounts[u]; !ok && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// addGroupMember implements add_group_member (no invitations: admins add
// directly, so Result 3 never occurs). Non-existent accounts always fail the
// request with 10019, as documented for this API.
func (e *Emulator) addGroupMember(appID uint64, o obj) (*result, *apiError) {
	if _, _, aerr := o.integer("Silence"); aerr != nil {
		return nil, aerr
	}
	gid, list, aerr := memberListRequest(o, e.Settings().ImportCap)
	if aerr != nil {
		return nil, aerr
	}
	accts := make([]string, len(list))
	for i, m := range list {
		if accts[i], aerr = memberAccount(m, i); aerr != nil {
			return nil, aerr
		}
	}
	now := e.now().Unix()
	results := make([]memberResult, len(accts))
	aerr = e.mutate(func() (bool, *apiError) {
		a, g, aerr := e.memberGroup(appID, gid, "adding")
		if aerr != nil {
			return false, aerr
		}
		if aerr := missingAccountError(MissingAccountRequest, missingAccounts(a, accts, func(s string) string { return s })); aerr != nil {
			return false, aerr
		}
		added := map[string]bool{}
		var adds []*member
		for i, acct := range accts {
			res := 1
			if g.members[acct] != nil || added[acct] {
				res = 2
			} else {
				added[acct] = true
				adds = append(adds, &member{account: acct, role: RoleMember, joinTime: now})
			}
			results[i] = memberResult{Member_Account: acct, Result: res}
		}
		return addAll(g, adds)
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{fields: struct{ MemberList []memberResult }{results}, members: len(accts)}, nil
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
	mfAppMemberDefinedData // only with AppDefinedDataFilter_GroupMember

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

// memberFilter reads MemberInfoFilter (absent, null or [] = mfAll, since
// clients without omitempty send [] or null when they mean "no filter") and
// AppDefinedDataFilter_GroupMember (type-checked; when given, members carry
// their custom data, which the emulator does not store: []). An unknown
// name is refused, naming it.
func memberFilter(o obj) (memberField, bool, *apiError) {
	names, given, aerr := o.strArray("MemberInfoFilter", 10004, 10004)
	if aerr != nil {
		return 0, false, aerr
	}
	fields := mfAll
	if len(names) > 0 {
		fields = 0
		for _, n := range names {
			f, ok := memberFieldNames[n]
			if !ok {
				return 0, false, errf(10004, "MemberInfoFilter: unknown member field %q", n)
			}
			fields |= f
		}
	}
	_, custom, aerr := o.strArray("AppDefinedDataFilter_GroupMember", 10004, 10004)
	if aerr != nil {
		return 0, false, aerr
	}
	if custom {
		fields |= mfAppMemberDefinedData
	}
	return fields, given, nil
}

// appendMember encodes one member object in the documented field order. It
// is hand-written because paging 100k-member groups is dominated by
// encoding.
func appendMember(b []byte, m *member, f memberField) []byte {
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
		b = append(b, `,"AppMemberDefinedData":[]`...)
	}
	return append(b, '}')
}

// appendMembers encodes a JSON array of members. Once b is past the 1 MB
// answer cap it stops: finish refuses the answer with 10018 anyway, and a
// 100k-member list would otherwise cost some 15 MB of encoding first.
func appendMembers(b []byte, ms []*member, f memberField) []byte {
	b = append(b, '[')
	for i, m := range ms {
		if len(b) > maxResponseBytes {
			return b
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMember(b, m, f)
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

// parseNext reads the Community cursor strictly in the JSON type of
// Settings.NextType: under "string" a number is refused, under "integer" a
// string is (each reading is one documented server, and a client that
// passes back what it got never sends the other type). Absent and null
// mean the first page under both readings, as do "" and 0 in their own.
func parseNext(o obj, nextType string) (int64, *apiError) {
	raw, ok := o["Next"]
	if !ok || isNull(raw) {
		return 0, nil
	}
	if nextType == NextTypeInteger {
		var n int64
		if json.Unmarshal(raw, &n) != nil || n < 0 {
			return 0, errf(10004, "Next must be a non-negative integer: pass back the Next of the previous page (0 for the first)")
		}
		return n, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, errf(10004, "Next must be a string: pass back the Next of the previous page (\"\" for the first)")
	}
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, errf(10004, "Next %q is not a cursor returned by this server", s)
	}
	return v, nil
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
func (e *Emulator) getGroupMemberInfo(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	limit, _, aerr := o.integer("Limit")
	if aerr != nil {
		return nil, aerr
	}
	offset, _, aerr := o.integer("Offset")
	if aerr != nil {
		return nil, aerr
	}
	if limit < 0 || offset < 0 {
		return nil, errf(10004, "Limit and Offset must not be negative")
	}
	fields, _, aerr := memberFilter(o)
	if aerr != nil {
		return nil, aerr
	}
	roleFilter, _, aerr := o.strArray("MemberRoleFilter", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	cursor, aerr := parseNext(o, st.NextType)
	if aerr != nil {
		return nil, aerr
	}
	pageSize := math.MaxInt // no Limit: the whole list
	if limit > 0 {
		pageSize = int(min(limit, int64(st.PageSize)))
	}
	var roles map[string]bool
	if len(roleFilter) > 0 {
		roles = map[string]bool{}
		for _, r := range roleFilter {
			roles[r] = true
		}
	}
	roleOK := func(m *member) bool { return roles == nil || roles[m.role] }

	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.group(appID, gid)
	if g == nil {
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		return nil, errf(10007, "AVChatRoom groups do not support listing members")
	}
	page := make([]*member, 0, min(pageSize, len(g.members)))
	var next json.RawMessage // Community only
	if g.kind == kindCommunity {
		if offset != 0 {
			return nil, errf(10004, "Offset is not supported for Community groups, use Next")
		}
		if st.CommunityLimitMax > 0 && limit > int64(st.CommunityLimitMax) {
			return nil, errf(10004, "Limit %d exceeds %d for Community groups", limit, st.CommunityLimitMax)
		}
		others := g.others()
		idx := 0
		if cursor == 0 {
			if ow := g.members[g.owner]; ow != nil && roleOK(ow) {
				page = append(page, ow)
			}
		} else {
			idx = seekSeq(others, cursor)
		}
		for ; idx < len(others) && len(page) < pageSize; idx++ {
			if roleOK(others[idx]) {
				page = append(page, others[idx])
			}
		}
		var seq int64
		if idx < len(others) {
			seq = others[idx].seq
		}
		switch {
		case st.NextType == NextTypeInteger:
			next = strconv.AppendInt(nil, seq, 10)
		case seq == 0:
			next = json.RawMessage(`""`)
		default:
			next = strconv.AppendQuote(nil, strconv.FormatInt(seq, 10))
		}
	} else {
		view := g.ordered()
		if roles == nil {
			if offset < int64(len(view)) {
				end := int(offset) + min(pageSize, len(view)-int(offset))
				page = append(page, view[offset:end]...)
			}
		} else {
			skip := offset
			for _, m := range view {
				if len(page) == pageSize {
					break
				}
				if !roleOK(m) {
					continue
				}
				if skip > 0 {
					skip--
					continue
				}
				page = append(page, m)
			}
		}
	}
	// Encode while still holding the read lock: members may change after it.
	b := make([]byte, 0, 64+min(len(page)*192, maxResponseBytes))
	b = strconv.AppendInt(append(b, `{"MemberNum":`...), int64(len(g.members)), 10)
	b = appendMembers(append(b, `,"MemberList":`...), page, fields)
	if next != nil {
		b = append(append(b, `,"Next":`...), next...)
	}
	b = append(b, '}')
	return &result{fields: json.RawMessage(b), members: len(page)}, nil
}

// deleteGroupMember implements delete_group_member. Non-members are ignored
// (documented). Removing the owner this way is refused with 10004 naming it
// and nothing is removed (the docs leave owner removal open; an owner must
// be changed with change_group_owner first).
func (e *Emulator) deleteGroupMember(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := o.integer("Silence"); aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := o.str("Reason", 10004); aerr != nil {
		return nil, aerr
	}
	accts, ok, aerr := o.strArray("MemberToDel_Account", 10004, 60015)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || len(accts) == 0 {
		return nil, errf(10004, "MemberToDel_Account is required and must not be empty")
	}
	st := e.Settings()
	if len(accts) > st.DeleteCap {
		if st.OversizedDeleteCode == 10005 {
			return nil, errf(10005, "too many accounts: MemberToDel_Account has %d entries, at most %d are allowed", len(accts), st.DeleteCap)
		}
		return nil, codeErr(10004)
	}
	aerr = e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		if g == nil {
			return false, groupMissing()
		}
		if g.kind == kindAVChatRoom {
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
	if aerr != nil {
		return nil, aerr
	}
	return &result{members: len(accts)}, nil
}

var msgFlags = map[string]bool{"AcceptAndNotify": true, "AcceptNotNotify": true, "Discard": true, "AcceptNotNotifyExceptAt": true}

// aliased reads a field that Tencent renamed (ShutUp* -> Mute*) under either
// name; both given with different values is 10004. key is the name used.
func aliased[T comparable](name, old string, read func(string) (T, bool, *apiError)) (v T, key string, ok bool, aerr *apiError) {
	v, ok, aerr = read(name)
	if aerr != nil {
		return v, name, false, aerr
	}
	ov, oldOK, aerr := read(old)
	switch {
	case aerr != nil:
		return v, old, false, aerr
	case ok && oldOK && v != ov:
		return v, name, false, errf(10004, "%s and its old name %s disagree", name, old)
	case !ok && oldOK:
		return ov, old, true, nil
	}
	return v, name, ok, nil
}

// checkDefinedData type-checks a custom-data list ([{"Key","Value"}], both
// strings); the emulator does not store custom data.
func checkDefinedData(o obj, key string) *apiError {
	list, _, aerr := o.objects(key, 10004)
	if aerr != nil {
		return aerr
	}
	for i, m := range list {
		if m == nil {
			return errf(10004, "%s[%d] must be an object", key, i)
		}
		if _, ok, aerr := m.str("Key", 10004); aerr != nil || !ok {
			return errf(10004, "%s[%d].Key must be a string", key, i)
		}
		if _, _, aerr := m.str("Value", 10004); aerr != nil {
			return errf(10004, "%s[%d].Value must be a string", key, i)
		}
	}
	return nil
}

// modifyGroupMemberInfo implements modify_group_member_info. The mute
// duration is MuteTime (the current name) or ShutUpTime (the old one).
// Chosen readings: a non-member is 10004 ("member not in group"); Role Admin
// on a Private group is 10007 (the docs' likely code); the owner's role
// cannot be changed here (10004; use change_group_owner).
func (e *Emulator) modifyGroupMemberInfo(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	acct, ok, aerr := o.str("Member_Account", 60015)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || acct == "" {
		return nil, errf(10004, "Member_Account is required")
	}
	role, hasRole, aerr := o.str("Role", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasRole && role != RoleAdmin && role != RoleMember {
		return nil, errf(10004, "Role %q is invalid: use Admin or Member (change_group_owner changes the owner)", role)
	}
	flag, hasFlag, aerr := o.str("MsgFlag", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasFlag && !msgFlags[flag] {
		return nil, errf(10004, "MsgFlag %q is invalid", flag)
	}
	card, hasCard, aerr := o.str("NameCard", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if len(card) > 50 {
		return nil, errf(10004, "NameCard exceeds 50 bytes")
	}
	mute, muteKey, hasMute, aerr := aliased("MuteTime", "ShutUpTime", o.integer)
	if aerr != nil {
		return nil, aerr
	}
	if mute < 0 {
		return nil, errf(10004, "%s must not be negative", muteKey)
	}
	if aerr := checkDefinedData(o, "AppMemberDefinedData"); aerr != nil {
		return nil, aerr
	}
	now := e.now().Unix()
	aerr = e.mutate(func() (bool, *apiError) {
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
		if hasMute {
			m.muteUntil = 0
			if mute > 0 {
				m.muteUntil = now + mute
			}
		}
		return true, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{members: 1}, nil
}

// baseFields are the get_group_info base fields in the documented order,
// with how each is read. Appid is in the docs' sample answer but is not a
// GroupBaseInfoFilter name, so only the basic form carries it.
var baseFields = []struct {
	name  string
	value func(g *group, appID uint64) any
}{
	{"Type", func(g *group, _ uint64) any { return g.kind.String() }},
	{"Appid", func(_ *group, appID uint64) any { return appID }},
	{"Name", func(g *group, _ uint64) any { return g.name }},
	{"Introduction", func(g *group, _ uint64) any { return g.introduction }},
	{"Notification", func(g *group, _ uint64) any { return g.notification }},
	{"FaceUrl", func(g *group, _ uint64) any { return g.faceURL }},
	{"Owner_Account", func(g *group, _ uint64) any { return g.owner }},
	{"CreateTime", func(g *group, _ uint64) any { return g.createTime }},
	{"InfoSeq", func(g *group, _ uint64) any { return g.infoSeq }},
	{"LastInfoTime", func(g *group, _ uint64) any { return g.createTime }},
	{"LastMsgTime", func(*group, uint64) any { return 0 }},
	{"NextMsgSeq", func(*group, uint64) any { return nextMsgSeq }},
	{"MemberNum", func(g *group, _ uint64) any { return len(g.members) }},
	{"MaxMemberNum", func(g *group, _ uint64) any { return g.maxMembers }},
	{"ApplyJoinOption", func(g *group, _ uint64) any { return g.applyJoin }},
	{"MuteAllMember", func(g *group, _ uint64) any { return onOff(g.muteAll) }},
	{"InviteJoinOption", func(*group, uint64) any { return defaultInviteJoin }},
	{"AppDefinedData", func(*group, uint64) any { return json.RawMessage(`[]`) }}, // custom data is not stored
}

// defaultInviteJoin is reported for InviteJoinOption, which the emulator
// neither takes nor stores (the field is newer than the pages it follows).
const defaultInviteJoin = "FreeAccess"

// baseFieldAliases maps old GroupBaseInfoFilter names to the current ones.
var baseFieldAliases = map[string]string{"ShutUpAllMember": "MuteAllMember"}

// baseFilter reads GroupBaseInfoFilter and AppDefinedDataFilter_Group (which
// names custom data, so it asks for AppDefinedData); nil means every field.
// An unknown name is refused, naming it.
func baseFilter(rf obj) (map[string]bool, *apiError) {
	names, _, aerr := rf.strArray("GroupBaseInfoFilter", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	want := map[string]bool{}
	for _, n := range names {
		if c, ok := baseFieldAliases[n]; ok {
			n = c
		}
		if n == "Appid" || !baseFieldKnown(n) {
			return nil, errf(10004, "GroupBaseInfoFilter: unknown group field %q", n)
		}
		want[n] = true
	}
	_, custom, aerr := rf.strArray("AppDefinedDataFilter_Group", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	if custom {
		want["AppDefinedData"] = true
	}
	return want, nil
}

func baseFieldKnown(name string) bool {
	for _, f := range baseFields {
		if f.name == name {
			return true
		}
	}
	return false
}

// getGroupInfo implements get_group_info.
//
// The basic form (no ResponseFilter) answers everything: every base field,
// the member list with every member field and the custom data ("所有群基础
// 信息、群成员信息和自定义信息"; AVChatRoom has no member list). A
// ResponseFilter answers only what it names ("没有在过滤器中指明的字段将不
// 被拉取"): GroupId, ErrorCode and ErrorInfo always, base fields in
// GroupBaseInfoFilter, members only with MemberInfoFilter (empty = every
// member field). A large group's basic form is over 1 MB and answered with
// 10018 by finish. The top-level code is 0 whenever the request is
// well-formed; a missing group is reported in its element as
// {"GroupId":..,"ErrorCode":10010,"ErrorInfo":"this group does not exist"}.
func (e *Emulator) getGroupInfo(appID uint64, o obj) (*result, *apiError) {
	ids, ok, aerr := o.strArray("GroupIdList", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || len(ids) == 0 || len(ids) > 50 {
		return nil, errf(10004, "GroupIdList must contain 1 to 50 group IDs")
	}
	rf, filtered, aerr := o.object("ResponseFilter", 10004)
	if aerr != nil {
		return nil, aerr
	}
	var base map[string]bool // nil: every base field (the basic form)
	memFields, wantMembers := mfAll, true
	if filtered {
		if base, aerr = baseFilter(rf); aerr != nil {
			return nil, aerr
		}
		if memFields, wantMembers, aerr = memberFilter(rf); aerr != nil {
			return nil, aerr
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	members := 0
	b := append(make([]byte, 0, 512*len(ids)), `{"GroupInfo":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		g := e.group(appID, id)
		if g == nil {
			b = appendString(append(b, `{"GroupId":`...), id)
			b = append(b, `,"ErrorCode":10010,"ErrorInfo":"this group does not exist"}`...)
			continue
		}
		b = appendString(append(b, `{"GroupId":`...), g.id)
		b = append(b, `,"ErrorCode":0,"ErrorInfo":""`...)
		for _, f := range baseFields {
			if base == nil || base[f.name] {
				b = appendField(b, f.name, f.value(g, appID))
			}
		}
		if wantMembers && g.kind != kindAVChatRoom {
			view := g.ordered()
			b = appendMembers(append(b, `,"MemberList":`...), view, memFields)
			members += len(view)
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return &result{fields: json.RawMessage(b), members: members}, nil
}

// appendField encodes ,"key":value.
func appendField(b []byte, key string, v any) []byte {
	b = append(appendString(append(b, ','), key), ':')
	switch v := v.(type) {
	case string:
		return appendString(b, v)
	case json.RawMessage:
		return append(b, v...)
	}
	enc, _ := json.Marshal(v) // numbers
	return append(b, enc...)
}

func onOff(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}

func validCustomGroupID(id string, k kind) *apiError {
	if len(id) > 48 {
		return errf(10004, "GroupId exceeds 48 bytes")
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return errf(10004, "GroupId must be printable ASCII")
		}
	}
	if k == kindCommunity {
		if !strings.HasPrefix(id, "@TGS#_") || len(id) == len("@TGS#_") {
			return errf(10004, "custom Community group IDs must start with @TGS#_")
		}
	} else if strings.HasPrefix(id, "@TGS#") {
		return errf(10004, "custom group IDs must not start with @TGS#")
	}
	return nil
}

var applyJoinOptions = map[string]bool{"FreeAccess": true, "NeedPermission": true, "DisableApply": true}

// createGroup implements create_group.
func (e *Emulator) createGroup(appID uint64, o obj) (*result, *apiError) {
	return e.createOrImportGroup(appID, o, false)
}

// importGroup implements import_group: create_group plus CreateTime, no
// AVChatRoom, and a default MaxMemberNum of 2000. The INTL guide says
// initial members may be given, so MemberList is accepted as in
// create_group (they join at CreateTime).
func (e *Emulator) importGroup(appID uint64, o obj) (*result, *apiError) {
	return e.createOrImportGroup(appID, o, true)
}

// createOrImportGroup implements both. Type takes the documented REST names
// (client-SDK names only with Settings.AcceptClientTypeNames). The plan
// decides the default MaxMemberNum, whether Community exists (10007) and,
// on trial, the group quota (10058). Non-existent MemberList accounts follow
// Settings.MissingAccount ("member": they are left out).
func (e *Emulator) createOrImportGroup(appID uint64, o obj, isImport bool) (*result, *apiError) {
	st := e.Settings()
	typ, ok, aerr := o.str("Type", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || typ == "" {
		return nil, errf(10004, "Type is required")
	}
	k, aerr := restKind(typ, st.AcceptClientTypeNames)
	if aerr != nil {
		return nil, aerr
	}
	if isImport && k == kindAVChatRoom {
		return nil, errf(10007, "AVChatRoom groups cannot be imported")
	}
	if k == kindCommunity && !st.plan().community {
		return nil, errf(10007, communityUnavailable)
	}
	name, ok, aerr := o.str("Name", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || name == "" {
		return nil, errf(10004, "Name is required")
	}
	if len(name) > 30 {
		return nil, errf(10004, "Name exceeds 30 bytes")
	}
	owner, _, aerr := o.str("Owner_Account", 60015)
	if aerr != nil {
		return nil, aerr
	}
	customID, _, aerr := o.str("GroupId", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if customID != "" {
		if aerr := validCustomGroupID(customID, k); aerr != nil {
			return nil, aerr
		}
	}
	texts := map[string]string{}
	for _, f := range []struct {
		key string
		max int
	}{{"Introduction", 240}, {"Notification", 300}, {"FaceUrl", 100}} {
		s, _, aerr := o.str(f.key, 10004)
		if aerr != nil {
			return nil, aerr
		}
		if len(s) > f.max {
			return nil, errf(10004, "%s exceeds %d bytes", f.key, f.max)
		}
		texts[f.key] = s
	}
	maxCount, _, aerr := o.integer("MaxMemberCount")
	if aerr != nil {
		return nil, aerr
	}
	if limit := st.maxMembersAllowed(k); maxCount < 0 || maxCount > int64(limit) {
		return nil, errf(10004, "MaxMemberCount must be between 1 and %d", limit)
	}
	apply, hasApply, aerr := o.str("ApplyJoinOption", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasApply && apply != "" && !applyJoinOptions[apply] {
		return nil, errf(10004, "ApplyJoinOption %q is invalid", apply)
	}
	if aerr := checkDefinedData(o, "AppDefinedData"); aerr != nil {
		return nil, aerr
	}
	now := e.now().Unix()
	createTime := now
	if isImport {
		ct, _, aerr := o.integer("CreateTime")
		if aerr != nil {
			return nil, aerr
		}
		if ct < 0 || ct > now {
			return nil, errf(10004, "CreateTime must not be in the future")
		}
		if ct > 0 {
			createTime = ct
		}
	}
	list, _, aerr := o.objects("MemberList", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if len(list) > 100 {
		return nil, errf(10005, "too many accounts: MemberList has %d entries, at most 100 are allowed", len(list))
	}
	if len(list) > 0 && k == kindAVChatRoom {
		return nil, errf(10007, "AVChatRoom groups cannot have initial members")
	}
	type entry struct{ account, role string }
	var entries []entry
	for i, m := range list {
		acct, aerr := memberAccount(m, i)
		if aerr != nil {
			return nil, aerr
		}
		role, _, aerr := m.str("Role", 10004)
		if aerr != nil {
			return nil, aerr
		}
		if role != "" && role != RoleAdmin && role != RoleMember {
			return nil, errf(10004, "MemberList[%d].Role %q is invalid", i, role)
		}
		if role == RoleAdmin && k == kindPrivate {
			return nil, errf(10007, "%s groups do not support the Admin role", k)
		}
		if aerr := checkDefinedData(m, "AppMemberDefinedData"); aerr != nil {
			return nil, aerr
		}
		entries = append(entries, entry{acct, role})
	}
	maxMembers := int(maxCount)
	if maxMembers == 0 {
		maxMembers = st.defaultMaxMembers(k, isImport)
	}

	var id string
	aerr = e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		if owner != "" {
			if _, ok := a.accounts[owner]; !ok {
				return false, errf(10004, "Owner_Account %s is not an imported account", owner)
			}
		}
		if ex := a.groups[customID]; customID != "" && ex != nil {
			if ex.owner == owner {
				return false, errf(10025, "group id %s has been used by yourself", customID)
			}
			return false, errf(10021, "group id %s has been used by others", customID)
		}
		if st.plan().trial && len(a.groups) >= trialGroups {
			return false, errf(10058, "the trial edition allows at most %d groups per app", trialGroups)
		}
		if aerr := missingAccountError(st.MissingAccount, missingAccounts(a, entries, func(en entry) string { return en.account })); aerr != nil {
			return false, aerr
		}
		id = customID
		if id == "" {
			id = a.newGroupID(k)
		}
		g := newGroup(Group{ID: id, Name: name, CreateTime: createTime, MaxMemberNum: maxMembers}, k)
		g.introduction, g.notification, g.faceURL = texts["Introduction"], texts["Notification"], texts["FaceUrl"]
		if apply != "" {
			g.applyJoin = apply
		}
		if owner != "" {
			g.addMember(&member{account: owner, role: RoleOwner, joinTime: createTime})
		}
		for _, en := range entries {
			if _, ok := a.accounts[en.account]; !ok || g.members[en.account] != nil {
				continue // "member" mode leaves missing accounts out; repeats are ignored
			}
			role := RoleMember
			if en.role == RoleAdmin {
				role = RoleAdmin
			}
			g.addMember(&member{account: en.account, role: role, joinTime: createTime})
		}
		if maxMembers > 0 && len(g.members) > maxMembers {
			return false, errf(10014, "group is full: %d initial members exceed MaxMemberNum %d", len(g.members), maxMembers)
		}
		a.groups[id] = g
		return true, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{fields: struct{ GroupId string }{id}, members: len(entries), groupID: id}, nil
}

// destroyGroup implements destroy_group (all types).
func (e *Emulator) destroyGroup(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	aerr = e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		if a.groups[gid] == nil {
			return false, groupMissing()
		}
		delete(a.groups, gid)
		return true, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{}, nil
}

// changeGroupOwner implements change_group_owner. The new owner must be a
// member (10004 otherwise); the old owner becomes an ordinary Member.
func (e *Emulator) changeGroupOwner(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	acct, ok, aerr := o.str("NewOwner_Account", 60015)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || acct == "" {
		return nil, errf(10004, "NewOwner_Account is required")
	}
	aerr = e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		if g == nil {
			return false, groupMissing()
		}
		if g.kind == kindAVChatRoom {
			return false, errf(10007, "AVChatRoom groups do not support changing the owner")
		}
		if g.members[acct] == nil {
			return false, errf(10004, "new owner %s is not a member of the group", acct)
		}
		g.setOwner(acct)
		return true, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{}, nil
}
