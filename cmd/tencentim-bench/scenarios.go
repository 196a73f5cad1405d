package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Scenarios, in the order they run on one group.
const (
	scCreate = "create"
	scPlan   = "plan"
	scChurn  = "churn"
	scImport = "import"
	// scValidate is `terraform validate`: one evaluation of the
	// configuration, to show what Terraform itself spends on it.
	scValidate = "validate"
)

var allScenarios = []string{scCreate, scPlan, scChurn, scImport}

// capRows are the server import caps of the extra create rows, beside the
// main rows' 300 (the other documented caps).
var capRows = []int{100, 20}

// Targets: the terraform_data baseline and the two kinds of group.
const (
	tgBaseline  = "terraform_data"
	tgTyped     = "terraform_data_typed"
	tgOffset    = "offset"
	tgCommunity = "community"
)

var allTargets = []string{tgBaseline, tgTyped, tgOffset, tgCommunity}

// isBaseline: terraform_data targets, which make no API calls.
func isBaseline(target string) bool { return target == tgBaseline || target == tgTyped }

// groupType is the emulated group type of a target: Public groups page with
// Offset/Limit, Community groups with the Next cursor.
func groupType(target string) string {
	if target == tgCommunity {
		return "Community"
	}
	return "Public"
}

// API batch sizes and page length the lower bound is computed with: the
// provider's defaults, and the emulator set to the oldest documented import
// cap (300) for the main rows; the cap rows (capRows) run at 100 and 20.
const (
	importBatch = 300
	deleteBatch = 100
	pageSize    = 200
)

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// churnSize is how many members a 1% churn adds, removes and changes role of.
func churnSize(n int) int { return max(1, n/100) }

// Command names as the API and the table abbreviate them.
const (
	cmdInfo   = "get_group_info"
	cmdPages  = "get_group_member_info"
	cmdImport = "import_group_member"
	cmdDelete = "delete_group_member"
	cmdModify = "modify_group_member_info"
)

var commandOrder = []string{cmdInfo, cmdPages, cmdImport, cmdDelete, cmdModify}

var commandShort = map[string]string{cmdInfo: "info", cmdPages: "pages", cmdImport: "import", cmdDelete: "delete", cmdModify: "modify"}

// bound is the lower bound of one scenario: calls per command, and how the
// calls depend on each other, for the time bound.
type bound struct {
	calls map[string]int
	// reads is the number of full group reads (get_group_info, then pages).
	reads int
	// pagesPerRead, writes: calls in each read, and import/delete/modify
	// calls that can all run in parallel.
	pagesPerRead, writes int
	// probe: the writes start with one import batch alone, because the
	// provider sends one batch at a time until the server has accepted a
	// full one (so that a lower cap is refused once, not once per parallel
	// request), and the refused batches that find a lower cap come before
	// it, one at a time.
	probe   bool
	refused int
}

func (b bound) total() int {
	t := 0
	for _, n := range b.calls {
		t += n
	}
	return t
}

// lowerBound of a scenario on a group that holds n members plus its owner
// (create starts from the owner alone). A `terraform apply` that changes an
// existing resource reads twice: the refresh of its plan, then once in the
// apply itself ("one read per apply").
func lowerBound(scenario string, n int) bound { return lowerBoundAtCap(scenario, n, importBatch) }

// refusalsToFind is how many import calls a server at importCap refuses
// (10005) before the provider, starting at 300, steps down to it through
// the documented caps (300, 100, 20): one per documented cap above it.
func refusalsToFind(importCap int) int {
	n := 0
	for _, c := range []int{300, 100} {
		if c > importCap {
			n++
		}
	}
	return n
}

// lowerBoundAtCap is the bound against a server whose import cap is
// importCap: ceil(A/cap) imports plus the refusals that find the cap.
func lowerBoundAtCap(scenario string, n, importCap int) bound {
	readPages := ceilDiv(n+1, pageSize) // members plus the owner
	switch scenario {
	case scCreate:
		// No refresh (nothing in the state); the apply reads the group
		// (owner only: one page) and imports.
		refused := refusalsToFind(importCap)
		imports := ceilDiv(n, importCap) + refused
		return bound{calls: map[string]int{cmdInfo: 1, cmdPages: 1, cmdImport: imports}, reads: 1, pagesPerRead: 1, writes: imports, probe: imports > 1, refused: refused}
	case scChurn:
		k := churnSize(n)
		imports, deletes := ceilDiv(k, importCap)+refusalsToFind(importCap), ceilDiv(k, deleteBatch)
		return bound{calls: map[string]int{cmdInfo: 2, cmdPages: 2 * readPages, cmdImport: imports, cmdDelete: deletes, cmdModify: k},
			reads: 2, pagesPerRead: readPages, writes: imports + deletes + k}
	case scValidate:
		return bound{calls: map[string]int{}}
	default: // plan (the refresh), import (the read after ImportResourceState)
		return bound{calls: map[string]int{cmdInfo: 1, cmdPages: readPages}, reads: 1, pagesPerRead: readPages}
	}
}

// literalTime is the time target's bound as stated: calls × latency / P.
func (b bound) literalTime(latency time.Duration, parallel int) time.Duration {
	return time.Duration(b.total()) * latency / time.Duration(parallel)
}

// criticalPath is the least time the calls can take given what depends on
// what: each read is get_group_info, then the first page (Offset groups learn
// MemberNum from it, Community groups the cursor), then the other pages (in
// rounds of P for Offset groups, one by one for Community groups); the writes
// follow the apply's read, in rounds of P, after the probe batch if any.
func (b bound) criticalPath(latency time.Duration, parallel int, community bool) time.Duration {
	rounds := 0
	for range b.reads {
		rounds += 2 // get_group_info, first page
		rest := b.pagesPerRead - 1
		if community {
			rounds += rest
		} else {
			rounds += ceilDiv(rest, parallel)
		}
	}
	if b.probe {
		rounds += b.refused + 1 + ceilDiv(b.writes-b.refused-1, parallel)
	} else {
		rounds += ceilDiv(b.writes, parallel)
	}
	return time.Duration(rounds) * latency
}

// formatCalls renders made vs lower bound per command, e.g.
// "info 1/1 · pages 51/51 · import 34/34".
func formatCalls(made map[string]int, lb map[string]int) (string, bool) {
	var parts []string
	ok := true
	seen := map[string]bool{}
	for _, c := range commandOrder {
		seen[c] = true
		m, l := made[c], lb[c]
		if m == 0 && l == 0 {
			continue
		}
		mark := ""
		if m != l {
			ok = false
			mark = " ✗"
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d%s", commandShort[c], m, l, mark))
	}
	var extra []string
	for c, m := range made {
		if !seen[c] {
			extra = append(extra, fmt.Sprintf("%s %d/0 ✗", c, m))
			ok = false
		}
	}
	sort.Strings(extra)
	return strings.Join(append(parts, extra...), " · "), ok
}

// membersExpr is the members map of a group holding user[from..to), with
// user[from..adminBelow) as Admin: a map of objects with the types of the
// resource's members attribute. The same expression configures the
// provider's resource and the terraform_data baseline's input, so both CLIs
// evaluate identical values. range() makes at most 1,024 values, so the
// accounts are a flatten() of ranges of 1,000.
func membersExpr(from, to, adminBelow int) string {
	var ranges []string
	for a := from; a < to; a += 1000 {
		ranges = append(ranges, fmt.Sprintf("range(%d, %d)", a, min(a+1000, to)))
	}
	return fmt.Sprintf(`{ for i in flatten([%s]) : format("user%%06d", i) => { role = i < %d ? "Admin" : "Member", join_time = null, unread_msg_num = null } }`,
		strings.Join(ranges, ", "), adminBelow)
}

// membership is which members a group holds (and its configuration declares).
type membership struct{ from, to, adminBelow int }

func initialMembers(n int) membership { return membership{0, n, 0} }

// churned: the first k members removed, the next k made Admin, k new ones.
func churnedMembers(n int) membership {
	k := churnSize(n)
	return membership{k, n + k, 2 * k}
}

func (m membership) expr() string { return membersExpr(m.from, m.to, m.adminBelow) }

func providerConfig(groupID string, m membership, rateLimit, parallel int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    tencentim = { source = "tencentim/tencentim" }
  }
}

provider "tencentim" {
  rate_limit            = %d
  max_parallel_requests = %d
}

resource "tencentim_group_members" "g" {
  group_id = %q
  members  = %s
}
`, rateLimit, parallel, groupID, m.expr())
}

func baselineConfig(m membership) string {
	return fmt.Sprintf(`resource "terraform_data" "g" {
  input = %s
}
`, m.expr())
}

// typedBaselineConfig passes the same map through a module variable typed
// like the resource's members attribute, so that Terraform converts it to
// map(object({...})) exactly as it converts the resource's configuration,
// before terraform_data stores it.
func typedBaselineConfig(m membership) (root, module string) {
	root = fmt.Sprintf(`module "m" {
  source  = "./typed"
  members = %s
}
`, m.expr())
	module = `variable "members" {
  type = map(object({ role = string, join_time = number, unread_msg_num = number }))
}

resource "terraform_data" "g" {
  input = var.members
}
`
	return root, module
}
