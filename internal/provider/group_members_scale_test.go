package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// rangeMembers declares user0001..user<n> with the default role. range()
// stops at 1,024 values, so larger maps merge blocks of 1,000.
func rangeMembers(n int) string {
	if n <= 1000 {
		return fmt.Sprintf(`{ for i in range(1, %d) : format("user%%04d", i) => {} }`, n+1)
	}
	return fmt.Sprintf(`merge([for b in range(0, %d) : { for i in range(b*1000+1, min(b*1000+1001, %d)) : format("user%%04d", i) => {} }]...)`, (n+999)/1000, n+1)
}

func TestAccGroupMembers_thousandMembersInFourImports(t *testing.T) {
	env := newTestEnv(t, 1000)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.ImportCap = 300 })
	gid := env.group("Public")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:           env.membersConfig(gid, false, rangeMembers(1000)),
			ConfigPlanChecks: emptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				importSizes(env, []int{300, 300, 300, 100}),
				stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 1000},
			},
		}},
	})
}

// importSizes asserts the members per import_group_member call, in any order
// (batches run in parallel).
func importSizes(env *testEnv, want []int) statecheck.StateCheck {
	return checkFunc(func() error {
		got := append([]int(nil), env.emu.Stats()["import_group_member"].Members...)
		if !sameMultiset(got, want) {
			return fmt.Errorf("import_group_member members per call = %v, want %v", got, want)
		}
		return nil
	})
}

// A failure in the middle of an apply leaves the state equal to the server,
// and the next apply finishes the job without removing anyone.
func TestAccGroupMembers_failureMidApply(t *testing.T) {
	env := newTestEnv(t, 1000)
	gid := env.group("Public")
	managed := func(string) bool { return true }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:           env.membersConfig(gid, false, rangeMembers(10)),
				ConfigPlanChecks: emptyPlanAfterApply(),
			},
			{
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Command: "import_group_member", Skip: 2, ErrorCode: 10004})
				},
				Config:      env.membersConfig(gid, false, rangeMembers(1000)),
				ExpectError: regexp.MustCompile(`(?s)import_group_member failed for group .*10004`),
			},
			{
				// What the failed apply saved is exactly what the server holds:
				// a -refresh=false plan shows the saved state as its prior state.
				Config:             env.membersConfig(gid, false, rangeMembers(1000)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, managed: managed, wantSize: -1},
				}},
			},
			{
				PreConfig:         env.emu.ResetStats,
				Config:            env.membersConfig(gid, false, rangeMembers(1000)),
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 1000}, calls(env, map[string]int{"delete_group_member": 0})},
			},
		},
	})
}

// A failed create saves nothing, so Terraform does not taint the resource;
// the next apply adopts the members already imported instead of replacing.
func TestAccGroupMembers_failedCreateIsNotTainted(t *testing.T) {
	env := newTestEnv(t, 1000)
	gid := env.group("Public")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Command: "import_group_member", Skip: 2, ErrorCode: 10004})
				},
				Config:      env.membersConfig(gid, false, rangeMembers(1000)),
				ExpectError: regexp.MustCompile(`(?s)Nothing was saved to the state`),
			},
			{
				PreConfig: func() {
					if n := len(env.serverMembers(gid)); n == 0 || n == 1000 {
						t.Errorf("expected a partial import before the failure, server has %d members", n)
					}
					env.emu.ResetStats()
				},
				Config: env.membersConfig(gid, false, rangeMembers(1000)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"delete_group_member": 0}),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 1000},
				},
			},
		},
	})
}

type checkFunc func() error

func (f checkFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

func sameMultiset(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[int]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}
