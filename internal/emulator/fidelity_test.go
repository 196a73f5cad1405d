package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// Tests for the readings of api-fidelity.md (issue 11): the documented
// behaviour by default, and each switch.

func TestSettingsDefaults(t *testing.T) {
	s := New(Options{}).Settings()
	want := Settings{
		ImportCap: 20, DeleteCap: 100, PageSize: 200, MissingAccount: MissingAccountMember, NextType: NextTypeString,
		CommandRateScale: 1, Plan: PlanEnterprise, OversizedDeleteCode: 10004,
		MemberDataUnknownKey: MemberDataUnknownKeyDrop, MemberDataUnset: MemberDataUnsetOmit, MemberDataFilterUnknownKey: MemberDataFilterIgnore,
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("defaults\n%+v\nwant\n%+v", s, want)
	}
	for _, bad := range []Settings{
		{MissingAccount: "sometimes"}, {NextType: "float"}, {Plan: "gold"}, {Plan: "Trial"},
		{CommandRateScale: math.NaN()}, {CommandRateScale: math.Inf(1)},
		{MemberDataUnknownKey: "ignore"}, {MemberDataUnset: "null"}, {MemberDataFilterUnknownKey: "drop"},
		{MemberDefinedKeys: []string{"a", "b", "c", "d", "e", "f"}}, {MemberDefinedKeys: []string{"level", "level"}},
		{MemberDefinedKeys: []string{""}}, {MemberDefinedKeys: []string{"seventeen_bytes_x"}}, {MemberDefinedKeys: []string{"has-dash"}},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	for _, ok := range []Settings{{}, want, {MissingAccount: MissingAccountReject, Plan: PlanTrial, CommandRateScale: -1},
		{MemberDefinedKeys: []string{"a", "B_2", "sixteen_bytes_xx", "d", "e"}, MemberDataUnknownKey: MemberDataUnknownKeyRefuse, MemberDataUnset: MemberDataUnsetEmpty, MemberDataFilterUnknownKey: MemberDataFilterRefuse}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func groupInfoWith(v *env, id string, filter any) map[string]any {
	v.t.Helper()
	body := M{"GroupIdList": []string{id}}
	if filter != nil {
		body["ResponseFilter"] = filter
	}
	return v.mustOK("get_group_info", body).list("GroupInfo")[0].(map[string]any)
}

func keysOf(x any) string { return strings.Join(sortedKeys(x.(map[string]any)), ",") }

func TestGetGroupInfoBasicForm(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "Role": "Admin"}}})
	el := groupInfoWith(v, g, nil)
	const allBase = "AppDefinedData,Appid,ApplyJoinOption,CreateTime,ErrorCode,ErrorInfo,FaceUrl,GroupId,InfoSeq,Introduction," +
		"InviteJoinOption,LastInfoTime,LastMsgTime,MaxMemberNum,MemberList,MemberNum,MuteAllMember,Name,NextMsgSeq,Notification,Owner_Account,Type"
	if got := keysOf(el); got != allBase {
		t.Fatalf("basic form has\n%s\nwant\n%s", got, allBase)
	}
	ms := el["MemberList"].([]any)
	if len(ms) != 2 || ms[0].(map[string]any)["Member_Account"] != "user1" || ms[1].(map[string]any)["Role"] != RoleAdmin {
		t.Fatalf("MemberList %v", ms)
	}
	for _, m := range ms {
		if got := keysOf(m); got != allMemberKeys {
			t.Fatalf("member has %s, want %s", got, allMemberKeys)
		}
	}
	if d, ok := el["AppDefinedData"].([]any); !ok || len(d) != 0 {
		t.Fatalf("AppDefinedData %#v", el["AppDefinedData"])
	}
	if num(el["NextMsgSeq"]) != 1 || el["MuteAllMember"] != "Off" {
		t.Fatalf("element %v", el)
	}
	// AVChatRoom keeps no member list.
	av := groupInfoWith(v, v.group("AVChatRoom", "user1"), nil)
	if _, ok := av["MemberList"]; ok {
		t.Fatalf("AVChatRoom with a MemberList: %v", av)
	}
	// The documented field order: GroupId, ErrorCode, ErrorInfo, Type first.
	_, raw := v.raw("POST", groupPath, v.query(testAdmin, v.sig, testApp), `{"GroupIdList":["`+g+`"]}`)
	if !bytes.Contains(raw, []byte(`"GroupInfo":[{"GroupId":"`+g+`","ErrorCode":0,"ErrorInfo":"","Type":"Public","Appid":`)) {
		t.Fatalf("field order: %s", raw)
	}
}

func TestGetGroupInfoFilters(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	const always = "ErrorCode,ErrorInfo,GroupId"
	for _, c := range []struct {
		name          string
		filter        any
		keys, members string // members "": no MemberList
	}{
		{"nothing named", M{}, always, ""},
		{"null filters", json.RawMessage(`{"GroupBaseInfoFilter":null,"MemberInfoFilter":null}`), always, ""},
		{"base fields", M{"GroupBaseInfoFilter": []string{"Name", "MemberNum"}}, "ErrorCode,ErrorInfo,GroupId,MemberNum,Name", ""},
		{"the client's fields", M{"GroupBaseInfoFilter": []string{"Type", "Name", "Introduction", "Notification", "FaceUrl", "Owner_Account", "CreateTime", "MemberNum", "MaxMemberNum", "ApplyJoinOption"}},
			"ApplyJoinOption,CreateTime,ErrorCode,ErrorInfo,FaceUrl,GroupId,Introduction,MaxMemberNum,MemberNum,Name,Notification,Owner_Account,Type", ""},
		{"old mute name", M{"GroupBaseInfoFilter": []string{"ShutUpAllMember"}}, "ErrorCode,ErrorInfo,GroupId,MuteAllMember", ""},
		{"newer fields", M{"GroupBaseInfoFilter": []string{"InviteJoinOption", "InfoSeq", "LastInfoTime", "LastMsgTime", "NextMsgSeq"}},
			"ErrorCode,ErrorInfo,GroupId,InfoSeq,InviteJoinOption,LastInfoTime,LastMsgTime,NextMsgSeq", ""},
		{"custom data by key", M{"AppDefinedDataFilter_Group": []string{"k"}}, "AppDefinedData,ErrorCode,ErrorInfo,GroupId", ""},
		{"empty member filter = all member fields", M{"MemberInfoFilter": []string{}}, always + ",MemberList", allMemberKeys},
		{"some member fields, old mute name", M{"MemberInfoFilter": []string{"Role", "ShutUpUntil"}}, always + ",MemberList", "Member_Account,MuteUntil,Role"},
		{"UnreadMsgNum only by name", M{"MemberInfoFilter": []string{"UnreadMsgNum"}}, always + ",MemberList", "Member_Account,UnreadMsgNum"},
		{"member custom data needs members", M{"AppDefinedDataFilter_GroupMember": []string{"m"}}, always, ""},
		{"the docs' sample", M{
			"GroupBaseInfoFilter": []string{"Type", "Name", "Introduction", "Notification"}, "MemberInfoFilter": []string{"Account", "Role"},
			"AppDefinedDataFilter_Group": []string{"GroupTestData1"}, "AppDefinedDataFilter_GroupMember": []string{"MemberDefined1"},
		}, "AppDefinedData,ErrorCode,ErrorInfo,GroupId,Introduction,MemberList,Name,Notification,Type", "AppMemberDefinedData,Member_Account,Role"},
	} {
		t.Run(c.name, func(t *testing.T) {
			el := groupInfoWith(v, g, c.filter)
			if got := keysOf(el); got != c.keys {
				t.Fatalf("keys %s, want %s", got, c.keys)
			}
			if c.members == "" {
				return
			}
			ms := el["MemberList"].([]any)
			if len(ms) != 2 {
				t.Fatalf("MemberList %v", ms)
			}
			for _, m := range ms {
				if got := keysOf(m); got != c.members {
					t.Fatalf("member keys %s, want %s", got, c.members)
				}
			}
		})
	}
}

func TestUnknownFilterNames(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	info := func(f M) M { return M{"GroupIdList": []string{g}, "ResponseFilter": f} }
	for _, c := range []struct {
		command string
		body    M
		name    string
	}{
		{"get_group_info", info(M{"GroupBaseInfoFilter": []string{"Type", "GroupName"}}), "GroupName"},
		{"get_group_info", info(M{"GroupBaseInfoFilter": []string{"Appid"}}), "Appid"}, // answered, but not a filter name
		{"get_group_info", info(M{"GroupBaseInfoFilter": []string{"type"}}), "type"},   // names are case-sensitive
		{"get_group_info", info(M{"MemberInfoFilter": []string{"Role", "Rank"}}), "Rank"},
		{"get_group_member_info", M{"GroupId": g, "MemberInfoFilter": []string{"Bogus"}}, "Bogus"},
		{"get_group_member_info", M{"GroupId": g, "MemberInfoFilter": []string{"role"}}, "role"},
	} {
		r := v.wantCode(10004, c.command, c.body)
		if !strings.Contains(r.info(), fmt.Sprintf("%q", c.name)) {
			t.Errorf("%s %v: ErrorInfo %q does not name %q", c.command, c.body, r.info(), c.name)
		}
	}
	for _, f := range []M{
		{"AppDefinedDataFilter_Group": "k"}, {"AppDefinedDataFilter_Group": []any{1}},
		{"AppDefinedDataFilter_GroupMember": M{}}, {"GroupBaseInfoFilter": "Type"}, {"MemberInfoFilter": []any{nil}},
	} {
		v.wantCode(10004, "get_group_info", info(f))
	}
	v.wantCode(10004, "get_group_member_info", M{"GroupId": g, "AppDefinedDataFilter_GroupMember": "k"})
}

// bigGroup seeds a Public group of n members out of band.
func bigGroup(tb testing.TB, e *Emulator, n int) string {
	tb.Helper()
	g, err := e.AddGroup(testApp, Group{Type: "Public", Name: "big", Owner: "member-000000", CreateTime: t0 - 1000, MaxMemberNum: n})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i < n; i++ {
		if err := e.PutMember(testApp, g, Member{Account: fmt.Sprintf("member-%06d", i), JoinTime: t0}); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

func TestResponseOver1MB(t *testing.T) {
	v := newEnv(t, Settings{})
	g := bigGroup(t, v.e, 7000) // every field: some 160 bytes a member, 1.1 MB
	r := v.wantCode(10018, "get_group_info", M{"GroupIdList": []string{g}})
	if _, ok := r["GroupInfo"]; ok || !strings.Contains(r.info(), "1 MB") {
		t.Fatalf("10018 answer %v", r)
	}
	// The filtered form the client sends fits.
	el := groupInfoWith(v, g, M{"GroupBaseInfoFilter": []string{"Type", "Name", "MemberNum", "MaxMemberNum"}})
	if num(el["MemberNum"]) != 7000 || el["MemberList"] != nil {
		t.Fatalf("filtered %v", el)
	}
	// So do members with few fields.
	el = groupInfoWith(v, g, M{"MemberInfoFilter": []string{"Role"}})
	if len(el["MemberList"].([]any)) != 7000 {
		t.Fatal("filtered member list incomplete")
	}
	// get_group_member_info without Limit is the whole list, so it is too
	// big with every field and fits with one; Limit is capped at PageSize.
	v.wantCode(10018, "get_group_member_info", M{"GroupId": g})
	if got := v.mustOK("get_group_member_info", M{"GroupId": g, "MemberInfoFilter": []string{"Role"}}).list("MemberList"); len(got) != 7000 {
		t.Fatalf("whole list of %d", len(got))
	}
	if got := v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 5000}).list("MemberList"); len(got) != 200 {
		t.Fatalf("Limit 5000 gave %d", len(got))
	}
	if l := v.e.Log(); l[0].ErrorCode != 10018 || l[0].Command != "get_group_info" {
		t.Fatalf("log %+v", l[0])
	}

	// The cap is enforced where every answer is written, whatever the command.
	e := New(Options{})
	for _, c := range []struct{ pad, code int }{{maxResponseBytes - 100, 0}, {maxResponseBytes, 10018}} {
		w := httptest.NewRecorder()
		cl := &call{r: httptest.NewRequest(http.MethodPost, "/v4/im_open_login_svc/account_check", nil), command: "account_check", start: time.Now()}
		e.finish(w, cl, &result{fields: json.RawMessage(`{"Pad":"` + strings.Repeat("x", c.pad) + `"}`)}, nil)
		if r := decode(t, w.Body.Bytes()); r.code() != c.code {
			t.Fatalf("answer of %d bytes: code %d, want %d", w.Body.Len(), r.code(), c.code)
		}
	}
}

func TestGroupTypeNames(t *testing.T) {
	v := newEnv(t, Settings{})
	typeOf := func(id string) string {
		t.Helper()
		return groupInfoWith(v, id, M{"GroupBaseInfoFilter": []string{"Type"}})["Type"].(string)
	}
	clientNames := map[string]string{"Work": "Private", "Meeting": "ChatRoom"}
	for client, rest := range clientNames {
		for _, cmd := range []string{"create_group", "import_group"} {
			r := v.wantCode(10004, cmd, M{"Type": client, "Name": "x"})
			if want := "group type " + client + " is not a REST API type: use " + rest; r.info() != want {
				t.Fatalf("%s %s: %q, want %q", cmd, client, r.info(), want)
			}
		}
	}
	for _, typ := range []string{"Private", "Public", "ChatRoom", "AVChatRoom", "Community"} {
		if got := typeOf(v.mustOK("create_group", M{"Type": typ, "Name": "x"})["GroupId"].(string)); got != typ {
			t.Fatalf("%s reported as %s", typ, got)
		}
	}
	v.e.UpdateSettings(func(s *Settings) { s.AcceptClientTypeNames = true })
	for client, rest := range clientNames {
		for _, cmd := range []string{"create_group", "import_group"} {
			id := v.mustOK(cmd, M{"Type": client, "Name": "x"})["GroupId"].(string)
			if got := typeOf(id); got != rest {
				t.Fatalf("%s %s reported as %s, want %s", cmd, client, got, rest)
			}
		}
	}
	// Seeding takes either name and stores the documented one.
	id := v.group("Work", "user1")
	if info, _ := v.e.GroupInfo(testApp, id); info.Type != "Private" || typeOf(id) != "Private" {
		t.Fatalf("seeded Work: %+v", info)
	}
	res, err := http.Post(v.base+"/emulator/seed", "application/json", strings.NewReader(
		fmt.Sprintf(`{"sdkappid":%d,"groups":[{"id":"seeded-meeting","type":"Meeting","name":"m"}]}`, testApp)))
	if err != nil {
		t.Fatal(err)
	}
	var seeded struct{ Groups []seededGroup }
	_ = json.NewDecoder(res.Body).Decode(&seeded)
	res.Body.Close()
	if len(seeded.Groups) != 1 || seeded.Groups[0].Type != "ChatRoom" || typeOf("seeded-meeting") != "ChatRoom" {
		t.Fatalf("seed answer %+v", seeded)
	}
	v.e.mu.RLock()
	state, _ := json.Marshal(v.e.snapshot(nil, false))
	v.e.mu.RUnlock()
	if bytes.Contains(state, []byte(`"Work"`)) || bytes.Contains(state, []byte(`"Meeting"`)) {
		t.Fatalf("state shows client-SDK names: %s", state)
	}
}

// An old state file (client-SDK type names, ShutUp* keys) still loads, and
// is written back with the current names.
func TestOldStateFileLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	old := fmt.Sprintf(`{"version":1,"apps":[{"sdkappid":%d,"secret_key":%q,"admins":[%q],"accounts":["user1","user2"],"groups":[
		{"id":"w","type":"Work","name":"w","owner":"user1","create_time":%d,"max_member_num":200,"shut_up_all_member":true,"member_num":2,
		 "members":[{"account":"user1","role":"Owner","join_time":%d},{"account":"user2","role":"Member","join_time":%d,"shut_up_until":%d}]},
		{"id":"m","type":"Meeting","name":"m","owner":"","create_time":%d,"max_member_num":200,"member_num":0,"members":[]}]}]}`,
		testApp, testKey, testAdmin, t0-100, t0-100, t0-50, t0+600, t0-100)
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	v := newEnvOpts(t, Options{PersistPath: path})
	if err := v.e.PersistError(); err != nil {
		t.Fatal(err)
	}
	el := groupInfoWith(v, "w", nil)
	if el["Type"] != "Private" || el["MuteAllMember"] != "On" || num(el["MemberList"].([]any)[1].(map[string]any)["MuteUntil"]) != t0+600 {
		t.Fatalf("old group %v", el)
	}
	if info, _ := v.e.GroupInfo(testApp, "m"); info.Type != "ChatRoom" {
		t.Fatalf("old Meeting group %+v", info)
	}
	if err := v.e.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, stale := range []string{`"Work"`, `"Meeting"`, `shut_up`} {
		if bytes.Contains(raw, []byte(stale)) {
			t.Errorf("rewritten state still has %s", stale)
		}
	}
}

func TestCommandRateLimits(t *testing.T) {
	// A fiftieth of the documented rates: group commands 4/s, account_check
	// 2/s, account_import 4/s; bursts of one second's worth.
	v := newEnv(t, Settings{CommandRateScale: 0.02})
	g := v.group("Public", "user1")
	// fire makes n calls and checks that about burst of them pass (plus
	// what refills meanwhile) and the rest get limitedCode, on HTTP 200.
	fire := func(n int, command string, body any, limitedCode int, burst, perSecond float64) {
		t.Helper()
		start := time.Now()
		ok := 0
		for range n {
			switch r := v.call(command, body); r.code() {
			case 0:
				ok++
			case limitedCode:
				if !strings.Contains(r.info(), command) {
					t.Fatalf("%s: ErrorInfo %q does not name the command", command, r.info())
				}
			default:
				t.Fatalf("%s: code %d %q", command, r.code(), r.info())
			}
		}
		if most := int(burst+perSecond*time.Since(start).Seconds()) + 1; ok < int(burst) || ok > most || ok == n {
			t.Fatalf("%s: %d of %d passed, want %v to %d and some refused", command, ok, n, burst, most)
		}
	}
	info := M{"GroupIdList": []string{g}}
	check := M{"CheckItem": []M{{"UserID": "user1"}}}
	fire(12, "get_group_info", info, 10006, 4, 4)
	// Each command has its own bucket, on either service.
	fire(12, "get_group_member_info", M{"GroupId": g, "Limit": 1}, 10006, 4, 4)
	fire(8, "account_check", check, 60007, 2, 2)
	v.mustOK("account_import", M{"UserID": "rated"})
	// So has each app.
	v.e.AddApp(testApp+1, testKey, testAdmin)
	other := mustSigFor(t, testApp+1)
	status, raw := v.raw("POST", groupPath, v.query(testAdmin, other, testApp+1), `{"GroupIdList":["x"]}`)
	if r := decode(t, raw); status != 200 || r.code() != 0 {
		t.Fatalf("other app limited: %d %v", status, r)
	}
	// Negative turns the limits off; a new scale starts with full buckets.
	v.e.UpdateSettings(func(s *Settings) { s.CommandRateScale = -1 })
	for range 20 {
		v.mustOK("get_group_info", info)
	}
	v.e.UpdateSettings(func(s *Settings) { s.CommandRateScale = 0.02 })
	fire(12, "get_group_info", info, 10006, 4, 4)

	// The table, one source for every rate.
	for _, c := range []struct {
		service, command string
		want             float64
	}{
		{serviceGroup, "import_group_member", 200}, {serviceGroup, "get_group_info", 200}, {serviceGroup, "create_group", 200},
		{serviceGroup, "get_appid_group_list", 1},
		{serviceLogin, "account_import", 200}, {serviceLogin, "multiaccount_import", 100},
		{serviceLogin, "account_check", 100}, {serviceLogin, "account_delete", 100},
	} {
		if got, ok := documentedRate(c.service, c.command); !ok || got != c.want {
			t.Errorf("%s/%s: %v/s, want %v", c.service, c.command, got, c.want)
		}
	}
	// get_appid_group_list: 1/s, a burst of one.
	e := New(Options{})
	st := e.Settings()
	if aerr := e.allowCall(st, testApp, serviceGroup, "get_appid_group_list", true); aerr != nil {
		t.Fatalf("first call limited: %v", aerr)
	}
	if aerr := e.allowCall(st, testApp, serviceGroup, "get_appid_group_list", true); aerr == nil || aerr.code != 10006 {
		t.Fatalf("second call within the second: %v", aerr)
	}
}

func mustSigFor(tb testing.TB, app uint64) string {
	tb.Helper()
	s, err := usersig.Generate(app, testKey, testAdmin, 24*time.Hour, time.Unix(t0, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestMissingAccountReadings(t *testing.T) {
	for _, c := range []struct {
		mode    string
		code    int
		imports int  // members after the call, owner included
		named   bool // ErrorInfo names the accounts
	}{
		{"", 0, 3, false}, // the default: "member"
		{MissingAccountMember, 0, 3, false},
		{MissingAccountRequest, 10019, 1, true},
		{MissingAccountReject, 10004, 1, false},
	} {
		t.Run(c.mode, func(t *testing.T) {
			v := newEnv(t, Settings{MissingAccount: c.mode})
			g := v.group("Public", "user1")
			r := v.wantCode(c.code, "import_group_member", M{"GroupId": g, "MemberList": members("user2", "ghost1", "user3", "ghost2", "ghost1")})
			if named := strings.Contains(r.info(), "ghost1") && strings.Contains(r.info(), "ghost2"); named != c.named {
				t.Fatalf("ErrorInfo %q names the accounts: %v, want %v", r.info(), named, c.named)
			}
			if c.code == 10004 && r.info() != "invalid parameter" {
				t.Fatalf("reject reading's ErrorInfo %q", r.info())
			}
			if ms, _ := v.e.Members(testApp, g); len(ms) != c.imports {
				t.Fatalf("members %v", ms)
			}
			if c.code == 0 {
				want := map[string]int64{"user2": 1, "ghost1": 0, "user3": 1, "ghost2": 0}
				if got := results(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("results %v, want %v", got, want)
				}
			}
		})
	}
}

func TestNextTypeIsStrict(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Community", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(users(2, 6)...)})
	for _, c := range []struct {
		mode string
		next string // raw JSON; "" = absent
		code int
		// first: the page starts at the owner
		first bool
	}{
		{NextTypeString, "", 0, true},
		{NextTypeString, `null`, 0, true},
		{NextTypeString, `""`, 0, true},
		{NextTypeString, `"4"`, 0, false},
		{NextTypeString, `0`, 10004, false},
		{NextTypeString, `4`, 10004, false},
		{NextTypeString, `true`, 10004, false},
		{NextTypeInteger, "", 0, true},
		{NextTypeInteger, `null`, 0, true},
		{NextTypeInteger, `0`, 0, true},
		{NextTypeInteger, `4`, 0, false},
		{NextTypeInteger, `""`, 10004, false},
		{NextTypeInteger, `"4"`, 10004, false},
		{NextTypeInteger, `1.5`, 10004, false},
		{NextTypeInteger, `-1`, 10004, false},
	} {
		v.e.UpdateSettings(func(s *Settings) { s.NextType = c.mode })
		body := `{"GroupId":"` + g + `","Limit":2`
		if c.next != "" {
			body += `,"Next":` + c.next
		}
		r := v.wantCode(c.code, "get_group_member_info", body+"}")
		if c.code != 0 {
			continue
		}
		if first := r.list("MemberList")[0].(map[string]any)["Member_Account"] == "user1"; first != c.first {
			t.Errorf("%s Next %s: page %v", c.mode, c.next, r.list("MemberList"))
		}
	}
}

// CommunityLimitMax: the reading where a Community page may not ask for more
// than the client SDKs' 100; other groups and smaller Limits are unchanged.
func TestCommunityLimitMax(t *testing.T) {
	v := newEnv(t, Settings{CommunityLimitMax: 100})
	community, public := v.group("Community", "user1"), v.group("Public", "user1")
	v.wantCode(10004, "get_group_member_info", `{"GroupId":"`+community+`","Limit":200,"Next":""}`)
	v.wantCode(0, "get_group_member_info", `{"GroupId":"`+community+`","Limit":100,"Next":""}`)
	v.wantCode(0, "get_group_member_info", `{"GroupId":"`+public+`","Limit":200}`)
	v.e.UpdateSettings(func(s *Settings) { s.CommunityLimitMax = 0 })
	v.wantCode(0, "get_group_member_info", `{"GroupId":"`+community+`","Limit":200,"Next":""}`)
}

func TestUnreadMsgNumClamped(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "UnreadMsgNum": 5}}})
	if ms, _ := v.e.Members(testApp, g); ms["user2"].UnreadMsgNum != 0 {
		t.Fatalf("stored UnreadMsgNum %d, want 0 (the group has no messages)", ms["user2"].UnreadMsgNum)
	}
	m := v.mustOK("get_group_member_info", M{"GroupId": g, "MemberInfoFilter": []string{"UnreadMsgNum"}}).list("MemberList")[1].(map[string]any)
	if keysOf(m) != "Member_Account,UnreadMsgNum" || num(m["UnreadMsgNum"]) != 0 {
		t.Fatalf("member %v", m)
	}
}

func TestMuteNames(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	muteUntil := func() any {
		t.Helper()
		m := v.mustOK("get_group_member_info", M{"GroupId": g}).list("MemberList")[1].(map[string]any)
		if _, old := m["ShutUpUntil"]; old {
			t.Fatalf("member reports ShutUpUntil: %v", m)
		}
		return m["MuteUntil"]
	}
	for _, c := range []struct {
		body M
		want int64
	}{
		{M{"MuteTime": 60}, t0 + 60},
		{M{"ShutUpTime": 0}, 0},
		{M{"ShutUpTime": 30}, t0 + 30},
		{M{"MuteTime": 0, "ShutUpTime": 0}, 0},
	} {
		c.body["GroupId"], c.body["Member_Account"] = g, "user2"
		v.mustOK("modify_group_member_info", c.body)
		if got := num(muteUntil()); got != c.want {
			t.Fatalf("%v: MuteUntil %d, want %d", c.body, got, c.want)
		}
	}
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "MuteTime": 60, "ShutUpTime": 30})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "MuteTime": -1})
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "MuteTime": "60"})
	priv := v.group("Private", "user1")
	v.mustOK("import_group_member", M{"GroupId": priv, "MemberList": members("user2")})
	v.wantCode(10007, "modify_group_member_info", M{"GroupId": priv, "Member_Account": "user2", "MuteTime": 60})

	for _, c := range []struct {
		body M
		want string
	}{
		{M{"MuteAllMember": "On"}, "On"},
		{M{"ShutUpAllMember": "Off"}, "Off"},
		{M{"MuteAllMember": "On", "ShutUpAllMember": "On"}, "On"},
	} {
		c.body["GroupId"] = g
		v.mustOK("modify_group_base_info", c.body)
		el := groupInfoWith(v, g, nil)
		if _, old := el["ShutUpAllMember"]; old || el["MuteAllMember"] != c.want {
			t.Fatalf("%v: %v", c.body, el)
		}
	}
	v.wantCode(10004, "modify_group_base_info", M{"GroupId": g, "MuteAllMember": "Off", "ShutUpAllMember": "On"})
	v.wantCode(10004, "modify_group_base_info", M{"GroupId": g, "MuteAllMember": true})
}

func TestPlans(t *testing.T) {
	for _, c := range []struct {
		plan                 string
		createMax, importMax int
		community            bool
	}{
		{"", 6000, 2000, true}, // the default: enterprise
		{PlanEnterprise, 6000, 2000, true},
		{PlanUltimate, 2000, 2000, true},
		{PlanPro, 200, 200, false},
		{PlanTrial, 20, 20, false},
	} {
		t.Run(c.plan, func(t *testing.T) {
			v := newEnv(t, Settings{Plan: c.plan})
			maxOf := func(cmd string, body M) int {
				t.Helper()
				body["Name"] = "x"
				info, _ := v.e.GroupInfo(testApp, v.mustOK(cmd, body)["GroupId"].(string))
				return info.MaxMemberNum
			}
			for _, typ := range []string{"Private", "Public", "ChatRoom"} {
				if got := maxOf("create_group", M{"Type": typ}); got != c.createMax {
					t.Errorf("create_group %s: MaxMemberNum %d, want %d", typ, got, c.createMax)
				}
				if got := maxOf("import_group", M{"Type": typ}); got != c.importMax {
					t.Errorf("import_group %s: MaxMemberNum %d, want %d", typ, got, c.importMax)
				}
			}
			if info, _ := v.e.GroupInfo(testApp, v.group("Public", "")); info.MaxMemberNum != c.createMax {
				t.Errorf("seeded group: MaxMemberNum %d, want create_group's %d", info.MaxMemberNum, c.createMax)
			}
			if got := maxOf("create_group", M{"Type": "Public", "MaxMemberCount": 6000}); got != 6000 {
				t.Errorf("explicit 6000: %d", got)
			}
			v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "x", "MaxMemberCount": 6001})
			for _, cmd := range []string{"create_group", "import_group"} {
				if !c.community {
					r := v.wantCode(10007, cmd, M{"Type": "Community", "Name": "x"})
					if r.info() != communityUnavailable {
						t.Errorf("%s Community: %q", cmd, r.info())
					}
					continue
				}
				if got := maxOf(cmd, M{"Type": "Community"}); got != 100000 {
					t.Errorf("%s Community: MaxMemberNum %d", cmd, got)
				}
				v.wantCode(10004, cmd, M{"Type": "Community", "Name": "x", "MaxMemberCount": 100001})
			}
			// GroupMemberLimit overrides the default of both, and raises the maximum.
			v.e.UpdateSettings(func(s *Settings) { s.GroupMemberLimit = 7000 })
			for _, cmd := range []string{"create_group", "import_group"} {
				if got := maxOf(cmd, M{"Type": "Public"}); got != 7000 {
					t.Errorf("%s with GroupMemberLimit: %d", cmd, got)
				}
			}
			if got := maxOf("create_group", M{"Type": "Public", "MaxMemberCount": 7000}); got != 7000 {
				t.Errorf("explicit 7000 with GroupMemberLimit: %d", got)
			}
		})
	}
}

func TestTrialQuotas(t *testing.T) {
	v := newEnv(t, Settings{Plan: PlanTrial})
	for i := 0; i < trialGroups-1; i++ {
		v.group("Public", "") // out of band: no quota, but they count
	}
	v.mustOK("create_group", M{"Type": "Public", "Name": "100th"})
	for _, cmd := range []string{"create_group", "import_group"} {
		if r := v.wantCode(10058, cmd, M{"Type": "Public", "Name": "101st"}); !strings.Contains(r.info(), "100") {
			t.Fatalf("%s: %q", cmd, r.info())
		}
	}
	v.group("Public", "") // seeding still can

	// 60 accounts exist: 40 more fit.
	var fill []string
	for i := range 39 {
		fill = append(fill, fmt.Sprintf("fill%d", i))
	}
	if r := v.mustOK("multiaccount_import", M{"Accounts": fill}); len(r.list("FailAccounts")) != 0 {
		t.Fatalf("FailAccounts %v", r.list("FailAccounts"))
	}
	v.mustOK("account_import", M{"UserID": "the100th"})
	v.wantCode(70398, "account_import", M{"UserID": "the101st"})
	v.mustOK("account_import", M{"UserID": "user1", "Nick": "existing accounts are fine"})
	// A batch that would go over fails as a whole.
	v.wantCode(70398, "multiaccount_import", M{"AccountList": []M{{"UserID": "user2", "Nick": "changed"}, {"UserID": "newcomer"}}})
	if n := len(v.e.Accounts(testApp)); n != trialAccounts {
		t.Fatalf("%d accounts", n)
	}
	v.mustOK("multiaccount_import", M{"Accounts": []string{"user1", "user2"}}) // nothing new
	// Trial deletes freely, which frees room.
	v.mustOK("account_delete", M{"DeleteItem": []M{{"UserID": "fill0"}}})
	v.wantCode(70398, "multiaccount_import", M{"Accounts": []string{"a-new", "b-new"}})
	v.mustOK("multiaccount_import", M{"Accounts": []string{"a-new", "a-new"}})
}

func TestAccountDeletePlans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := newEnvOpts(t, Options{PersistPath: path})
	v.mustOK("account_import", M{"UserID": "gone"})
	del := M{"DeleteItem": []M{{"UserID": "gone"}}}
	if r := v.wantCode(71000, "account_delete", del); !strings.Contains(r.info(), "console") {
		t.Fatalf("71000 text %q", r.info())
	}
	if len(v.e.Accounts(testApp)) != 61 {
		t.Fatal("71000 deleted something")
	}
	v.e.UpdateSettings(func(s *Settings) { s.AccountDeleteEnabled = true })
	v.mustOK("account_delete", del)
	// Paid plans block the ID for good.
	if r := v.wantCode(70399, "account_import", M{"UserID": "gone"}); !strings.Contains(r.info(), "gone") {
		t.Fatalf("70399 text %q", r.info())
	}
	r := v.mustOK("multiaccount_import", M{"Accounts": []string{"gone", "newbie"}})
	if fail := r.list("FailAccounts"); len(fail) != 1 || fail[0] != "gone" {
		t.Fatalf("FailAccounts %v", fail)
	}
	// The block survives a restart.
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	w := newEnvOpts(t, Options{PersistPath: path})
	w.wantCode(70399, "account_import", M{"UserID": "gone"})

	// Trial: deletion is allowed and the ID may come back.
	trial := newEnv(t, Settings{Plan: PlanTrial})
	trial.mustOK("account_delete", M{"DeleteItem": []M{{"UserID": "user1"}}})
	trial.mustOK("account_import", M{"UserID": "user1"})
	if r := trial.mustOK("multiaccount_import", M{"Accounts": []string{"user2"}}); len(r.list("FailAccounts")) != 0 {
		t.Fatal("trial re-import failed")
	}
}

func TestSettingsEndpoint(t *testing.T) {
	v := newEnv(t, Settings{})
	do := func(method, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, v.base+"/emulator/settings", strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	_, m := do("GET", "")
	for k, want := range map[string]any{
		"ImportCap": 20.0, "MissingAccount": "member", "Plan": "enterprise", "CommandRateScale": 1.0,
		"AcceptClientTypeNames": false, "AccountDeleteEnabled": false, "NextType": "string",
	} {
		if m[k] != want {
			t.Errorf("GET %s = %v, want %v", k, m[k], want)
		}
	}
	code, m := do("POST", `{"plan":"trial","CommandRateScale":0.5,"acceptClientTypeNames":true,"AccountDeleteEnabled":true,"missingaccount":"reject"}`)
	if code != 200 || m["Plan"] != "trial" || m["CommandRateScale"] != 0.5 || m["AcceptClientTypeNames"] != true || m["AccountDeleteEnabled"] != true || m["MissingAccount"] != "reject" {
		t.Fatalf("POST %d %v", code, m)
	}
	s := v.e.Settings()
	if s.Plan != PlanTrial || s.CommandRateScale != 0.5 || !s.AcceptClientTypeNames || !s.AccountDeleteEnabled || s.MissingAccount != MissingAccountReject {
		t.Fatalf("Settings %+v", s)
	}
	// A bad patch changes nothing, not even its good keys.
	for _, bad := range []string{`{"Plan":"gold","ImportCap":7}`, `{"CommandRateScale":"fast"}`, `{"AccountDeleteEnabled":1}`, `{"ImportCap":7,"Nope":1}`} {
		if code, _ := do("POST", bad); code != 400 {
			t.Errorf("%s accepted", bad)
		}
	}
	if s := v.e.Settings(); s.ImportCap != 20 || s.Plan != PlanTrial {
		t.Fatalf("a refused patch changed %+v", s)
	}
	// Zero values go back to the defaults.
	if _, m := do("POST", `{"Plan":"","CommandRateScale":0,"MissingAccount":""}`); m["Plan"] != "enterprise" || m["CommandRateScale"] != 1.0 || m["MissingAccount"] != "member" {
		t.Fatalf("reset %v", m)
	}
}
