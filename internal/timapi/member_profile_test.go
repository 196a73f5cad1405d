package timapi

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// profileEnv is an emulator with custom member fields Level and Team, a
// Public and a Community group owned by "owner" with members m1..m3, and a
// client.
type profileEnv struct {
	emu    *emulator.Emulator
	client *Client
	groups map[string]string // type -> group ID
}

func newProfileEnv(t *testing.T, s emulator.Settings) *profileEnv {
	t.Helper()
	s.CommandRateScale = -1
	s.MemberDefinedKeys = []string{"Level", "Team"}
	emu := emulator.New(emulator.Options{Settings: s})
	emu.AddApp(testAppID, testKey, testIdentifier)
	emu.AddAccounts(testAppID, "owner", "m1", "m2", "m3")
	url, stop := emu.Start()
	t.Cleanup(stop)
	c, _ := newClient(t, url)
	e := &profileEnv{emu: emu, client: c, groups: map[string]string{}}
	for _, typ := range []string{GroupTypePublic, GroupTypeCommunity} {
		id, err := emu.AddGroup(testAppID, emulator.Group{Type: typ, Name: "g", Owner: "owner", CreateTime: 1_600_000_000})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"m1", "m2", "m3"} {
			if err := emu.PutMember(testAppID, id, emulator.Member{Account: a, JoinTime: 1_600_000_100}); err != nil {
				t.Fatal(err)
			}
		}
		e.groups[typ] = id
	}
	return e
}

func (e *profileEnv) server(t *testing.T, gid, account string) emulator.Member {
	t.Helper()
	ms, _ := e.emu.Members(testAppID, gid)
	return ms[account]
}

func strPtr(s string) *string { return &s }

func TestModifyGroupMember(t *testing.T) {
	e := newProfileEnv(t, emulator.Settings{})
	gid := e.groups[GroupTypePublic]
	ctx := t.Context()
	e.emu.ResetStats()
	if err := e.client.ModifyGroupMember(ctx, gid, "m1", MemberChange{Role: "Admin", NameCard: strPtr("鲍勃"), CustomData: map[string]string{"Team": "red", "Level": "3"}}); err != nil {
		t.Fatal(err)
	}
	if n := e.emu.Stats()[modifyMemberCommand].Calls; n != 1 {
		t.Fatalf("%d modify calls for role, name card and custom data, want 1", n)
	}
	if m := e.server(t, gid, "m1"); m.Role != "Admin" || m.NameCard != "鲍勃" || !reflect.DeepEqual(m.CustomData, map[string]string{"Level": "3", "Team": "red"}) {
		t.Fatalf("server holds %+v", m)
	}
	// Only what the change names changes; "" clears.
	if err := e.client.ModifyGroupMember(ctx, gid, "m1", MemberChange{CustomData: map[string]string{"Level": ""}}); err != nil {
		t.Fatal(err)
	}
	if err := e.client.ModifyGroupMember(ctx, gid, "m1", MemberChange{NameCard: strPtr("")}); err != nil {
		t.Fatal(err)
	}
	if m := e.server(t, gid, "m1"); m.Role != "Admin" || m.NameCard != "" || !reflect.DeepEqual(m.CustomData, map[string]string{"Team": "red"}) {
		t.Fatalf("server holds %+v", m)
	}
	// An empty change makes no call.
	e.emu.ResetStats()
	if err := e.client.ModifyGroupMember(ctx, gid, "m1", MemberChange{CustomData: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	if n := e.emu.Stats()[modifyMemberCommand].Calls; n != 0 {
		t.Fatalf("an empty change made %d calls", n)
	}
	// The server's refusals come back as API errors.
	for _, ch := range []MemberChange{
		{CustomData: map[string]string{"Rank": "1"}},
		{CustomData: map[string]string{"Level": strings.Repeat("x", MaxCustomDataValueBytes+1)}},
		{NameCard: strPtr(strings.Repeat("x", MaxNameCardBytes+1))},
	} {
		if err := e.client.ModifyGroupMember(ctx, gid, "m2", ch); Code(err) != 10004 {
			t.Fatalf("%+v: err %v, want 10004", ch, err)
		}
	}
}

func TestModifyGroupMemberWire(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ recorded, _ int) { writeJSON(w, ok(nil)) })
	c, _ := newClient(t, f.URL)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.ModifyGroupMemberRole(ctx, "g", "a", "Admin"))
	must(c.ModifyGroupMember(ctx, "g", "a", MemberChange{Role: "Member"}))
	must(c.ModifyGroupMember(ctx, "g", "a", MemberChange{NameCard: strPtr(""), CustomData: map[string]string{"b": "2", "a": ""}}))
	want := []string{
		`{"GroupId":"g","Member_Account":"a","Role":"Admin"}`,
		`{"GroupId":"g","Member_Account":"a","Role":"Member"}`,
		`{"GroupId":"g","Member_Account":"a","NameCard":"","AppMemberDefinedData":[{"Key":"a","Value":""},{"Key":"b","Value":"2"}]}`,
	}
	reqs := f.requests()
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if r.Command != modifyMemberCommand || strings.TrimSpace(string(r.Body)) != want[i] {
			t.Errorf("request %d: %s %s\nwant %s", i, r.Command, r.Body, want[i])
		}
	}
}

func TestGetGroupMembersProfile(t *testing.T) {
	for _, unset := range []string{emulator.MemberDataUnsetOmit, emulator.MemberDataUnsetEmpty} {
		e := newProfileEnv(t, emulator.Settings{MemberDataUnset: unset, PageSize: 2})
		for typ, gid := range e.groups {
			t.Run(unset+"/"+typ, func(t *testing.T) {
				ctx := t.Context()
				if err := e.client.ModifyGroupMember(ctx, gid, "m1", MemberChange{NameCard: strPtr("one"), CustomData: map[string]string{"Level": "3", "Team": "red"}}); err != nil {
					t.Fatal(err)
				}
				if err := e.client.ModifyGroupMember(ctx, gid, "m2", MemberChange{CustomData: map[string]string{"Team": "blue"}}); err != nil {
					t.Fatal(err)
				}
				community := typ == GroupTypeCommunity
				// What a read without profile options returns: no profile at all.
				plain, err := e.client.GetGroupMembers(ctx, gid, ListOptions{Community: community})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range plain.Members {
					if m.NameCard != "" || m.CustomData != nil {
						t.Fatalf("a plain read carries a profile: %+v", m)
					}
				}
				fields := []string{"Role", "JoinTime"}
				got, err := e.client.GetGroupMembers(ctx, gid, ListOptions{Community: community, Fields: fields, NameCard: true, CustomDataKeys: []string{"Level"}})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(fields, []string{"Role", "JoinTime"}) {
					t.Fatalf("the caller's Fields changed to %v", fields)
				}
				byAccount := map[string]Member{}
				for _, m := range got.Members {
					byAccount[m.Account] = m
				}
				want := map[string]Member{
					"owner": {Account: "owner", Role: "Owner", JoinTime: 1_600_000_000},
					"m1":    {Account: "m1", Role: "Member", JoinTime: 1_600_000_100, NameCard: "one", CustomData: map[string]string{"Level": "3"}},
					"m2":    {Account: "m2", Role: "Member", JoinTime: 1_600_000_100},
					"m3":    {Account: "m3", Role: "Member", JoinTime: 1_600_000_100},
				}
				if !reflect.DeepEqual(byAccount, want) {
					t.Fatalf("members\n%+v\nwant\n%+v", byAccount, want)
				}
				got, err = e.client.GetGroupMembers(ctx, gid, ListOptions{Community: community, CustomDataKeys: []string{"Team", "Level"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range got.Members {
					wantData := map[string]map[string]string{"m1": {"Level": "3", "Team": "red"}, "m2": {"Team": "blue"}}[m.Account]
					if !reflect.DeepEqual(m.CustomData, wantData) || m.NameCard != "" {
						t.Fatalf("%s: %+v, want custom data %v and no name card", m.Account, m, wantData)
					}
				}
				// The basic form, for a reader that knows no keys: every
				// configured field and the name card.
				got, err = e.client.GetGroupMembers(ctx, gid, ListOptions{Community: community, AllCustomData: true, Fields: []string{"Role"}, CustomDataKeys: []string{"Level"}})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Members) != 4 {
					t.Fatalf("%d members, want 4", len(got.Members))
				}
				for _, m := range got.Members {
					wantData := map[string]map[string]string{"m1": {"Level": "3", "Team": "red"}, "m2": {"Team": "blue"}}[m.Account]
					wantCard := map[string]string{"m1": "one"}[m.Account]
					if !reflect.DeepEqual(m.CustomData, wantData) || m.NameCard != wantCard || m.Role == "" || m.JoinTime == 0 {
						t.Fatalf("%s: %+v, want custom data %v and name card %q", m.Account, m, wantData, wantCard)
					}
				}
			})
		}
	}
}

// TestGetGroupMembersRequests: a read without profile options sends what it
// always sent; with them, the name card field and the custom data filter.
func TestGetGroupMembersRequests(t *testing.T) {
	for _, community := range []bool{false, true} {
		g := &group{t: t, members: makeMembers(3), community: community}
		f := newFake(t, g.handle)
		c, _ := newClient(t, f.URL)
		if _, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: community}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: community, NameCard: true, CustomDataKeys: []string{"Level"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: community, AllCustomData: true, NameCard: true, CustomDataKeys: []string{"Level"}}); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 3 {
			t.Fatalf("%d requests", len(reqs))
		}
		plain, profile, basic := string(reqs[0].Body), string(reqs[1].Body), string(reqs[2].Body)
		wantPlain := `{"GroupId":"g1","Limit":200,"Offset":0,"MemberInfoFilter":["Role","JoinTime"]}`
		if community {
			wantPlain = `{"GroupId":"g1","Limit":200,"Next":"","MemberInfoFilter":["Role","JoinTime"]}`
		}
		if strings.TrimSpace(plain) != wantPlain {
			t.Errorf("plain read sent %s\nwant %s", plain, wantPlain)
		}
		wantProfile := strings.TrimSuffix(wantPlain, `"JoinTime"]}`) + `"JoinTime","NameCard"],"AppDefinedDataFilter_GroupMember":["Level"]}`
		if strings.TrimSpace(profile) != wantProfile {
			t.Errorf("profile read sent %s\nwant %s", profile, wantProfile)
		}
		wantBasic := strings.TrimSuffix(wantPlain, `,"MemberInfoFilter":["Role","JoinTime"]}`) + "}"
		if strings.TrimSpace(basic) != wantBasic {
			t.Errorf("basic read sent %s\nwant %s", basic, wantBasic)
		}
	}
}

func TestCustomDataDecode(t *testing.T) {
	for _, c := range []struct {
		in   []definedDataJSON
		want map[string]string
	}{
		{nil, nil},
		{[]definedDataJSON{{"a", ""}, {"", "x"}}, nil},
		{[]definedDataJSON{{"a", "1"}, {"b", ""}, {"a", "2"}}, map[string]string{"a": "2"}},
		{[]definedDataJSON{{"a", "1"}, {"a", ""}}, nil},
	} {
		if got := customData(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("customData(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	for k, want := range map[string]bool{"Level": true, "a_1": true, "sixteen_bytes_xx": true, "": false, "seventeen_bytes_x": false, "has-dash": false, "名": false, "a b": false} {
		if ValidCustomDataKey(k) != want {
			t.Errorf("ValidCustomDataKey(%q) = %v", k, !want)
		}
	}
}
