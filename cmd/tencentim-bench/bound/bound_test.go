package bound

import (
	"math"
	"testing"
	"time"
)

const ms20 = 20 * time.Millisecond

func TestMembers(t *testing.T) {
	cases := []struct {
		name                string
		scenario            string
		n, importCap        int
		calls               map[string]int
		critical, community time.Duration // at 20 ms, 8 in parallel
		literal             time.Duration
	}{
		// info, page, the probe batch, then 33 batches in 5 rounds
		{"create at 300", Create, 10_000, 300, map[string]int{Info: 1, Pages: 1, ImportMembers: 34}, 8 * ms20, 8 * ms20, 36 * ms20 / 8},
		// info, page, the refused 300, the probe, then 99 in 13 rounds
		{"create at 100", Create, 10_000, 100, map[string]int{Info: 1, Pages: 1, ImportMembers: 101}, 17 * ms20, 17 * ms20, 103 * ms20 / 8},
		// info, page, refused 300 and 100, the probe, then 49 in 7 rounds
		{"create at 20", Create, 1_000, 20, map[string]int{Info: 1, Pages: 1, ImportMembers: 52}, 12 * ms20, 12 * ms20, 54 * ms20 / 8},
		{"create of one batch: no probe", Create, 100, 300, map[string]int{Info: 1, Pages: 1, ImportMembers: 1}, 3 * ms20, 3 * ms20, 3 * ms20 / 8},
		// info, first page, then 50 pages: 7 rounds of 8, or one by one
		{"plan", Plan, 10_000, 300, map[string]int{Info: 1, Pages: 51}, 9 * ms20, 52 * ms20, 52 * ms20 / 8},
		{"import", Import, 100_000, 300, map[string]int{Info: 1, Pages: 501}, 65 * ms20, 502 * ms20, 502 * ms20 / 8},
		// two reads of 9 rounds, then 102 writes in 13 rounds
		{"churn", Churn, 10_000, 300, map[string]int{Info: 2, Pages: 102, ImportMembers: 1, Delete: 1, Modify: 100}, 31 * ms20, 117 * ms20, 206 * ms20 / 8},
		{"validate", Validate, 10_000, 300, map[string]int{}, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := Members(tc.scenario, tc.n, tc.importCap)
			if len(b.Calls) != len(tc.calls) {
				t.Errorf("calls %v, want %v", b.Calls, tc.calls)
			}
			for cmd, want := range tc.calls {
				if b.Calls[cmd] != want {
					t.Errorf("%s: %d calls, want %d", cmd, b.Calls[cmd], want)
				}
			}
			if got := b.CriticalPath(ms20, 8, false); got != tc.critical {
				t.Errorf("critical path (Offset) %v, want %v", got, tc.critical)
			}
			if got := b.CriticalPath(ms20, 8, true); got != tc.community {
				t.Errorf("critical path (Community) %v, want %v", got, tc.community)
			}
			if got := b.Literal(ms20, 8); got != tc.literal {
				t.Errorf("bound as written %v, want %v", got, tc.literal)
			}
		})
	}
}

func TestRefusalsToFind(t *testing.T) {
	for serverCap, want := range map[int]int{300: 0, 500: 0, 100: 1, 20: 2, 1: 2} {
		if got := RefusalsToFind(serverCap); got != want {
			t.Errorf("cap %d: %d refusals, want %d", serverCap, got, want)
		}
	}
}

func TestChurnSize(t *testing.T) {
	for n, want := range map[int]int{1: 1, 99: 1, 1000: 10, 100_000: 1000} {
		if got := ChurnSize(n); got != want {
			t.Errorf("ChurnSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestAccounts(t *testing.T) {
	cases := []struct {
		scenario string
		n        int
		want     map[string]int
	}{
		{Create, 10_000, map[string]int{AccountImport: 100}},
		{Create, 100_000, map[string]int{AccountImport: 1000}},
		{Create, 101, map[string]int{AccountImport: 2}},
		{Plan, 10_000, map[string]int{AccountCheck: 100}},
		{Plan, 100_001, map[string]int{AccountCheck: 1001}},
	}
	for _, tc := range cases {
		b := Accounts(tc.scenario, tc.n)
		if len(b.Calls) != 1 || b.Calls[AccountImport] != tc.want[AccountImport] || b.Calls[AccountCheck] != tc.want[AccountCheck] {
			t.Errorf("%s %d: %v, want %v", tc.scenario, tc.n, b.Calls, tc.want)
		}
	}
}

func TestChunked(t *testing.T) {
	c := Chunked(Create, 10, 10_000, 300)
	// one shared read of one page at least; 34 imports per resource (not
	// ceil(100,000/300) = 334: each resource batches its own members)
	if c.Calls[Info] != 1 || c.Calls[Pages] != 1 || c.Calls[ImportMembers] != 340 || c.Max[Info] != 10 {
		t.Errorf("create: %v %v", c.Calls, c.Max)
	}
	// one read each, one after another: 1 + 51 + 101 + ... + 451 pages
	if c.Max[Pages] != 1+51+101+151+201+251+301+351+401+451 {
		t.Errorf("create: max pages %d", c.Max[Pages])
	}
	if _, ok := c.Max[ImportMembers]; ok {
		t.Error("create: imports are exact")
	}
	p := Chunked(Plan, 10, 10_000, 300)
	// the whole group of 100,000 plus the owner, read once (shared) or once
	// per resource
	if p.Calls[Info] != 1 || p.Calls[Pages] != 501 || p.Max[Info] != 10 || p.Max[Pages] != 5010 {
		t.Errorf("plan: %v %v", p.Calls, p.Max)
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
		{"range, inside", map[string]int{Info: 10, Pages: 12, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 10/1–10 · pages 12/1–2260 · import 340/340", true},
		{"range, below", map[string]int{Info: 0, Pages: 1, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 0/1–10 ✗ · pages 1/1–2260 · import 340/340", false},
		{"range, above", map[string]int{Info: 11, Pages: 2261, ImportMembers: 340}, Chunked(Create, 10, 10_000, 300), "info 11/1–10 ✗ · pages 2261/1–2260 ✗ · import 340/340", false},
		{"range, imports exact", map[string]int{Info: 1, Pages: 1, ImportMembers: 341}, Chunked(Create, 10, 10_000, 300), "info 1/1–10 · pages 1/1–2260 · import 341/340 ✗", false},
		{"shared plan read", map[string]int{Info: 1, Pages: 501}, Chunked(Plan, 10, 10_000, 300), "info 1/1–10 · pages 501/501–5010", true},
		{"accounts", map[string]int{AccountCheck: 100}, Accounts(Plan, 10_000), "acct_check 100/100", true},
		{"nothing", map[string]int{}, Members(Validate, 10, 300), "", true},
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

func TestWithinRatio(t *testing.T) {
	cases := []struct {
		wall, base time.Duration
		ok         bool
	}{
		{15 * time.Second, 10 * time.Second, true},
		{15*time.Second + time.Millisecond, 10 * time.Second, false},
		{time.Second, 10 * time.Second, true},
		{time.Second, 0, false},
	}
	for _, tc := range cases {
		if _, ok := WithinRatio(tc.wall, tc.base); ok != tc.ok {
			t.Errorf("%v against %v: %v, want %v", tc.wall, tc.base, ok, tc.ok)
		}
	}
}

func TestExponent(t *testing.T) {
	if k := Exponent(10_000, 2, 20_000, 8); math.Abs(k-2) > 1e-9 {
		t.Errorf("quadratic: %v", k)
	}
	if k := Exponent(10_000, 2, 20_000, 4); math.Abs(k-1) > 1e-9 {
		t.Errorf("linear: %v", k)
	}
	if k := Exponent(10_000, 0, 20_000, 4); !math.IsNaN(k) {
		t.Errorf("no time: %v", k)
	}
}

func TestRSSWithin(t *testing.T) {
	for kb, want := range map[int64]bool{0: false, 100 * 1024: true, 300*1024 - 1: true, 300 * 1024: false} {
		if got := RSSWithin(kb); got != want {
			t.Errorf("%d kB: %v, want %v", kb, got, want)
		}
	}
}
