package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

const membersAddr = "tencentim_group_members.test"

// membersHCL renders a members map. Each entry is "account" or
// "account=hcl-object-body".
func membersHCL(entries ...string) string {
	var b strings.Builder
	b.WriteString("{\n")
	for _, e := range entries {
		acct, body, _ := strings.Cut(e, "=")
		fmt.Fprintf(&b, "    %q = {%s}\n", acct, body)
	}
	b.WriteString("  }")
	return b.String()
}

func (e *testEnv) membersConfig(groupID string, exclusive bool, members string) string {
	return e.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id  = %q
  exclusive = %t
  members   = %s
}
`, groupID, exclusive, members)
}

func emptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func TestAccGroupMembers_lifecycle(t *testing.T) {
	env := newTestEnv(t, 10)
	gid := env.group("Public")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if left := env.serverMembers(gid); len(left) != 0 {
				return fmt.Errorf("members left after destroy: %v", left)
			}
			if ms, _ := env.emu.Members(testAppID, gid); ms[testOwner].Role != "Owner" {
				return fmt.Errorf("the owner was touched: %v", ms[testOwner])
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: env.membersConfig(gid, false, membersHCL(
					`user0001=role = "Admin", join_time = 1700000000, unread_msg_num = 5`,
					`user0002=join_time = 1700000100`,
					`user0003`,
				)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("id"), knownvalue.StringExact(gid)),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("owner_account"), knownvalue.StringExact(testOwner)),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("group_type"), knownvalue.StringExact("Public")),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0001"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"role": knownvalue.StringExact("Admin"), "join_time": knownvalue.Int64Exact(1700000000), "unread_msg_num": knownvalue.Int64Exact(5),
						"name_card": knownvalue.Null(), "custom_data": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0003").AtMapKey("role"), knownvalue.StringExact("Member")),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0003").AtMapKey("unread_msg_num"), knownvalue.Null()),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 3},
				},
			},
			{
				// Role change: an in-place update with one modify call, no removal.
				PreConfig: env.emu.ResetStats,
				Config: env.membersConfig(gid, false, membersHCL(
					`user0001=role = "Member", join_time = 1700000000, unread_msg_num = 5`,
					`user0002=join_time = 1700000100`,
					`user0003=role = "Admin"`,
				)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0003").AtMapKey("role"), knownvalue.StringExact("Admin")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_member_info": 2, "import_group_member": 0, "delete_group_member": 0}),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 3},
				},
			},
			{
				// Add two, remove one.
				PreConfig: env.emu.ResetStats,
				Config: env.membersConfig(gid, false, membersHCL(
					`user0001=role = "Member", join_time = 1700000000, unread_msg_num = 5`,
					`user0003=role = "Admin"`,
					`user0004`, `user0005=role = "Admin"`,
				)),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"import_group_member": 1, "delete_group_member": 1, "modify_group_member_info": 0}),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 4},
				},
			},
			{
				ResourceName:            membersAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"members.user0001.unread_msg_num"},
			},
		},
	})
}

// calls asserts how many requests of each command the emulator served since
// the last ResetStats.
func calls(env *testEnv, want map[string]int) statecheck.StateCheck {
	return callCheck{env: env, want: want}
}

type callCheck struct {
	env  *testEnv
	want map[string]int
}

func (c callCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check()
}

func (c callCheck) check() error {
	stats := c.env.emu.Stats()
	var problems []string
	for cmd, n := range c.want {
		if got := stats[cmd].Calls; got != n {
			problems = append(problems, fmt.Sprintf("%s: %d calls, want %d (members per call %v)", cmd, got, n, stats[cmd].Members))
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		return fmt.Errorf("request counts: %s", strings.Join(problems, "; "))
	}
	return nil
}

func TestAccGroupMembers_dataSource(t *testing.T) {
	env := newTestEnv(t, 5)
	gid := env.group("Community")
	for i := 1; i <= 3; i++ {
		if err := env.emu.PutMember(testAppID, gid, emulator.Member{Account: account(i), Role: "Member", JoinTime: 1_700_000_000 + int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerBlock("") + fmt.Sprintf(`
data "tencentim_group_members" "test" {
  group_id = %q
}
`, gid),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentim_group_members.test", tfjsonpath.New("member_count"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue("data.tencentim_group_members.test", tfjsonpath.New("group_type"), knownvalue.StringExact("Community")),
				statecheck.ExpectKnownValue("data.tencentim_group_members.test", tfjsonpath.New("owner_account"), knownvalue.StringExact(testOwner)),
				statecheck.ExpectKnownValue("data.tencentim_group_members.test", tfjsonpath.New("members").AtMapKey("user0002"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"role": knownvalue.StringExact("Member"), "join_time": knownvalue.Int64Exact(1_700_000_002),
					"name_card": knownvalue.StringExact(""), "custom_data": knownvalue.MapExact(map[string]knownvalue.Check{}),
				})),
			},
		}},
	})
}

func TestAccGroupMembers_drift(t *testing.T) {
	env := newTestEnv(t, 10)
	gid := env.group("Public")
	base := env.membersConfig(gid, false, membersHCL(`user0001=role = "Admin"`, `user0002`, `user0003`))
	exclusive := env.membersConfig(gid, true, membersHCL(`user0001=role = "Admin"`, `user0002`, `user0003`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: base, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				// Removed and demoted out of band, plus an unmanaged member:
				// the first two are restored, the third is left alone.
				PreConfig: func() {
					must(t, env.emu.RemoveMember(testAppID, gid, "user0002"))
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", Role: "Member", JoinTime: env.serverMembers(gid)["user0001"].JoinTime}))
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0009", Role: "Member", JoinTime: 1_700_000_000}))
				},
				Config: base,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0001").AtMapKey("role"), knownvalue.StringExact("Admin")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					ms := env.serverMembers(gid)
					if ms["user0001"].Role != "Admin" || ms["user0002"].Role != "Member" || ms["user0009"].Role != "Member" {
						return fmt.Errorf("not restored: %v", ms)
					}
					return nil
				},
			},
			{
				// Exclusive: the unmanaged member shows as drift and is removed.
				Config: exclusive,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 3}},
			},
			{
				PreConfig: func() {
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0008", Role: "Admin", JoinTime: 1_700_000_000}))
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{Config: exclusive, ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(*terraform.State) error {
					if _, ok := env.serverMembers(gid)["user0008"]; ok {
						return fmt.Errorf("user0008 was not removed in exclusive mode")
					}
					return nil
				}},
			{
				// The group deleted out of band: the refresh drops the resource
				// from the state, and the plan to create it again finds no group.
				PreConfig:   func() { must(t, env.emu.DeleteGroup(testAppID, gid)) },
				Config:      exclusive,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Group .* does not exist`),
			},
			{
				Config:      exclusive,
				ExpectError: regexp.MustCompile(`Group .* does not exist`),
			},
		},
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
