package emulator

import (
	"cmp"
	"encoding/json"
	"strings"
)

func groupMissing() *apiError { return errf(10010, "this group does not exist") }

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
// names custom data, so it asks for AppDefinedData). An unknown name is
// refused, naming it.
func baseFilter(r *reader) map[string]bool {
	want := map[string]bool{}
	for _, n := range r.strs("GroupBaseInfoFilter") {
		n = cmp.Or(baseFieldAliases[n], n)
		r.check(n != "Appid" && baseFieldKnown(n), 10004, "GroupBaseInfoFilter: unknown group field %q", n)
		want[n] = true
	}
	r.strs("AppDefinedDataFilter_Group") // type-checked; its names are not stored
	if r.has("AppDefinedDataFilter_Group") {
		want["AppDefinedData"] = true
	}
	return want
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
func (e *Emulator) getGroupInfo(appID uint64, r *reader) (*result, *apiError) {
	ids := r.strs("GroupIdList")
	r.check(len(ids) > 0 && len(ids) <= maxGroupInfoIDs, 10004, "GroupIdList must contain 1 to %d group IDs", maxGroupInfoIDs)
	rf := r.object("ResponseFilter")
	st := e.Settings()
	var base map[string]bool // nil: every base field (the basic form)
	memView, wantMembers := memberFilter(r.at(nil), st), true
	if r.has("ResponseFilter") {
		f := r.at(rf)
		base, memView, wantMembers = baseFilter(f), memberFilter(f, st), f.has("MemberInfoFilter")
	}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	members := 0
	b := append(make([]byte, 0, 512*len(ids)), `{"GroupInfo":[`...)
	e.readLocked(func() {
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
				b = appendMembers(append(b, `,"MemberList":`...), view, memView)
				members += len(view)
			}
			b = append(b, '}')
		}
	})
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

// readGroupTexts reads the groupTexts fields, checking their limits.
func readGroupTexts(r *reader) (values [len(groupTexts)]string, given [len(groupTexts)]bool) {
	for i, f := range groupTexts {
		values[i], given[i] = r.str(f.key), r.has(f.key)
		r.check(len(values[i]) <= f.max, 10004, "%s exceeds %d bytes", f.key, f.max)
	}
	return values, given
}

// customGroupID reads create_group's optional GroupId: printable ASCII of
// at most 48 bytes, with the "@TGS#" prefix rules of its type.
func (r *reader) customGroupID(k kind) string {
	id := r.str("GroupId")
	if id == "" {
		return ""
	}
	r.check(len(id) <= maxGroupIDBytes, 10004, "GroupId exceeds %d bytes", maxGroupIDBytes)
	r.check(printableASCII(id), 10004, "GroupId must be printable ASCII")
	if k == kindCommunity {
		r.check(strings.HasPrefix(id, "@TGS#_") && len(id) > len("@TGS#_"), 10004, "custom Community group IDs must start with @TGS#_")
	} else {
		r.check(!strings.HasPrefix(id, "@TGS#"), 10004, "custom group IDs must not start with @TGS#")
	}
	return id
}

func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var applyJoinOptions = map[string]bool{"FreeAccess": true, "NeedPermission": true, "DisableApply": true}

// createGroup implements create_group.
func (e *Emulator) createGroup(appID uint64, r *reader) (*result, *apiError) {
	return e.createOrImportGroup(appID, r, false)
}

// importGroup implements import_group: create_group plus CreateTime, no
// AVChatRoom, and a default MaxMemberNum of 2000. The INTL guide says
// initial members may be given, so MemberList is accepted as in
// create_group (they join at CreateTime).
func (e *Emulator) importGroup(appID uint64, r *reader) (*result, *apiError) {
	return e.createOrImportGroup(appID, r, true)
}

// createOrImportGroup implements both. Type takes the documented REST names
// (client-SDK names only with Settings.AcceptClientTypeNames). The plan
// decides the default MaxMemberNum, whether Community exists (10007) and,
// on trial, the group quota (10058). Non-existent MemberList accounts follow
// Settings.MissingAccount ("member": they are left out).
func (e *Emulator) createOrImportGroup(appID uint64, r *reader, isImport bool) (*result, *apiError) {
	st := e.Settings()
	typ := r.str("Type")
	r.check(typ != "", 10004, "Type is required")
	k, aerr := restKind(typ, st.AcceptClientTypeNames)
	r.fail(aerr)
	r.check(!isImport || k != kindAVChatRoom, 10007, "AVChatRoom groups cannot be imported")
	r.check(k != kindCommunity || st.plan().community, 10007, communityUnavailable)
	name := r.str("Name")
	r.check(name != "", 10004, "Name is required")
	r.check(len(name) <= maxNameBytes, 10004, "Name exceeds %d bytes", maxNameBytes)
	owner := r.account("Owner_Account")
	customID := r.customGroupID(k)
	texts, _ := readGroupTexts(r)
	maxCount := r.integer("MaxMemberCount")
	limit := st.maxMembersAllowed(k)
	r.check(maxCount >= 0 && maxCount <= int64(limit), 10004, "MaxMemberCount must be between 1 and %d", limit)
	apply := r.str("ApplyJoinOption")
	r.check(apply == "" || applyJoinOptions[apply], 10004, "ApplyJoinOption %q is invalid", apply)
	r.definedData("AppDefinedData")
	now := e.now().Unix()
	createTime := now
	if isImport {
		ct := r.integer("CreateTime")
		r.check(ct >= 0 && ct <= now, 10004, "CreateTime must not be in the future")
		createTime = cmp.Or(ct, now)
	}
	list := r.memberList(maxInitialMembers, false)
	r.check(len(list) == 0 || k != kindAVChatRoom, 10007, "AVChatRoom groups cannot have initial members")
	entries := make([]memberEntry, len(list))
	for i := range list {
		m, acct := r.member(list, i)
		role := m.str("Role")
		r.check(role == "" || role == RoleAdmin || role == RoleMember, 10004, "MemberList[%d].Role %q is invalid", i, role)
		r.check(role != RoleAdmin || k != kindPrivate, 10007, "%s groups do not support the Admin role", k)
		data := m.memberData("AppMemberDefinedData", st)
		entries[i] = memberEntry{account: acct, role: role, data: data}
	}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	maxMembers := cmp.Or(int(maxCount), st.defaultMaxMembers(k, isImport))

	var id string
	aerr = e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		if _, ok := a.accounts[owner]; owner != "" && !ok {
			return false, errf(10004, "Owner_Account %s is not an imported account", owner)
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
		if aerr := missingAccountError(st.MissingAccount, a, entries); aerr != nil {
			return false, aerr
		}
		id = customID
		if id == "" {
			id = a.newGroupID(k)
		}
		g := newGroup(Group{ID: id, Name: name, CreateTime: createTime, MaxMemberNum: maxMembers}, k)
		for i, p := range g.texts() {
			*p = texts[i]
		}
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
			m := &member{account: en.account, role: cmp.Or(en.role, RoleMember), joinTime: createTime}
			for k, v := range en.data {
				m.setData(k, v)
			}
			g.addMember(m)
		}
		if maxMembers > 0 && len(g.members) > maxMembers {
			return false, errf(10014, "group is full: %d initial members exceed MaxMemberNum %d", len(g.members), maxMembers)
		}
		a.groups[id] = g
		return true, nil
	})
	return &result{fields: struct{ GroupId string }{id}, members: len(entries), groupID: id}, aerr
}

// destroyGroup implements destroy_group (all types).
func (e *Emulator) destroyGroup(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	aerr := e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		if a.groups[gid] == nil {
			return false, groupMissing()
		}
		delete(a.groups, gid)
		return true, nil
	})
	return &result{}, aerr
}

// changeGroupOwner implements change_group_owner. The new owner must be a
// member (10004 otherwise); the old owner becomes an ordinary Member.
func (e *Emulator) changeGroupOwner(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	acct := r.account("NewOwner_Account")
	r.check(acct != "", 10004, "NewOwner_Account is required")
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	aerr := e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		switch {
		case g == nil:
			return false, groupMissing()
		case g.kind == kindAVChatRoom:
			return false, errf(10007, "AVChatRoom groups do not support changing the owner")
		case g.members[acct] == nil:
			return false, errf(10004, "new owner %s is not a member of the group", acct)
		}
		g.setOwner(acct)
		return true, nil
	})
	return &result{}, aerr
}

// modifyGroupBaseInfo implements modify_group_base_info: GroupId (required)
// plus any of Name, Introduction, Notification, FaceUrl, MaxMemberNum,
// ApplyJoinOption, MuteAllMember (or its old name ShutUpAllMember) and
// AppDefinedData. Only the fields given change. Chosen readings where the
// docs are open:
//   - A value the API documents a limit for is checked like create_group:
//     Name 1..30 bytes, Introduction <= 240, Notification <= 300,
//     FaceUrl <= 100, ApplyJoinOption one of the three documented values,
//     MuteAllMember "On" or "Off"; anything else is 10004 and nothing
//     changes.
//   - MaxMemberNum must be between 1 and the type's limit (6000, Community
//     100000, or Settings.GroupMemberLimit when larger) and not below the
//     current member count (10004).
//   - Types that lack the feature answer 10007: MaxMemberNum on AVChatRoom
//     (it keeps no member list; the docs call the field invalid there) and
//     ApplyJoinOption on Private (members can only be invited).
//   - AppDefinedData is type-checked but not stored, as in create_group.
//   - A request with nothing but GroupId succeeds and changes nothing.
func (e *Emulator) modifyGroupBaseInfo(appID uint64, r *reader) (*result, *apiError) {
	gid := r.groupID()
	name, hasName := r.str("Name"), r.has("Name")
	r.check(!hasName || (name != "" && len(name) <= maxNameBytes), 10004, "Name must be 1 to %d bytes, got %d", maxNameBytes, len(name))
	texts, textGiven := readGroupTexts(r)
	maxNum, hasMax := r.integer("MaxMemberNum"), r.has("MaxMemberNum")
	apply, hasApply := r.str("ApplyJoinOption"), r.has("ApplyJoinOption")
	r.check(!hasApply || applyJoinOptions[apply], 10004, "ApplyJoinOption %q is invalid: use FreeAccess, NeedPermission or DisableApply", apply)
	muteAll, muteKey, hasMuteAll := aliased(r, "MuteAllMember", "ShutUpAllMember", r.str)
	r.check(!hasMuteAll || muteAll == "On" || muteAll == "Off", 10004, "%s %q is invalid: use On or Off", muteKey, muteAll)
	r.definedData("AppDefinedData")
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	st := e.Settings()

	aerr := e.mutate(func() (bool, *apiError) {
		g := e.group(appID, gid)
		if g == nil {
			return false, groupMissing()
		}
		if hasMax {
			if g.kind == kindAVChatRoom {
				return false, errf(10007, "AVChatRoom groups keep no member list, so MaxMemberNum cannot be set")
			}
			if limit := st.maxMembersAllowed(g.kind); maxNum < 1 || maxNum > int64(limit) {
				return false, errf(10004, "MaxMemberNum must be between 1 and %d", limit)
			}
			if int(maxNum) < len(g.members) {
				return false, errf(10004, "MaxMemberNum %d is below the current member count %d", maxNum, len(g.members))
			}
		}
		if hasApply && g.kind == kindPrivate {
			return false, errf(10007, "%s groups do not support applying to join, so ApplyJoinOption cannot be set", g.kind)
		}
		changed := false
		set := func(dst *string, v string, ok bool) {
			if ok && *dst != v {
				*dst = v
				changed = true
			}
		}
		set(&g.name, name, hasName)
		for i, p := range g.texts() {
			set(p, texts[i], textGiven[i])
		}
		set(&g.applyJoin, apply, hasApply)
		if hasMax && g.maxMembers != int(maxNum) {
			g.maxMembers = int(maxNum)
			changed = true
		}
		if hasMuteAll && g.muteAll != (muteAll == "On") {
			g.muteAll = muteAll == "On"
			changed = true
		}
		if changed {
			g.infoSeq++
		}
		return changed, nil
	})
	return &result{groupID: gid}, aerr
}
