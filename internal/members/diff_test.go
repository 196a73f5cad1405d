package members

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

func managedSet(accounts ...string) func(string) bool {
	return func(a string) bool { return slices.Contains(accounts, a) }
}

func TestDiff(t *testing.T) {
	owner := Live{Role: RoleOwner, JoinTime: 100}
	cases := []struct {
		name      string
		declared  map[string]Declared
		live      map[string]Live
		managed   func(string) bool
		exclusive bool
		want      Changes
	}{
		{
			name:     "empty group imports everyone, Admin kept",
			declared: map[string]Declared{"b": {Role: RoleMember}, "a": {Role: RoleAdmin, JoinTime: 200, UnreadMsgNum: 5}},
			live:     map[string]Live{"boss": owner},
			want: Changes{Import: []Import{
				{Account: "a", Declared: Declared{Role: RoleAdmin, JoinTime: 200, UnreadMsgNum: 5}},
				{Account: "b", Declared: Declared{Role: RoleMember}},
			}},
		},
		{
			name:     "no changes when live matches",
			declared: map[string]Declared{"a": {Role: RoleAdmin}, "b": {Role: RoleMember, JoinTime: 300}},
			live:     map[string]Live{"boss": owner, "a": {Role: RoleAdmin, JoinTime: 250}, "b": {Role: RoleMember, JoinTime: 300}},
			want:     Changes{},
		},
		{
			name:     "role change is a modify, not remove+add",
			declared: map[string]Declared{"a": {Role: RoleAdmin}, "b": {Role: RoleMember}},
			live:     map[string]Live{"a": {Role: RoleMember, JoinTime: 1}, "b": {Role: RoleAdmin, JoinTime: 1}},
			want:     Changes{RoleChanges: []RoleChange{{"a", RoleAdmin}, {"b", RoleMember}}},
		},
		{
			name:     "changed join_time rejoins",
			declared: map[string]Declared{"a": {Role: RoleAdmin, JoinTime: 500}},
			live:     map[string]Live{"a": {Role: RoleMember, JoinTime: 400}},
			want: Changes{
				Import: []Import{{Account: "a", Declared: Declared{Role: RoleAdmin, JoinTime: 500}}},
				Remove: []string{"a"}, Rejoin: []string{"a"},
			},
		},
		{
			name:     "non-exclusive removes only previously managed members",
			declared: map[string]Declared{"a": {Role: RoleMember}},
			live:     map[string]Live{"boss": owner, "a": {Role: RoleMember}, "gone": {Role: RoleMember}, "other": {Role: RoleAdmin}},
			managed:  managedSet("a", "gone", "never-live"),
			want:     Changes{Remove: []string{"gone"}},
		},
		{
			name:      "exclusive removes every undeclared member but the owner",
			declared:  map[string]Declared{"a": {Role: RoleMember}},
			live:      map[string]Live{"boss": owner, "a": {Role: RoleMember}, "x": {Role: RoleMember}, "y": {Role: RoleAdmin}},
			exclusive: true,
			want:      Changes{Remove: []string{"x", "y"}},
		},
		{
			name: "a live member's profile: only what differs, unmanaged fields left",
			declared: map[string]Declared{
				"a": {Role: RoleMember, NameCard: ptr("x"), CustomData: map[string]string{"k": "1", "j": ""}},
				"b": {Role: RoleMember, CustomData: map[string]string{"k": ""}},
				"c": {Role: RoleMember, NameCard: ptr("same")},
			},
			live: map[string]Live{
				"a": {Role: RoleMember, NameCard: "y", CustomData: map[string]string{"k": "1", "j": "2", "z": "3"}},
				"b": {Role: RoleMember, NameCard: "unmanaged"},
				"c": {Role: RoleMember, NameCard: "same", CustomData: map[string]string{"k": "9"}},
			},
			want: Changes{Profiles: []ProfileChange{{Account: "a", NameCard: ptr("x"), CustomData: map[string]string{"j": ""}}}},
		},
		{
			name:     "role and profile of one member: one entry in each list",
			declared: map[string]Declared{"a": {Role: RoleAdmin, NameCard: ptr("")}},
			live:     map[string]Live{"a": {Role: RoleMember, NameCard: "old"}},
			want: Changes{
				RoleChanges: []RoleChange{{"a", RoleAdmin}},
				Profiles:    []ProfileChange{{Account: "a", NameCard: ptr("")}},
			},
		},
		{
			name: "an imported member's profile: what is not empty",
			declared: map[string]Declared{
				"n": {Role: RoleMember, NameCard: ptr(""), CustomData: map[string]string{"k": "1", "j": ""}},
				"m": {Role: RoleAdmin, NameCard: ptr("card")},
				"e": {Role: RoleMember, NameCard: ptr(""), CustomData: map[string]string{"j": ""}},
			},
			live: map[string]Live{},
			want: Changes{
				Import: []Import{
					{Account: "e", Declared: Declared{Role: RoleMember, NameCard: ptr(""), CustomData: map[string]string{"j": ""}}},
					{Account: "m", Declared: Declared{Role: RoleAdmin, NameCard: ptr("card")}},
					{Account: "n", Declared: Declared{Role: RoleMember, NameCard: ptr(""), CustomData: map[string]string{"k": "1", "j": ""}}},
				},
				Profiles: []ProfileChange{
					{Account: "m", NameCard: ptr("card")},
					{Account: "n", CustomData: map[string]string{"k": "1"}},
				},
			},
		},
		{
			name:     "a rejoin starts from an empty profile",
			declared: map[string]Declared{"a": {Role: RoleMember, JoinTime: 500, NameCard: ptr("same"), CustomData: map[string]string{"k": "1"}}},
			live:     map[string]Live{"a": {Role: RoleMember, JoinTime: 400, NameCard: "same", CustomData: map[string]string{"k": "1"}}},
			want: Changes{
				Import:   []Import{{Account: "a", Declared: Declared{Role: RoleMember, JoinTime: 500, NameCard: ptr("same"), CustomData: map[string]string{"k": "1"}}}},
				Remove:   []string{"a"},
				Rejoin:   []string{"a"},
				Profiles: []ProfileChange{{Account: "a", NameCard: ptr("same"), CustomData: map[string]string{"k": "1"}}},
			},
		},
		{
			name:     "the owner's profile is never acted on",
			declared: map[string]Declared{"boss": {Role: RoleMember, NameCard: ptr("x")}},
			live:     map[string]Live{"boss": owner},
			want:     Changes{},
		},
		{
			name:      "the owner is never acted on even when declared",
			declared:  map[string]Declared{"boss": {Role: RoleMember, JoinTime: 7}},
			live:      map[string]Live{"boss": owner},
			exclusive: true,
			want:      Changes{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Diff(c.declared, c.live, c.managed, c.exclusive)
			if !reflect.DeepEqual(normalize(got), normalize(c.want)) {
				t.Fatalf("Diff =\n%+v\nwant\n%+v", got, c.want)
			}
			if got.Empty() != c.want.Empty() {
				t.Fatalf("Empty() = %v", got.Empty())
			}
		})
	}
}

// normalize maps nil and empty slices to nil so DeepEqual compares content.
func normalize(c Changes) Changes {
	if len(c.Import) == 0 {
		c.Import = nil
	}
	if len(c.Remove) == 0 {
		c.Remove = nil
	}
	if len(c.RoleChanges) == 0 {
		c.RoleChanges = nil
	}
	if len(c.Rejoin) == 0 {
		c.Rejoin = nil
	}
	if len(c.Profiles) == 0 {
		c.Profiles = nil
	}
	return c
}

// apply simulates the changes on a copy of live, the way the server would.
func apply(live map[string]Live, c Changes) map[string]Live {
	out := make(map[string]Live, len(live))
	for k, v := range live {
		out[k] = v
	}
	for _, a := range c.Remove {
		delete(out, a)
	}
	for _, m := range c.Import {
		out[m.Account] = Live{Role: m.Role, JoinTime: m.JoinTime}
	}
	for _, r := range c.RoleChanges {
		l := out[r.Account]
		l.Role = r.Role
		out[r.Account] = l
	}
	for _, p := range c.Profiles {
		l, ok := out[p.Account]
		if !ok {
			panic("profile change for a non-member " + p.Account)
		}
		if p.NameCard != nil {
			l.NameCard = *p.NameCard
		}
		if p.CustomData != nil {
			data := maps.Clone(l.CustomData)
			if data == nil {
				data = map[string]string{}
			}
			for k, v := range p.CustomData {
				if v == "" {
					delete(data, k)
				} else {
					data[k] = v
				}
			}
			if len(data) == 0 {
				data = nil
			}
			l.CustomData = data
		}
		out[p.Account] = l
	}
	return out
}

func FuzzDiff(f *testing.F) {
	f.Add("a:A:1,b:M:0", "a:M:1,c:M:5,o:O:1", "c", false)
	f.Add("", "x:A:3", "", true)
	f.Add("a:M:0:card:k=1;j=,b:A:2:-:k=,n:M:0::x=9", "a:M:1:old:k=2;j=3;z=4,b:M:1:c:k=5,o:O:1:boss:k=1", "", false)
	f.Fuzz(func(t *testing.T, declaredSpec, liveSpec, managedSpec string, exclusive bool) {
		declared := map[string]Declared{}
		for _, e := range parseSpec(declaredSpec) {
			if e.role == RoleOwner {
				e.role = RoleMember
			}
			declared[e.account] = Declared{Role: e.role, JoinTime: e.joinTime, NameCard: e.card, CustomData: e.data}
		}
		live := map[string]Live{}
		for _, e := range parseSpec(liveSpec) {
			l := Live{Role: e.role, JoinTime: e.joinTime, CustomData: nonEmpty(e.data)}
			if e.card != nil {
				l.NameCard = *e.card
			}
			live[e.account] = l
		}
		managed := strings.Split(managedSpec, ",")
		c := Diff(declared, live, managedSet(managed...), exclusive)
		after := apply(live, c)
		for acct, d := range declared {
			l, ok := after[acct]
			if !ok {
				t.Fatalf("declared %q missing after apply", acct)
			}
			if live[acct].Role == RoleOwner {
				continue
			}
			if l.Role != d.Role || (d.JoinTime != 0 && l.JoinTime != d.JoinTime) {
				t.Fatalf("declared %q = %+v, after apply %+v", acct, d, l)
			}
			if d.NameCard != nil && l.NameCard != *d.NameCard {
				t.Fatalf("declared %q name card %q, after apply %q", acct, *d.NameCard, l.NameCard)
			}
			for k, v := range d.CustomData {
				if l.CustomData[k] != v {
					t.Fatalf("declared %q %s=%q, after apply %q", acct, k, v, l.CustomData[k])
				}
			}
			// What is not managed stays as it was, unless the member rejoined.
			if old, ok := live[acct]; ok && !slices.Contains(c.Rejoin, acct) {
				if d.NameCard == nil && l.NameCard != old.NameCard {
					t.Fatalf("unmanaged name card of %q changed", acct)
				}
				for k, v := range old.CustomData {
					if _, managed := d.CustomData[k]; !managed && l.CustomData[k] != v {
						t.Fatalf("unmanaged %s of %q changed", k, acct)
					}
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range c.Profiles {
			if seen[p.Account] || p.NameCard == nil && len(p.CustomData) == 0 || live[p.Account].Role == RoleOwner {
				t.Fatalf("profile change %+v: repeated, empty or for the owner", p)
			}
			seen[p.Account] = true
		}
		for acct, l := range live {
			if l.Role == RoleOwner {
				if !after[acct].Equal(l) {
					t.Fatalf("owner %q was changed", acct)
				}
				continue
			}
			_, isDeclared := declared[acct]
			_, kept := after[acct]
			removable := exclusive || slices.Contains(managed, acct)
			if !isDeclared && kept == removable {
				t.Fatalf("undeclared %q kept=%v, removable=%v", acct, kept, removable)
			}
		}
		if again := Diff(declared, after, managedSet(managed...), exclusive); !again.Empty() {
			t.Fatalf("second diff not empty: %+v", again)
		}
	})
}

type specEntry struct {
	account, role string
	joinTime      int64
	card          *string           // nil: "-" or absent
	data          map[string]string // "" values kept
}

// parseSpec reads "acct:R:jointime[:card[:k=v;k=v]],..." where R is A, M
// or O, and a card of "-" is none.
func parseSpec(s string) []specEntry {
	var out []specEntry
	for _, item := range strings.Split(s, ",") {
		parts := strings.Split(item, ":")
		if len(parts) < 3 || len(parts) > 5 || parts[0] == "" {
			continue
		}
		role := map[string]string{"A": RoleAdmin, "M": RoleMember, "O": RoleOwner}[parts[1]]
		if role == "" {
			continue
		}
		e := specEntry{account: parts[0], role: role}
		_, _ = fmt.Sscan(parts[2], &e.joinTime)
		if len(parts) > 3 && parts[3] != "-" {
			e.card = &parts[3]
		}
		if len(parts) > 4 {
			for _, pair := range strings.Split(parts[4], ";") {
				if k, v, ok := strings.Cut(pair, "="); ok && k != "" {
					if e.data == nil {
						e.data = map[string]string{}
					}
					e.data[k] = v
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// nonEmpty drops the empty values, as the server holds no empty field.
func nonEmpty(data map[string]string) map[string]string {
	var out map[string]string
	for k, v := range data {
		if v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func benchmarkDiff(b *testing.B, n int) {
	declared := make(map[string]Declared, n)
	live := make(map[string]Live, n)
	for i := range n {
		acct := fmt.Sprintf("user%06d", i)
		declared[acct] = Declared{Role: RoleMember}
		switch i % 100 {
		case 0: // 1% churn: added
		case 1:
			live[acct] = Live{Role: RoleAdmin, JoinTime: 1}
		default:
			live[acct] = Live{Role: RoleMember, JoinTime: 1}
		}
		if i%100 == 2 {
			live[acct+"x"] = Live{Role: RoleMember, JoinTime: 1}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Diff(declared, live, nil, true)
	}
}

func BenchmarkDiff1k(b *testing.B)   { benchmarkDiff(b, 1_000) }
func BenchmarkDiff10k(b *testing.B)  { benchmarkDiff(b, 10_000) }
func BenchmarkDiff100k(b *testing.B) { benchmarkDiff(b, 100_000) }

// BenchmarkDiffCreate100k is the create case: every declared member is
// imported, so the whole list is sorted.
func BenchmarkDiffCreate100k(b *testing.B) {
	declared := make(map[string]Declared, 100_000)
	for i := range 100_000 {
		declared[fmt.Sprintf("user%06d", i)] = Declared{Role: RoleMember}
	}
	live := map[string]Live{"owner": {Role: RoleOwner}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Diff(declared, live, nil, false)
	}
}
