package bound

import (
	"maps"
	"math"
	"testing"
	"time"
)

const ms20 = 20 * time.Millisecond

func TestBounds(t *testing.T) {
	cases := []struct {
		name                         string
		b                            Bound
		calls, max                   map[string]int
		critical, community, literal time.Duration // at 20 ms, 8 in parallel
	}{
		// each of the two plans reads the group's info (too many accounts to
		// check); then info, page, the probe batch, 33 batches in 5 rounds
		{"create at 300", Members(Create, 10_000, 300), map[string]int{Info: 3, Pages: 1, ImportMembers: 34}, nil, 10 * ms20, 10 * ms20, 38 * ms20 / 8},
		// two plans; info, page, the refused 300, the probe, 99 in 13 rounds
		{"create at 100", Members(Create, 10_000, 100), map[string]int{Info: 3, Pages: 1, ImportMembers: 101}, nil, 19 * ms20, 19 * ms20, 105 * ms20 / 8},
		// two plans of info and 10 account_check in 2 rounds; info, page,
		// refused 300 and 100, the probe, then 49 in 7 rounds
		{"create at 20", Members(Create, 1_000, 20), map[string]int{Info: 3, Pages: 1, ImportMembers: 52, AccountCheck: 20}, nil, 18 * ms20, 18 * ms20, 76 * ms20 / 8},
		{"create of one batch: no probe", Members(Create, 100, 300), map[string]int{Info: 3, Pages: 1, ImportMembers: 1, AccountCheck: 2}, nil, 7 * ms20, 7 * ms20, 7 * ms20 / 8},
		// 2,000 accounts are checked, 2,001 are not
		{"create at the check limit", Members(Create, 2_000, 300), map[string]int{Info: 3, Pages: 1, ImportMembers: 7, AccountCheck: 40}, nil, 12 * ms20, 12 * ms20, 51 * ms20 / 8},
		{"create above the check limit", Members(Create, 2_001, 300), map[string]int{Info: 3, Pages: 1, ImportMembers: 7}, nil, 6 * ms20, 6 * ms20, 11 * ms20 / 8},
		// info, first page, then 50 pages: 7 rounds of 8, or one by one
		{"plan", Members(Plan, 10_000, 300), map[string]int{Info: 1, Pages: 51}, nil, 9 * ms20, 52 * ms20, 52 * ms20 / 8},
		{"import", Members(Import, 100_000, 300), map[string]int{Info: 1, Pages: 501}, nil, 65 * ms20, 502 * ms20, 502 * ms20 / 8},
		// two plans checking the 100 new accounts, two reads of 9 rounds,
		// then 102 writes in 13 rounds
		{"churn", Members(Churn, 10_000, 300), map[string]int{Info: 2, Pages: 102, ImportMembers: 1, Delete: 1, Modify: 100, AccountCheck: 2}, nil, 33 * ms20, 119 * ms20, 208 * ms20 / 8},
		// two reads of 9 rounds (Offset) or 52 (Community), then 1,000
		// modifies in 125 rounds; a group of 300: reads of 3 rounds, 38 rounds
		{"name cards", Members(NameCards, 10_000, 300), map[string]int{Info: 2, Pages: 102, Modify: 1000}, nil, 143 * ms20, 229 * ms20, 1104 * ms20 / 8},
		{"name cards, small group", Members(NameCards, 300, 300), map[string]int{Info: 2, Pages: 4, Modify: 300}, nil, 44 * ms20, 44 * ms20, 306 * ms20 / 8},
		{"accounts create", Accounts(Create, 10_000), map[string]int{AccountImport: 100}, nil, 0, 0, 100 * ms20 / 8},
		{"accounts create, 100,000", Accounts(Create, 100_000), map[string]int{AccountImport: 1000}, nil, 0, 0, 1000 * ms20 / 8},
		{"accounts create, 101", Accounts(Create, 101), map[string]int{AccountImport: 2}, nil, 0, 0, 2 * ms20 / 8},
		{"accounts plan", Accounts(Plan, 100_001), map[string]int{AccountCheck: 1001}, nil, 0, 0, 1001 * ms20 / 8},
		// two plans reading the info per resource, then one shared read of
		// one page at least, one read each one after another at most (1 + 51
		// + ... + 451 pages); 34 imports per resource, not ceil(100,000/300) =
		// 334: each resource batches its own members
		{"chunked create", Chunked(Create, 10, 10_000, 300), map[string]int{Info: 21, Pages: 1, ImportMembers: 340},
			map[string]int{Info: 30, Pages: 1 + 51 + 101 + 151 + 201 + 251 + 301 + 351 + 401 + 451}, 0, 0, 362 * ms20 / 8},
		// resources small enough to have their accounts checked by each plan
		{"chunked create, small", Chunked(Create, 2, 1_000, 300), map[string]int{Info: 5, Pages: 1, ImportMembers: 8, AccountCheck: 40},
			map[string]int{Info: 6, Pages: 1 + 6}, 0, 0, 54 * ms20 / 8},
		// the whole group of 100,000 plus the owner, read once (shared) or
		// once per resource
		{"chunked plan", Chunked(Plan, 10, 10_000, 300), map[string]int{Info: 1, Pages: 501}, map[string]int{Info: 10, Pages: 5010}, 0, 0, 502 * ms20 / 8},
	}
	for _, tc := range cases {
		if !maps.Equal(tc.b.Calls, tc.calls) || !maps.Equal(tc.b.Max, tc.max) {
			t.Errorf("%s: calls %v max %v, want %v %v", tc.name, tc.b.Calls, tc.b.Max, tc.calls, tc.max)
		}
		if got := tc.b.CriticalPath(ms20, 8, false); got != tc.critical {
			t.Errorf("%s: critical path (Offset) %v, want %v", tc.name, got, tc.critical)
		}
		if got := tc.b.CriticalPath(ms20, 8, true); got != tc.community {
			t.Errorf("%s: critical path (Community) %v, want %v", tc.name, got, tc.community)
		}
		if got := tc.b.Literal(ms20, 8); got != tc.literal {
			t.Errorf("%s: bound as written %v, want %v", tc.name, got, tc.literal)
		}
	}
}

func TestCalls(t *testing.T) {
	lb := Members(Plan, 10_000, 300)
	cases := []struct {
		name string
		made map[string]int
		b    Bound
		text string
		ok   bool
	}{
		{"equal", map[string]int{Info: 1, Pages: 51}, lb, "info 1/1 · pages 51/51", true},
		{"one page more", map[string]int{Info: 1, Pages: 52}, lb, "info 1/1 · pages 52/51 ✗", false},
		{"one page less", map[string]int{Info: 1, Pages: 50}, lb, "info 1/1 · pages 50/51 ✗", false},
		{"unexpected command", map[string]int{Info: 1, Pages: 51, "get_role_in_group": 3}, lb, "info 1/1 · pages 51/51 · get_role_in_group 3/0 ✗", false},
		{"missing command", map[string]int{Pages: 51}, lb, "info 0/1 ✗ · pages 51/51", false},
		{"range, inside", map[string]int{Info: 25, Pages: 12, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 25/21–30 · pages 12/1–2260 · import 340/340", true},
		{"range, below", map[string]int{Info: 20, Pages: 1, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 20/21–30 ✗ · pages 1/1–2260 · import 340/340", false},
		{"range, above", map[string]int{Info: 31, Pages: 2261, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 31/21–30 ✗ · pages 2261/1–2260 ✗ · import 340/340", false},
		{"range, imports exact", map[string]int{Info: 21, Pages: 1, ImportMembers: 341}, Chunked(Create, 10, 10_000, 300), "info 21/21–30 · pages 1/1–2260 · import 341/340 ✗", false},
		{"shared plan read", map[string]int{Info: 1, Pages: 501}, Chunked(Plan, 10, 10_000, 300), "info 1/1–10 · pages 501/501–5010", true},
		{"accounts", map[string]int{AccountCheck: 100}, Accounts(Plan, 10_000), "acct_check 100/100", true},
		{"nothing", map[string]int{}, Bound{}, "", true},
	}
	for _, tc := range cases {
		text, ok := Calls(tc.made, tc.b)
		if text != tc.text || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.name, text, ok, tc.text, tc.ok)
		}
	}
}

func TestLatency(t *testing.T) {
	plan := Members(Plan, 10_000, 300) // 52 calls: as written 130 ms; critical path 180 ms (Offset), 1.04 s (Community)
	cases := []struct {
		name      string
		span      time.Duration
		community bool
		want      string
	}{
		{"within the bound as written", 169 * time.Millisecond, false, "✓"},
		{"just above it", 170 * time.Millisecond, false, "✓ₚ"},
		{"at 1.3 × the critical path", 234 * time.Millisecond, false, "✓ₚ"},
		{"above it", 235 * time.Millisecond, false, "✗"},
		{"Community: sequential pages", 1300 * time.Millisecond, true, "✓ₚ"},
		{"Community: too slow", 1400 * time.Millisecond, true, "✗"},
	}
	for _, tc := range cases {
		if got := Latency(tc.span, plan, ms20, 8, tc.community); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestRules pins the small rules: the refusals before the provider finds a
// lower import cap, the churn size, and the ratio, exponent and RSS checks.
func TestRules(t *testing.T) {
	ok := func(_ float64, ok bool) bool { return ok }
	round := func(k float64) float64 { return math.Round(k*1e9) / 1e9 }
	cases := []struct {
		name      string
		got, want any
	}{
		{"refusals at 300", RefusalsToFind(300), 0}, {"at 500", RefusalsToFind(500), 0}, {"at 100", RefusalsToFind(100), 1},
		{"at 20", RefusalsToFind(20), 2}, {"at 1", RefusalsToFind(1), 2},
		{"churn of 1", ChurnSize(1), 1}, {"of 99", ChurnSize(99), 1}, {"of 1,000", ChurnSize(1000), 10}, {"of 100,000", ChurnSize(100_000), 1000},
		{"1.5×", ok(WithinRatio(15*time.Second, 10*time.Second)), true}, {"above", ok(WithinRatio(15*time.Second+time.Millisecond, 10*time.Second)), false},
		{"faster", ok(WithinRatio(time.Second, 10*time.Second)), true}, {"no baseline", ok(WithinRatio(time.Second, 0)), false},
		{"quadratic", round(Exponent(10_000, 2, 20_000, 8)), 2.0}, {"linear", round(Exponent(10_000, 2, 20_000, 4)), 1.0},
		{"no time", math.IsNaN(Exponent(10_000, 0, 20_000, 4)), true},
		{"no RSS", RSSWithin(0), false}, {"100 MB", RSSWithin(100 * 1024), true}, {"just below", RSSWithin(300*1024 - 1), true},
		{"300 MB", RSSWithin(300 * 1024), false},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
