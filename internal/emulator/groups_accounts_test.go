package emulator

import (
	"fmt"
	"strings"
	"testing"
)

func TestCreateGroup(t *testing.T) {
	v := newEnv(t, Settings{})
	r := v.mustOK("create_group", M{"Type": "Public", "Name": "team", "Owner_Account": "user1", "MemberList": members("user2", "user3")})
	id := r["GroupId"].(string)
	if !strings.HasPrefix(id, "@TGS#") || strings.HasPrefix(id, "@TGS#_") {
		t.Fatalf("generated ID %q", id)
	}
	ms, _ := v.e.Members(testApp, id)
	if len(ms) != 3 || ms["user1"].Role != RoleOwner || ms["user1"].JoinTime != t0 {
		t.Fatalf("members %v", ms)
	}
	r = v.mustOK("create_group", M{"Type": "Community", "Name": "c"})
	if id := r["GroupId"].(string); !strings.HasPrefix(id, "@TGS#_") {
		t.Fatalf("Community ID %q", id)
	}
	if info, _ := v.e.GroupInfo(testApp, r["GroupId"].(string)); info.Owner != "" {
		t.Fatal("ownerless group got an owner")
	}

	// Custom IDs.
	v.mustOK("create_group", M{"Type": "Private", "Name": "w", "Owner_Account": "user1", "GroupId": "my-group"})
	v.wantCode(10025, "create_group", M{"Type": "Private", "Name": "w", "Owner_Account": "user1", "GroupId": "my-group"})
	v.wantCode(10021, "create_group", M{"Type": "Private", "Name": "w", "Owner_Account": "user2", "GroupId": "my-group"})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "GroupId": "@TGS#mine"})
	v.wantCode(10004, "create_group", M{"Type": "Community", "Name": "x", "GroupId": "community-1"})
	v.wantCode(10004, "create_group", M{"Type": "Community", "Name": "x", "GroupId": "@TGS#_"})
	v.mustOK("create_group", M{"Type": "Community", "Name": "x", "GroupId": "@TGS#_community-1"})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "GroupId": strings.Repeat("a", 49)})
	v.mustOK("create_group", M{"Type": "Public", "Name": "x", "GroupId": strings.Repeat("a", 48)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "GroupId": "tab\there"})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "GroupId": "café"})

	// Name is at most 30 bytes (UTF-8 bytes, not characters).
	v.mustOK("create_group", M{"Type": "Public", "Name": strings.Repeat("a", 30)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": strings.Repeat("a", 31)})
	v.mustOK("create_group", M{"Type": "Public", "Name": strings.Repeat("群", 10)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": strings.Repeat("群", 11)})
	v.wantCode(10004, "create_group", M{"Type": "Public"})
	v.wantCode(10004, "create_group", M{"Name": "x"})
	v.wantCode(10004, "create_group", M{"Type": "public", "Name": "x"})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "Introduction": strings.Repeat("i", 241)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "Notification": strings.Repeat("n", 301)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "FaceUrl": strings.Repeat("f", 101)})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "ApplyJoinOption": "Sometimes"})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "Owner_Account": "ghost"})
	// Unknown initial members follow MissingAccount: left out by default.
	r = v.mustOK("create_group", M{"Type": "Public", "Name": "x", "MemberList": members("ghost", "user2")})
	if ms, _ := v.e.Members(testApp, r["GroupId"].(string)); len(ms) != 1 || ms["user2"].Account == "" {
		t.Fatalf("members with a ghost %v", ms)
	}
	v.e.UpdateSettings(func(s *Settings) { s.MissingAccount = MissingAccountRequest })
	v.wantCode(10019, "create_group", M{"Type": "Public", "Name": "x", "MemberList": members("ghost")})
	v.e.UpdateSettings(func(s *Settings) { s.MissingAccount = MissingAccountReject })
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "MemberList": members("ghost")})
	v.e.UpdateSettings(func(s *Settings) { s.MissingAccount = "" })
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "AppDefinedData": []M{{"Key": 1}}})
	v.wantCode(10007, "create_group", M{"Type": "AVChatRoom", "Name": "x", "MemberList": members("user2")})
	v.mustOK("create_group", M{"Type": "AVChatRoom", "Name": "x", "Owner_Account": "user1"})
	var many []string
	for i := 1; i <= 101; i++ {
		many = append(many, fmt.Sprintf("m%d", i))
	}
	v.e.AddAccounts(testApp, many...)
	v.wantCode(10005, "create_group", M{"Type": "Public", "Name": "x", "MemberList": members(many...)})
	v.mustOK("create_group", M{"Type": "Public", "Name": "x", "MemberList": members(many[:100]...)})
	v.wantCode(10014, "create_group", M{"Type": "Public", "Name": "x", "MaxMemberCount": 2, "Owner_Account": "user1", "MemberList": members("user2", "user3")})
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "MaxMemberCount": 6001})
	r = v.mustOK("create_group", M{"Type": "Public", "Name": "x", "MaxMemberCount": 50, "Introduction": "intro", "ApplyJoinOption": "FreeAccess"})
	info := v.mustOK("get_group_info", M{"GroupIdList": []string{r["GroupId"].(string)}}).list("GroupInfo")[0].(map[string]any)
	if num(info["MaxMemberNum"]) != 50 || info["Introduction"] != "intro" || info["ApplyJoinOption"] != "FreeAccess" {
		t.Fatalf("info %v", info)
	}
}

func TestImportDestroyChangeOwner(t *testing.T) {
	v := newEnv(t, Settings{})
	r := v.mustOK("import_group", M{"Type": "Public", "Name": "old", "Owner_Account": "user1", "CreateTime": t0 - 86400, "GroupId": "legacy"})
	if r["GroupId"] != "legacy" {
		t.Fatalf("GroupId %v", r["GroupId"])
	}
	if info, _ := v.e.GroupInfo(testApp, "legacy"); info.CreateTime != t0-86400 {
		t.Fatalf("CreateTime %d", info.CreateTime)
	}
	// The imported CreateTime is the lower bound for member JoinTime.
	r = v.mustOK("import_group_member", M{"GroupId": "legacy", "MemberList": []M{{"Member_Account": "user2", "JoinTime": t0 - 86399}}})
	if results(t, r)["user2"] != 1 {
		t.Fatal("JoinTime after imported CreateTime refused")
	}
	v.wantCode(10007, "import_group", M{"Type": "AVChatRoom", "Name": "x"})
	v.wantCode(10004, "import_group", M{"Type": "Public", "Name": "x", "CreateTime": t0 + 10})

	v.wantCode(10004, "change_group_owner", M{"GroupId": "legacy", "NewOwner_Account": "user3"})
	v.wantCode(10004, "change_group_owner", M{"GroupId": "legacy"})
	v.wantCode(10010, "change_group_owner", M{"GroupId": "nosuch", "NewOwner_Account": "user2"})
	v.mustOK("change_group_owner", M{"GroupId": "legacy", "NewOwner_Account": "user2"})
	ms, _ := v.e.Members(testApp, "legacy")
	if ms["user2"].Role != RoleOwner || ms["user1"].Role != RoleMember {
		t.Fatalf("roles %v", ms)
	}
	// The former owner can now be deleted; the new one cannot.
	v.mustOK("delete_group_member", M{"GroupId": "legacy", "MemberToDel_Account": []string{"user1"}})
	v.wantCode(10004, "delete_group_member", M{"GroupId": "legacy", "MemberToDel_Account": []string{"user2"}})

	v.mustOK("destroy_group", M{"GroupId": "legacy"})
	v.wantCode(10010, "destroy_group", M{"GroupId": "legacy"})
	v.wantCode(10004, "destroy_group", M{})
	av := v.group("AVChatRoom", "user1")
	v.wantCode(10007, "change_group_owner", M{"GroupId": av, "NewOwner_Account": "user1"})
	v.mustOK("destroy_group", M{"GroupId": av})
}

func TestAccounts(t *testing.T) {
	v := newEnv(t, Settings{AccountDeleteEnabled: true}) // deletion on the default (paid) plan
	v.mustOK("account_import", M{"UserID": "alice", "Nick": "Alice"})
	v.mustOK("account_import", M{"UserID": "alice"}) // idempotent
	v.mustOK("account_import", M{"Identifier": "legacy-bob"})
	v.mustOK("account_import", M{"UserID": strings.Repeat("u", 32)})
	v.wantCode(70402, "account_import", M{"UserID": strings.Repeat("u", 33)})
	v.wantCode(70402, "account_import", M{})
	v.wantCode(70402, "account_import", M{"UserID": ""})

	r := v.mustOK("multiaccount_import", M{"AccountList": []M{{"UserID": "carol"}, {"UserID": strings.Repeat("x", 33)}, {"UserID": "dave", "Nick": "D"}}})
	fail := r.list("FailAccounts")
	if len(fail) != 1 || fail[0] != strings.Repeat("x", 33) {
		t.Fatalf("FailAccounts %v", fail)
	}
	r = v.mustOK("multiaccount_import", M{"Accounts": []string{"erin", "frank"}})
	if len(r.list("FailAccounts")) != 0 {
		t.Fatal("legacy import failed")
	}
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, fmt.Sprint("bulk", i))
	}
	v.wantCode(70402, "multiaccount_import", M{"Accounts": many})
	v.mustOK("multiaccount_import", M{"Accounts": many[:100]})
	v.wantCode(70402, "multiaccount_import", M{})

	r = v.mustOK("account_check", M{"CheckItem": []M{{"UserID": "alice"}, {"UserID": "nobody"}, {"UserID": "legacy-bob"}}})
	got := map[string]string{}
	for _, x := range r.list("ResultItem") {
		m := x.(map[string]any)
		if num(m["ResultCode"]) != 0 {
			t.Fatalf("ResultCode %v", m)
		}
		got[m["UserID"].(string)] = m["AccountStatus"].(string)
	}
	if got["alice"] != "Imported" || got["nobody"] != "NotImported" || got["legacy-bob"] != "Imported" {
		t.Fatalf("statuses %v", got)
	}
	v.wantCode(70402, "account_check", M{"CheckItem": []M{}})
	items := make([]M, 101)
	for i := range items {
		items[i] = M{"UserID": fmt.Sprint("u", i)}
	}
	v.wantCode(70402, "account_check", M{"CheckItem": items})
	v.wantCode(70402, "account_delete", M{"DeleteItem": items})

	// Deleting an account removes it from every group.
	g1 := v.group("Public", "alice")
	g2 := v.group("Community", "user1")
	v.mustOK("import_group_member", M{"GroupId": g2, "MemberList": members("alice", "user2")})
	r = v.mustOK("account_delete", M{"DeleteItem": []M{{"UserID": "alice"}, {"UserID": "nobody"}}})
	res := r.list("ResultItem")
	if m := res[0].(map[string]any); m["UserID"] != "alice" || num(m["ResultCode"]) != 0 {
		t.Fatalf("delete alice %v", m)
	}
	if m := res[1].(map[string]any); num(m["ResultCode"]) != 70107 || m["ResultInfo"] != "Err_TLS_PT_Open_Login_Account_Not_Exist" {
		t.Fatalf("delete nobody %v", m)
	}
	if ms, _ := v.e.Members(testApp, g2); len(ms) != 2 || ms["alice"].Account != "" {
		t.Fatalf("g2 members %v", ms)
	}
	if info, _ := v.e.GroupInfo(testApp, g1); info.Owner != "" {
		t.Fatal("deleted owner still owns g1")
	}
	for _, a := range v.e.Accounts(testApp) {
		if a == "alice" {
			t.Fatal("alice still listed")
		}
	}
	// Importing a deleted account into a group now fails.
	r = v.mustOK("import_group_member", M{"GroupId": g2, "MemberList": members("alice")})
	if results(t, r)["alice"] != 0 {
		t.Fatal("deleted account imported into a group")
	}
}
