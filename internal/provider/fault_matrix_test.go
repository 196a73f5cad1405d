package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// faultKinds are the faults of the reliability matrix. Retryable ones are
// tried twice: clearing within the retry budget, and persisting (past
// max_retries, or for rate-limit answers past the operation's timeout).
var faultKinds = []struct {
	name      string
	fault     emulator.Fault
	message   string // how the error names it
	retryable bool
}{
	{"HTTP 500", emulator.Fault{HTTPStatus: 500}, `HTTP 500`, true},
	{"HTTP 502", emulator.Fault{HTTPStatus: 502}, `HTTP 502`, true},
	{"dropped connection", emulator.Fault{DropConnection: true}, `EOF|connection reset|closed`, true},
	{"slow response", emulator.Fault{Delay: 1500 * time.Millisecond}, `(?i)timeout|deadline`, true},
	{"10002", emulator.Fault{ErrorCode: 10002}, `error 10002`, true},
	{"10006", emulator.Fault{ErrorCode: 10006}, `error 10006`, true},
	{"60007", emulator.Fault{ErrorCode: 60007}, `error 60007`, true},
	{"70169", emulator.Fault{ErrorCode: 70169}, `error 70169`, true},
	{"10004", emulator.Fault{ErrorCode: 10004}, `error 10004`, false},
}

// faultSites are where a fault strikes during the update below: reads of 20
// members a page, imports of 20, one delete batch of 10, three role changes,
// then one profile change of a member already in the group and those of two
// members just imported (modify_group_member_info each).
var faultSites = []struct {
	name, command string
	skip          int
	account       string // an account of the failed request, "" for reads
}{
	{"first read page", "get_group_member_info", 0, ""},
	{"middle read page", "get_group_member_info", 1, ""},
	{"first import batch", "import_group_member", 0, "user0041"},
	{"middle import batch", "import_group_member", 1, "user0061"},
	{"last import batch", "import_group_member", 2, "user0081"},
	{"delete batch", "delete_group_member", 0, "user0031"},
	{"role change", "modify_group_member_info", 1, "user0002"},
	{"profile change", "modify_group_member_info", 3, "user0004"},
	{"imported member's profile", "modify_group_member_info", 4, "user0041"},
}

// TestAccFaultMatrix: every fault at every site. A retryable fault that
// clears makes the apply succeed, with the retry in the request log; one
// that persists, or a non-retryable one, fails the apply with an error naming
// the command, the code, the group and the accounts. Either way the saved
// state equals the server for the managed accounts, and the next apply
// converges with the fewest calls: nobody imported is removed, nobody is
// imported twice.
func TestAccFaultMatrix(t *testing.T) {
	for _, site := range faultSites {
		for _, kind := range faultKinds {
			modes := []string{"persists"}
			if kind.retryable {
				modes = []string{"clears", "persists"}
			}
			for _, mode := range modes {
				t.Run(site.name+"/"+kind.name+"/"+mode, func(t *testing.T) {
					t.Parallel()
					runFaultCell(t, site.command, site.skip, site.account, kind.fault, kind.message, mode == "clears")
				})
			}
		}
	}
}

func runFaultCell(t *testing.T, command string, skip int, account string, fault emulator.Fault, message string, clears bool) {
	env := newTestEnv(t, 100)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.PageSize = 20; s.MemberDefinedKeys = []string{"dept"} })
	gid := env.group("Public")
	settings := `max_retries = 2
  request_timeout = "500ms"
  import_batch_size = 20
  delete_batch_size = 10
  max_parallel_requests = 1`
	config := func(body string) string {
		return env.providerBlock(settings) + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = %s
  # Rate-limit answers are retried until the operation's timeout, not
  # max_retries: a persisting one fails when this runs out.
  timeouts = { read = "6s", update = "6s" }
}
`, gid, body)
	}
	// Before: user0001..0040. After: user0001..0030 and user0041..0100, with
	// user0001..0003 promoted, user0004 given a name card and custom data and
	// user0041 and user0042 imported with one: 3 import batches, 1 delete
	// batch, 3 role changes and 3 profile changes (the last two after the
	// imports; user0042's comes last, so that a slow answer to user0041's,
	// which the server carried out, still leaves a change to plan).
	before := config(rangeMembers(40))
	after := config(`merge(
    { for i in range(1, 31) : format("user%04d", i) => {
      role        = i <= 3 ? "Admin" : "Member"
      name_card   = i == 4 ? "On-call" : null
      custom_data = i == 4 ? { dept = "sre" } : null
    } },
    { for i in range(41, 101) : format("user%04d", i) => { role = "Member", name_card = i <= 42 ? "New" : null } },
  )`)
	declared := map[string]string{}
	for i := 1; i <= 100; i++ {
		if i <= 30 || i > 40 {
			declared[account4(i)] = map[bool]string{true: "Admin", false: "Member"}[i <= 3]
		}
	}
	profiles := func() error {
		ms := env.serverMembers(gid)
		if m := ms["user0004"]; m.NameCard != "On-call" || m.CustomData["dept"] != "sre" {
			return fmt.Errorf("user0004's profile is %q %v, want On-call and dept=sre", m.NameCard, m.CustomData)
		}
		for _, a := range []string{"user0041", "user0042"} {
			if m := ms[a]; m.NameCard != "New" {
				return fmt.Errorf("%s's name card is %q, want New", a, m.NameCard)
			}
		}
		return nil
	}
	managed := func(a string) bool { return a != testOwner }
	matches := stateMatchesServer{env: env, address: membersAddr, groupID: gid, managed: managed, wantSize: -1}

	f := fault
	f.Command, f.Skip, f.Times = command, skip, -1
	if clears {
		f.Times = 1
	}
	var beforeConverge map[string]emulator.Member
	steps := []resource.TestStep{
		{Config: before, ConfigPlanChecks: emptyPlanAfterApply()},
	}
	faulted := resource.TestStep{
		PreConfig: func() { env.emu.ResetStats(); env.emu.InjectFault(f) },
		Config:    after,
	}
	if clears {
		faulted.ConfigPlanChecks = emptyPlanAfterApply()
		faulted.ConfigStateChecks = []statecheck.StateCheck{
			matches,
			checkFunc(func() error { return serverIs(env, gid, declared) }),
			checkFunc(profiles),
			checkFunc(func() error {
				if s := env.emu.Stats()[command]; s.Failed != 1 {
					return fmt.Errorf("%s: %d failed requests in the log, want exactly 1 (retried)", command, s.Failed)
				}
				return nil
			}),
		}
		steps = append(steps, faulted)
	} else {
		want := `(?s)failed for group ` + regexp.QuoteMeta(gid) + `.*` + command + `.*(` + message + `)`
		if account != "" {
			want += `.*Accounts in the failed request:.*` + account
		}
		faulted.ExpectError = regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`))
		steps = append(steps, faulted,
			resource.TestStep{
				// A -refresh=false plan shows the state exactly as saved. The
				// fault is cleared first: this step also plans with a refresh.
				PreConfig:          env.emu.ClearFaults,
				Config:             after,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{matches}},
			},
			resource.TestStep{
				PreConfig: func() {
					env.emu.ResetStats()
					beforeConverge = env.serverMembers(gid)
				},
				Config:           after,
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					matches,
					checkFunc(func() error { return serverIs(env, gid, declared) }),
					checkFunc(profiles),
					checkFunc(func() error { return minimalConvergence(env, beforeConverge, declared) }),
				},
			})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
}

func account4(i int) string { return fmt.Sprintf("user%04d", i) }

// serverIs checks that the group holds exactly the declared members and roles.
func serverIs(env *testEnv, gid string, declared map[string]string) error {
	server := env.serverMembers(gid)
	var problems []string
	for a, role := range declared {
		if m, ok := server[a]; !ok {
			problems = append(problems, a+" missing")
		} else if m.Role != role {
			problems = append(problems, fmt.Sprintf("%s is %s, want %s", a, m.Role, role))
		}
	}
	for a := range server {
		if _, ok := declared[a]; !ok {
			problems = append(problems, a+" should have been removed")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("server membership: %s", strings.Join(firstN(problems, 10), "; "))
	}
	return nil
}

// minimalConvergence checks that the converging apply imported only the
// members that were missing and removed only members no longer declared.
func minimalConvergence(env *testEnv, before map[string]emulator.Member, declared map[string]string) error {
	var missing, extra int
	for a := range declared {
		if _, ok := before[a]; !ok {
			missing++
		}
	}
	for a := range before {
		if _, ok := declared[a]; !ok {
			extra++
		}
	}
	imported, removed := acceptedMembers(env, "import_group_member"), acceptedMembers(env, "delete_group_member")
	if imported != missing || removed != extra {
		return fmt.Errorf("converging apply imported %d members (%d were missing) and removed %d (%d were undeclared)", imported, missing, removed, extra)
	}
	return nil
}

// acceptedMembers counts the members in the command's requests that the
// server answered with success since the last ResetStats: a batch refused
// as too large (10005) and sent again smaller counts once.
func acceptedMembers(env *testEnv, command string) int {
	n := 0
	for _, r := range env.emu.Log() {
		if r.Command == command && r.ErrorCode == 0 && r.HTTPStatus == 200 {
			n += r.Members
		}
	}
	return n
}

func firstN(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}
