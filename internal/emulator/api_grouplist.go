package emulator

import "sort"

const (
	getAppIDGroupList = "get_appid_group_list"
	// maxGroupListLimit is get_appid_group_list's Limit: "不得超过 10000。
	// 如果不填，默认为最大值 10000".
	maxGroupListLimit = 10000
	// bChatRoom is a GroupType the page documents as a filter, though no
	// current create_group page offers it, so the emulator never holds one.
	bChatRoom = "BChatRoom"
)

// groupListFilter is a GroupType filter: every type, one kind, or
// BChatRoom, which matches no group here.
type groupListFilter struct {
	all, none bool
	kind      kind
}

func (f groupListFilter) match(g *group) bool {
	return f.all || (!f.none && g.kind == f.kind)
}

// readGroupListFilter reads GroupType. Absent, null or "" lists every type
// ("不填为获取所有"). Work and Meeting, which the page glosses as Private and
// ChatRoom, are client-SDK names: refused as in create_group unless
// AcceptClientTypeNames allows them.
func readGroupListFilter(r *reader, acceptClientNames bool) groupListFilter {
	t := r.str("GroupType")
	switch t {
	case "":
		return groupListFilter{all: true}
	case bChatRoom:
		return groupListFilter{none: true}
	}
	if k, client := clientTypeNames[t]; client && !acceptClientNames {
		r.fail(errf(10004, "GroupType %s is not a REST API type: use %s", t, k))
		return groupListFilter{}
	}
	k, ok := kindOf(t)
	r.check(ok, 10004, "GroupType %q is invalid: use Public, Private, ChatRoom, AVChatRoom, BChatRoom or Community", t)
	return groupListFilter{kind: k}
}

type groupListEntry struct {
	GroupId string
}

// getAppIDGroupList implements get_appid_group_list: the app's group IDs in
// creation order, Limit at a time (1..10000; absent or 0 = 10000), from the
// integer cursor Next (0 = the start). The answer's Next is the cursor of
// the last group listed, and 0 once nothing is left: on the page that lists
// the last group, or (Settings.GroupListFinalEmptyPage) only on the empty
// page after it. TotalCount counts every group of the GroupType filter,
// whatever Limit and Next ("Limit 或者 Next 的取值不会对应答包体中的
// TotalCount 造成影响"). The cursor is a group's creation number, so groups
// created or dismissed between two pages neither shift nor repeat the
// others.
func (e *Emulator) getAppIDGroupList(appID uint64, r *reader) (*result, *apiError) {
	st := e.Settings()
	limit := r.integer("Limit")
	r.check(limit >= 0 && limit <= maxGroupListLimit, 10004, "Limit must be between 1 and %d, got %d", maxGroupListLimit, limit)
	next := r.integer("Next")
	r.check(next >= 0, 10004, "Next must be 0 for the first page or the Next of the previous answer, got %d", next)
	filter := readGroupListFilter(r, st.AcceptClientTypeNames)
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	if limit == 0 {
		limit = maxGroupListLimit
	}
	var matching []*group
	e.readLocked(func() {
		if a := e.apps[appID]; a != nil {
			for _, g := range a.groups {
				if filter.match(g) {
					matching = append(matching, g)
				}
			}
		}
	})
	sort.Slice(matching, func(i, j int) bool { return matching[i].created < matching[j].created })
	start := sort.Search(len(matching), func(i int) bool { return matching[i].created > next })
	page := matching[start:min(len(matching), start+int(limit))]
	out := struct {
		TotalCount  int
		GroupIdList []groupListEntry
		Next        int64
	}{TotalCount: len(matching), GroupIdList: make([]groupListEntry, len(page))}
	for i, g := range page {
		out.GroupIdList[i].GroupId = g.id
	}
	if more := start+len(page) < len(matching); len(page) > 0 && (more || st.GroupListFinalEmptyPage) {
		out.Next = page[len(page)-1].created
	}
	return &result{fields: out, members: len(page)}, nil
}
