package timapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestImportGroupMembers(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, ok(map[string]any{"MemberList": []map[string]any{
			{"Member_Account": "bob", "Result": 2},
			{"Member_Account": "amy", "Result": 1},
			// carol is missing from the response.
		}}))
	})
	c, _ := newClient(t, f.URL)
	got, err := c.ImportGroupMembers(t.Context(), "g1", []ImportMember{
		{Account: "amy", Role: "Admin", JoinTime: 1700000000, UnreadMsgNum: 5},
		{Account: "bob", Role: "Member"},
		{Account: "carol"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportResult{{"amy", 1}, {"bob", 2}, {"carol", 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	rec := f.requests()[0]
	wantBody := `{"GroupId":"g1","MemberList":[{"Member_Account":"amy","Role":"Admin","JoinTime":1700000000,"UnreadMsgNum":5},{"Member_Account":"bob"},{"Member_Account":"carol"}]}`
	if rec.Path != "/v4/group_open_http_svc/import_group_member" || string(rec.Body) != wantBody {
		t.Fatalf("%s %s", rec.Path, rec.Body)
	}

	if res, err := c.ImportGroupMembers(t.Context(), "g1", nil); err != nil || res != nil || f.count() != 1 {
		t.Fatalf("empty import: %v, %v, %d requests", res, err, f.count())
	}
}

func TestDeleteAndModifyMembers(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) { writeJSON(w, ok(nil)) })
	c, _ := newClient(t, f.URL)
	accounts := make([]string, 100)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("u%d", i)
	}
	// One request each; the caller batches to the server's cap.
	if err := c.DeleteGroupMembers(t.Context(), "g1", accounts); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGroupMembers(t.Context(), "g1", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.ModifyGroupMemberRole(t.Context(), "g1", "amy", "Admin"); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (no request for no accounts)", len(reqs))
	}
	var body struct {
		GroupId             string
		Silence             int
		MemberToDel_Account []string
	}
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil || reqs[0].Command != "delete_group_member" || body.GroupId != "g1" || body.Silence != 1 || !slices.Equal(body.MemberToDel_Account, accounts) {
		t.Fatalf("delete request %s %s", reqs[0].Command, reqs[0].Body)
	}
	if r := reqs[1]; r.Command != "modify_group_member_info" || string(r.Body) != `{"GroupId":"g1","Member_Account":"amy","Role":"Admin"}` {
		t.Fatalf("modify request %s %s", r.Command, r.Body)
	}
}

func TestGetGroupInfo(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		var req struct {
			GroupIdList    []string
			ResponseFilter *struct {
				GroupBaseInfoFilter []string
				MemberInfoFilter    []string
			}
		}
		_ = json.Unmarshal(rec.Body, &req)
		if len(req.GroupIdList) > 50 {
			t.Errorf("%d groups in one request", len(req.GroupIdList))
		}
		// Without a filter the API returns every member too (10018 past
		// 1 MB): every request names exactly the base fields decoded.
		wantFields := []string{"Type", "Name", "Introduction", "Notification", "FaceUrl", "Owner_Account", "CreateTime", "MemberNum", "MaxMemberNum", "ApplyJoinOption"}
		if f := req.ResponseFilter; f == nil || strings.Join(f.GroupBaseInfoFilter, ",") != strings.Join(wantFields, ",") || f.MemberInfoFilter != nil {
			t.Errorf("request %s: want ResponseFilter.GroupBaseInfoFilter = %v and no member filter", rec.Body, wantFields)
		}
		var infos []map[string]any
		for _, id := range req.GroupIdList {
			if strings.HasPrefix(id, "missing") {
				infos = append(infos, map[string]any{"GroupId": id, "ErrorCode": 10010, "ErrorInfo": "this group does not exist"})
				continue
			}
			infos = append(infos, map[string]any{
				"GroupId": id, "Type": "Public", "Name": "n-" + id, "Owner_Account": "boss", "CreateTime": 1600000000,
				"MemberNum": 3, "MaxMemberNum": 200, "ErrorCode": 0, "ErrorInfo": "", "Appid": 1400000001,
			})
		}
		// A meaningless top-level failure next to per-element results.
		writeJSON(w, map[string]any{"ActionStatus": "FAIL", "ErrorCode": 10010, "ErrorInfo": "partial", "GroupInfo": infos})
	})
	c, _ := newClient(t, f.URL)
	ids := make([]string, 120)
	for i := range ids {
		ids[i] = fmt.Sprintf("g%d", i)
	}
	ids[7] = "missing7"
	infos, err := c.GetGroupInfo(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 120 || f.count() != 3 {
		t.Fatalf("%d infos in %d requests", len(infos), f.count())
	}
	want := GroupInfo{GroupID: "g3", Type: "Public", Name: "n-g3", OwnerAccount: "boss", CreateTime: 1600000000, MemberNum: 3, MaxMemberNum: 200}
	if infos[3] != want || infos[7].ErrorCode != 10010 || infos[7].ErrorInfo != "this group does not exist" {
		t.Fatalf("infos[3] = %+v, infos[7] = %+v", infos[3], infos[7])
	}

	g, err := c.GetGroup(t.Context(), "g3")
	if err != nil || *g != want {
		t.Fatalf("GetGroup = %+v, %v", g, err)
	}
	_, err = c.GetGroup(t.Context(), "missing1")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "get_group_info failed: error 10010: this group does not exist") {
		t.Fatalf("GetGroup(missing) = %v", err)
	}
}

func TestGetGroupInfoWholeCallFailure(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), "other") {
			writeJSON(w, ok(map[string]any{"GroupInfo": []map[string]any{{"GroupId": "someone-else"}}}))
			return
		}
		writeJSON(w, fail(60010, "not an admin"))
	})
	c, _ := newClient(t, f.URL)
	if _, err := c.GetGroupInfo(t.Context(), []string{"g1"}); !IsAuth(err) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.GetGroup(t.Context(), "other"); err == nil || !strings.Contains(err.Error(), `no entry for group "other"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestCreateImportDestroyGroup(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), "noid") {
			writeJSON(w, ok(nil))
			return
		}
		writeJSON(w, ok(map[string]any{"GroupId": "@TGS#abc"}))
	})
	c, _ := newClient(t, f.URL)
	r := CreateGroupRequest{Type: "Public", Name: "team", OwnerAccount: "boss", MaxMemberCount: 500, ApplyJoinOption: "FreeAccess", CreateTime: 1600000000}
	id, err := c.CreateGroup(t.Context(), r)
	if err != nil || id != "@TGS#abc" {
		t.Fatalf("CreateGroup = %q, %v", id, err)
	}
	r.GroupID, r.FaceURL = "custom", "https://x/f.png"
	if _, err := c.ImportGroup(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if err := c.DestroyGroup(t.Context(), "custom"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(t.Context(), CreateGroupRequest{Type: "Work", Name: "noid"}); err == nil || !strings.Contains(err.Error(), "create_group: response has no GroupId") {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.ImportGroup(t.Context(), CreateGroupRequest{Type: "Meeting", Name: "team"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	wants := []struct{ command, body string }{
		{"create_group", `{"Owner_Account":"boss","Type":"Public","Name":"team","MaxMemberCount":500,"ApplyJoinOption":"FreeAccess"}`},
		{"import_group", `{"Owner_Account":"boss","Type":"Public","GroupId":"custom","Name":"team","FaceUrl":"https://x/f.png","MaxMemberCount":500,"ApplyJoinOption":"FreeAccess","CreateTime":1600000000}`},
		{"destroy_group", `{"GroupId":"custom"}`},
		// The client SDK names go out as the REST API's.
		{"create_group", `{"Type":"Private","Name":"noid"}`},
		{"import_group", `{"Type":"ChatRoom","Name":"team"}`},
	}
	for i, w := range wants {
		if reqs[i].Command != w.command || string(reqs[i].Body) != w.body || !strings.HasPrefix(reqs[i].Path, "/v4/group_open_http_svc/") {
			t.Errorf("request %d: %s %s\nwant %s %s", i, reqs[i].Path, reqs[i].Body, w.command, w.body)
		}
	}
}

func TestAccounts(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		var req map[string][]map[string]string
		_ = json.Unmarshal(rec.Body, &req)
		switch rec.Command {
		case "account_import":
			writeJSON(w, ok(nil))
		case "multiaccount_import":
			var failed []string
			for _, a := range req["AccountList"] {
				if strings.HasPrefix(a["UserID"], "bad") {
					failed = append(failed, a["UserID"])
				}
			}
			writeJSON(w, ok(map[string]any{"FailAccounts": failed}))
		case "account_check", "account_delete":
			items := req["CheckItem"]
			if rec.Command == "account_delete" {
				items = req["DeleteItem"]
			}
			var out []map[string]any
			for _, it := range items {
				id := it["UserID"]
				if strings.HasPrefix(id, "gone") {
					out = append(out, map[string]any{"UserID": id, "ResultCode": 70107, "ResultInfo": "Err_TLS_PT_Open_Login_Account_Not_Exist", "AccountStatus": "NotImported"})
				} else {
					out = append(out, map[string]any{"UserID": id, "ResultCode": 0, "ResultInfo": "", "AccountStatus": "Imported"})
				}
			}
			writeJSON(w, ok(map[string]any{"ResultItem": out}))
		}
	})
	c, _ := newClient(t, f.URL)
	ctx := t.Context()
	if err := c.AccountImport(ctx, Account{UserID: "amy", FaceURL: "https://x/a.png"}); err != nil {
		t.Fatal(err)
	}
	var accounts []Account
	for i := range 150 {
		id := fmt.Sprintf("u%d", i)
		if i%50 == 7 {
			id = "bad" + id
		}
		accounts = append(accounts, Account{UserID: id, Nick: "n" + id})
	}
	failed, err := c.MultiAccountImport(ctx, accounts)
	if err != nil || !slices.Equal(failed, []string{"badu7", "badu57", "badu107"}) {
		t.Fatalf("MultiAccountImport = %v, %v", failed, err)
	}
	st, err := c.AccountCheck(ctx, []string{"amy", "gone1"})
	if err != nil || len(st) != 2 || !st[0].Imported || st[1].Imported || st[1].ResultCode != 70107 {
		t.Fatalf("AccountCheck = %+v, %v", st, err)
	}
	st, err = c.AccountDelete(ctx, []string{"amy", "gone1"})
	if err != nil || len(st) != 2 || st[0].ResultCode != 0 || st[1].ResultCode != 70107 || st[1].ResultInfo == "" {
		t.Fatalf("AccountDelete = %+v, %v", st, err)
	}

	reqs := f.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests", len(reqs))
	}
	if r := reqs[0]; r.Path != "/v4/im_open_login_svc/account_import" || string(r.Body) != `{"UserID":"amy","FaceUrl":"https://x/a.png"}` {
		t.Fatalf("%s %s", r.Path, r.Body)
	}
	if !strings.HasPrefix(string(reqs[1].Body), `{"AccountList":[{"UserID":"u0","Nick":"nu0"}`) || strings.Count(string(reqs[1].Body), "UserID") != 100 {
		t.Fatalf("multiaccount_import body %.80s", reqs[1].Body)
	}
	if string(reqs[3].Body) != `{"CheckItem":[{"UserID":"amy"},{"UserID":"gone1"}]}` || string(reqs[4].Body) != `{"DeleteItem":[{"UserID":"amy"},{"UserID":"gone1"}]}` {
		t.Fatalf("bodies %s %s", reqs[3].Body, reqs[4].Body)
	}
}

// TestCommunityCursorReadings: a server strict about the cursor's JSON type,
// or about Limit above 100 on Community groups, refuses the first page of
// the other readings with 10004; the client tries the others, then keeps
// the one that worked for later reads.
func TestCommunityCursorReadings(t *testing.T) {
	var integer bool
	limitMax := 0
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		var req struct {
			Next  json.RawMessage
			Limit int
		}
		_ = json.Unmarshal(rec.Body, &req)
		isString := len(req.Next) > 0 && req.Next[0] == '"'
		if isString == integer || (limitMax > 0 && req.Limit > limitMax) {
			writeJSON(w, fail(10004, "invalid parameter"))
			return
		}
		end := json.RawMessage(`""`)
		if integer {
			end = json.RawMessage(`0`)
		}
		writeJSON(w, ok(map[string]any{"MemberNum": 1, "MemberList": []map[string]any{{"Member_Account": "a", "Role": "Owner"}}, "Next": end}))
	})
	c, _ := newClient(t, f.URL)
	read := func() int {
		t.Helper()
		before := f.count()
		got, err := c.GetGroupMembers(t.Context(), "@TGS#_c", ListOptions{Community: true})
		if err != nil || len(got.Members) != 1 {
			t.Fatalf("GetGroupMembers = %+v, %v", got, err)
		}
		return f.count() - before
	}
	if n := read(); n != 1 {
		t.Fatalf("string server: %d requests, want 1", n)
	}
	integer = true
	if n := read(); n != 2 {
		t.Fatalf("integer server, first read: %d requests, want 2 (one refused)", n)
	}
	if n := read(); n != 1 {
		t.Fatalf("integer server, second read: %d requests, want 1 (the reading is kept)", n)
	}
	integer = false
	if n := read(); n != 2 {
		t.Fatalf("back to a string server: %d requests, want 2", n)
	}
	integer, limitMax = true, 100
	if n := read(); n != 4 {
		t.Fatalf("integer server with pages of at most 100: %d requests, want 4 (three refused)", n)
	}
	if n := read(); n != 1 {
		t.Fatalf("the same server again: %d requests, want 1", n)
	}
}
