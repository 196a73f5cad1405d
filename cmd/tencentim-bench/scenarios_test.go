package main

import (
	"strings"
	"testing"
	"time"
)

// The verdict arithmetic is tested in bound/bound_test.go; these cover the
// parsing that feeds it.

func TestParseBenchLine(t *testing.T) {
	g, ok := parseBenchLine("BenchmarkProtocol/n=10000/lat=20ms/Public/plan-2   \t 1\t 230221929 ns/op\t 200.6 api-ms/op\t 1.000 info-calls/op\t 51.00 pages-calls/op\t 1024 B/op")
	if !ok || g.name != "BenchmarkProtocol/n=10000/lat=20ms/Public/plan" || g.ns != 230221929 ||
		g.metrics["api-ms/op"] != 200.6 || g.metrics["pages-calls/op"] != 51 || g.metrics["B/op"] != 1024 {
		t.Fatalf("%+v %v", g, ok)
	}
	for _, bad := range []string{"PASS", "ok  \tpkg\t1.2s", "BenchmarkX-2 1 notanumber ns/op", "goos: linux"} {
		if _, ok := parseBenchLine(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestProtocolVerdict(t *testing.T) {
	cases := []struct {
		line            string
		callsOK         bool
		latMark, callsP string
	}{
		{"BenchmarkProtocol/n=10000/lat=20ms/Public/plan-2 1 1 ns/op 200 api-ms/op 1 info-calls/op 51 pages-calls/op", true, "✓ₚ", "✓ 52/52"},
		{"BenchmarkProtocol/n=10000/lat=20ms/Public/plan-2 1 1 ns/op 300 api-ms/op 1 info-calls/op 52 pages-calls/op", false, "✗", "✗ 53/52"},
		{"BenchmarkProtocol/n=10000/lat=20ms/Community/plan-2 1 1 ns/op 1300 api-ms/op 1 info-calls/op 51 pages-calls/op", true, "✓ₚ", "✓ 52/52"},
		{"BenchmarkProtocol/n=10000/lat=0s/Public/create-cap100-2 1 1 ns/op 1 info-calls/op 1 pages-calls/op 101 import-calls/op", true, "", "✓ 103/103"},
		{"BenchmarkProtocol/n=10000/lat=0s/Public/create-2 1 1 ns/op 1 info-calls/op 1 pages-calls/op 34 import-calls/op 2 get_role_in_group-calls/op", false, "", "✗ 38/36"},
		{"BenchmarkAccountsProtocol/n=100000/create-2 1 1 ns/op 1000 acct_import-calls/op 1000 acct_import-lb/op", true, "", "✓ 1000/1000"},
		{"BenchmarkAccountsProtocol/n=100000/plan-2 1 1 ns/op 1001 acct_check-calls/op", false, "", "✗ 1001/1000"},
	}
	for _, tc := range cases {
		g, ok := parseBenchLine(tc.line)
		if !ok {
			t.Fatalf("%q did not parse", tc.line)
		}
		r, ok := protocolVerdict(g)
		if !ok || r.callsOK != tc.callsOK || r.latMark != tc.latMark || !strings.HasPrefix(r.calls, tc.callsP) {
			t.Errorf("%s: %+v", tc.line, r)
		}
	}
	if _, ok := protocolVerdict(goBench{name: "BenchmarkDiff100k"}); ok {
		t.Error("BenchmarkDiff100k read as a protocol row")
	}
	if r, _ := protocolVerdict(goBench{name: "BenchmarkProtocol/n=100000/lat=20ms/Public/create"}); r.latency != 20*time.Millisecond || r.n != 100000 {
		t.Errorf("%+v", r)
	}
}

func TestParseSizes(t *testing.T) {
	if s, err := parseSizes("1000, 10_000,100000"); err != nil || len(s) != 3 || s[1] != 10000 {
		t.Errorf("%v %v", s, err)
	}
	if s, err := parseSizes("none"); err != nil || s != nil {
		t.Errorf("%v %v", s, err)
	}
	if _, err := parseSizes("0"); err == nil {
		t.Error("0 accepted")
	}
	if _, err := parseBig("offset:import bogus:create"); err == nil {
		t.Error("bogus target accepted")
	}
}
