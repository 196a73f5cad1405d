package emulator

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
func (e *Emulator) modifyGroupBaseInfo(appID uint64, o obj) (*result, *apiError) {
	gid, aerr := requireGroupID(o)
	if aerr != nil {
		return nil, aerr
	}
	name, hasName, aerr := o.str("Name", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasName && (name == "" || len(name) > 30) {
		return nil, errf(10004, "Name must be 1 to 30 bytes, got %d", len(name))
	}
	type text struct {
		key   string
		max   int
		value string
		set   bool
	}
	texts := []*text{{key: "Introduction", max: 240}, {key: "Notification", max: 300}, {key: "FaceUrl", max: 100}}
	for _, f := range texts {
		if f.value, f.set, aerr = o.str(f.key, 10004); aerr != nil {
			return nil, aerr
		}
		if len(f.value) > f.max {
			return nil, errf(10004, "%s exceeds %d bytes", f.key, f.max)
		}
	}
	maxNum, hasMax, aerr := o.integer("MaxMemberNum")
	if aerr != nil {
		return nil, aerr
	}
	apply, hasApply, aerr := o.str("ApplyJoinOption", 10004)
	if aerr != nil {
		return nil, aerr
	}
	if hasApply && !applyJoinOptions[apply] {
		return nil, errf(10004, "ApplyJoinOption %q is invalid: use FreeAccess, NeedPermission or DisableApply", apply)
	}
	muteAll, muteKey, hasMuteAll, aerr := aliased("MuteAllMember", "ShutUpAllMember", func(k string) (string, bool, *apiError) { return o.str(k, 10004) })
	if aerr != nil {
		return nil, aerr
	}
	if hasMuteAll && muteAll != "On" && muteAll != "Off" {
		return nil, errf(10004, "%s %q is invalid: use On or Off", muteKey, muteAll)
	}
	if aerr := checkDefinedData(o, "AppDefinedData"); aerr != nil {
		return nil, aerr
	}
	st := e.Settings()

	aerr = e.mutate(func() (bool, *apiError) {
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
		set(&g.introduction, texts[0].value, texts[0].set)
		set(&g.notification, texts[1].value, texts[1].set)
		set(&g.faceURL, texts[2].value, texts[2].set)
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
	if aerr != nil {
		return nil, aerr
	}
	return &result{groupID: gid}, nil
}
