package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// The verdict arithmetic is tested in bound/bound_test.go; this covers the
// parsing that feeds it.
func TestReadRow(t *testing.T) {
	cases := []struct {
		line, latMark, calls string // calls "" when the line is no row
		n, chunks            int
		target               string
	}{
		{"BenchmarkProtocol/n=10000/lat=20ms/Public/plan-2 \t 1\t 230221929 ns/op\t 200.6 api-ms/op\t 1.000 info-calls/op\t 51.00 pages-calls/op\t 1024 B/op",
			"✓ₚ", "✓ 52/52: info 1/1 · pages 51/51", 10000, 0, tgOffset},
		{"BenchmarkProtocol/n=10000/lat=20ms/Public/plan-2 1 1 ns/op 300 api-ms/op 1 info-calls/op 52 pages-calls/op", "✗", "✗ 53/52", 10000, 0, ""},
		{"BenchmarkProtocol/n=10000/lat=20ms/Community/plan-2 1 1 ns/op 1300 api-ms/op 1 info-calls/op 51 pages-calls/op", "✓ₚ", "✓ 52/52", 10000, 0, tgCommunity},
		{"BenchmarkProtocol/n=10000/lat=0s/Public/create-cap100-2 1 1 ns/op 3 info-calls/op 1 pages-calls/op 101 import-calls/op", "", "✓ 105/105", 10000, 0, ""},
		{"BenchmarkProtocol/n=10000/lat=0s/Public/create-2 1 1 ns/op 3 info-calls/op 1 pages-calls/op 34 import-calls/op 2 get_role_in_group-calls/op",
			"", "✗ 40/38", 10000, 0, ""},
		{"BenchmarkAccountsProtocol/n=100000/create-2 1 1 ns/op 1000 acct_import-calls/op 1000 acct_import-lb/op", "", "✓ 1000/1000", 100000, 0, tgResource},
		{"BenchmarkAccountsProtocol/n=100000/plan-2 1 1 ns/op 1001 acct_check-calls/op", "", "✗ 1001/1000", 100000, 0, ""},
		{"BenchmarkCLI/members/n=10000/churn/offset-2 1 27500000000 ns/op 2 info-calls/op 102 pages-calls/op 1 import-calls/op 1 delete-calls/op 100 modify-calls/op 2 acct_check-calls/op",
			"", "✓ 208/208: info 2/2 · pages 102/102 · import 1/1 · delete 1/1 · modify 100/100 · acct_check 2/2", 10000, 0, ""},
		{"BenchmarkCLI/members/n=10000/churn/terraform_data-2 1 22700000000 ns/op 22900 terraform-cpu-ms/op", "", "—", 10000, 0, tgPlain},
		{"BenchmarkCLI/chunks/n=10x10000/plan/resource-2 1 1 ns/op 2 info-calls/op 1002 pages-calls/op", "", "✓ 1004/502: info 2/1–10 · pages 1002/501–5010", 100000, 10, ""},
		{"BenchmarkCLI/chunks/n=10x10000/plan/resource-2 1 1 ns/op 11 info-calls/op 1002 pages-calls/op", "", "✗ 1013/502", 100000, 10, ""},
		{"BenchmarkCLI/accounts/n=10x10000/create/resource-2 1 1 ns/op 1000 acct_import-calls/op", "", "✓ 1000/1000", 100000, 10, ""},
		{"BenchmarkDiff100k-2 5 73200000 ns/op 31 allocs/op", "", "", 0, 0, ""},
		{"BenchmarkX-2 1 notanumber ns/op", "", "", 0, 0, ""},
		{"ok  \tpkg\t1.2s", "", "", 0, 0, ""},
	}
	for _, tc := range cases {
		g, parsed := parseBenchLine(tc.line)
		r, ok := readRow(g)
		if ok != (tc.calls != "") || ok && (!parsed || r.latMark != tc.latMark || !strings.HasPrefix(r.calls, tc.calls) || r.n != tc.n || r.chunks != tc.chunks || tc.target != "" && r.target != tc.target) {
			t.Errorf("%s: %v %v %+v", tc.line, parsed, ok, r)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args string
		ok   bool
	}{
		{"-sizes 1000,100000 -chunks 10x10000 -accounts-chunks none -only members,cty", true},
		{"-sizes 10x10", false}, {"-chunks 10", false}, {"-accounts-chunks 0x5", false}, {"-only bogus", false},
	} {
		var o options
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.register(fs)
		if err := fs.Parse(strings.Fields(tc.args)); (err == nil) != tc.ok || tc.ok && (len(o.sizes) != 2 || o.accountChunks != nil || len(o.only) != 2) {
			t.Errorf("%s: %v %+v", tc.args, err, o)
		}
	}
}
