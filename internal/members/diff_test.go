package members

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

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
	return out
}

func FuzzDiff(f *testing.F) {
	f.Add("a:A:1,b:M:0", "a:M:1,c:M:5,o:O:1", "c", false)
	f.Add("", "x:A:3", "", true)
	f.Fuzz(func(t *testing.T, declaredSpec, liveSpec, managedSpec string, exclusive bool) {
		declared := map[string]Declared{}
		for _, e := range parseSpec(declaredSpec) {
			if e.role == RoleOwner {
				e.role = RoleMember
			}
			declared[e.account] = Declared{Role: e.role, JoinTime: e.joinTime}
		}
		live := map[string]Live{}
		for _, e := range parseSpec(liveSpec) {
			live[e.account] = Live{Role: e.role, JoinTime: e.joinTime}
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
		}
		for acct, l := range live {
			if l.Role == RoleOwner {
				if after[acct] != l {
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
}

// parseSpec reads "acct:R:jointime,..." where R is A, M or O.
func parseSpec(s string) []specEntry {
	var out []specEntry
	for _, item := range strings.Split(s, ",") {
		parts := strings.Split(item, ":")
		if len(parts) != 3 || parts[0] == "" {
			continue
		}
		role := map[string]string{"A": RoleAdmin, "M": RoleMember, "O": RoleOwner}[parts[1]]
		if role == "" {
			continue
		}
		var jt int64
		_, _ = fmt.Sscan(parts[2], &jt)
		out = append(out, specEntry{parts[0], role, jt})
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
