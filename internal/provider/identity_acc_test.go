package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// listReadCommands are the commands that change nothing on the server: a
// plan's reads (plan_checks_test.go) and the group list.
var listReadCommands = append(slices.Clip(readCommands), "get_appid_group_list")

// onlyReads fails unless every request the emulator served since the last
// ResetStats was a read.
func onlyReads(env *testEnv) error {
	var writes []string
	for _, r := range env.emu.Log() {
		if !slices.Contains(listReadCommands, r.Command) {
			writes = append(writes, fmt.Sprintf("%s (group %q)", r.Command, r.GroupID))
		}
	}
	if len(writes) > 0 {
		return fmt.Errorf("%d requests that write were sent, want none: %s", len(writes), strings.Join(writes, ", "))
	}
	return nil
}

func identityOfGroup(gid string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{identityGroupID: knownvalue.StringExact(gid)}
}

// An import block with identity = { group_id = ... } adopts the group's
// members with a plan of no changes, and the identity is saved.
func TestAccGroupMembers_importByIdentity(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newTestEnv(t, 3)
	gid := env.group("Public")
	config := env.membersConfig(gid, false, membersHCL(`user0001=role = "Admin", join_time = 1700000000`, `user0002`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(membersAddr, identityOfGroup(gid)),
					statecheck.ExpectIdentityValueMatchesState(membersAddr, tfjsonpath.New(identityGroupID)),
				},
			},
			{
				PreConfig:       env.emu.ResetStats,
				ResourceName:    membersAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0001").AtMapKey("role"), knownvalue.StringExact("Admin")),
					plancheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0002").AtMapKey("join_time"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(membersAddr, tfjsonpath.New("owner_account"), knownvalue.StringExact(testOwner)),
					planOnlyReads{env},
				}},
			},
		},
	})
}

func TestAccGroup_importByIdentity(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newTestEnv(t, 3)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             groupGone(env, "team-identity"),
		Steps: []resource.TestStep{
			{
				Config:           env.groupConfig(`group_id = "team-identity"`, `type = "Public"`, `name = "Identity"`, `owner_account = "user0001"`),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(groupAddr, identityOfGroup("team-identity")),
					statecheck.ExpectIdentityValueMatchesState(groupAddr, tfjsonpath.New(identityGroupID)),
				},
			},
			{
				// An in-place update keeps the identity.
				Config:           env.groupConfig(`group_id = "team-identity"`, `type = "Public"`, `name = "Identity 2"`, `owner_account = "user0001"`),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(groupAddr, identityOfGroup("team-identity")),
				},
			},
			{
				PreConfig:       env.emu.ResetStats,
				ResourceName:    groupAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("name"), knownvalue.StringExact("Identity 2")),
					planOnlyReads{env},
				}},
			},
		},
	})
}

// A replacement (a new group_id) moves the identity to the new group.
func TestAccGroup_identityFollowsReplacement(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newTestEnv(t, 3)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            env.groupConfig(`group_id = "team-a"`, `type = "Public"`, `name = "A"`) + env.membersBlock("tencentim_group.test.id", "user0001"),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(groupAddr, identityOfGroup("team-a")), statecheck.ExpectIdentity(membersAddr, identityOfGroup("team-a"))},
			},
			{
				Config: env.groupConfig(`group_id = "team-b"`, `type = "Public"`, `name = "B"`) + env.membersBlock("tencentim_group.test.id", "user0001"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(groupAddr, identityOfGroup("team-b")), statecheck.ExpectIdentity(membersAddr, identityOfGroup("team-b"))},
			},
		},
	})
}

func (e *testEnv) membersBlock(groupRef string, accounts ...string) string {
	return fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %s
  members  = %s
}
`, groupRef, membersHCL(accounts...))
}

// planOnlyReads is onlyReads as a plan check.
type planOnlyReads struct{ env *testEnv }

func (c planOnlyReads) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = onlyReads(c.env)
}

// seedLegacyGroup is the group testdata/identity-upgrade/saved-state.json
// was saved for.
func seedLegacyGroup(t *testing.T, env *testEnv) {
	t.Helper()
	_, err := env.emu.AddGroup(testAppID, emulator.Group{ID: "legacy-public", Type: "Public", Name: "Legacy group", Owner: testOwner, CreateTime: 1_600_000_000})
	must(t, err)
	must(t, env.emu.PutMember(testAppID, "legacy-public", emulator.Member{Account: "user0001", Role: "Admin", JoinTime: 1_700_000_000}))
	must(t, env.emu.PutMember(testAppID, "legacy-public", emulator.Member{Account: "user0002", JoinTime: 1_700_000_100}))
}

// A state saved before the resources had an identity (by Terraform 1.11.4,
// which stores none, and the provider before identity) plans no changes,
// and the next apply records both identities without a write to the server.
func TestAccIdentity_stateWithoutIdentityUpgrades(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newTestEnv(t, 3)
	seedLegacyGroup(t, env)
	h := newCLIHarness(t, env)
	config, err := os.ReadFile("testdata/identity-upgrade/main.tf")
	must(t, err)
	state, err := os.ReadFile("testdata/identity-upgrade/saved-state.json")
	must(t, err)
	if bytes.Contains(state, []byte(`"identity"`)) {
		t.Fatal("testdata/identity-upgrade/saved-state.json has an identity; it must be a state saved without one")
	}
	if strings.Contains(filepath.Base(h.cli), "tofu") {
		// OpenTofu resolves the provider's source to its own registry.
		state = bytes.ReplaceAll(state, []byte("registry.terraform.io"), []byte("registry.opentofu.org"))
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "terraform.tfstate"), state, 0o600))
	h.writeConfig(string(config))
	// Without a refresh the plan has only the saved state, which has no
	// identity: the plan gives one without a change.
	for _, args := range [][]string{{"plan", "-refresh=false", "-detailed-exitcode"}, {"plan", "-detailed-exitcode"}} {
		if out, err := h.run(args...); err != nil {
			t.Fatalf("%s on the state saved without identity: %v (want exit 0, no changes)\n%s", strings.Join(args, " "), err, out)
		}
	}
	env.emu.ResetStats()
	h.mustRun("apply", "-auto-approve")
	must(t, onlyReads(env))
	out := h.mustRun("show", "-json")
	var shown tfjson.State
	must(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &shown))
	for _, addr := range []string{"tencentim_group.legacy", "tencentim_group_members.legacy"} {
		var got map[string]any
		for _, r := range shown.Values.RootModule.Resources {
			if r.Address == addr {
				got = r.IdentityValues
			}
		}
		if got[identityGroupID] != "legacy-public" || len(got) != 1 {
			t.Errorf("identity of %s after the apply: %v, want {group_id = legacy-public}", addr, got)
		}
	}
	if out, err := h.run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan after the apply: %v (want exit 0, no changes)\n%s", err, out)
	}
}

// The import-by-identity examples of the docs, as written: each adopts its
// group into a fresh state.
func TestAccExamples_importByIdentity(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newEmptyAppEnv(t)
	env.emu.AddAccounts(testAppID, "tommy", "jared", "alice")
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)
	id, err := env.emu.AddGroup(testAppID, emulator.Group{ID: "@TGS#2J4SZEAEL", Type: "Public", Name: "Engineering", Owner: "tommy", MaxMemberNum: 500, CreateTime: 1_400_000_000})
	must(t, err)
	intro, notice, apply := "Where the engineers talk.", "Stand-up at 10:00 every weekday.", "NeedPermission"
	must(t, env.client().ModifyGroupBaseInfo(t.Context(), id, timapi.GroupBaseInfoChange{Introduction: &intro, Notification: &notice, ApplyJoinOption: &apply}))
	for account, jt := range map[string]int64{"jared": 1448357857, "alice": 1448357900} {
		must(t, env.emu.PutMember(testAppID, id, emulator.Member{Account: account, JoinTime: jt}))
	}

	// tencentim_group_members first (its destroy leaves the group): members
	// are adopted; the example's tommy is the owner here, so only jared and
	// alice are declared.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "tencentim_group_members" "engineering" {
  group_id = "@TGS#2J4SZEAEL"
  members = {
    jared = { join_time = 1448357857 }
    alice = {}
  }
}
` + example(t, "resources/tencentim_group_members/import-by-identity.tf"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("tencentim_group_members.engineering", plancheck.ResourceActionNoop)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity("tencentim_group_members.engineering", identityOfGroup(id))},
		}},
	})

	// tencentim_group: the example's engineering group, as it is (its
	// destroy dismisses the group).
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: example(t, "resources/tencentim_accounts/resource.tf") + example(t, "resources/tencentim_group/resource.tf") +
				example(t, "resources/tencentim_group/import-by-identity.tf"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentim_group.engineering", plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue("tencentim_group.engineering", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity("tencentim_group.engineering", identityOfGroup(id))},
		}},
	})
}

// requireAccCLI skips t outside acceptance runs (TF_ACC unset), where no
// CLI need exist, and then applies requireCLI.
func requireAccCLI(t *testing.T, f cliFeature) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc runs it)")
	}
	requireCLI(t, f)
}
