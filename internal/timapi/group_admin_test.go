package timapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestModifyGroupBaseInfo(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), "nosuch") {
			writeJSON(w, fail(10010, "this group does not exist"))
			return
		}
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL)
	ctx := t.Context()
	name, empty, apply := "renamed", "", "FreeAccess"
	limit := 500

	// Nothing to change: no request at all.
	if err := c.ModifyGroupBaseInfo(ctx, "g1", GroupBaseInfoChange{}); err != nil || f.count() != 0 {
		t.Fatalf("empty change: err %v, %d requests", err, f.count())
	}
	if err := c.ModifyGroupBaseInfo(ctx, "g1", GroupBaseInfoChange{Name: &name, Introduction: &empty, MaxMemberNum: &limit, ApplyJoinOption: &apply}); err != nil {
		t.Fatal(err)
	}
	if err := c.ModifyGroupBaseInfo(ctx, "g2", GroupBaseInfoChange{FaceURL: &empty, Notification: &name}); err != nil {
		t.Fatal(err)
	}
	err := c.ModifyGroupBaseInfo(ctx, "nosuch", GroupBaseInfoChange{Name: &name})
	if !IsNotFound(err) || !strings.Contains(err.Error(), "modify_group_base_info failed: error 10010") {
		t.Fatalf("missing group: %v", err)
	}

	reqs := f.requests()
	wants := []string{
		// Only the fields set are sent; an empty string is sent (it clears the field).
		`{"GroupId":"g1","Name":"renamed","Introduction":"","MaxMemberNum":500,"ApplyJoinOption":"FreeAccess"}`,
		`{"GroupId":"g2","Notification":"renamed","FaceUrl":""}`,
		`{"GroupId":"nosuch","Name":"renamed"}`,
	}
	if len(reqs) != len(wants) {
		t.Fatalf("%d requests, want %d", len(reqs), len(wants))
	}
	for i, want := range wants {
		if reqs[i].Path != "/v4/group_open_http_svc/modify_group_base_info" || string(reqs[i].Body) != want {
			t.Errorf("request %d: %s %s\nwant %s", i, reqs[i].Path, reqs[i].Body, want)
		}
	}
}

func TestChangeGroupOwner(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), "stranger") {
			writeJSON(w, fail(10004, "new owner stranger is not a member of the group"))
			return
		}
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL)
	if err := c.ChangeGroupOwner(t.Context(), "g1", "bob"); err != nil {
		t.Fatal(err)
	}
	err := c.ChangeGroupOwner(t.Context(), "g1", "stranger")
	if e := apiErr(t, err); e.Code != 10004 || e.Command != "change_group_owner" || !strings.Contains(e.Info, "not a member") {
		t.Fatalf("err = %+v", e)
	}
	reqs := f.requests()
	if string(reqs[0].Body) != `{"GroupId":"g1","NewOwner_Account":"bob"}` || reqs[0].Path != "/v4/group_open_http_svc/change_group_owner" {
		t.Fatalf("request %s %s", reqs[0].Path, reqs[0].Body)
	}
}

func TestGetGroupInfoProfileFields(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, ok(map[string]any{"GroupInfo": []map[string]any{{
			"GroupId": "g1", "ErrorCode": 0, "Type": "Public", "Name": "n", "Introduction": "i", "Notification": "no",
			"FaceUrl": "https://x/f.png", "ApplyJoinOption": "DisableApply", "MaxMemberNum": 300,
		}}}))
	})
	c, _ := newClient(t, f.URL)
	g, err := c.GetGroup(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if g.Introduction != "i" || g.Notification != "no" || g.FaceURL != "https://x/f.png" || g.ApplyJoinOption != "DisableApply" || g.MaxMemberNum != 300 {
		t.Fatalf("GetGroup = %+v", g)
	}
}
