package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
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
	// The app's custom member field that the example names.
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.MemberDefinedKeys = []string{"dept"} })
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
			{Config: resources, ConfigPlanChecks: emptyPlanAfterApply(), ConfigStateChecks: []statecheck.StateCheck{checkFunc(func() error {
				if m := env.serverMembers("@TGS#_oncall")["tommy"]; m.NameCard != "On-call lead" || m.CustomData["dept"] != "sre" {
					return fmt.Errorf("tommy in oncall: %+v", m)
				}
				return nil
			})}},
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

// The tencentim_accounts and tencentim_group examples, applied as written
// into an empty app, then imported back.
func TestAccExamplesAccountsAndGroup(t *testing.T) {
	env := newEmptyAppEnv(t)
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)

	accounts := example(t, "resources/tencentim_accounts/resource.tf")
	groups := example(t, "resources/tencentim_group/resource.tf")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: accounts, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				Config:           accounts + groups,
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentim_group.oncall", tfjsonpath.New("id"), knownvalue.StringExact("@TGS#_oncall")),
					statecheck.ExpectKnownValue("tencentim_group.oncall", tfjsonpath.New("create_time"), knownvalue.Int64Exact(1600000000)),
					statecheck.ExpectKnownValue("tencentim_group.engineering", tfjsonpath.New("owner_account"), knownvalue.StringExact("tommy")),
					statecheck.ExpectKnownValue("tencentim_group.engineering", tfjsonpath.New("max_member_count"), knownvalue.Int64Exact(500)),
					statecheck.ExpectKnownValue("tencentim_group_members.oncall", tfjsonpath.New("members").AtMapKey("jared").AtMapKey("role"), knownvalue.StringExact("Admin")),
				},
			},
			{
				ResourceName:      "tencentim_group.engineering",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:            "tencentim_accounts.staff",
				ImportState:             true,
				ImportStateId:           "tommy,jared,alice",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"accounts.tommy.nick", "accounts.tommy.face_url", "accounts.jared.nick"},
			},
		},
	})

	// The import block adopts an existing group that matches the
	// configuration without any change.
	env = newEmptyAppEnv(t)
	t.Setenv(EnvEndpoint, env.url)
	env.emu.AddAccounts(testAppID, "tommy")
	id, err := env.emu.AddGroup(testAppID, emulator.Group{ID: "@TGS#2J4SZEAEL", Type: "Public", Name: "Engineering", Owner: "tommy", MaxMemberNum: 500})
	must(t, err)
	intro, notice, apply := "Where the engineers talk.", "Stand-up at 10:00 every weekday.", "NeedPermission"
	must(t, env.client().ModifyGroupBaseInfo(t.Context(), id, timapi.GroupBaseInfoChange{Introduction: &intro, Notification: &notice, ApplyJoinOption: &apply}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: accounts + groups + example(t, "resources/tencentim_group/import-by-string-id.tf"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentim_group.engineering", plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue("tencentim_group.engineering", tfjsonpath.New("id"), knownvalue.StringExact("@TGS#2J4SZEAEL")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// examples/demo, the configuration `make demo` applies, against an emulator
// that holds only the app (as `make demo` starts it): one apply creates every
// account, group and membership, the next plan is empty, and destroying the
// configuration leaves the app empty again.
func TestAccExampleDemo(t *testing.T) {
	env := newEmptyAppEnv(t)
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)
	// The demo's required_providers names the registry address.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "tencentim")

	users := make([]string, 10)
	for i := range users {
		users[i] = fmt.Sprintf("user%d", i+1)
	}
	demoDir := config.StaticDirectory(filepath.Join("..", "..", "examples", "demo"))
	group := func(key string) string { return fmt.Sprintf("tencentim_group.demo[%q]", key) }
	seed := func(key string) string { return fmt.Sprintf("tencentim_group_members.seed[%q]", key) }
	var created []string
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// The demo has its own provider block, so the provider is given per step.
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          demoDir,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					// Everything is created by this one apply.
					plancheck.ExpectResourceAction("tencentim_accounts.demo", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(group("work"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(group("public"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(group("meeting"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(group("community"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(group("live"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(seed("work"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(seed("public"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(seed("meeting"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(seed("community"), plancheck.ResourceActionCreate),
					// A group's id, custom or generated, is known only once the
					// group exists, so the members' plan leaves its checks of the
					// live group to the apply instead of finding no group.
					plancheck.ExpectUnknownValue(seed("community"), tfjsonpath.New("group_id")),
					plancheck.ExpectUnknownValue(seed("public"), tfjsonpath.New("group_id")),
					plancheck.ExpectUnknownValue(seed("meeting"), tfjsonpath.New("group_id")),
					plancheck.ExpectKnownValue("tencentim_accounts.demo", tfjsonpath.New("accounts"), knownvalue.MapSizeExact(10)),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("community_admins", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("user3"), knownvalue.StringExact("user5"),
				})),
				statecheck.ExpectKnownOutputValue("member_counts", knownvalue.MapExact(map[string]knownvalue.Check{
					"community": knownvalue.Int64Exact(8),
					"meeting":   knownvalue.Int64Exact(3),
					"public":    knownvalue.Int64Exact(5),
					"work":      knownvalue.Int64Exact(2),
				})),
				statecheck.ExpectKnownOutputValue("group_ids", knownvalue.MapExact(map[string]knownvalue.Check{
					"community": knownvalue.StringExact("@TGS#_demo-community"),
					"public":    knownvalue.StringExact("demo-public"),
					"work":      knownvalue.StringExact("demo-work"),
					"meeting":   knownvalue.StringRegexp(regexp.MustCompile(`^@TGS#[^_]`)),
					"live":      knownvalue.StringRegexp(regexp.MustCompile(`^@TGS#[^_]`)),
				})),
				checkFunc(func() error {
					if accts := env.emu.Accounts(testAppID); !sameStrings(accts, users) {
						return fmt.Errorf("accounts %v, want %v", accts, users)
					}
					gs := env.emu.Groups(testAppID)
					if len(gs) != 5 {
						return fmt.Errorf("groups %v", gs)
					}
					created = created[:0]
					for _, g := range gs {
						created = append(created, g.ID)
						if g.Owner != "user1" {
							return fmt.Errorf("group %s is owned by %q", g.ID, g.Owner)
						}
					}
					if g, _ := env.emu.GroupInfo(testAppID, "demo-public"); g.CreateTime != 1_600_000_000 {
						return fmt.Errorf("demo-public was not back-dated with import_group: %+v", g)
					}
					if ms := env.serverMembers("@TGS#_demo-community"); len(ms) != 8 || ms["user3"].Role != "Admin" || ms["user3"].NameCard != "Community lead" || ms["user5"].NameCard != "" {
						return fmt.Errorf("community members %v", ms)
					}
					if ms := env.serverMembers("demo-public"); ms["user2"].NameCard != "Public group admin" {
						return fmt.Errorf("demo-public's user2 has name card %q", ms["user2"].NameCard)
					}
					return demoCallOrder(env.emu.Log())
				}),
			},
		}, {
			// The test framework cannot read back a state whose instances
			// have string keys (so neither a destroy step's Check nor
			// CheckDestroy can be used): the demo destroys itself in a step
			// and the next step checks the emulator first.
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          demoDir,
			Destroy:                  true,
		}, {
			// Nothing the configuration created is left: no accounts, no
			// groups, no members; planning again would create it all anew.
			PreConfig: func() {
				if accts := env.emu.Accounts(testAppID); len(accts) != 0 {
					t.Fatalf("accounts left after destroy: %v", accts)
				}
				if gs := env.emu.Groups(testAppID); len(gs) != 0 {
					t.Fatalf("groups left after destroy: %v", gs)
				}
				if len(created) != 5 {
					t.Fatalf("%d groups were created", len(created))
				}
				for _, id := range created {
					if ms, ok := env.emu.Members(testAppID, id); ok {
						t.Fatalf("group %s still has members %v", id, ms)
					}
				}
			},
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          demoDir,
			PlanOnly:                 true,
			ExpectNonEmptyPlan:       true,
		}},
	})
}

// newEmptyAppEnv is an emulator that holds only the test app and its admin:
// no accounts and no groups. Account deletion is switched on, as the demo's
// destroy deletes the accounts it imported.
func newEmptyAppEnv(t *testing.T) *testEnv {
	t.Helper()
	emu := emulator.New(emulator.Options{Settings: emulator.Settings{AccountDeleteEnabled: true}})
	emu.AddApp(testAppID, testKey, testAdmin)
	url, stop := emu.Start()
	t.Cleanup(stop)
	return &testEnv{t: t, emu: emu, url: url}
}

func sameStrings(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// demoCallOrder checks that the single apply ran in dependency order:
// accounts were imported before any group was created, and each group was
// created before members were imported into it.
func demoCallOrder(log []emulator.LoggedRequest) error {
	lastAccountImport, firstGroupCreate := -1, -1
	createdAt := map[string]int{}
	for i, r := range log {
		if r.ErrorCode != 0 {
			return fmt.Errorf("call %d (%s) failed with %d", i, r.Command, r.ErrorCode)
		}
		switch r.Command {
		case "multiaccount_import":
			lastAccountImport = i
		case "create_group", "import_group":
			if firstGroupCreate < 0 {
				firstGroupCreate = i
			}
			createdAt[r.GroupID] = i
		case "import_group_member":
			at, ok := createdAt[r.GroupID]
			if !ok || at > i {
				return fmt.Errorf("members were imported into %s before it was created", r.GroupID)
			}
		}
	}
	switch {
	case lastAccountImport < 0 || firstGroupCreate < 0:
		return fmt.Errorf("no multiaccount_import (%d) or group creation (%d) in the log", lastAccountImport, firstGroupCreate)
	case lastAccountImport > firstGroupCreate:
		return fmt.Errorf("a group was created (call %d) before the accounts were imported (call %d)", firstGroupCreate, lastAccountImport)
	case len(createdAt) != 5:
		return fmt.Errorf("%d groups created, want 5", len(createdAt))
	}
	return nil
}

// examples/large-group, the README's layout for a very large group: ten
// additive resources share one group, the next plan is empty, and added
// rows land in their buckets without moving or re-importing anyone.
func TestAccExampleLargeGroup(t *testing.T) {
	env := newEmptyAppEnv(t)
	h := newCLIHarness(t, env)
	dir := filepath.Join("..", "..", "examples", "large-group")
	config, err := os.ReadFile(filepath.Join(dir, "main.tf"))
	must(t, err)
	csv, err := os.ReadFile(filepath.Join(dir, "members.csv"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(h.dir, "main.tf"), config, 0o600))
	must(t, os.WriteFile(filepath.Join(h.dir, "members.csv"), csv, 0o600))
	h.mustRun("apply", "-auto-approve")

	const group = "@TGS#_large-group"
	before := env.serverMembers(group)
	if len(before) != 200 {
		t.Fatalf("the group has %d members, want the CSV's 200", len(before))
	}
	if out, err := h.run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan after the apply: %v (want no changes)\n%s", err, out)
	}

	more := string(csv)
	for i := 201; i <= 230; i++ {
		more += fmt.Sprintf("member%04d,Member\n", i)
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "members.csv"), []byte(more), 0o600))
	out := h.mustRun("apply", "-auto-approve")
	if strings.Contains(out, "destroy") && !strings.Contains(out, "0 destroyed") {
		t.Fatalf("adding rows destroyed something:\n%s", out)
	}
	after := env.serverMembers(group)
	if len(after) != 230 {
		t.Fatalf("the group has %d members after adding 30, want 230", len(after))
	}
	for a, m := range before {
		if after[a].JoinTime != m.JoinTime || after[a].Role != m.Role {
			t.Fatalf("%s changed from %+v to %+v: an existing member moved or was re-imported", a, m, after[a])
		}
	}
	if calls := env.emu.Stats()["delete_group_member"].Calls; calls != 0 {
		t.Fatalf("%d delete_group_member calls; nothing should be removed", calls)
	}
}
