package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Tests for the member profile: NameCard and the custom member fields
// (AppMemberDefinedData), as QD 修改群成员资料, 获取群组成员详细资料 and
// 群组系统 "自定义字段" describe them.

// memberData returns the AppMemberDefinedData of each member of MemberList
// as key=value pairs in the order answered, "-" when the member object has
// no such field.
func memberData(r resp) map[string]string {
	out := map[string]string{}
	for _, x := range r.list("MemberList") {
		m := x.(map[string]any)
		acct := m["Member_Account"].(string)
		list, ok := m["AppMemberDefinedData"].([]any)
		if !ok {
			out[acct] = "-"
			continue
		}
		var kv []string
		for _, e := range list {
			e := e.(map[string]any)
			kv = append(kv, fmt.Sprintf("%s=%s", e["Key"], e["Value"]))
		}
		out[acct] = strings.Join(kv, ",")
	}
	return out
}

func (v *env) member(g, acct string) Member {
	v.t.Helper()
	ms, _ := v.e.Members(testApp, g)
	m, ok := ms[acct]
	if !ok {
		v.t.Fatalf("%s is not a member of %s", acct, g)
	}
	return m
}

func kv(pairs ...string) []M {
	var out []M
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, M{"Key": pairs[i], "Value": pairs[i+1]})
	}
	return out
}

func TestModifyMemberProfile(t *testing.T) {
	v := newEnv(t, Settings{MemberDefinedKeys: []string{"Level", "Team"}})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2", "user3")})

	// Role, name card and custom data in one call.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "Role": "Admin", "NameCard": "鲍勃", "AppMemberDefinedData": kv("Level", "3")})
	if m := v.member(g, "user2"); m.Role != RoleAdmin || m.NameCard != "鲍勃" || !reflect.DeepEqual(m.CustomData, map[string]string{"Level": "3"}) {
		t.Fatalf("after one modify: %+v", m)
	}
	// Only the keys named change; "" clears one; the owner's profile can be set.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "AppMemberDefinedData": kv("Team", "red")})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "AppMemberDefinedData": kv("Level", "")})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user1", "NameCard": "boss", "AppMemberDefinedData": kv("Level", "9")})
	if m := v.member(g, "user2"); m.NameCard != "鲍勃" || !reflect.DeepEqual(m.CustomData, map[string]string{"Team": "red"}) {
		t.Fatalf("after partial modifies: %+v", m)
	}
	if m := v.member(g, "user1"); m.Role != RoleOwner || m.NameCard != "boss" || m.CustomData["Level"] != "9" {
		t.Fatalf("owner %+v", m)
	}
	// A null Value clears too; an empty list changes nothing.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user1", "AppMemberDefinedData": []M{{"Key": "Level", "Value": nil}}})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "AppMemberDefinedData": []M{}})
	if m := v.member(g, "user1"); m.CustomData != nil {
		t.Fatalf("owner data %v, want none", m.CustomData)
	}
	if m := v.member(g, "user2"); !reflect.DeepEqual(m.CustomData, map[string]string{"Team": "red"}) {
		t.Fatalf("an empty list changed %v", m.CustomData)
	}
	// "" clears the name card.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user1", "NameCard": ""})
	if m := v.member(g, "user1"); m.NameCard != "" {
		t.Fatalf("name card %q not cleared", m.NameCard)
	}

	// The limits: 50 bytes of name card, 64 of value (UTF-8 bytes, not characters).
	card50 := strings.Repeat("名", 16) + "xy"
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "NameCard": card50, "AppMemberDefinedData": kv("Level", strings.Repeat("v", 64))})
	before := v.member(g, "user3")
	for _, bad := range []M{
		{"NameCard": card50 + "z", "Role": "Admin"},
		{"AppMemberDefinedData": kv("Level", strings.Repeat("v", 65)), "NameCard": "x"},
		{"AppMemberDefinedData": kv("Team", "blue", "Level", strings.Repeat("é", 33)), "Role": "Admin"},
	} {
		bad["GroupId"], bad["Member_Account"] = g, "user3"
		v.wantCode(10004, "modify_group_member_info", bad)
	}
	if m := v.member(g, "user3"); !reflect.DeepEqual(m, before) {
		t.Fatalf("a refused modify changed the member:\n%+v\nwas\n%+v", m, before)
	}

	// A key that is not configured: alone, 10004 with the server's text.
	for _, data := range [][]M{kv("Rank", "1"), kv("level", "1"), kv("", "1"), kv("Rank", "1", "Nope", "2")} {
		r := v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "AppMemberDefinedData": data, "NameCard": "no"})
		if r.info() != "all defined key is invalid" {
			t.Fatalf("ErrorInfo %q", r.info())
		}
	}
	// Mixed with a configured key: the configured one is stored (default reading).
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "AppMemberDefinedData": kv("Rank", "1", "Team", "blue")})
	if m := v.member(g, "user3"); !reflect.DeepEqual(m.CustomData, map[string]string{"Level": strings.Repeat("v", 64), "Team": "blue"}) || m.NameCard != card50 {
		t.Fatalf("mixed keys stored %v", m.CustomData)
	}
	// The other reading refuses the whole request.
	v.e.UpdateSettings(func(s *Settings) { s.MemberDataUnknownKey = MemberDataUnknownKeyRefuse })
	r := v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "AppMemberDefinedData": kv("Team", "green", "Rank", "1")})
	if !strings.Contains(r.info(), `"Rank"`) {
		t.Fatalf("ErrorInfo %q does not name the key", r.info())
	}
	if m := v.member(g, "user3"); m.CustomData["Team"] != "blue" {
		t.Fatalf("refused request changed Team to %q", m.CustomData["Team"])
	}

	// With no key configured (the default), any custom data is refused.
	v.e.UpdateSettings(func(s *Settings) { s.MemberDefinedKeys = nil })
	v.wantCode(10004, "modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "AppMemberDefinedData": kv("Team", "x")})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "NameCard": "still fine"})
}

func TestReadMemberProfile(t *testing.T) {
	v := newEnv(t, Settings{MemberDefinedKeys: []string{"Team", "Level"}})
	for _, typ := range []string{"Public", "Work", "Community"} {
		t.Run(typ, func(t *testing.T) {
			v.e.UpdateSettings(func(s *Settings) {
				s.MemberDataOnlyNamed, s.MemberDataUnset, s.MemberDataFilterUnknownKey = false, "", ""
			})
			g := v.group(typ, "user1")
			v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2", "user3")})
			v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "NameCard": "two", "AppMemberDefinedData": kv("Level", "3", "Team", "red")})
			v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "AppMemberDefinedData": kv("Level", "1")})
			read := func(body M) resp {
				t.Helper()
				body["GroupId"] = g
				if typ == "Community" {
					body["Next"] = ""
				}
				return v.mustOK("get_group_member_info", body)
			}

			// What the client reads today: no custom data, no name card.
			r := read(M{"MemberInfoFilter": []string{"Role", "JoinTime"}, "Limit": 100})
			if got := memberData(r); got["user2"] != "-" {
				t.Fatalf("filtered read carries custom data: %v", got)
			}
			for _, x := range r.list("MemberList") {
				if got := strings.Join(sortedKeys(x.(map[string]any)), ","); got != "JoinTime,Member_Account,Role" {
					t.Fatalf("member keys %s", got)
				}
			}
			// Named keys only, in the filter's order; a member without a value
			// for a key is not listed for it.
			r = read(M{"MemberInfoFilter": []string{"Role", "NameCard"}, "AppDefinedDataFilter_GroupMember": []string{"Level", "Team", "Level"}})
			want := map[string]string{"user1": "", "user2": "Level=3,Team=red", "user3": "Level=1"}
			if got := memberData(r); !reflect.DeepEqual(got, want) {
				t.Fatalf("named keys: %v, want %v", got, want)
			}
			for _, x := range r.list("MemberList") {
				m := x.(map[string]any)
				if wantCard := map[string]string{"user2": "two"}[m["Member_Account"].(string)]; m["NameCard"] != wantCard {
					t.Fatalf("NameCard of %v", m)
				}
			}
			r = read(M{"AppDefinedDataFilter_GroupMember": []string{"Team"}, "MemberInfoFilter": []string{"Role"}})
			if got := memberData(r); got["user2"] != "Team=red" || got["user3"] != "" {
				t.Fatalf("one key: %v", got)
			}
			// No filter at all: the docs' basic form carries every configured field.
			r = read(M{})
			if got := memberData(r); got["user2"] != "Team=red,Level=3" || got["user1"] != "" {
				t.Fatalf("basic form: %v", got)
			}
			// Unset keys listed with "" under the other reading.
			v.e.UpdateSettings(func(s *Settings) { s.MemberDataUnset = MemberDataUnsetEmpty })
			r = read(M{"AppDefinedDataFilter_GroupMember": []string{"Level", "Team"}, "MemberInfoFilter": []string{"Role"}})
			if got := memberData(r); got["user3"] != "Level=1,Team=" || got["user1"] != "Level=,Team=" {
				t.Fatalf("unset as empty: %v", got)
			}
			// Only named keys under the other reading.
			v.e.UpdateSettings(func(s *Settings) { s.MemberDataOnlyNamed = true })
			if got := memberData(read(M{})); got["user2"] != "-" {
				t.Fatalf("basic form under MemberDataOnlyNamed: %v", got)
			}
			// A key that is not configured is left out, or refused.
			r = read(M{"AppDefinedDataFilter_GroupMember": []string{"Rank", "Level"}, "MemberInfoFilter": []string{"Role"}})
			if got := memberData(r); got["user2"] != "Level=3" {
				t.Fatalf("unconfigured key in the filter: %v", got)
			}
			v.e.UpdateSettings(func(s *Settings) { s.MemberDataFilterUnknownKey = MemberDataFilterRefuse })
			body := M{"GroupId": g, "AppDefinedDataFilter_GroupMember": []string{"Level", "Rank"}}
			if typ == "Community" {
				body["Next"] = ""
			}
			if r := v.wantCode(10007, "get_group_member_info", body); !strings.Contains(r.info(), `"Rank"`) {
				t.Fatalf("ErrorInfo %q does not name the key", r.info())
			}
		})
	}
}

func TestGetGroupInfoMemberProfile(t *testing.T) {
	v := newEnv(t, Settings{MemberDefinedKeys: []string{"Level"}})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "NameCard": "two", "AppMemberDefinedData": kv("Level", "5")})
	el := v.mustOK("get_group_info", M{"GroupIdList": []string{g}}).list("GroupInfo")[0].(map[string]any)
	if got := memberData(resp(el)); got["user2"] != "Level=5" || got["user1"] != "" {
		t.Fatalf("basic form: %v", got)
	}
	el = groupInfoWith(v, g, M{"MemberInfoFilter": []string{"NameCard"}, "AppDefinedDataFilter_GroupMember": []string{"Level"}})
	if got := memberData(resp(el)); got["user2"] != "Level=5" {
		t.Fatalf("filtered: %v", got)
	}
	el = groupInfoWith(v, g, M{"MemberInfoFilter": []string{"Role"}})
	if got := memberData(resp(el)); got["user2"] != "-" {
		t.Fatalf("members without the custom data filter: %v", got)
	}
}

// TestImportSetsNoProfile: import_group_member documents no NameCard or
// AppMemberDefinedData (QD 导入群成员); like every field a request does not
// document, they are ignored, so an import never sets a profile.
func TestImportSetsNoProfile(t *testing.T) {
	v := newEnv(t, Settings{MemberDefinedKeys: []string{"Level"}})
	g := v.group("Public", "user1")
	r := v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user2", "NameCard": "two", "AppMemberDefinedData": kv("Level", "5")}}})
	if results(t, r)["user2"] != 1 {
		t.Fatalf("import %v", r)
	}
	if m := v.member(g, "user2"); m.NameCard != "" || m.CustomData != nil {
		t.Fatalf("import set a profile: %+v", m)
	}
	// A member removed and imported again starts with no profile.
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "NameCard": "two", "AppMemberDefinedData": kv("Level", "5")})
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user2"}})
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	if m := v.member(g, "user2"); m.NameCard != "" || m.CustomData != nil {
		t.Fatalf("rejoined member kept a profile: %+v", m)
	}
}

// TestCreateGroupMemberData: create_group's MemberList documents
// AppMemberDefinedData, which follows the same rules.
func TestCreateGroupMemberData(t *testing.T) {
	v := newEnv(t, Settings{MemberDefinedKeys: []string{"Level"}})
	r := v.mustOK("create_group", M{"Type": "Public", "Name": "p", "Owner_Account": "user1", "MemberList": []M{
		{"Member_Account": "user2", "AppMemberDefinedData": kv("Level", "2")},
		{"Member_Account": "user3", "AppMemberDefinedData": kv("Level", "")},
	}})
	g := r["GroupId"].(string)
	if m := v.member(g, "user2"); m.CustomData["Level"] != "2" {
		t.Fatalf("user2 %+v", m)
	}
	if m := v.member(g, "user3"); m.CustomData != nil {
		t.Fatalf("user3 %+v", m)
	}
	v.wantCode(10004, "create_group", M{"Type": "Public", "Name": "q", "MemberList": []M{{"Member_Account": "user2", "AppMemberDefinedData": kv("Rank", "2")}}})
}

func TestMemberProfilePersistsAndSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := newEnvOpts(t, Options{PersistPath: path, Settings: Settings{MemberDefinedKeys: []string{"Level", "Team"}}})
	g := v.group("Public", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user2", "NameCard": "two", "AppMemberDefinedData": kv("Level", "3", "Team", "red")})
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	var saved stateFile
	if err == nil {
		err = json.Unmarshal(raw, &saved)
	}
	if err != nil || !reflect.DeepEqual(saved.Apps[0].Groups[0].Members[1].CustomData, map[string]string{"Level": "3", "Team": "red"}) {
		t.Fatalf("state file: %v %s", err, raw)
	}
	e2 := New(Options{PersistPath: path})
	m1, _ := v.e.Members(testApp, g)
	m2, _ := e2.Members(testApp, g)
	if !reflect.DeepEqual(m1, m2) || m2["user2"].NameCard != "two" {
		t.Fatalf("after reload\n%v\nwant\n%v", m2, m1)
	}

	// Out of band: PutMember replaces the profile; /emulator/seed and /emulator/state carry it.
	if err := e2.PutMember(testApp, g, Member{Account: "user2", NameCard: "drift", CustomData: map[string]string{"Team": "blue", "Level": ""}}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := e2.Members(testApp, g); ms["user2"].NameCard != "drift" || !reflect.DeepEqual(ms["user2"].CustomData, map[string]string{"Team": "blue"}) {
		t.Fatalf("PutMember: %+v", ms["user2"])
	}
	base, stop := e2.Start()
	defer stop()
	res, err := http.Post(base+"/emulator/seed", "application/json", strings.NewReader(fmt.Sprintf(
		`{"sdkappid":%d,"groups":[{"id":"seeded","type":"Public","name":"s","members":[{"account":"user5","name_card":"five","app_member_defined_data":{"Level":"7"}}]}]}`, testApp)))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("seed: HTTP %d", res.StatusCode)
	}
	res, err = http.Get(fmt.Sprintf("%s/emulator/state?sdkappid=%d", base, testApp))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st stateFile
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, gs := range st.Apps[0].Groups {
		for _, ms := range gs.Members {
			if gs.ID == "seeded" && ms.Account == "user5" {
				found = ms.NameCard == "five" && ms.CustomData["Level"] == "7"
			}
		}
	}
	if !found {
		t.Fatalf("seeded profile not in the state: %+v", st.Apps[0].Groups)
	}
}

func TestMemberDefinedKeysSetting(t *testing.T) {
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
	if _, m := do("GET", ""); fmt.Sprint(m["MemberDefinedKeys"]) != "[]" || m["MemberDataUnknownKey"] != "drop" ||
		m["MemberDataUnset"] != "omit" || m["MemberDataOnlyNamed"] != false || m["MemberDataFilterUnknownKey"] != "ignore" {
		t.Fatalf("defaults %v", m)
	}
	code, m := do("POST", `{"memberDefinedKeys":["Level","Team_2"],"MemberDataUnset":"empty","MemberDataOnlyNamed":true}`)
	if code != 200 || fmt.Sprint(m["MemberDefinedKeys"]) != "[Level Team_2]" || m["MemberDataUnset"] != "empty" || m["MemberDataOnlyNamed"] != true {
		t.Fatalf("POST %d %v", code, m)
	}
	for _, bad := range []string{`{"MemberDefinedKeys":["a","b","c","d","e","f"]}`, `{"MemberDefinedKeys":["bad-key"]}`, `{"MemberDefinedKeys":"Level"}`, `{"MemberDataUnknownKey":"ignore"}`} {
		if code, _ := do("POST", bad); code != 400 {
			t.Errorf("%s accepted", bad)
		}
	}
	if s := v.e.Settings(); !reflect.DeepEqual(s.MemberDefinedKeys, []string{"Level", "Team_2"}) {
		t.Fatalf("keys %v", s.MemberDefinedKeys)
	}
	// The emulator keeps its own copy.
	keys := []string{"A"}
	v.e.UpdateSettings(func(s *Settings) { s.MemberDefinedKeys = keys })
	keys[0] = "B"
	if got := v.e.Settings().MemberDefinedKeys; !reflect.DeepEqual(got, []string{"A"}) {
		t.Fatalf("keys %v changed with the caller's slice", got)
	}
	// null restores the default: none.
	if code, m := do("POST", `{"MemberDefinedKeys":null}`); code != 200 || fmt.Sprint(m["MemberDefinedKeys"]) != "[]" {
		t.Fatalf("null: %d %v", code, m)
	}
}
