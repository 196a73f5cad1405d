package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// readCommands are the only calls a plan may make.
var readCommands = []string{"get_group_info", "get_group_member_info", "account_check"}

// noWrites fails t if any call but a read reached the emulator.
func noWrites(t *testing.T, env *testEnv) {
	t.Helper()
	for cmd, s := range env.emu.Stats() {
		if !slices.Contains(readCommands, cmd) {
			t.Errorf("a plan made %d %s calls", s.Calls, cmd)
		}
	}
}

// Mistakes the apply would refuse before its first write fail `terraform
// plan` itself, so that a reviewer sees them on the pull request; no write
// reaches the server. An unknown group_id skips the checks without a call.
func TestAccPlanTimeChecks(t *testing.T) {
	env := newTestEnv(t, 3)
	public, work, av := env.group("Public"), env.group("Private"), env.group("AVChatRoom")
	members := func(gid string, entries ...string) string {
		return env.membersConfig(gid, false, membersHCL(entries...))
	}
	group := func(owner string) string {
		return env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group" "g" {
  type          = "Public"
  name          = "plan checks"
  owner_account = %q
}
`, owner)
	}
	planFails := func(config, err string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(err, " ", `\s+`))}
	}
	steps := []resource.TestStep{
		// Creates: the plan reads the group's base info and checks the accounts.
		planFails(members(public, testOwner), `The group owner is declared as a member`),
		planFails(members(av, "user0001"), `AVChatRoom groups have no member list`),
		planFails(members(work, `user0001=role = "Admin"`), `Admin role not supported by this group type.*user0001`),
		planFails(members(public, "user0001=join_time = 1500000000"), `join_time before the group was created.*user0001`),
		planFails(members("no-such-group", "user0001"), `Group no-such-group does not exist.*tencentim_group.NAME.id`),
		planFails(members(public, "user0001", "ghost1", "ghost2"), `2 accounts do not exist in the app.*ghost1, ghost2`),
		planFails(group("ghost"), `The owner account does not exist in the app.*"ghost"`),
	}
	for i := range steps {
		steps[i].PreConfig = env.emu.ResetStats
	}
	// An unknown group_id (here from terraform_data, as a group created in
	// the same apply would be) plans cleanly with no call at all, as does a
	// members resource of a new tencentim_group, whose id is unknown.
	steps = append(steps,
		resource.TestStep{
			PreConfig: func() { noWrites(t, env); env.emu.ResetStats() },
			Config: env.providerBlock("") + fmt.Sprintf(`
resource "terraform_data" "gid" {
  input = %q
}

resource "tencentim_group_members" "unknown" {
  group_id = terraform_data.gid.output
  members  = { ghost4 = {}, %s = {} }
}
`, public, testOwner),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
		resource.TestStep{
			PreConfig: func() {
				if stats := env.emu.Stats(); len(stats) != 0 {
					t.Errorf("a plan with an unknown group_id made calls: %v", stats)
				}
				env.emu.ResetStats()
			},
			Config: group(testOwner) + `
resource "tencentim_group_members" "new" {
  group_id = tencentim_group.g.id
  members  = { ghost5 = {} }
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	noWrites(t, env)
	if n := env.emu.Stats()["get_group_info"].Calls; n != 0 {
		t.Errorf("the plan of a new group's members read a group: %d get_group_info calls", n)
	}

	// Updates judge the group as the refresh read it.
	update := []resource.TestStep{
		{Config: members(work, "user0001")},
		planFails(members(work, `user0001=role = "Admin"`), `Admin role not supported by this group type`),
		planFails(members(work, "user0001", testOwner), `The group owner is declared as a member`),
		planFails(members(work, "user0001", "ghost3"), `1 account does not exist in the app.*ghost3`),
		{Config: members(work, "user0001"), PreConfig: func() { noWrites(t, env) }},
	}
	update[1].PreConfig = env.emu.ResetStats
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: update})
}

// A plan that affects more than 100 members says through the CLI what its
// apply will cost; a smaller one stays quiet.
func TestAccPlanSummary_CLI(t *testing.T) {
	env := newTestEnv(t, 250)
	gid := env.group("Public")
	h := newCLIHarness(t, env)
	config := func(from, to int) string {
		return fmt.Sprintf(`
resource "tencentim_group_members" "g" {
  group_id = %q
  members  = { for i in range(%d, %d) : format("user%%04d", i) => {} }
}
`, gid, from, to)
	}
	h.writeConfig(config(1, 251))
	out := h.mustRun("plan")
	if want := "This apply imports up to 250 members in 1 call."; !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
		t.Fatalf("the plan does not say %q:\n%s", want, out)
	}
	h.mustRun("apply", "-auto-approve")
	h.writeConfig(config(1, 201))
	if out := h.mustRun("plan"); strings.Contains(out, "A large membership change") {
		t.Fatalf("a plan removing 50 members warned:\n%s", out)
	}
	h.writeConfig(config(1, 51))
	out = h.mustRun("plan")
	if want := "This apply removes 200 members in 2 calls."; !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
		t.Fatalf("the plan does not say %q:\n%s", want, out)
	}
}
