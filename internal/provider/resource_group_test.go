package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const groupAddr = "tencentim_group.test"

// groupConfig renders one tencentim_group "test" from attribute lines.
func (e *testEnv) groupConfig(attrs ...string) string {
	return e.providerBlock("") + "\nresource \"tencentim_group\" \"test\" {\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
}

// serverGroup reads a group through the API, as Terraform would.
func (e *testEnv) serverGroup(id string) (*timapi.GroupInfo, error) {
	return e.client().GetGroup(e.t.Context(), id)
}

func groupGone(env *testEnv, id string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if _, ok := env.emu.GroupInfo(testAppID, id); ok {
			return fmt.Errorf("group %s still exists", id)
		}
		return nil
	}
}

func TestAccGroup_lifecycle(t *testing.T) {
	env := newTestEnv(t, 5)
	base := []string{`group_id = "team-eng"`, `owner_account = "user0001"`}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             groupGone(env, "team-eng"),
		Steps: []resource.TestStep{
			{
				Config: env.groupConfig(append(base, `type = "Public"`, `name = "Engineering"`, `introduction = "eng"`, `max_member_count = 100`, `apply_join_option = "FreeAccess"`)...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionCreate),
						// id is known only once the group exists, even with a
						// custom group_id: members that refer to it then leave
						// their live-group checks to the apply.
						plancheck.ExpectUnknownValue(groupAddr, tfjsonpath.New("id")),
						plancheck.ExpectUnknownValue(groupAddr, tfjsonpath.New("create_time")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("id"), knownvalue.StringExact("team-eng")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("group_id"), knownvalue.StringExact("team-eng")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("owner_account"), knownvalue.StringExact("user0001")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("notification"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("max_member_count"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("apply_join_option"), knownvalue.StringExact("FreeAccess")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("create_time"), knownvalue.Int64Func(func(v int64) error {
						if d := time.Now().Unix() - v; d < 0 || d > 600 {
							return fmt.Errorf("create_time %d is not now", v)
						}
						return nil
					})),
					calls(env, map[string]int{"create_group": 1, "import_group": 0}),
				},
			},
			{
				// Everything modify_group_base_info covers changes in place,
				// in one call.
				PreConfig: env.emu.ResetStats,
				Config: env.groupConfig(append(base, `type = "Public"`, `name = "Engineering (all)"`, `introduction = "everyone"`,
					`notification = "stand-up at 10"`, `face_url = "https://example.com/eng.png"`, `max_member_count = 200`, `apply_join_option = "NeedPermission"`)...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_base_info": 1, "change_group_owner": 0, "create_group": 0, "destroy_group": 0}),
					checkFunc(func() error {
						g, err := env.serverGroup("team-eng")
						if err != nil {
							return err
						}
						if g.Name != "Engineering (all)" || g.Introduction != "everyone" || g.Notification != "stand-up at 10" ||
							g.FaceURL != "https://example.com/eng.png" || g.MaxMemberNum != 200 || g.ApplyJoinOption != "NeedPermission" {
							return fmt.Errorf("server holds %+v", g)
						}
						return nil
					}),
				},
			},
			{
				// Unset optional texts go back to empty.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupConfig(append(base, `type = "Public"`, `name = "Engineering"`, `max_member_count = 200`)...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("introduction"), knownvalue.StringExact("")),
						// Omitted, so kept as it is.
						plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("apply_join_option"), knownvalue.StringExact("NeedPermission")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{calls(env, map[string]int{"modify_group_base_info": 1})},
			},
			{
				// One apply hands the group to an account outside it: imported
				// as a member, then made the owner; the old owner stays a member.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupConfig(`group_id = "team-eng"`, `owner_account = "user0002"`, `type = "Public"`, `name = "Engineering"`, `max_member_count = 200`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"import_group_member": 1, "change_group_owner": 1, "modify_group_base_info": 0}),
					checkFunc(func() error {
						ms, _ := env.emu.Members(testAppID, "team-eng")
						if ms["user0002"].Role != "Owner" || ms["user0001"].Role != "Member" {
							return fmt.Errorf("members %v", ms)
						}
						return nil
					}),
				},
			},
			{
				ResourceName:      groupAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// A new type replaces the group, keeping its custom ID.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupConfig(`group_id = "team-eng"`, `owner_account = "user0002"`, `type = "Meeting"`, `name = "Engineering"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"destroy_group": 1, "create_group": 1}),
					checkFunc(func() error {
						if g, _ := env.emu.GroupInfo(testAppID, "team-eng"); g.Type != "ChatRoom" || g.Owner != "user0002" {
							return fmt.Errorf("group %+v", g)
						}
						return nil
					}),
				},
			},
			{
				// A legacy name for the same type is not a change on the server.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupConfig(`group_id = "team-eng"`, `owner_account = "user0002"`, `type = "ChatRoom"`, `name = "Engineering"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("type"), knownvalue.StringExact("ChatRoom")),
					calls(env, map[string]int{"destroy_group": 0, "create_group": 0, "modify_group_base_info": 0}),
				},
			},
		},
	})
}

// Generated IDs, import_group through create_time, an ownerless group, and
// members of a group created in the same apply.
func TestAccGroup_createTimeAndMembers(t *testing.T) {
	env := newTestEnv(t, 5)
	config := func(createTime int) string {
		return env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group" "test" {
  type          = "Community"
  name          = "社区"
  owner_account = "owner"
  create_time   = %d
}

resource "tencentim_group" "live" {
  type = "AVChatRoom"
  name = "live"
}

resource "tencentim_group_members" "test" {
  group_id = tencentim_group.test.id
  members = {
    user0001 = { role = "Admin", join_time = 1650000000 }
    user0002 = {}
  }
}
`, createTime)
	}
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if gs := env.emu.Groups(testAppID); len(gs) != 0 {
				return fmt.Errorf("groups left: %v", gs)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(1600000000),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(groupAddr, tfjsonpath.New("id")),
						plancheck.ExpectUnknownValue(membersAddr, tfjsonpath.New("group_id")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("create_time"), knownvalue.Int64Exact(1600000000)),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^@TGS#_`))),
					statecheck.ExpectKnownValue("tencentim_group.live", tfjsonpath.New("owner_account"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue("tencentim_group.live", tfjsonpath.New("max_member_count"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(membersAddr, tfjsonpath.New("members").AtMapKey("user0001").AtMapKey("join_time"), knownvalue.Int64Exact(1650000000)),
					calls(env, map[string]int{"import_group": 1, "create_group": 1}),
					checkFunc(func() error {
						for _, g := range env.emu.Groups(testAppID) {
							if g.Type == "Community" {
								firstID = g.ID
								if ms := env.serverMembers(g.ID); len(ms) != 2 || ms["user0001"].Role != "Admin" {
									return fmt.Errorf("members %v", ms)
								}
							}
						}
						return nil
					}),
				},
			},
			{
				// A new create_time replaces the group (and so its members).
				PreConfig: env.emu.ResetStats,
				Config:    config(1600000100),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("tencentim_group.live", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"import_group": 1, "destroy_group": 1}),
					checkFunc(func() error {
						if _, ok := env.emu.GroupInfo(testAppID, firstID); ok {
							return fmt.Errorf("the old group %s still exists", firstID)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccGroup_drift(t *testing.T) {
	env := newTestEnv(t, 5)
	config := env.groupConfig(`group_id = "drifty"`, `type = "Work"`, `name = "Drifty"`, `owner_account = "user0001"`, `notification = "hello"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				// Changed outside Terraform: the plan puts it back in place.
				PreConfig: func() {
					name, notice := "Renamed", ""
					must(t, env.client().ModifyGroupBaseInfo(t.Context(), "drifty", timapi.GroupBaseInfoChange{Name: &name, Notification: &notice}))
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("name"), knownvalue.StringExact("Drifty")),
				}},
			},
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(*terraform.State) error {
					if g, err := env.serverGroup("drifty"); err != nil || g.Name != "Drifty" || g.Notification != "hello" {
						return fmt.Errorf("not restored: %+v, %v", g, err)
					}
					return nil
				},
			},
			{
				// Dismissed outside Terraform: it leaves the state with a
				// warning and the plan creates it again.
				PreConfig:          func() { must(t, env.emu.DeleteGroup(testAppID, "drifty")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionCreate),
				}},
			},
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(*terraform.State) error {
					if g, ok := env.emu.GroupInfo(testAppID, "drifty"); !ok || g.Owner != "user0001" {
						return fmt.Errorf("not recreated: %+v", g)
					}
					return nil
				},
			},
			{
				// An unmanaged owner (owner_account omitted) follows the server.
				PreConfig: func() {
					must(t, env.emu.PutMember(testAppID, "drifty", emulator.Member{Account: "user0003", Role: "Owner"}))
				},
				Config: env.groupConfig(`group_id = "drifty"`, `type = "Work"`, `name = "Drifty"`, `notification = "hello"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("owner_account"), knownvalue.StringExact("user0003")),
				},
			},
		},
	})
}

// Configuration errors are reported at plan time, on the attribute, before
// any call.
func TestAccGroup_validation(t *testing.T) {
	env := newTestEnv(t, 1)
	future := time.Now().Add(48 * time.Hour).Unix()
	for _, tc := range []struct {
		name  string
		attrs []string
		err   *regexp.Regexp
	}{
		{"name too long", []string{`type = "Public"`, `name = "` + strings.Repeat("群", 11) + `"`}, phrases("name too long", "33 bytes", "at most 30 bytes")},
		{"empty name", []string{`type = "Public"`, `name = ""`}, phrases("Empty name")},
		{"bad type", []string{`type = "public"`, `name = "x"`}, phrases("type", "value must be one of")},
		{"reserved prefix", []string{`type = "Public"`, `name = "x"`, `group_id = "@TGS#mine"`}, phrases("Invalid custom group_id", `starts with "@TGS#"`, `such as "mine"`)},
		{"community prefix", []string{`type = "Community"`, `name = "x"`, `group_id = "oncall"`}, phrases("Invalid custom group_id", `must start with "@TGS#_"`)},
		{"group_id too long", []string{`type = "Public"`, `name = "x"`, `group_id = "` + strings.Repeat("g", 49) + `"`}, phrases("Invalid group_id", "49 bytes")},
		{"work join option", []string{`type = "Private"`, `name = "x"`, `apply_join_option = "FreeAccess"`}, phrases("apply_join_option is not available for Work groups")},
		{"avchatroom limit", []string{`type = "AVChatRoom"`, `name = "x"`, `max_member_count = 10`}, phrases("max_member_count is not available for AVChatRoom groups")},
		{"avchatroom import", []string{`type = "AVChatRoom"`, `name = "x"`, `create_time = 1600000000`}, phrases("AVChatRoom groups cannot be imported")},
		{"limit too large", []string{`type = "Public"`, `name = "x"`, `max_member_count = 6001`}, phrases("max_member_count too large", "at most 6000")},
		{"future create_time", []string{`type = "Public"`, `name = "x"`, fmt.Sprintf(`create_time = %d`, future)}, phrases("create_time in the future")},
		{"bad owner", []string{`type = "Public"`, `name = "x"`, `owner_account = ""`}, phrases("Invalid UserID", "Omit owner_account for an ownerless group")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config:      env.groupConfig(tc.attrs...),
					PlanOnly:    true,
					ExpectError: tc.err,
				}},
			})
		})
	}
	if n := env.emu.Stats()["create_group"].Calls + env.emu.Stats()["import_group"].Calls; n != 0 {
		t.Fatalf("%d create calls for invalid configurations", n)
	}
}

// The API's refusals name the call, the code, the group and what to do.
func TestAccGroup_apiErrors(t *testing.T) {
	env := newTestEnv(t, 2)
	_, err := env.emu.AddGroup(testAppID, emulator.Group{ID: "taken", Type: "Public", Name: "taken", Owner: testOwner})
	must(t, err)
	for _, tc := range []struct {
		name  string
		attrs []string
		err   *regexp.Regexp
	}{
		{"taken by another owner", []string{`group_id = "taken"`, `type = "Public"`, `name = "x"`, `owner_account = "user0001"`},
			phrases("create_group failed for group taken", "error 10021", "already used by another group")},
		{"taken by this owner", []string{`group_id = "taken"`, `type = "Public"`, `name = "x"`, `owner_account = "owner"`},
			phrases("create_group failed for group taken", "error 10025", "terraform import <address> 'taken'")},
		{"owner not imported", []string{`type = "Public"`, `name = "x"`, `owner_account = "ghost"`},
			phrases("The owner account does not exist in the app", `"ghost" was never imported`)},
		{"quota", []string{`type = "Public"`, `name = "x"`, `create_time = 1600000000`},
			phrases("import_group failed", "error 10058", "no more groups")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "quota" {
				env.emu.InjectFault(emulator.Fault{Command: "import_group", ErrorCode: 10058})
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config:      env.groupConfig(tc.attrs...),
					ExpectError: tc.err,
				}},
			})
		})
	}
	if gs := env.emu.Groups(testAppID); len(gs) != 1 {
		t.Fatalf("groups %v", gs)
	}
}

// Handing a group to a member that tencentim_group_members manages, in one
// change: owner_account names it and members no longer does. The apply
// leaves the new owner in place, and the next plan is empty.
func TestAccGroup_handOverToManagedMember(t *testing.T) {
	env := newTestEnv(t, 3)
	config := func(owner string, managed ...string) string {
		return env.groupConfig(`group_id = "handover"`, `type = "Public"`, `name = "Hand-over"`, fmt.Sprintf("owner_account = %q", owner)) +
			fmt.Sprintf("\nresource \"tencentim_group_members\" \"test\" {\n  group_id = tencentim_group.test.id\n  members  = %s\n}\n", membersHCL(managed...))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(testOwner, "user0002", "user0003"), ConfigPlanChecks: emptyPlanAfterApply()},
			{
				PreConfig: env.emu.ResetStats,
				Config:    config("user0002", "user0003"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"change_group_owner": 1, "delete_group_member": 0}),
					statecheck.ExpectKnownValue("tencentim_group_members.test", tfjsonpath.New("members"), knownvalue.MapSizeExact(1)),
					statecheck.ExpectKnownValue("tencentim_group_members.test", tfjsonpath.New("owner_account"), knownvalue.StringExact("user0002")),
					checkFunc(func() error {
						ms, _ := env.emu.Members(testAppID, "handover")
						if ms["user0002"].Role != "Owner" || ms[testOwner].Role != "Member" || ms["user0003"].Role != "Member" {
							return fmt.Errorf("members %v", ms)
						}
						return nil
					}),
				},
			},
		},
	})
}
