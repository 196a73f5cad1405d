package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func groupInfoOf(v *env, id string) map[string]any {
	v.t.Helper()
	return v.mustOK("get_group_info", M{"GroupIdList": []string{id}}).list("GroupInfo")[0].(map[string]any)
}

func TestModifyGroupBaseInfo(t *testing.T) {
	v := newEnv(t, Settings{})
	pub := v.group("Public", "user1")
	before := num(groupInfoOf(v, pub)["InfoSeq"])

	v.mustOK("modify_group_base_info", M{
		"GroupId": pub, "Name": "renamed", "Introduction": "intro", "Notification": "notice",
		"FaceUrl": "https://example.com/f.png", "MaxMemberNum": 50, "ApplyJoinOption": "FreeAccess",
		"ShutUpAllMember": "On", "AppDefinedData": []M{{"Key": "k", "Value": "v"}},
	})
	info := groupInfoOf(v, pub)
	for k, want := range map[string]any{
		"Name": "renamed", "Introduction": "intro", "Notification": "notice", "FaceUrl": "https://example.com/f.png",
		"ApplyJoinOption": "FreeAccess", "MuteAllMember": "On", // the old name in, the current one out
	} {
		if info[k] != want {
			t.Errorf("%s = %v, want %v", k, info[k], want)
		}
	}
	if num(info["MaxMemberNum"]) != 50 || num(info["InfoSeq"]) != before+1 {
		t.Fatalf("MaxMemberNum %v InfoSeq %v (before %d)", info["MaxMemberNum"], info["InfoSeq"], before)
	}

	// Only the fields given change; empty strings clear texts; a request
	// with nothing to change succeeds and leaves InfoSeq alone.
	v.mustOK("modify_group_base_info", M{"GroupId": pub, "Introduction": ""})
	info = groupInfoOf(v, pub)
	if info["Introduction"] != "" || info["Name"] != "renamed" || info["Notification"] != "notice" {
		t.Fatalf("partial update: %v", info)
	}
	seq := num(info["InfoSeq"])
	v.mustOK("modify_group_base_info", M{"GroupId": pub})
	v.mustOK("modify_group_base_info", M{"GroupId": pub, "Name": "renamed"})
	if got := num(groupInfoOf(v, pub)["InfoSeq"]); got != seq {
		t.Fatalf("InfoSeq moved without a change: %d -> %d", seq, got)
	}

	// Names are at most 30 bytes, not characters.
	v.mustOK("modify_group_base_info", M{"GroupId": pub, "Name": strings.Repeat("群", 10)})
	for _, body := range []M{
		{"GroupId": pub, "Name": strings.Repeat("群", 11)},
		{"GroupId": pub, "Name": strings.Repeat("a", 31)},
		{"GroupId": pub, "Name": ""},
		{"GroupId": pub, "Name": 7},
		{"GroupId": pub, "Introduction": strings.Repeat("i", 241)},
		{"GroupId": pub, "Notification": strings.Repeat("n", 301)},
		{"GroupId": pub, "FaceUrl": strings.Repeat("f", 101)},
		{"GroupId": pub, "ApplyJoinOption": "Sometimes"},
		{"GroupId": pub, "ShutUpAllMember": "Yes"},
		{"GroupId": pub, "MaxMemberNum": 0},
		{"GroupId": pub, "MaxMemberNum": 6001},
		{"GroupId": pub, "MaxMemberNum": "50"},
		{"GroupId": pub, "AppDefinedData": "x"},
		{"GroupId": pub, "AppDefinedData": []any{"x"}},
		{"Name": "no group"},
		{"GroupId": ""},
	} {
		v.wantCode(10004, "modify_group_base_info", body)
	}
	// A refused request changes nothing, not even its valid fields.
	v.wantCode(10004, "modify_group_base_info", M{"GroupId": pub, "Notification": "changed", "Name": strings.Repeat("a", 31)})
	if got := groupInfoOf(v, pub)["Notification"]; got != "notice" {
		t.Fatalf("a refused request changed Notification to %v", got)
	}

	// MaxMemberNum may not drop below the current member count.
	v.mustOK("import_group_member", M{"GroupId": pub, "MemberList": members("user2", "user3")})
	v.wantCode(10004, "modify_group_base_info", M{"GroupId": pub, "MaxMemberNum": 2})
	v.mustOK("modify_group_base_info", M{"GroupId": pub, "MaxMemberNum": 3})
	v.wantCode(10014, "import_group_member", M{"GroupId": pub, "MemberList": members("user4")})

	// Community groups go up to 100000.
	com := v.group("Community", "user1")
	v.mustOK("modify_group_base_info", M{"GroupId": com, "MaxMemberNum": 100000, "ApplyJoinOption": "DisableApply"})
	v.wantCode(10004, "modify_group_base_info", M{"GroupId": com, "MaxMemberNum": 100001})

	// Types without the feature answer 10007.
	work := v.group("Work", "user1")
	v.wantCode(10007, "modify_group_base_info", M{"GroupId": work, "ApplyJoinOption": "FreeAccess"})
	v.mustOK("modify_group_base_info", M{"GroupId": work, "Name": "work", "MaxMemberNum": 100})
	priv := v.group("Private", "user1")
	v.wantCode(10007, "modify_group_base_info", M{"GroupId": priv, "ApplyJoinOption": "DisableApply"})
	av := v.group("AVChatRoom", "user1")
	v.wantCode(10007, "modify_group_base_info", M{"GroupId": av, "MaxMemberNum": 100})
	v.mustOK("modify_group_base_info", M{"GroupId": av, "Name": "live", "ApplyJoinOption": "NeedPermission"})

	// A missing or dismissed group is 10010.
	v.wantCode(10010, "modify_group_base_info", M{"GroupId": "nosuch", "Name": "x"})
	v.mustOK("destroy_group", M{"GroupId": com})
	v.wantCode(10010, "modify_group_base_info", M{"GroupId": com, "Name": "x"})
}

func TestModifyGroupBaseInfoPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := newEnvOpts(t, Options{PersistPath: path})
	id := v.group("Public", "user1")
	v.mustOK("modify_group_base_info", M{"GroupId": id, "Introduction": "kept", "ShutUpAllMember": "On", "MaxMemberNum": 77})
	if err := v.e.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	w := newEnvOpts(t, Options{PersistPath: path})
	info := groupInfoOf(w, id)
	if info["Introduction"] != "kept" || info["MuteAllMember"] != "On" || num(info["MaxMemberNum"]) != 77 {
		t.Fatalf("after reload: %v", info)
	}
}
