package membership

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

var profileKeys = []string{"Level", "Team"}

func ptr(s string) *string { return &s }

// serverProfiles is what the emulator holds, profiles included.
func (e *env) serverProfiles(groupID string) map[string]members.Live {
	e.t.Helper()
	ms, ok := e.emu.Members(appID, groupID)
	if !ok {
		e.t.Fatalf("group %s is gone", groupID)
	}
	out := make(map[string]members.Live, len(ms))
	for a, m := range ms {
		out[a] = members.Live{Role: m.Role, JoinTime: m.JoinTime, NameCard: m.NameCard, CustomData: m.CustomData}
	}
	return out
}

func (e *env) setProfile(groupID, account, card string, data map[string]string) {
	e.t.Helper()
	ms, _ := e.emu.Members(appID, groupID)
	m := ms[account]
	m.NameCard, m.CustomData = card, data
	if err := e.emu.PutMember(appID, groupID, m); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) readWith(groupID string, opt ReadOptions) *Group {
	e.t.Helper()
	g, err := ReadGroupWith(context.Background(), e.eng.Client, groupID, opt)
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

// commands lists the API commands the emulator answered since the last
// ResetStats, in order.
func (e *env) commands() []string {
	var out []string
	for _, r := range e.emu.Log() {
		out = append(out, r.Command)
	}
	return out
}

func sameLive(a, b map[string]members.Live) bool { return maps.EqualFunc(a, b, members.Live.Equal) }

func TestReadOptionsFor(t *testing.T) {
	got := ReadOptionsFor(map[string]members.Declared{
		"a": {Role: members.RoleMember},
		"b": {Role: members.RoleMember, CustomData: map[string]string{"Team": "", "Level": "1", "bad-key": "x"}},
		"c": {Role: members.RoleMember, NameCard: ptr(""), CustomData: map[string]string{"Team": "red"}},
	})
	if !got.NameCard || !slices.Equal(got.CustomDataKeys, []string{"Level", "Team"}) {
		t.Fatalf("ReadOptionsFor = %+v", got)
	}
	if got := ReadOptionsFor(map[string]members.Declared{"a": {Role: members.RoleAdmin, JoinTime: 5}}); got.NameCard || got.CustomDataKeys != nil {
		t.Fatalf("no profile declared: %+v", got)
	}
}

func TestReadGroupWithProfile(t *testing.T) {
	e := newEnv(t, emulator.Settings{MemberDefinedKeys: profileKeys, PageSize: 3}, 7)
	for _, typ := range []string{timapi.GroupTypePublic, timapi.GroupTypeCommunity} {
		t.Run(typ, func(t *testing.T) {
			id := e.group(typ, 7)
			e.setProfile(id, account(2), "two", map[string]string{"Level": "2", "Team": "red"})
			e.setProfile(id, owner, "boss", nil)
			e.emu.ResetStats()
			plain := e.read(id)
			plainCalls := e.emu.Stats()["get_group_member_info"].Calls
			for a, l := range plain.Members {
				if l.NameCard != "" || l.CustomData != nil {
					t.Fatalf("a plain read carries %s's profile: %+v", a, l)
				}
			}
			e.emu.ResetStats()
			opt := ReadOptions{NameCard: true, CustomDataKeys: []string{"Level"}}
			g := e.readWith(id, opt)
			if n := e.emu.Stats()["get_group_member_info"].Calls; n != plainCalls {
				t.Fatalf("a profile read took %d pages, a plain one %d", n, plainCalls)
			}
			want := e.serverProfiles(id)
			two := want[account(2)]
			two.CustomData = map[string]string{"Level": "2"} // Team was not asked for
			want[account(2)] = two
			if !sameLive(g.Members, want) {
				t.Fatalf("read\n%v\nwant\n%v", g.Members, want)
			}
			if g.Members[owner].Role != members.RoleOwner || g.Members[owner].NameCard != "boss" || !slices.Equal(g.Read.CustomDataKeys, opt.CustomDataKeys) {
				t.Fatalf("owner %+v, read %+v", g.Members[owner], g.Read)
			}
			// Knowing no keys (an import): every configured field and the
			// name card, in the same number of pages.
			e.emu.ResetStats()
			all := e.readWith(id, ReadOptions{AllCustomData: true})
			if n := e.emu.Stats()["get_group_member_info"].Calls; n != plainCalls {
				t.Fatalf("a basic-form read took %d pages, a plain one %d", n, plainCalls)
			}
			if want := e.serverProfiles(id); !sameLive(all.Members, want) {
				t.Fatalf("basic-form read\n%v\nwant\n%v", all.Members, want)
			}
			if !all.Read.AllCustomData {
				t.Fatalf("read %+v", all.Read)
			}
		})
	}
}

func TestPrecheckProfiles(t *testing.T) {
	g := &Group{
		Info:    &timapi.GroupInfo{GroupID: "@TGS#1", Type: timapi.GroupTypePublic, OwnerAccount: owner, CreateTime: createTime},
		Members: map[string]members.Live{owner: {Role: members.RoleOwner, JoinTime: createTime}},
	}
	now := time.Unix(createTime+1000, 0)
	m := func(card *string, data map[string]string) members.Declared {
		return members.Declared{Role: members.RoleMember, NameCard: card, CustomData: data}
	}
	for _, c := range []struct {
		name     string
		declared members.Declared
		summary  string
		field    string
	}{
		{"a name card of 50 bytes", m(ptr(strings.Repeat("名", 16)+"ab"), nil), "", ""},
		{"a name card of 51 bytes", m(ptr(strings.Repeat("名", 17)), nil), "Name card too long", FieldNameCard},
		{"five fields of 64 bytes", m(nil, map[string]string{"a": strings.Repeat("x", 64), "b": "", "c": "1", "d": "1", "e": "1"}), "", ""},
		{"six fields", m(nil, map[string]string{"a": "", "b": "", "c": "", "d": "", "e": "", "f": ""}), "Too many custom member fields", FieldCustomData},
		{"a bad field name", m(nil, map[string]string{"has-dash": "1"}), "Invalid custom member field name", FieldCustomData},
		{"a name of 17 bytes", m(nil, map[string]string{"seventeen_bytes_x": "1"}), "Invalid custom member field name", FieldCustomData},
		{"a value of 65 bytes", m(nil, map[string]string{"Level": strings.Repeat("x", 65)}), "Custom member field value too long", FieldCustomData},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := Precheck(g, map[string]members.Declared{"a": c.declared, "b": m(ptr("fine"), map[string]string{"Level": "1"})}, now)
			if c.summary == "" {
				if len(fs) > 0 {
					t.Fatalf("failures %v", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Summary != c.summary || fs[0].Field != c.field || !slices.Equal(fs[0].Accounts, []string{"a"}) {
				t.Fatalf("failures %v, want one %q for a", fs, c.summary)
			}
		})
	}
}

// profileDeclared is the declaration TestApplyProfiles applies to a group
// of user0001..user0004 (user0004 with name card "old"): every kind of
// profile change, and members 5..7 new.
func profileDeclared() map[string]members.Declared {
	return map[string]members.Declared{
		account(1): {Role: members.RoleAdmin, NameCard: ptr("one")},                                                            // role and profile: one modify
		account(2): {Role: members.RoleMember, CustomData: map[string]string{"Level": "2"}},                                    // profile only
		account(3): {Role: members.RoleMember},                                                                                 // nothing
		account(4): {Role: members.RoleMember, NameCard: ptr("")},                                                              // clears the name card
		account(5): {Role: members.RoleMember, NameCard: ptr("five"), CustomData: map[string]string{"Level": "5", "Team": ""}}, // imported, then one modify
		account(6): {Role: members.RoleAdmin},                                                                                  // imported, no profile
		account(7): {Role: members.RoleMember, NameCard: ptr(""), CustomData: map[string]string{"Team": ""}},                   // imported: already as declared
	}
}

func TestApplyProfiles(t *testing.T) {
	for _, typ := range []string{timapi.GroupTypePublic, timapi.GroupTypeCommunity} {
		t.Run(typ, func(t *testing.T) {
			e := newEnv(t, emulator.Settings{MemberDefinedKeys: profileKeys}, 7)
			id := e.group(typ, 4)
			e.setProfile(id, account(4), "old", map[string]string{"Team": "blue"})
			declared := profileDeclared()
			opt := ReadOptionsFor(declared)
			g := e.readWith(id, opt)
			changes := members.Diff(declared, g.Members, nil, false)
			e.emu.ResetStats()
			got, fs := e.eng.Apply(context.Background(), g, changes)
			if len(fs) > 0 {
				t.Fatal(fs)
			}
			st := e.emu.Stats()
			if st["modify_group_member_info"].Calls != 4 || st["import_group_member"].Calls != 1 {
				t.Fatalf("calls %v: want 4 modifies (user0001, 2, 4, 5) and 1 import", e.commands())
			}
			// user0005's modify comes after its import.
			log := e.emu.Log()
			if last := log[len(log)-1]; last.Command != "modify_group_member_info" {
				t.Fatalf("last call %s, want the imported member's modify", last.Command)
			}
			server := e.serverProfiles(id)
			if !sameLive(got, server) {
				t.Fatalf("apply returned\n%v\nserver holds\n%v", got, server)
			}
			wantProfiles := map[string]members.Live{
				account(1): {Role: members.RoleAdmin, NameCard: "one"},
				account(2): {Role: members.RoleMember, CustomData: map[string]string{"Level": "2"}},
				account(4): {Role: members.RoleMember, CustomData: map[string]string{"Team": "blue"}}, // Team is not managed
				account(5): {Role: members.RoleMember, NameCard: "five", CustomData: map[string]string{"Level": "5"}},
				account(6): {Role: members.RoleAdmin},
			}
			for a, w := range wantProfiles {
				if l := server[a]; l.Role != w.Role || l.NameCard != w.NameCard || !maps.Equal(l.CustomData, w.CustomData) {
					t.Errorf("%s: server holds %+v, want %+v", a, l, w)
				}
			}
			// The read's members are not changed by the apply (reads may be shared).
			if l := g.Members[account(4)]; l.NameCard != "old" {
				t.Fatalf("the apply changed the read: %+v", l)
			}
			// A second plan has nothing to do.
			if again := members.Diff(declared, e.readWith(id, opt).Members, nil, false); !again.Empty() {
				t.Fatalf("second diff: %+v", again)
			}
		})
	}
}

// TestApplyProfilesWithoutProfiles: callers that declare no profile make the
// same calls as before, and read nothing more.
func TestApplyProfilesWithoutProfiles(t *testing.T) {
	e := newEnv(t, emulator.Settings{MemberDefinedKeys: profileKeys}, 3)
	id := e.group(timapi.GroupTypePublic, 2)
	e.setProfile(id, account(1), "kept", map[string]string{"Level": "1"})
	declared := map[string]members.Declared{account(1): {Role: members.RoleAdmin}, account(3): {Role: members.RoleMember}}
	if opt := ReadOptionsFor(declared); opt.NameCard || opt.CustomDataKeys != nil {
		t.Fatalf("options %+v", opt)
	}
	g := e.read(id)
	changes := members.Diff(declared, g.Members, nil, false)
	if len(changes.Profiles) != 0 {
		t.Fatalf("profiles %v", changes.Profiles)
	}
	e.emu.ResetStats()
	if _, fs := e.eng.Apply(context.Background(), g, changes); len(fs) > 0 {
		t.Fatal(fs)
	}
	if cmds := strings.Join(e.commands(), ","); cmds != "import_group_member,modify_group_member_info" && cmds != "modify_group_member_info,import_group_member" {
		t.Fatalf("calls %s", cmds)
	}
	if l := e.serverProfiles(id)[account(1)]; l.Role != members.RoleAdmin || l.NameCard != "kept" || l.CustomData["Level"] != "1" {
		t.Fatalf("user0001 %+v", l)
	}
}

// TestApplyProfileFailures: after each kind of failure, what Apply returns
// is what the server holds.
func TestApplyProfileFailures(t *testing.T) {
	declared := profileDeclared()
	for _, c := range []struct {
		name   string
		fault  *emulator.Fault
		keys   []string // configured custom fields; nil: profileKeys
		modify int      // modify calls made
		check  func(t *testing.T, fs []Failure)
	}{
		{
			name:   "a modify refused",
			fault:  &emulator.Fault{Command: "modify_group_member_info", Skip: 1, ErrorCode: 10007},
			modify: 2, // then no new call starts: not the imported member's
			check: func(t *testing.T, fs []Failure) {
				if len(fs) != 1 || fs[0].Command != "modify_group_member_info" || timapi.Code(fs[0].Err) != 10007 {
					t.Fatalf("failures %v", fs)
				}
			},
		},
		{
			name:   "the import fails",
			fault:  &emulator.Fault{Command: "import_group_member", ErrorCode: 10007},
			modify: 0, // the import goes first, and no call starts after it failed
			check: func(t *testing.T, fs []Failure) {
				if len(fs) != 1 || fs[0].Command != "import_group_member" {
					t.Fatalf("failures %v", fs)
				}
			},
		},
		{
			name:   "the imported member's modify fails",
			fault:  &emulator.Fault{Command: "modify_group_member_info", Skip: 3, ErrorCode: 10007},
			modify: 4,
			check: func(t *testing.T, fs []Failure) {
				if len(fs) != 1 || !slices.Equal(fs[0].Accounts, []string{account(5)}) {
					t.Fatalf("failures %v", fs)
				}
			},
		},
		{
			name:   "custom fields not configured",
			keys:   []string{"Other"},
			modify: 2,
			check: func(t *testing.T, fs []Failure) {
				if len(fs) != 1 || timapi.Code(fs[0].Err) != 10004 || !strings.Contains(fs[0].Detail, "not configured") {
					t.Fatalf("failures %v", fs)
				}
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			keys := c.keys
			if keys == nil {
				keys = profileKeys
			}
			e := newEnv(t, emulator.Settings{MemberDefinedKeys: keys}, 7)
			e.eng.Parallel = 1 // the calls in a known order: the import, user0001, 2, 4, then user0005
			id := e.group(timapi.GroupTypePublic, 4)
			e.setProfile(id, account(4), "old", nil)
			g := e.readWith(id, ReadOptionsFor(declared))
			changes := members.Diff(declared, g.Members, nil, false)
			if c.fault != nil {
				e.emu.InjectFault(*c.fault)
			}
			e.emu.ResetStats()
			got, fs := e.eng.Apply(context.Background(), g, changes)
			c.check(t, fs)
			if n := e.emu.Stats()["modify_group_member_info"].Calls; n != c.modify {
				t.Fatalf("%d modify calls (%v), want %d", n, e.commands(), c.modify)
			}
			if server := e.serverProfiles(id); !sameLive(got, server) {
				t.Fatalf("apply returned\n%v\nserver holds\n%v", got, server)
			}
		})
	}
}

// TestApplyProfileLostAnswer: a modify carried out whose answer came too
// late; SettleWith reads the profile the server holds.
func TestApplyProfileLostAnswer(t *testing.T) {
	e := newEnv(t, emulator.Settings{MemberDefinedKeys: profileKeys}, 2, func(c *timapi.Config) { c.RequestTimeout = 300 * time.Millisecond; c.MaxRetries = -1 })
	id := e.group(timapi.GroupTypePublic, 2)
	declared := map[string]members.Declared{account(1): {Role: members.RoleMember, NameCard: ptr("late")}, account(2): {Role: members.RoleMember}}
	opt := ReadOptionsFor(declared)
	g := e.readWith(id, opt)
	e.emu.InjectFault(emulator.Fault{Command: "modify_group_member_info", Delay: time.Second})
	got, fs := e.eng.Apply(context.Background(), g, members.Diff(declared, g.Members, nil, false))
	if len(fs) != 1 || fs[0].Command != "modify_group_member_info" {
		t.Fatalf("failures %v, want the timed-out modify", fs)
	}
	if got[account(1)].NameCard != "" {
		t.Fatalf("apply reports the name card of a call that failed: %+v", got[account(1)])
	}
	var server map[string]members.Live
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if server = e.serverProfiles(id); server[account(1)].NameCard == "late" || time.Now().After(deadline) {
			break
		}
	}
	if server[account(1)].NameCard != "late" {
		t.Fatal("the delayed modify was not carried out")
	}
	settled, err := e.eng.SettleWith(context.Background(), id, opt)
	if err != nil || !sameLive(settled, server) {
		t.Fatalf("settled %v (%v), server holds %v", settled, err, server)
	}
}

// TestApplyProfileRejoinAndRefusals: a rejoined member gets its profile set
// again; a member refused by import gets no modify; a member found already in
// the group (someone added it, or a retried import found its own first
// attempt) is read again and gets what its profile lacks, so that the state
// is what was declared; the state says what the server holds.
func TestApplyProfileRejoinAndRefusals(t *testing.T) {
	e := newEnv(t, emulator.Settings{MemberDefinedKeys: profileKeys}, 3)
	id := e.group(timapi.GroupTypePublic, 1)
	e.setProfile(id, account(1), "card", map[string]string{"Level": "1"})
	declared := map[string]members.Declared{
		account(1): {Role: members.RoleMember, JoinTime: createTime + 100, NameCard: ptr("card"), CustomData: map[string]string{"Level": "1"}}, // rejoin
		account(2): {Role: members.RoleMember, NameCard: ptr("sneaky")},                                                                        // added by someone else after the read
		"ghost":    {Role: members.RoleMember, NameCard: ptr("boo")},                                                                           // no such account
	}
	opt := ReadOptionsFor(declared)
	g := e.readWith(id, opt)
	changes := members.Diff(declared, g.Members, nil, false)
	if err := e.emu.PutMember(appID, id, emulator.Member{Account: account(2), JoinTime: createTime + 50, NameCard: "theirs"}); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetStats()
	got, fs := e.eng.Apply(context.Background(), g, changes)
	if len(fs) != 1 || !slices.Equal(fs[0].Accounts, []string{"ghost"}) {
		t.Fatalf("failures %v, want ghost's refusal only", fs)
	}
	if n := e.emu.Stats()["modify_group_member_info"].Calls; n != 2 {
		t.Fatalf("%d modify calls (%v), want the rejoined member's and the one found in the group", n, e.commands())
	}
	if l := e.serverProfiles(id)[account(2)]; l.NameCard != "sneaky" {
		t.Fatalf("the member found in the group has name card %q, want the declared sneaky", l.NameCard)
	}
	server := e.serverProfiles(id)
	if l := server[account(1)]; l.JoinTime != createTime+100 || l.NameCard != "card" || l.CustomData["Level"] != "1" {
		t.Fatalf("rejoined member %+v", l)
	}
	if !sameLive(got, server) {
		t.Fatalf("apply returned\n%v\nserver holds\n%v", got, server)
	}
}

// Reads that ask for different parts of the profiles are not shared: each
// options value has its own key, the zero value the plain one.
func TestReadOptionsKey(t *testing.T) {
	opts := []ReadOptions{
		{},
		{NameCard: true},
		{CustomDataKeys: []string{"Level"}},
		{NameCard: true, CustomDataKeys: []string{"Level"}},
		{CustomDataKeys: []string{"Level", "Team"}},
		{AllCustomData: true},
	}
	seen := map[string]int{}
	for i, o := range opts {
		k := o.key()
		if j, dup := seen[k]; dup {
			t.Fatalf("options %+v and %+v share the key %q", opts[j], o, k)
		}
		seen[k] = i
	}
	if (ReadOptions{CustomDataKeys: []string{}}).key() != "" {
		t.Fatal("empty keys are not the plain read")
	}
}
