package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

func example(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The documentation's examples, applied as written against the emulator; the
// provider takes its settings from the environment, as the examples assume.
func TestAccExamples(t *testing.T) {
	env := newTestEnv(t, 0)
	env.emu.AddAccounts(testAppID, "tommy", "jared", "alice")
	for _, g := range []emulator.Group{
		{ID: "@TGS#2J4SZEAEL", Type: "Public", Name: "engineering", Owner: testOwner, CreateTime: 1_400_000_000},
		{ID: "@TGS#_oncall", Type: "Community", Name: "oncall", Owner: testOwner, CreateTime: 1_400_000_000},
	} {
		if _, err := env.emu.AddGroup(testAppID, g); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)

	resources := example(t, "resources/tencentim_group_members/resource.tf")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				// The provider example configures and plans (no API call).
				Config:          example(t, "provider/provider.tf"),
				ConfigVariables: config.Variables{"tencentim_secret_key": config.StringVariable("example")},
				PlanOnly:        true,
			},
			{Config: resources, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				Config:           resources + example(t, "data-sources/tencentim_group_members/data-source.tf"),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentim_group_members.engineering", tfjsonpath.New("member_count"), knownvalue.Int64Exact(4)),
					statecheck.ExpectKnownOutputValue("engineering_admins", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("tommy")})),
				},
			},
		},
	})

	// The import block adopts the group into a fresh state with no changes.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: resources + example(t, "resources/tencentim_group_members/import-by-string-id.tf"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentim_group_members.engineering", plancheck.ResourceActionUpdate),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// examples/demo, the configuration `make demo` applies, against the same
// seeded groups the emulator command's -seed-demo makes.
func TestAccExampleDemo(t *testing.T) {
	env := newTestEnv(t, 0)
	must(t, env.emu.SeedDemo(testAppID))
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)
	// The demo's required_providers names the registry address.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "tencentim")
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// The demo has its own provider block, so the provider is given per step.
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          config.StaticDirectory(filepath.Join("..", "..", "examples", "demo")),
			ConfigPlanChecks:         emptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("community_admins", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("user3"), knownvalue.StringExact("user5"),
				})),
				statecheck.ExpectKnownOutputValue("member_counts", knownvalue.MapExact(map[string]knownvalue.Check{
					"@TGS#_demo-community": knownvalue.Int64Exact(8),
					"demo-meeting":         knownvalue.Int64Exact(3),
					"demo-public":          knownvalue.Int64Exact(5),
					"demo-work":            knownvalue.Int64Exact(2),
				})),
			},
		}, {
			// The test framework cannot read back a state whose instances
			// have string keys, so the demo destroys itself in a step.
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          config.StaticDirectory(filepath.Join("..", "..", "examples", "demo")),
			Destroy:                  true,
		}},
	})
}
