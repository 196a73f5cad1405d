// Package bound holds the arithmetic that decides every pass/fail verdict of
// `make bench`: the lower bound of API calls per scenario, the critical path
// of those calls, and the ratio and latency checks. It has no I/O, so that
// its table tests pin every verdict, and the protocol benchmarks in
// internal/provider import it to report the bound beside the calls made.
// bench/README.md explains the reasoning.
package bound

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Scenarios.
const (
	Create   = "create"
	Plan     = "plan"
	Churn    = "churn"
	Import   = "import"
	Validate = "validate"
)

// API commands.
const (
	Info          = "get_group_info"
	Pages         = "get_group_member_info"
	ImportMembers = "import_group_member"
	Delete        = "delete_group_member"
	Modify        = "modify_group_member_info"
	AccountImport = "multiaccount_import"
	AccountCheck  = "account_check"
)

// Order and Short name the commands in the order and words of the table.
var (
	Order = []string{Info, Pages, ImportMembers, Delete, Modify, AccountImport, AccountCheck}
	Short = map[string]string{Info: "info", Pages: "pages", ImportMembers: "import", Delete: "delete",
		Modify: "modify", AccountImport: "acct_import", AccountCheck: "acct_check"}
)

// Batch sizes: the provider's defaults, and the import cap the main rows run
// the emulator at (the oldest documented one).
const (
	ImportBatch     = 300
	DeleteBatch     = 100
	PageSize        = 200
	AccountsPerCall = 100
)

// Targets from the issue.
const (
	Slack      = 1.3 // API time against its bound
	Ratio      = 1.5 // wall time against the baseline
	RSSLimitKB = 300 * 1024
)

func CeilDiv(a, b int) int { return (a + b - 1) / b }

// ChurnSize is how many members a 1% churn adds, removes and changes role of.
func ChurnSize(n int) int { return max(1, n/100) }

// Bound is the lower bound of one command: calls per command, and how they
// depend on each other, for the time bound.
type Bound struct {
	Calls map[string]int
	// Max, where set, is the upper end of a command whose count depends on
	// Terraform's scheduling (see Chunked); the command passes within
	// [Calls, Max].
	Max map[string]int
	// Reads of the group (get_group_info, then pages), PagesPerRead each;
	// Writes: import/delete/modify calls that can all run in parallel.
	Reads, PagesPerRead, Writes int
	// Probe: the writes start with one import batch alone, after Refused
	// batches refused one at a time while finding a lower import cap.
	Probe   bool
	Refused int
}

// Total is the sum of the lower bound over commands.
func (b Bound) Total() int {
	t := 0
	for _, n := range b.Calls {
		t += n
	}
	return t
}

// RefusalsToFind is how many import calls a server at importCap refuses
// before the provider, starting at 300, steps down to it through the
// documented caps 300, 100, 20.
func RefusalsToFind(importCap int) int {
	n := 0
	for _, c := range []int{300, 100} {
		if c > importCap {
			n++
		}
	}
	return n
}

// Members is the bound of one tencentim_group_members command on a group of
// n members plus its owner (create starts from the owner alone), against a
// server whose import cap is importCap.
func Members(scenario string, n, importCap int) Bound {
	readPages := CeilDiv(n+1, PageSize)
	switch scenario {
	case Create:
		refused := RefusalsToFind(importCap)
		imports := CeilDiv(n, importCap) + refused
		return Bound{Calls: map[string]int{Info: 1, Pages: 1, ImportMembers: imports}, Reads: 1, PagesPerRead: 1,
			Writes: imports, Probe: imports > 1, Refused: refused}
	case Churn:
		k := ChurnSize(n)
		imports, deletes := CeilDiv(k, importCap)+RefusalsToFind(importCap), CeilDiv(k, DeleteBatch)
		return Bound{Calls: map[string]int{Info: 2, Pages: 2 * readPages, ImportMembers: imports, Delete: deletes, Modify: k},
			Reads: 2, PagesPerRead: readPages, Writes: imports + deletes + k}
	case Validate:
		return Bound{Calls: map[string]int{}}
	default: // plan (the refresh), import (the read after ImportResourceState)
		return Bound{Calls: map[string]int{Info: 1, Pages: readPages}, Reads: 1, PagesPerRead: readPages}
	}
}

// Accounts is the bound of a tencentim_accounts command over n accounts:
// a create imports them 100 at a time, a refresh checks them 100 at a time.
func Accounts(scenario string, n int) Bound {
	if scenario == Create {
		return Bound{Calls: map[string]int{AccountImport: CeilDiv(n, AccountsPerCall)}}
	}
	return Bound{Calls: map[string]int{AccountCheck: CeilDiv(n, AccountsPerCall)}}
}

// Chunked is the bound of `chunks` additive tencentim_group_members
// resources of `chunk` members each on one group. Each resource needs the
// whole group read, but resources that read it at the same time share one
// read (membership.SharedReads), so a command makes between one read and
// one per resource: the bound is that range. On create the group grows
// while the resources apply, so the pages of the reads lie between one (a
// single read of the owner alone) and what the group holds when the
// resources apply one after another. Imports are batched per resource.
func Chunked(scenario string, chunks, chunk, importCap int) Bound {
	if scenario == Create {
		maxPages := 0
		for k := range chunks {
			maxPages += CeilDiv(k*chunk+1, PageSize)
		}
		return Bound{Calls: map[string]int{Info: 1, Pages: 1, ImportMembers: chunks * CeilDiv(chunk, importCap)},
			Max: map[string]int{Info: chunks, Pages: maxPages}}
	}
	pages := CeilDiv(chunks*chunk+1, PageSize)
	return Bound{Calls: map[string]int{Info: 1, Pages: pages}, Max: map[string]int{Info: chunks, Pages: chunks * pages}}
}

// Literal is the time bound as the issue writes it: calls × latency / P.
func (b Bound) Literal(latency time.Duration, parallel int) time.Duration {
	return time.Duration(b.Total()) * latency / time.Duration(parallel)
}

// CriticalPath is the least time the calls can take given what depends on
// what: each read is get_group_info, then the first page, then the other
// pages (in rounds of P for Offset groups, one by one along the cursor for
// Community groups); the writes follow the last read in rounds of P, after
// the refused batches and the probe batch, if any.
func (b Bound) CriticalPath(latency time.Duration, parallel int, community bool) time.Duration {
	rounds := 0
	for range b.Reads {
		rounds += 2
		if rest := b.PagesPerRead - 1; community {
			rounds += rest
		} else {
			rounds += CeilDiv(rest, parallel)
		}
	}
	if b.Probe {
		rounds += b.Refused + 1 + CeilDiv(b.Writes-b.Refused-1, parallel)
	} else {
		rounds += CeilDiv(b.Writes, parallel)
	}
	return time.Duration(rounds) * latency
}

// Calls renders made against the bound per command, e.g. "info 1/1 · pages
// 51/51", and whether every command is within its bound: equal to it, or
// within [Calls, Max] where Max is set. A command the bound does not list
// fails.
func Calls(made map[string]int, b Bound) (string, bool) {
	var parts, extra []string
	ok := true
	known := map[string]bool{}
	for _, c := range Order {
		known[c] = true
		m, l := made[c], b.Calls[c]
		if m == 0 && l == 0 {
			continue
		}
		want, pass := fmt.Sprint(l), m == l
		if hi, has := b.Max[c]; has {
			want, pass = fmt.Sprintf("%d–%d", l, hi), m >= l && m <= hi
		}
		mark := ""
		if !pass {
			ok, mark = false, " ✗"
		}
		parts = append(parts, fmt.Sprintf("%s %d/%s%s", Short[c], m, want, mark))
	}
	for c, m := range made {
		if !known[c] {
			ok = false
			extra = append(extra, fmt.Sprintf("%s %d/0 ✗", c, m))
		}
	}
	sort.Strings(extra)
	return strings.Join(append(parts, extra...), " · "), ok
}

// Latency marks one command's API time: "✓" within Slack × the bound as
// written, "✓ₚ" within Slack × the critical path only, "✗" neither. The
// target is met with either mark.
func Latency(span time.Duration, b Bound, latency time.Duration, parallel int, community bool) string {
	switch {
	case float64(span) <= Slack*float64(b.Literal(latency, parallel)):
		return "✓"
	case float64(span) <= Slack*float64(b.CriticalPath(latency, parallel, community)):
		return "✓ₚ"
	}
	return "✗"
}

// WithinRatio is wall / base and whether it is at most Ratio.
func WithinRatio(wall, base time.Duration) (float64, bool) {
	if base <= 0 {
		return math.NaN(), false
	}
	q := wall.Seconds() / base.Seconds()
	return q, q <= Ratio
}

// Exponent is k in t ∝ n^k between two measurements.
func Exponent(n1 int, t1 float64, n2 int, t2 float64) float64 {
	if n1 <= 0 || n2 <= 0 || n1 == n2 || t1 <= 0 || t2 <= 0 {
		return math.NaN()
	}
	return math.Log(t2/t1) / math.Log(float64(n2)/float64(n1))
}

// RSSWithin: a peak resident set below the target.
func RSSWithin(kb int64) bool { return kb > 0 && kb < RSSLimitKB }
