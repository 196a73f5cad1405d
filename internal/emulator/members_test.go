package emulator

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestImportResults(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	r := v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{
		{"Member_Account": "user2", "JoinTime": t0 - 10, "UnreadMsgNum": 5},
		{"Member_Account": "user3"},
		{"Member_Account": "user1"}, // the owner is already a member
		{"Member_Account": "user2"}, // repeated in the request
		{"Member_Account": "user4", "Role": "Admin"},
	}})
	var order []string
	for _, x := range r.list("MemberList") {
		order = append(order, x.(map[string]any)["Member_Account"].(string))
	}
	if got := strings.Join(order, ","); got != "user2,user3,user1,user2,user4" {
		t.Fatalf("MemberList order %s", got)
	}
	var res []int64
	for _, x := range r.list("MemberList") {
		res = append(res, num(x.(map[string]any)["Result"]))
	}
	if fmt.Sprint(res) != "[1 1 2 2 1]" {
		t.Fatalf("Results %v, want [1 1 2 2 1]", res)
	}
	ms, _ := v.e.Members(testApp, g)
	want := map[string]Member{
		"user1": {Account: "user1", Role: RoleOwner, JoinTime: t0 - 1000},
		"user2": {Account: "user2", Role: RoleMember, JoinTime: t0 - 10}, // UnreadMsgNum clamped to the message count, 0
		"user3": {Account: "user3", Role: RoleMember, JoinTime: t0},      // JoinTime omitted -> now
		"user4": {Account: "user4", Role: RoleAdmin, JoinTime: t0},
	}
	if fmt.Sprint(ms) != fmt.Sprint(want) {
		t.Fatalf("members %v\nwant %v", ms, want)
	}
	// Re-import keeps role and join time (Result 2).
	r = v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "Role": "Admin", "JoinTime": t0 - 5}}})
	if results(t, r)["user2"] != 2 {
		t.Fatal("re-import is not Result 2")
	}
	if m, _ := v.e.Members(testApp, g); !reflect.DeepEqual(m["user2"], want["user2"]) {
		t.Fatalf("re-import changed the member: %v", m["user2"])
	}
}

func TestImportJoinTimeWindow(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Meeting", "") // CreateTime t0-1000
	r := v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{
		{"Member_Account": "user1", "JoinTime": t0 - 1000}, // == CreateTime: must be later
		{"Member_Account": "user2", "JoinTime": t0 - 999},
		{"Member_Account": "user3", "JoinTime": t0}, // == now: must be earlier
		{"Member_Account": "user4", "JoinTime": t0 + 1},
		{"Member_Account": "user5", "JoinTime": -5},
		{"Member_Account": "user6", "JoinTime": 0}, // 0 counts as omitted
	}})
	got := results(t, r)
	want := map[string]int64{"user1": 0, "user2": 1, "user3": 0, "user4": 0, "user5": 0, "user6": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	ms, _ := v.e.Members(testApp, g)
	if len(ms) != 2 || ms["user6"].JoinTime != t0 {
		t.Fatalf("members %v", ms)
	}
}

func TestImportRoles(t *testing.T) {
	v := newEnv(t, Settings{})
	for _, typ := range []string{"Work", "Private"} {
		g := v.group(typ, "user1") // seeding takes the client-SDK name too
		r := v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{
			{"Member_Account": "user2", "Role": "Admin"}, {"Member_Account": "user3"},
		}})
		// Private groups have no Admin role: that member fails, the rest import.
		if got := results(t, r); got["user2"] != 0 || got["user3"] != 1 {
			t.Fatalf("%s: results %v", typ, got)
		}
		if info, _ := v.e.GroupInfo(testApp, g); info.Type != "Private" {
			t.Fatalf("type reported as %q, want the documented Private", info.Type)
		}
	}
	for _, typ := range []string{"Public", "Meeting", "ChatRoom", "Community"} {
		g := v.group(typ, "user1")
		v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "Role": "Admin"}}})
		if ms, _ := v.e.Members(testApp, g); ms["user2"].Role != RoleAdmin {
			t.Fatalf("%s: role %q", typ, ms["user2"].Role)
		}
	}
	g := v.group("Public", "user1")
	for _, role := range []string{"Member", "Owner", "admin", ""} {
		body := M{"GroupId": g, "MemberList": []M{{"Member_Account": "user5", "Role": role}}}
		if role == "" {
			v.mustOK("import_group_member", body) // empty = absent
			continue
		}
		v.wantCode(10004, "import_group_member", body)
	}
}

func TestImportValidation(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	av := v.group("AVChatRoom", "user1")
	v.wantCode(10004, "import_group_member", M{"MemberList": members("user2")})
	v.wantCode(10004, "import_group_member", M{"GroupId": "", "MemberList": members("user2")})
	v.wantCode(10004, "import_group_member", M{"GroupId": g})
	v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": []M{}})
	v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": []M{{"Role": "Admin"}}})
	v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "UnreadMsgNum": -1}}})
	// Elements that are not objects are named by index, after the cap check.
	for _, bad := range []any{"user3", nil, 3, []string{"user3"}} {
		r := v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": []any{M{"Member_Account": "user2"}, bad}})
		if !strings.Contains(r.info(), "MemberList[1] must be an object") {
			t.Fatalf("%v: %q", bad, r.info())
		}
	}
	v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": "user2"})
	tooMany := make([]any, 301)
	for i := range tooMany {
		tooMany[i] = "user2"
	}
	v.wantCode(10005, "import_group_member", M{"GroupId": g, "MemberList": tooMany})
	if got, _ := v.e.Members(testApp, g); len(got) != 1 {
		t.Fatalf("refused imports changed the group: %v", got)
	}
	v.wantCode(10010, "import_group_member", M{"GroupId": "@TGS#nosuch", "MemberList": members("user2")})
	v.wantCode(10007, "import_group_member", M{"GroupId": av, "MemberList": members("user2")})
	v.wantCode(10007, "get_group_member_info", M{"GroupId": av})
	v.wantCode(10007, "modify_group_member_info", M{"GroupId": av, "Member_Account": "user1", "Role": "Member"})
	v.wantCode(10004, "delete_group_member", M{"GroupId": av, "MemberToDel_Account": []string{"user2"}})
	v.wantCode(10007, "add_group_member", M{"GroupId": av, "MemberList": members("user2")})
}

func TestImportCaps(t *testing.T) {
	for _, limit := range []int{20, 100, 300} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			s := Settings{ImportCap: limit}
			if limit == 20 {
				s = Settings{} // the default: the newest CN page
			}
			v := newEnv(t, s)
			var all []string
			for i := 0; i <= limit; i++ {
				all = append(all, fmt.Sprintf("cap%d", i))
			}
			v.e.AddAccounts(testApp, all...)
			g := v.group("Community", "")
			r := v.wantCode(10005, "import_group_member", M{"GroupId": g, "MemberList": members(all...)})
			if !strings.Contains(r.info(), "too many accounts") {
				t.Fatalf("ErrorInfo %q", r.info())
			}
			if ms, _ := v.e.Members(testApp, g); len(ms) != 0 {
				t.Fatal("10005 imported members")
			}
			r = v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(all[:limit]...)})
			if len(r.list("MemberList")) != limit {
				t.Fatal("short result list")
			}
			v.wantCode(10005, "add_group_member", M{"GroupId": g, "MemberList": members(all...)})
		})
	}
}

func TestMaxMemberNum(t *testing.T) {
	v := newEnv(t, Settings{})
	g, err := v.e.AddGroup(testApp, Group{Type: "Public", Name: "small", Owner: "user1", MaxMemberNum: 3})
	if err != nil {
		t.Fatal(err)
	}
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	// Two more would make 4 > 3: the whole batch is refused.
	v.wantCode(10014, "import_group_member", M{"GroupId": g, "MemberList": members("user3", "user4")})
	if ms, _ := v.e.Members(testApp, g); len(ms) != 2 {
		t.Fatalf("10014 imported members: %v", ms)
	}
	// Existing members do not count against the limit.
	r := v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2", "user3")})
	if got := results(t, r); got["user2"] != 2 || got["user3"] != 1 {
		t.Fatalf("results %v", got)
	}
	v.wantCode(10014, "add_group_member", M{"GroupId": g, "MemberList": members("user5")})
	// Defaults by type.
	for typ, want := range map[string]int{"Work": 6000, "Public": 6000, "Meeting": 6000, "Community": 100000} {
		info, _ := v.e.GroupInfo(testApp, v.group(typ, ""))
		if info.MaxMemberNum != want {
			t.Errorf("%s default MaxMemberNum %d, want %d", typ, info.MaxMemberNum, want)
		}
	}
	v.e.UpdateSettings(func(s *Settings) { s.GroupMemberLimit = 20 })
	if info, _ := v.e.GroupInfo(testApp, v.group("Public", "")); info.MaxMemberNum != 20 {
		t.Errorf("GroupMemberLimit not applied: %d", info.MaxMemberNum)
	}
}

func TestAddGroupMember(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	r := v.mustOK("add_group_member", M{"GroupId": g, "Silence": 1, "MemberList": members("user2", "user1", "user2")})
	if got := results(t, r); got["user2"] != 2 || got["user1"] != 2 { // map keeps the last user2
		t.Fatalf("results %v", got)
	}
	if rs := r.list("MemberList"); num(rs[0].(map[string]any)["Result"]) != 1 {
		t.Fatal("first user2 not added")
	}
	v.wantCode(10019, "add_group_member", M{"GroupId": g, "MemberList": members("ghost")})
}

func TestDeleteGroupMember(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(users(2, 10)...)})
	// Non-members (and unknown accounts) are fine.
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user2", "user30", "ghost"}, "Reason": "bye", "Silence": 1})
	ms, _ := v.e.Members(testApp, g)
	if _, ok := ms["user2"]; ok || len(ms) != 9 {
		t.Fatalf("members after delete: %v", ms)
	}
	// The owner cannot be removed; nothing in that batch is removed.
	r := v.wantCode(10004, "delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user3", "user1"}})
	if !strings.Contains(r.info(), "user1") {
		t.Fatalf("ErrorInfo does not name the owner: %q", r.info())
	}
	if ms, _ := v.e.Members(testApp, g); len(ms) != 9 {
		t.Fatal("refused delete removed members")
	}
	v.wantCode(10004, "delete_group_member", M{"GroupId": g})
	v.wantCode(10004, "delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{}})
	v.wantCode(10010, "delete_group_member", M{"GroupId": "nosuch", "MemberToDel_Account": []string{"user3"}})
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, fmt.Sprintf("x%d", i))
	}
	// Over the cap: 10004 by default (no 10005 in its error list), 10005
	// under the other reading.
	v.wantCode(10004, "delete_group_member", M{"GroupId": g, "MemberToDel_Account": many})
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": many[:100]})
	v.e.UpdateSettings(func(s *Settings) { s.DeleteCap = 20; s.OversizedDeleteCode = 10005 })
	v.wantCode(10005, "delete_group_member", M{"GroupId": g, "MemberToDel_Account": many[:21]})
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": many[:20]})
}

func TestModifyGroupMemberInfo(t *testing.T) {
	v := newEnv(t, Settings{})
	pub := v.group("Public", "user1")
	work := v.group("Work", "user1")
	for _, g := range []string{pub, work} {
		v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	}
	v.mustOK("modify_group_member_info", M{"GroupId": pub, "Member_Account": "user2", "Role": "Admin"})
	if ms, _ := v.e.Members(testApp, pub); ms["user2"].Role != RoleAdmin {
		t.Fatal("not promoted")
	}
	v.mustOK("modify_group_member_info", M{"GroupId": pub, "Member_Account": "user2", "Role": "Member", "NameCard": "card", "MsgFlag": "Discard"})
	if ms, _ := v.e.Members(testApp, pub); ms["user2"].Role != RoleMember {
		t.Fatal("not demoted")
	}
	v.wantCode(10007, "modify_group_member_info", M{"GroupId": work, "Member_Account": "user2", "Role": "Admin"})
	v.mustOK("modify_group_member_info", M{"GroupId": work, "Member_Account": "user2", "Role": "Member"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Member_Account": "user2", "Role": "Owner"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Member_Account": "user2", "Role": "admin"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Member_Account": "user9", "Role": "Admin"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Member_Account": "user1", "Role": "Member"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Role": "Admin"})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": pub, "Member_Account": "user2", "NameCard": strings.Repeat("x", 51)})
	v.wantCode(10010, "modify_group_member_info", M{"GroupId": "nosuch", "Member_Account": "user2", "Role": "Admin"})
	if ms, _ := v.e.Members(testApp, pub); ms["user1"].Role != RoleOwner {
		t.Fatal("owner changed")
	}
}

// readAllOffset pages a non-Community group by Offset.
func readAllOffset(t *testing.T, v *env, g string, limit int, extra M) []string {
	t.Helper()
	var got []string
	for offset := 0; ; {
		body := M{"GroupId": g, "Offset": offset, "Limit": limit}
		for k, x := range extra {
			body[k] = x
		}
		r := v.mustOK("get_group_member_info", body)
		page := r.list("MemberList")
		if len(page) > limit {
			t.Fatalf("page of %d > Limit %d", len(page), limit)
		}
		for _, x := range page {
			got = append(got, x.(map[string]any)["Member_Account"].(string))
		}
		if len(page) < limit {
			return got
		}
		offset += len(page)
	}
}

func TestPagingOffset(t *testing.T) {
	v := newEnv(t, Settings{ImportCap: 300, CommandRateScale: -1}) // one big import; pages far faster than 200/s
	g := v.group("Public", "user30")
	// Import in an order that differs from name order, with the owner's
	// account in between, to check owner-first then join order.
	order := append(users(40, 60), users(1, 29)...)
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(order...)})
	want := append([]string{"user30"}, order...)
	for _, limit := range []int{1, 7, 200} {
		got := readAllOffset(t, v, g, limit, nil)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("Limit %d: order\n%v\nwant\n%v", limit, got, want)
		}
	}
	// MemberNum is the group total, not the page size.
	r := v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 1})
	if num(r["MemberNum"]) != int64(len(want)) {
		t.Fatalf("MemberNum %v", r["MemberNum"])
	}
	if _, ok := r["Next"]; ok {
		t.Fatal("Next returned for a non-Community group")
	}
	// Tolerate zero values and null filters (clients without omitempty).
	r = v.mustOK("get_group_member_info", `{"GroupId":"`+g+`","Limit":0,"Offset":0,"MemberInfoFilter":null,"MemberRoleFilter":null}`)
	if len(r.list("MemberList")) != len(want) {
		t.Fatalf("Limit 0 returned %d", len(r.list("MemberList")))
	}
	first := r.list("MemberList")[0].(map[string]any)
	if got := strings.Join(sortedKeys(first), ","); got != allMemberKeys {
		t.Errorf("member without filter has %s, want %s", got, allMemberKeys)
	}
	// PageSize caps Limit; no Limit is the whole list.
	v.e.UpdateSettings(func(s *Settings) { s.PageSize = 10 })
	r = v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 100})
	if len(r.list("MemberList")) != 10 {
		t.Fatalf("PageSize 10 returned %d", len(r.list("MemberList")))
	}
	r = v.mustOK("get_group_member_info", M{"GroupId": g})
	if len(r.list("MemberList")) != len(want) {
		t.Fatalf("absent Limit returned %d, want all %d", len(r.list("MemberList")), len(want))
	}
	v.e.UpdateSettings(func(s *Settings) { s.PageSize = 0 })
	// Offset past the end is an empty page.
	r = v.mustOK("get_group_member_info", M{"GroupId": g, "Offset": 1000})
	if len(r.list("MemberList")) != 0 {
		t.Fatal("page past the end")
	}
	// Field filter: only the listed fields plus Member_Account.
	r = v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 2, "MemberInfoFilter": []string{"Role", "JoinTime"}})
	for _, x := range r.list("MemberList") {
		m := x.(map[string]any)
		if len(m) != 3 || m["Role"] == nil || m["JoinTime"] == nil {
			t.Fatalf("filtered member %v", m)
		}
	}
	// Role filter, paged.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user50", "Role": "Admin"})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user5", "Role": "Admin"})
	got := readAllOffset(t, v, g, 1, M{"MemberRoleFilter": []string{"Owner", "Admin"}})
	if strings.Join(got, ",") != "user30,user50,user5" {
		t.Fatalf("role filter %v", got)
	}
	v.wantCode(10004, "get_group_member_info", M{"GroupId": g, "Limit": -1})
	v.wantCode(10004, "get_group_member_info", M{"GroupId": g, "Offset": -1})
	v.wantCode(10004, "get_group_member_info", M{"Limit": 1})
	v.wantCode(10010, "get_group_member_info", M{"GroupId": "nosuch"})
	// Order stays stable across removals and owner changes.
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user41", "user1"}})
	v.mustOK("change_group_owner", M{"GroupId": g, "NewOwner_Account": "user2"})
	got = readAllOffset(t, v, g, 7, nil)
	var want2 []string
	want2 = append(want2, "user2")
	for _, u := range want {
		if u != "user41" && u != "user1" && u != "user2" {
			want2 = append(want2, u)
		}
	}
	if strings.Join(got, ",") != strings.Join(want2, ",") {
		t.Fatalf("after changes\n%v\nwant\n%v", got, want2)
	}
}

// readAllNext pages a Community group by Next and checks the cursor's JSON type.
func readAllNext(t testing.TB, v *env, g string, limit int, integer bool) []string {
	t.Helper()
	var got []string
	var next any // absent on the first call
	for calls := 0; ; calls++ {
		if calls > 200000 {
			t.Fatal("Next never ends")
		}
		body := M{"GroupId": g, "Limit": limit}
		if next != nil {
			body["Next"] = next
		}
		r := v.mustOK("get_group_member_info", body)
		for _, x := range r.list("MemberList") {
			got = append(got, x.(map[string]any)["Member_Account"].(string))
		}
		raw, ok := r["Next"]
		if !ok {
			t.Fatal("Community response without Next")
		}
		if integer {
			n, isNum := raw.(interface{ Int64() (int64, error) })
			if !isNum {
				t.Fatalf("Next %#v is not an integer", raw)
			}
			v, _ := n.Int64()
			if v == 0 {
				return got
			}
			next = v
		} else {
			s, isStr := raw.(string)
			if !isStr {
				t.Fatalf("Next %#v is not a string", raw)
			}
			if s == "" {
				return got
			}
			next = s
		}
	}
}

func TestCommunityNext(t *testing.T) {
	v := newEnv(t, Settings{ImportCap: 300, CommandRateScale: -1}) // one big import; pages far faster than 200/s
	g := v.group("Community", "user10")
	order := append(users(11, 60), users(1, 9)...)
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(order...)})
	want := strings.Join(append([]string{"user10"}, order...), ",")
	for _, limit := range []int{1, 7, 200} {
		if got := strings.Join(readAllNext(t, v, g, limit, false), ","); got != want {
			t.Fatalf("string Next, Limit %d: %v", limit, got)
		}
	}
	v.e.UpdateSettings(func(s *Settings) { s.NextType = NextTypeInteger })
	for _, limit := range []int{1, 7, 200} {
		if got := strings.Join(readAllNext(t, v, g, limit, true), ","); got != want {
			t.Fatalf("integer Next, Limit %d: %v", limit, got)
		}
	}
	v.wantCode(10004, "get_group_member_info", M{"GroupId": g, "Offset": 5})
	v.mustOK("get_group_member_info", M{"GroupId": g, "Offset": 0})
	v.e.UpdateSettings(func(s *Settings) { s.NextType = NextTypeString })
	v.wantCode(10004, "get_group_member_info", M{"GroupId": g, "Next": "garbage"})

	// A cursor survives removals: members not yet returned are neither
	// skipped nor repeated.
	r := v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 5})
	next := r["Next"].(string)
	// Remove the member the cursor points at plus one already returned.
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user15", "user12"}})
	r = v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 2, "Next": next})
	var got []string
	for _, x := range r.list("MemberList") {
		got = append(got, x.(map[string]any)["Member_Account"].(string))
	}
	if strings.Join(got, ",") != "user16,user17" {
		t.Fatalf("after removal got %v", got)
	}
}

func TestGetGroupInfo(t *testing.T) {
	v := newEnv(t, Settings{})
	g, _ := v.e.AddGroup(testApp, Group{ID: "info-group", Type: "Private", Name: "n", Owner: "user1", CreateTime: t0 - 50, MaxMemberNum: 500})
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	r := v.mustOK("get_group_info", M{"GroupIdList": []string{g, "missing"}})
	infos := r.list("GroupInfo")
	if len(infos) != 2 {
		t.Fatalf("GroupInfo %v", infos)
	}
	got := infos[0].(map[string]any)
	for k, want := range map[string]any{"GroupId": g, "Type": "Private", "Name": "n", "Owner_Account": "user1", "ApplyJoinOption": "NeedPermission"} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	for k, want := range map[string]int64{"ErrorCode": 0, "CreateTime": t0 - 50, "MemberNum": 2, "MaxMemberNum": 500, "Appid": int64(testApp)} {
		if num(got[k]) != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	for _, k := range []string{"Introduction", "Notification", "FaceUrl"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s missing", k)
		}
	}
	missing := infos[1].(map[string]any)
	if missing["GroupId"] != "missing" || num(missing["ErrorCode"]) != 10010 || missing["ErrorInfo"] != "this group does not exist" {
		t.Fatalf("missing element %v", missing)
	}
	r = v.mustOK("get_group_info", M{"GroupIdList": []string{g}, "ResponseFilter": M{"GroupBaseInfoFilter": []string{"Type", "MemberNum"}, "MemberInfoFilter": []string{"Role"}}})
	el := r.list("GroupInfo")[0].(map[string]any)
	if el["Name"] != nil || el["Type"] != "Private" || len(el["MemberList"].([]any)) != 2 {
		t.Fatalf("filtered element %v", el)
	}
	v.wantCode(10004, "get_group_info", M{"GroupIdList": []string{}})
	v.wantCode(10004, "get_group_info", M{})
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprint("g", i)
	}
	v.wantCode(10004, "get_group_info", M{"GroupIdList": ids})
	v.mustOK("get_group_info", M{"GroupIdList": ids[:50]})
}

func TestOutOfBand(t *testing.T) {
	v := newEnv(t, Settings{})
	id, err := v.e.AddGroup(testApp, Group{Type: "Community", Name: "c"})
	if err != nil || !strings.HasPrefix(id, "@TGS#_") {
		t.Fatalf("community ID %q %v", id, err)
	}
	id2, _ := v.e.AddGroup(testApp, Group{Type: "Work", Name: "w", Owner: "user1"})
	if !strings.HasPrefix(id2, "@TGS#") || strings.HasPrefix(id2, "@TGS#_") {
		t.Fatalf("work ID %q", id2)
	}
	info, _ := v.e.GroupInfo(testApp, id2)
	if info.CreateTime != t0 || info.Owner != "user1" {
		t.Fatalf("info %+v", info)
	}
	if ms, _ := v.e.Members(testApp, id2); ms["user1"].JoinTime != t0 || ms["user1"].Role != RoleOwner {
		t.Fatalf("owner member %v", ms)
	}
	if _, err := v.e.AddGroup(testApp, Group{ID: id2, Type: "Work", Name: "w"}); err == nil {
		t.Fatal("duplicate ID accepted")
	}
	if _, err := v.e.AddGroup(testApp, Group{Type: "Bogus", Name: "w"}); err == nil {
		t.Fatal("bad type accepted")
	}
	if _, err := v.e.AddGroup(42, Group{Type: "Work", Name: "w"}); err == nil {
		t.Fatal("unknown app accepted")
	}
	// Drift: add, promote, transfer ownership, remove.
	if err := v.e.PutMember(testApp, id2, Member{Account: "user2", JoinTime: t0 - 5}); err != nil {
		t.Fatal(err)
	}
	if err := v.e.PutMember(testApp, id2, Member{Account: "user2", Role: RoleOwner}); err != nil {
		t.Fatal(err)
	}
	ms, _ := v.e.Members(testApp, id2)
	if ms["user2"].Role != RoleOwner || ms["user1"].Role != RoleMember || ms["user2"].JoinTime != t0-5 {
		t.Fatalf("after owner change %v", ms)
	}
	if info, _ := v.e.GroupInfo(testApp, id2); info.Owner != "user2" {
		t.Fatal("owner not moved")
	}
	r := v.mustOK("get_group_member_info", M{"GroupId": id2, "Limit": 1})
	if r.list("MemberList")[0].(map[string]any)["Member_Account"] != "user2" {
		t.Fatal("new owner not first")
	}
	if err := v.e.RemoveMember(testApp, id2, "user2"); err != nil {
		t.Fatal(err)
	}
	if info, _ := v.e.GroupInfo(testApp, id2); info.Owner != "" {
		t.Fatal("removed owner still owner")
	}
	if err := v.e.RemoveMember(testApp, id2, "user2"); err == nil {
		t.Fatal("removing a non-member succeeded")
	}
	if err := v.e.PutMember(testApp, "nosuch", Member{Account: "x"}); err == nil {
		t.Fatal("PutMember on a missing group succeeded")
	}
	if len(v.e.Groups(testApp)) != 2 {
		t.Fatal("Groups")
	}
	if err := v.e.DeleteGroup(testApp, id2); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.e.Members(testApp, id2); ok {
		t.Fatal("deleted group still has members")
	}
	if err := v.e.DeleteGroup(testApp, id2); err == nil {
		t.Fatal("double delete succeeded")
	}
	v.wantCode(10010, "get_group_member_info", M{"GroupId": id2})
	_ = time.Now
}
