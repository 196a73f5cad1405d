package emulator

import (
	"bytes"
	"encoding/json"
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
//   - A non-existent account fails the whole request with 10019 naming the
//     accounts (QD-2018 lists 10019 for this API), or, with
//     Settings.MissingAccount "member", gives that member Result 0.
//   - Role "Admin" on a Work/Private group (which has no Admin role) gives
//     that member Result 0; the rest of the batch is imported.
//   - A JoinTime outside (CreateTime, now] gives that member Result 0.
//     JoinTime 0 counts as omitted (clients without omitempty send it) and
//     omitted means now.
//   - If the members that would be added do not fit under MaxMemberNum, the
//     whole request fails with 10014 (as add_group_member documents) and
//     nothing is imported.
//   - An existing member gets Result 2 and keeps its role and join time; a
//     repeated account within one request gets Result 2 the second time.
func (e *Emulator) importGroupMember(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	list, ok, aerr := o.objects("MemberList", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || len(list) == 0 {
		return nil, errf(10004, "MemberList is required and must not be empty")
	}
	st := e.Settings()
	if len(list) > st.ImportCap {
		return nil, errf(10005, "too many accounts: MemberList has %d entries, at most %d are allowed", len(list), st.ImportCap)
	}
	type entry struct {
		account, role string
		joinTime      int64
		unread        int64
	}
	entries := make([]entry, len(list))
	for i, m := range list {
		if m == nil {
			return nil, errf(10004, "MemberList[%d] must be an object", i)
		}
		acct, ok, aerr := m.str("Member_Account", 60015)
		if aerr != nil {
			return nil, aerr
		}
		if !ok || acct == "" {
			return nil, errf(10004, "MemberList[%d].Member_Account is required", i)
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

	e.mu.Lock()
	a := e.apps[appID]
	g := a.groups[gid]
	if g == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		e.mu.Unlock()
		return nil, errf(10007, "AVChatRoom groups do not support importing members")
	}
	if missing := missingAccounts(a, entries, func(en entry) string { return en.account }); len(missing) > 0 && st.MissingAccount != MissingAccountMember {
		e.mu.Unlock()
		return nil, errf(10019, "these accounts do not exist (not imported): %s", strings.Join(missing, ","))
	}
	now := e.now().Unix()
	results := make([]memberResult, len(entries))
	added := map[string]bool{}
	var adds []*member
	for i, en := range entries {
		res := 0
		_, exists := a.accounts[en.account]
		switch {
		case g.members[en.account] != nil || added[en.account]:
			res = 2
		case !exists:
		case en.role == RoleAdmin && g.kind == kindWork:
		case en.joinTime != 0 && (en.joinTime <= g.createTime || en.joinTime > now):
		default:
			res = 1
			added[en.account] = true
			m := &member{account: en.account, role: RoleMember, joinTime: en.joinTime, unread: en.unread}
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
	if g.full(len(adds)) {
		e.mu.Unlock()
		return nil, errf(10014, "group is full: %d members plus %d new exceed MaxMemberNum %d", len(g.members), len(adds), g.maxMembers)
	}
	for _, m := range adds {
		g.addMember(m)
	}
	e.mu.Unlock()
	if len(adds) > 0 {
		e.changed()
	}
	return &result{fields: struct{ MemberList []memberResult }{results}, members: len(entries)}, nil
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
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := o.integer("Silence"); aerr != nil {
		return nil, aerr
	}
	list, ok, aerr := o.objects("MemberList", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || len(list) == 0 {
		return nil, errf(10004, "MemberList is required and must not be empty")
	}
	st := e.Settings()
	if len(list) > st.ImportCap {
		return nil, errf(10005, "too many accounts: MemberList has %d entries, at most %d are allowed", len(list), st.ImportCap)
	}
	accts := make([]string, len(list))
	for i, m := range list {
		if m == nil {
			return nil, errf(10004, "MemberList[%d] must be an object", i)
		}
		acct, ok, aerr := m.str("Member_Account", 60015)
		if aerr != nil {
			return nil, aerr
		}
		if !ok || acct == "" {
			return nil, errf(10004, "MemberList[%d].Member_Account is required", i)
		}
		accts[i] = acct
	}
	e.mu.Lock()
	a := e.apps[appID]
	g := a.groups[gid]
	if g == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		e.mu.Unlock()
		return nil, errf(10007, "AVChatRoom groups do not support adding members")
	}
	if missing := missingAccounts(a, accts, func(s string) string { return s }); len(missing) > 0 {
		e.mu.Unlock()
		return nil, errf(10019, "these accounts do not exist (not imported): %s", strings.Join(missing, ","))
	}
	now := e.now().Unix()
	results := make([]memberResult, len(accts))
	added := map[string]bool{}
	var adds []string
	for i, acct := range accts {
		res := 1
		if g.members[acct] != nil || added[acct] {
			res = 2
		} else {
			added[acct] = true
			adds = append(adds, acct)
		}
		results[i] = memberResult{Member_Account: acct, Result: res}
	}
	if g.full(len(adds)) {
		e.mu.Unlock()
		return nil, errf(10014, "group is full: %d members plus %d new exceed MaxMemberNum %d", len(g.members), len(adds), g.maxMembers)
	}
	for _, acct := range adds {
		g.addMember(&member{account: acct, role: RoleMember, joinTime: now})
	}
	e.mu.Unlock()
	if len(adds) > 0 {
		e.changed()
	}
	return &result{fields: struct{ MemberList []memberResult }{results}, members: len(accts)}, nil
}

var memberFields = []string{"Role", "JoinTime", "MsgSeq", "MsgFlag", "LastSendMsgTime", "ShutUpUntil", "NameCard"}

// fieldSet is the MemberInfoFilter; nil means all fields. An empty or null
// filter is treated as absent, because clients that do not use omitempty
// send [] or null when they mean "no filter".
func fieldSet(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

// appendMember encodes one member object in the documented field order;
// fields == nil means all fields. It is hand-written because paging
// 100k-member groups is dominated by encoding.
func appendMember(b []byte, m *member, fields map[string]bool) []byte {
	want := func(f string) bool { return fields == nil || fields[f] }
	b = append(b, `{"Member_Account":`...)
	b = appendString(b, m.account)
	if want("Role") {
		b = appendString(append(b, `,"Role":`...), m.role)
	}
	if want("JoinTime") {
		b = strconv.AppendInt(append(b, `,"JoinTime":`...), m.joinTime, 10)
	}
	if want("MsgSeq") {
		b = append(b, `,"MsgSeq":0`...) // no messages are stored
	}
	if want("MsgFlag") {
		b = appendString(append(b, `,"MsgFlag":`...), m.msgFlag)
	}
	if want("LastSendMsgTime") {
		b = append(b, `,"LastSendMsgTime":0`...)
	}
	if want("ShutUpUntil") {
		b = strconv.AppendInt(append(b, `,"ShutUpUntil":`...), m.shutUpUntil, 10)
	}
	if want("NameCard") {
		b = appendString(append(b, `,"NameCard":`...), m.nameCard)
	}
	return append(b, '}')
}

// appendMembers encodes a JSON array of members.
func appendMembers(b []byte, ms []*member, fields map[string]bool) []byte {
	b = append(b, '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMember(b, m, fields)
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

// parseNext accepts the Community cursor as a string (OAS, newer SDKs) or an
// integer (older docs); "", 0, null and absent all mean "from the start".
func parseNext(o obj) (int64, *apiError) {
	raw, ok := o["Next"]
	if !ok || isNull(raw) {
		return 0, nil
	}
	var n int64
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, errf(10004, "Next is invalid")
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
	if json.Unmarshal(raw, &n) != nil || n < 0 {
		return 0, errf(10004, "Next must be a string or a non-negative integer")
	}
	return n, nil
}

// getGroupMemberInfo implements get_group_member_info.
//
// Limit 0/absent means PageSize, larger values are capped at PageSize (the
// documented maximum is 200). Non-Community groups page by Offset over the
// order owner-first-then-join-order (after MemberRoleFilter). Community
// groups page only by Next: an Offset other than 0 is answered with 10004
// (the docs say Offset is not supported there; the exact error is
// unconfirmed). The cursor is the join sequence number of the next member,
// so it stays valid while members come and go; the last page returns ""
// (NextType "string") or 0 ("integer").
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
	filter, _, aerr := o.strArray("MemberInfoFilter", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	roleFilter, _, aerr := o.strArray("MemberRoleFilter", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	cursor, aerr := parseNext(o)
	if aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	pageSize := st.PageSize
	if limit > 0 && limit < int64(pageSize) {
		pageSize = int(limit)
	}
	roles := fieldSet(roleFilter)
	roleOK := func(m *member) bool { return roles == nil || roles[m.role] }
	fields := fieldSet(filter)

	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.group(appID, gid)
	if g == nil {
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		return nil, errf(10007, "AVChatRoom groups do not support listing members")
	}
	page := make([]*member, 0, pageSize)
	var next json.RawMessage // Community only
	if g.kind == kindCommunity {
		if offset != 0 {
			return nil, errf(10004, "Offset is not supported for Community groups, use Next")
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
				end := min(int(offset)+pageSize, len(view))
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
	b := make([]byte, 0, 64+len(page)*192)
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
		return nil, errf(10005, "too many accounts: MemberToDel_Account has %d entries, at most %d are allowed", len(accts), st.DeleteCap)
	}
	e.mu.Lock()
	g := e.group(appID, gid)
	if g == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		e.mu.Unlock()
		return nil, errf(10004, "AVChatRoom groups do not support deleting members")
	}
	for _, acct := range accts {
		if g.owner != "" && acct == g.owner {
			e.mu.Unlock()
			return nil, errf(10004, "the group owner %s cannot be deleted from the group", acct)
		}
	}
	removed := 0
	for _, acct := range accts {
		if g.members[acct] != nil {
			g.removeMember(acct)
			removed++
		}
	}
	e.mu.Unlock()
	if removed > 0 {
		e.changed()
	}
	return &result{members: len(accts)}, nil
}

var msgFlags = map[string]bool{"AcceptAndNotify": true, "AcceptNotNotify": true, "Discard": true, "AcceptNotNotifyExceptAt": true}

// modifyGroupMemberInfo implements modify_group_member_info. Chosen readings:
// a non-member is 10004 ("member not in group"); Role Admin on a Work group
// is 10007 (the docs' likely code); the owner's role cannot be changed here
// (10004; use change_group_owner).
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
	shut, hasShut, aerr := o.integer("ShutUpTime")
	if aerr != nil {
		return nil, aerr
	}
	if shut < 0 {
		return nil, errf(10004, "ShutUpTime must not be negative")
	}
	e.mu.Lock()
	g := e.group(appID, gid)
	if g == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		e.mu.Unlock()
		return nil, errf(10007, "AVChatRoom groups do not store member data")
	}
	m := g.members[acct]
	if m == nil {
		e.mu.Unlock()
		return nil, errf(10004, "member not in group: %s", acct)
	}
	if hasRole {
		if m.role == RoleOwner {
			e.mu.Unlock()
			return nil, errf(10004, "the role of the group owner %s cannot be modified", acct)
		}
		if role == RoleAdmin && g.kind == kindWork {
			e.mu.Unlock()
			return nil, errf(10007, "%s groups do not support the Admin role", g.typ)
		}
	}
	if hasShut && shut > 0 && g.kind == kindWork {
		e.mu.Unlock()
		return nil, errf(10007, "%s groups do not support muting members", g.typ)
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
	if hasShut {
		if shut == 0 {
			m.shutUpUntil = 0
		} else {
			m.shutUpUntil = e.now().Unix() + shut
		}
	}
	e.mu.Unlock()
	e.changed()
	return &result{members: 1}, nil
}

// kv / ordered keep get_group_info fields in the documented order while
// allowing GroupBaseInfoFilter to drop some.
type kv struct {
	k string
	v any
}
type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// getGroupInfo implements get_group_info. The top-level code is 0 whenever
// the request is well-formed; a missing group is reported in its element as
// {"GroupId":..,"ErrorCode":10010,"ErrorInfo":"this group does not exist"}.
func (e *Emulator) getGroupInfo(appID uint64, o obj) (*result, *apiError) {
	ids, ok, aerr := o.strArray("GroupIdList", 10004, 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || len(ids) == 0 || len(ids) > 50 {
		return nil, errf(10004, "GroupIdList must contain 1 to 50 group IDs")
	}
	rf, _, aerr := o.object("ResponseFilter", 10004)
	if aerr != nil {
		return nil, aerr
	}
	var base map[string]bool
	var memF []string
	wantMembers := false
	if rf != nil {
		bf, _, aerr := rf.strArray("GroupBaseInfoFilter", 10004, 10004)
		if aerr != nil {
			return nil, aerr
		}
		if bf != nil {
			base = map[string]bool{}
			for _, f := range bf {
				base[f] = true
			}
		}
		memF, wantMembers, aerr = rf.strArray("MemberInfoFilter", 10004, 10004)
		if aerr != nil {
			return nil, aerr
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	infos := make([]ordered, 0, len(ids))
	members := 0
	for _, id := range ids {
		g := e.group(appID, id)
		if g == nil {
			infos = append(infos, ordered{{"GroupId", id}, {"ErrorCode", 10010}, {"ErrorInfo", "this group does not exist"}})
			continue
		}
		el := ordered{{"GroupId", g.id}, {"ErrorCode", 0}, {"ErrorInfo", ""}}
		for _, f := range []kv{
			{"Type", g.typ}, {"Appid", appID}, {"Name", g.name}, {"Introduction", g.introduction},
			{"Notification", g.notification}, {"FaceUrl", g.faceURL}, {"Owner_Account", g.owner},
			{"CreateTime", g.createTime}, {"InfoSeq", g.infoSeq}, {"LastInfoTime", g.createTime},
			{"LastMsgTime", 0}, {"NextMsgSeq", 1}, {"MemberNum", len(g.members)},
			{"MaxMemberNum", g.maxMembers}, {"ApplyJoinOption", g.applyJoin}, {"ShutUpAllMember", onOff(g.shutUpAll)},
		} {
			if base == nil || base[f.k] {
				el = append(el, f)
			}
		}
		if wantMembers && g.kind != kindAVChatRoom {
			// "Account" is how the docs' sample spells Member_Account here.
			fields := map[string]bool{}
			for _, f := range memF {
				fields[f] = true
			}
			if len(memF) == 0 {
				fields = nil
			}
			view := g.ordered()
			el = append(el, kv{"MemberList", json.RawMessage(appendMembers(nil, view, fields))})
			members += len(view)
		}
		infos = append(infos, el)
	}
	enc, err := json.Marshal(struct{ GroupInfo []ordered }{infos})
	if err != nil {
		return nil, errf(10002, "internal error: %v", err)
	}
	return &result{fields: json.RawMessage(enc), members: members}, nil
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
// AVChatRoom. The INTL guide says initial members may be given, so
// MemberList is accepted as in create_group (they join at CreateTime).
func (e *Emulator) importGroup(appID uint64, o obj) (*result, *apiError) {
	return e.createOrImportGroup(appID, o, true)
}

func (e *Emulator) createOrImportGroup(appID uint64, o obj, isImport bool) (*result, *apiError) {
	typ, ok, aerr := o.str("Type", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if !ok || typ == "" {
		return nil, errf(10004, "Type is required")
	}
	k, valid := kindOf(typ)
	if !valid {
		return nil, errf(10004, "group type %q is invalid", typ)
	}
	if isImport && k == kindAVChatRoom {
		return nil, errf(10007, "AVChatRoom groups cannot be imported")
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
	limit := int64(6000)
	if k == kindCommunity {
		limit = 100000
	}
	limit = max(limit, int64(e.Settings().GroupMemberLimit))
	if maxCount < 0 || maxCount > limit {
		return nil, errf(10004, "MaxMemberCount must be between 1 and %d", limit)
	}
	apply, hasApply, aerr := o.str("ApplyJoinOption", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasApply && apply != "" && !applyJoinOptions[apply] {
		return nil, errf(10004, "ApplyJoinOption %q is invalid", apply)
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
		if m == nil {
			return nil, errf(10004, "MemberList[%d] must be an object", i)
		}
		acct, ok, aerr := m.str("Member_Account", 60015)
		if aerr != nil {
			return nil, aerr
		}
		if !ok || acct == "" {
			return nil, errf(10004, "MemberList[%d].Member_Account is required", i)
		}
		role, _, aerr := m.str("Role", 10004)
		if aerr != nil {
			return nil, aerr
		}
		if role != "" && role != RoleAdmin && role != RoleMember {
			return nil, errf(10004, "MemberList[%d].Role %q is invalid", i, role)
		}
		if role == RoleAdmin && k == kindWork {
			return nil, errf(10007, "%s groups do not support the Admin role", typ)
		}
		entries = append(entries, entry{acct, role})
	}

	e.mu.Lock()
	a := e.apps[appID]
	if owner != "" {
		if _, ok := a.accounts[owner]; !ok {
			e.mu.Unlock()
			return nil, errf(10004, "Owner_Account %s is not an imported account", owner)
		}
	}
	if ex := a.groups[customID]; customID != "" && ex != nil {
		e.mu.Unlock()
		if ex.owner == owner {
			return nil, errf(10025, "group id %s has been used by yourself", customID)
		}
		return nil, errf(10021, "group id %s has been used by others", customID)
	}
	missing := missingAccounts(a, entries, func(en entry) string { return en.account })
	if len(missing) > 0 && e.Settings().MissingAccount != MissingAccountMember {
		e.mu.Unlock()
		return nil, errf(10019, "these accounts do not exist (not imported): %s", strings.Join(missing, ","))
	}
	maxMembers := int(maxCount)
	if maxMembers == 0 {
		maxMembers = e.defaultMaxMembers(k)
	}
	id := customID
	if id == "" {
		id = a.newGroupID(k)
	}
	g := newGroup(Group{ID: id, Type: typ, Name: name, CreateTime: createTime, MaxMemberNum: maxMembers}, k)
	g.introduction, g.notification, g.faceURL = texts["Introduction"], texts["Notification"], texts["FaceUrl"]
	if apply != "" {
		g.applyJoin = apply
	}
	if owner != "" {
		g.addMember(&member{account: owner, role: RoleOwner, joinTime: createTime})
	}
	for _, en := range entries {
		if _, ok := a.accounts[en.account]; !ok || g.members[en.account] != nil {
			continue // "member" mode skips missing accounts; repeats are ignored
		}
		role := RoleMember
		if en.role == RoleAdmin {
			role = RoleAdmin
		}
		g.addMember(&member{account: en.account, role: role, joinTime: createTime})
	}
	if maxMembers > 0 && len(g.members) > maxMembers {
		e.mu.Unlock()
		return nil, errf(10014, "group is full: %d initial members exceed MaxMemberNum %d", len(g.members), maxMembers)
	}
	a.groups[id] = g
	e.mu.Unlock()
	e.changed()
	return &result{fields: struct{ GroupId string }{id}, members: len(entries), groupID: id}, nil
}

// destroyGroup implements destroy_group (all types).
func (e *Emulator) destroyGroup(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	e.mu.Lock()
	a := e.apps[appID]
	if a.groups[gid] == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	delete(a.groups, gid)
	e.mu.Unlock()
	e.changed()
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
	e.mu.Lock()
	g := e.group(appID, gid)
	if g == nil {
		e.mu.Unlock()
		return nil, groupMissing()
	}
	if g.kind == kindAVChatRoom {
		e.mu.Unlock()
		return nil, errf(10007, "AVChatRoom groups do not support changing the owner")
	}
	if g.members[acct] == nil {
		e.mu.Unlock()
		return nil, errf(10004, "new owner %s is not a member of the group", acct)
	}
	g.setOwner(acct)
	e.mu.Unlock()
	e.changed()
	return &result{}, nil
}
