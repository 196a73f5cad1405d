package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// Name cards and custom member fields (issue #15): a member's name_card and
// custom_data are managed only when declared, set with one
// modify_group_member_info per member (shared with a role change), and read
// only when some member of the resource declares them.

// profileEnv is a test app whose custom member fields are dept and tier,
// with one Public group.
func profileEnv(t *testing.T, accounts int) (*testEnv, string) {
	t.Helper()
	env := newTestEnv(t, accounts)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.MemberDefinedKeys = []string{"dept", "tier"} })
	return env, env.group("Public")
}

// requestLog records the bodies of the API requests the provider sends, by
// command: a proxy in front of the emulator, which the provider block names
// from then on.
type requestLog struct {
	mu     sync.Mutex
	bodies map[string][]string
}

func recordRequests(env *testEnv) *requestLog {
	target, err := url.Parse(env.url)
	must(env.t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	l := &requestLog{bodies: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		l.mu.Lock()
		l.bodies[path.Base(r.URL.Path)] = append(l.bodies[path.Base(r.URL.Path)], string(b))
		l.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	env.t.Cleanup(srv.Close)
	env.url = srv.URL
	return l
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bodies = map[string][]string{}
}

// of decodes the requests of one command, oldest first.
func (l *requestLog) of(command string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, b := range l.bodies[command] {
		var m map[string]any
		if json.Unmarshal([]byte(b), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// modifies checks the modify_group_member_info requests since the last
// reset: exactly one per account in want, carrying exactly the fields named
// there (Role, NameCard, AppMemberDefinedData).
func (l *requestLog) modifies(want map[string][]string) statecheck.StateCheck {
	return checkFunc(func() error {
		got := map[string][]string{}
		for _, req := range l.of("modify_group_member_info") {
			a, _ := req["Member_Account"].(string)
			if _, dup := got[a]; dup {
				return fmt.Errorf("more than one modify_group_member_info for %s", a)
			}
			var fields []string
			for _, f := range []string{"Role", "NameCard", "AppMemberDefinedData"} {
				if _, ok := req[f]; ok {
					fields = append(fields, f)
				}
			}
			got[a] = fields
		}
		if len(got) != len(want) {
			return fmt.Errorf("modify_group_member_info for %v, want %v", got, want)
		}
		for a, fields := range want {
			if !slices.Equal(got[a], fields) {
				return fmt.Errorf("modify_group_member_info for %s sets %v, want %v (all: %v)", a, got[a], fields, got)
			}
		}
		return nil
	})
}

// memberReads checks what the member-list reads since the last reset asked
// for: the MemberInfoFilter and AppDefinedDataFilter_GroupMember of each.
func (l *requestLog) memberReads(groupID string, wantFilter []string, wantKeys []string) statecheck.StateCheck {
	return checkFunc(func() error {
		n := 0
		for _, req := range l.of("get_group_member_info") {
			if req["GroupId"] != groupID {
				continue
			}
			n++
			filter, keys := strs(req["MemberInfoFilter"]), strs(req["AppDefinedDataFilter_GroupMember"])
			if _, has := req["AppDefinedDataFilter_GroupMember"]; has != (wantKeys != nil) || !slices.Equal(filter, wantFilter) || !slices.Equal(keys, wantKeys) {
				return fmt.Errorf("a read of %s sent MemberInfoFilter %v and AppDefinedDataFilter_GroupMember %v, want %v and %v", groupID, filter, keys, wantFilter, wantKeys)
			}
		}
		if n == 0 {
			return fmt.Errorf("no get_group_member_info for %s", groupID)
		}
		return nil
	})
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func memberAt(account, attr string) tfjsonpath.Path {
	return tfjsonpath.New("members").AtMapKey(account).AtMapKey(attr)
}

func serverProfile(env *testEnv, gid, account, card string, data map[string]string) statecheck.StateCheck {
	return checkFunc(func() error {
		m, ok := env.serverMembers(gid)[account]
		switch {
		case !ok:
			return fmt.Errorf("%s is not in the group", account)
		case m.NameCard != card || !mapsEqual(m.CustomData, data):
			return fmt.Errorf("%s has name card %q and custom data %v, want %q and %v", account, m.NameCard, m.CustomData, card, data)
		}
		return nil
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Create: new members are imported in one batch, then given their profile
// with one modify each; a member already in the group gets its role and
// its profile in one call. Then a role and a profile change of one member
// share one call.
func TestAccMemberProfile_create(t *testing.T) {
	env, gid := profileEnv(t, 5)
	must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0004", Role: "Member", JoinTime: 1_700_000_000, NameCard: "Old"}))
	log := recordRequests(env)
	config := func(u2 string) string {
		return env.membersConfig(gid, false, membersHCL(
			`user0001=role = "Admin", name_card = "On-call lead", custom_data = { dept = "sre" }`,
			`user0002=`+u2,
			`user0003`,
			`user0004=role = "Admin", name_card = "New"`,
		))
	}
	matches := stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 4}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:        func() { env.emu.ResetStats(); log.reset() },
				Config:           config(`name_card = "Backup"`),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"import_group_member": 1, "modify_group_member_info": 3, "delete_group_member": 0}),
					log.modifies(map[string][]string{
						"user0001": {"NameCard", "AppMemberDefinedData"},
						"user0002": {"NameCard"},
						"user0004": {"Role", "NameCard"},
					}),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "name_card"), knownvalue.StringExact("On-call lead")),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "custom_data"), knownvalue.MapExact(map[string]knownvalue.Check{"dept": knownvalue.StringExact("sre")})),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0003", "name_card"), knownvalue.Null()),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0003", "custom_data"), knownvalue.Null()),
					serverProfile(env, gid, "user0001", "On-call lead", map[string]string{"dept": "sre"}),
					serverProfile(env, gid, "user0004", "New", nil),
					serverProfile(env, gid, "user0003", "", nil),
					matches,
				},
			},
			{
				PreConfig: func() { env.emu.ResetStats(); log.reset() },
				Config:    config(`role = "Admin", name_card = "Backup 2", custom_data = { tier = "gold" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"import_group_member": 0, "modify_group_member_info": 1, "delete_group_member": 0}),
					log.modifies(map[string][]string{"user0002": {"Role", "NameCard", "AppMemberDefinedData"}}),
					serverProfile(env, gid, "user0002", "Backup 2", map[string]string{"tier": "gold"}),
					matches,
				},
			},
		},
	})
}

// Drift: a managed name card or custom field changed out of band shows in
// the plan and is restored with one call; the name card of a member that
// does not declare one, and custom fields nobody names, never show.
func TestAccMemberProfile_drift(t *testing.T) {
	env, gid := profileEnv(t, 3)
	config := env.membersConfig(gid, false, membersHCL(
		`user0001=name_card = "Lead", custom_data = { dept = "sre" }`,
		`user0002`,
	))
	joined := func(a string) int64 { return env.serverMembers(gid)[a].JoinTime }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				// Unmanaged changes only: nothing to do.
				PreConfig: func() {
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", JoinTime: joined("user0001"), NameCard: "Lead", CustomData: map[string]string{"dept": "sre", "tier": "gold"}}))
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0002", JoinTime: joined("user0002"), NameCard: "Someone", CustomData: map[string]string{"dept": "ops"}}))
					env.emu.ResetStats()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_member_info": 0}),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0002", "name_card"), knownvalue.Null()),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "custom_data"), knownvalue.MapExact(map[string]knownvalue.Check{"dept": knownvalue.StringExact("sre")})),
				},
			},
			{
				// The managed name card and field drift: restored, the
				// unmanaged tier left as it is.
				PreConfig: func() {
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", JoinTime: joined("user0001"), NameCard: "Hijacked", CustomData: map[string]string{"dept": "ops", "tier": "gold"}}))
					env.emu.ResetStats()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(membersAddr, memberAt("user0001", "name_card"), knownvalue.StringExact("Lead")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_member_info": 1, "import_group_member": 0, "delete_group_member": 0}),
					serverProfile(env, gid, "user0001", "Lead", map[string]string{"dept": "sre", "tier": "gold"}),
					serverProfile(env, gid, "user0002", "Someone", map[string]string{"dept": "ops"}),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 2},
				},
			},
			{
				// A refresh alone shows the drift.
				PreConfig: func() {
					must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", JoinTime: joined("user0001"), NameCard: "Again", CustomData: map[string]string{"dept": "sre", "tier": "gold"}}))
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[membersAddr].Primary.Attributes["members.user0001.name_card"]; got != "Again" {
						return fmt.Errorf("refreshed name card %q, want the server's Again", got)
					}
					return nil
				},
			},
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply(), ConfigStateChecks: []statecheck.StateCheck{
				serverProfile(env, gid, "user0001", "Lead", map[string]string{"dept": "sre", "tier": "gold"}),
			}},
		},
	})
}

// Clearing: name_card = "" and an empty custom field value clear them; a
// field no longer named is left alone; omitting both stops managing them
// without a call.
func TestAccMemberProfile_clear(t *testing.T) {
	env, gid := profileEnv(t, 2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            env.membersConfig(gid, false, membersHCL(`user0001=name_card = "Lead", custom_data = { dept = "sre", tier = "gold" }`)),
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{serverProfile(env, gid, "user0001", "Lead", map[string]string{"dept": "sre", "tier": "gold"})},
			},
			{
				PreConfig:        env.emu.ResetStats,
				Config:           env.membersConfig(gid, false, membersHCL(`user0001=name_card = "", custom_data = { dept = "" }`)),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_member_info": 1}),
					serverProfile(env, gid, "user0001", "", map[string]string{"tier": "gold"}),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "name_card"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "custom_data"), knownvalue.MapExact(map[string]knownvalue.Check{"dept": knownvalue.StringExact("")})),
					stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 1},
				},
			},
			{
				PreConfig: env.emu.ResetStats,
				Config:    env.membersConfig(gid, false, membersHCL(`user0001`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls(env, map[string]int{"modify_group_member_info": 0, "import_group_member": 0, "delete_group_member": 0}),
					serverProfile(env, gid, "user0001", "", map[string]string{"tier": "gold"}),
					statecheck.ExpectKnownValue(membersAddr, memberAt("user0001", "name_card"), knownvalue.Null()),
				},
			},
		},
	})
}

// Reads ask for the name card and custom fields only when some member of
// the resource declares them: a resource that uses neither sends exactly
// the request it always sent, in the same number of calls.
func TestAccMemberProfile_readsOnlyWhatIsDeclared(t *testing.T) {
	env, plainGroup := profileEnv(t, 30)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.PageSize = 10 })
	profileGroup := env.group("Public")
	log := recordRequests(env)
	plain := rangeMembers(25)
	config := env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group_members" "plain" {
  group_id = %q
  members  = %s
}

resource "tencentim_group_members" "profile" {
  group_id = %q
  members = {
    user0001 = { name_card = "Lead" }
    user0002 = { custom_data = { tier = "gold" } }
    user0003 = {}
  }
}
`, plainGroup, plain, profileGroup)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				// A refresh, a plan and an apply that changes nothing: 1 + 3
				// pages per read of the plain group, the old request each time.
				PreConfig: func() { env.emu.ResetStats(); log.reset() },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					log.memberReads(plainGroup, []string{"Role", "JoinTime"}, nil),
					log.memberReads(profileGroup, []string{"Role", "JoinTime", "NameCard"}, []string{"tier"}),
					checkFunc(func() error {
						var pages int
						for _, req := range log.of("get_group_member_info") {
							if req["GroupId"] == plainGroup {
								pages++
							}
						}
						// 26 members (the owner too) in pages of 10, per read;
						// the step reads the group once or more, never partly.
						if pages == 0 || pages%3 != 0 {
							return fmt.Errorf("%d member pages of the plain group, want 3 per read", pages)
						}
						return nil
					}),
				},
			},
		},
	})
}

// Import (terraform import and an import block) fills the name card and
// custom data only of members that have them, so the configuration that
// created the group imports with no changes.
func TestAccMemberProfile_import(t *testing.T) {
	env, gid := profileEnv(t, 4)
	config := env.membersConfig(gid, false, membersHCL(
		`user0001=role = "Admin", name_card = "Lead", custom_data = { dept = "sre", tier = "gold" }`,
		`user0002=custom_data = { tier = "silver" }`,
		`user0003=name_card = "Third"`,
		`user0004`,
	))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				ResourceName:      membersAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d states imported", len(states))
					}
					a := states[0].Attributes
					for k, want := range map[string]string{
						"members.user0001.name_card":        "Lead",
						"members.user0001.custom_data.dept": "sre",
						"members.user0001.custom_data.%":    "2",
						"members.user0002.custom_data.tier": "silver",
						"members.user0003.name_card":        "Third",
					} {
						if a[k] != want {
							return fmt.Errorf("imported %s = %q, want %q", k, a[k], want)
						}
					}
					for _, k := range []string{"members.user0002.name_card", "members.user0004.name_card", "members.user0004.custom_data.%", "members.user0003.custom_data.%"} {
						if v, ok := a[k]; ok {
							return fmt.Errorf("imported %s = %q, want null", k, v)
						}
					}
					return nil
				},
			},
			{
				PreConfig:       env.emu.ResetStats,
				ResourceName:    membersAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(membersAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(membersAddr, memberAt("user0001", "name_card"), knownvalue.StringExact("Lead")),
					plancheck.ExpectKnownValue(membersAddr, memberAt("user0004", "name_card"), knownvalue.Null()),
				}},
			},
		},
	})
}

// An import block adopts a member's name card and custom data. Under the
// reading where the basic form lists no custom field (MemberDataOnlyNamed),
// the import cannot learn them: the plan then shows custom_data added, and
// the apply finds it already so and makes no call.
func TestAccMemberProfile_importBlockReadings(t *testing.T) {
	for _, onlyNamed := range []bool{false, true} {
		t.Run(fmt.Sprintf("only named %v", onlyNamed), func(t *testing.T) {
			env, gid := profileEnv(t, 2)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.MemberDataOnlyNamed = onlyNamed })
			must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", Role: "Admin", JoinTime: 1_700_000_000, NameCard: "Lead", CustomData: map[string]string{"dept": "sre", "tier": "gold"}}))
			must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0002", JoinTime: 1_700_000_000}))
			config := env.membersConfig(gid, false, membersHCL(
				`user0001=role = "Admin", name_card = "Lead", custom_data = { dept = "sre", tier = "gold" }`,
				`user0002`,
			)) + fmt.Sprintf(`
import {
  to = %s
  id = %q
}
`, membersAddr, gid)
			action := plancheck.ResourceActionNoop
			if onlyNamed {
				action = plancheck.ResourceActionUpdate
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: env.emu.ResetStats,
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(membersAddr, action)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						calls(env, map[string]int{"modify_group_member_info": 0, "import_group_member": 0, "delete_group_member": 0}),
						stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 2},
					},
				}},
			})
		})
	}
}

// The data source returns every member's name card and custom data.
func TestAccMemberProfile_dataSource(t *testing.T) {
	env, gid := profileEnv(t, 3)
	must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", Role: "Admin", JoinTime: 1_700_000_001, NameCard: "Lead", CustomData: map[string]string{"dept": "sre", "tier": "gold"}}))
	must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0002", JoinTime: 1_700_000_002}))
	ds := "data.tencentim_group_members.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerBlock("") + fmt.Sprintf(`
data "tencentim_group_members" "test" {
  group_id = %q
}
`, gid),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("members").AtMapKey("user0001"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"role": knownvalue.StringExact("Admin"), "join_time": knownvalue.Int64Exact(1_700_000_001),
					"name_card":   knownvalue.StringExact("Lead"),
					"custom_data": knownvalue.MapExact(map[string]knownvalue.Check{"dept": knownvalue.StringExact("sre"), "tier": knownvalue.StringExact("gold")}),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("members").AtMapKey("user0002"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"role": knownvalue.StringExact("Member"), "join_time": knownvalue.Int64Exact(1_700_000_002),
					"name_card": knownvalue.StringExact(""), "custom_data": knownvalue.MapExact(map[string]knownvalue.Check{}),
				})),
			},
		}},
	})
}

// The limits are refused at validate time, at the member's attribute.
func TestAccMemberProfile_validation(t *testing.T) {
	env, gid := profileEnv(t, 2)
	for _, c := range []struct{ member, want string }{
		{`name_card = "` + strings.Repeat("x", 51) + `"`, `(?s)Name card too long.*user0001`},
		{`custom_data = { "bad-key" = "x" }`, `(?s)Invalid custom member field name.*bad-key`},
		{`custom_data = { dept = "` + strings.Repeat("v", 65) + `" }`, `(?s)Custom member field value too long.*dept`},
		{`custom_data = { a = "1", b = "2", c = "3", d = "4", e = "5", f = "6" }`, `(?s)Too many custom member fields.*at most 5`},
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config:      env.membersConfig(gid, false, membersHCL(`user0001=`+c.member)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)),
			}},
		})
	}
}

// ------------------------------------------------------------ unit tests

// The checks name the member's attribute, down to the custom field.
func TestValidateMemberProfile(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	smap := func(kv ...string) tftypes.Value {
		elems := map[string]tftypes.Value{}
		for i := 0; i < len(kv); i += 2 {
			elems[kv[i]] = str(kv[i+1])
		}
		return tftypes.NewValue(stringMapType, elems)
	}
	at := func(attr string, key ...string) string {
		p := memberPath("alice", attr)
		for _, k := range key {
			p = p.WithElementKeyString(k)
		}
		return p.String()
	}
	for _, c := range []struct {
		name  string
		attrs map[string]tftypes.Value
		want  string // summary
		path  string
	}{
		{"valid", map[string]tftypes.Value{attrNameCard: str("名片 ok"), attrCustomData: smap("dept", "sre", "tier", "")}, "", ""},
		{"empty name card", map[string]tftypes.Value{attrNameCard: str("")}, "", ""},
		{"name card of 50 bytes", map[string]tftypes.Value{attrNameCard: str(strings.Repeat("n", 50))}, "", ""},
		{"unknown value", map[string]tftypes.Value{attrCustomData: tftypes.NewValue(stringMapType, map[string]tftypes.Value{"dept": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})}, "", ""},
		{"long name card", map[string]tftypes.Value{attrNameCard: str(strings.Repeat("名", 17))}, "Name card too long", at(attrNameCard)},
		{"bad key", map[string]tftypes.Value{attrCustomData: smap("dept", "x", "bad-key", "y")}, "Invalid custom member field name", at(attrCustomData, "bad-key")},
		{"empty key", map[string]tftypes.Value{attrCustomData: smap("", "y")}, "Invalid custom member field name", at(attrCustomData, "")},
		{"long key", map[string]tftypes.Value{attrCustomData: smap(strings.Repeat("k", 17), "y")}, "Invalid custom member field name", at(attrCustomData, strings.Repeat("k", 17))},
		{"long value", map[string]tftypes.Value{attrCustomData: smap("dept", strings.Repeat("v", 65))}, "Custom member field value too long", at(attrCustomData, "dept")},
		{"too many", map[string]tftypes.Value{attrCustomData: smap("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6")}, "Too many custom member fields", at(attrCustomData)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var diags diagnostics
			validateGroupMembersConfig(configValue(str("g"), map[string]map[string]tftypes.Value{"alice": c.attrs}), now, &diags)
			if c.want == "" {
				if len(diags) > 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary != c.want || diags[0].Attribute == nil || diags[0].Attribute.String() != c.path {
				var got []string
				for _, d := range diags {
					got = append(got, fmt.Sprintf("%s at %v", d.Summary, d.Attribute))
				}
				t.Fatalf("diagnostics %v, want %q at %s", got, c.want, c.path)
			}
		})
	}
}

// readOptions asks for nothing when no member declares a profile field, for
// what is declared otherwise, and for everything right after an import.
func TestReadOptions(t *testing.T) {
	card := "x"
	for _, c := range []struct {
		name string
		ms   map[string]memberModel
		want membership.ReadOptions
	}{
		{"none declared", map[string]memberModel{"a": {Role: "Admin"}, "b": {Role: "Member", CustomData: map[string]string{}}}, membership.ReadOptions{}},
		{"empty", map[string]memberModel{}, membership.ReadOptions{}},
		{"a name card", map[string]memberModel{"a": {NameCard: &card}, "b": {}}, membership.ReadOptions{NameCard: true}},
		{"custom keys", map[string]memberModel{"a": {CustomData: map[string]string{"tier": ""}}, "b": {CustomData: map[string]string{"dept": "x", "bad-key": "y"}}}, membership.ReadOptions{CustomDataKeys: []string{"dept", "tier"}}},
		{"just imported", nil, membership.ReadOptions{AllCustomData: true}},
	} {
		if got := readOptions(c.ms); got.NameCard != c.want.NameCard || got.AllCustomData != c.want.AllCustomData || !slices.Equal(got.CustomDataKeys, c.want.CustomDataKeys) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// refreshed keeps the profile fields a member manages, as the server holds
// them, and fills an adopted member's only with what it has.
func TestRefreshedProfiles(t *testing.T) {
	card, empty := "Lead", ""
	live := &membership.Group{Info: &timapi.GroupInfo{GroupID: "g", OwnerAccount: "boss"}, Members: map[string]members.Live{
		"boss": {Role: members.RoleOwner},
		"a":    {Role: "Member", JoinTime: 1, NameCard: "Changed", CustomData: map[string]string{"dept": "ops", "tier": "gold"}},
		"b":    {Role: "Member", JoinTime: 2, NameCard: "Unmanaged"},
		"c":    {Role: "Member", JoinTime: 3, CustomData: map[string]string{"tier": "gold"}},
	}}
	got := refreshed(groupMembersModel{GroupID: "g", Members: map[string]memberModel{
		"a": {Role: "Member", NameCard: &card, CustomData: map[string]string{"dept": "sre", "level": "1"}},
		"b": {Role: "Member"},
		"c": {Role: "Member", NameCard: &empty},
	}}, live).Members
	if a := got["a"]; a.NameCard == nil || *a.NameCard != "Changed" || !mapsEqual(a.CustomData, map[string]string{"dept": "ops", "level": ""}) {
		t.Errorf("a: %+v", a)
	}
	if b := got["b"]; b.NameCard != nil || b.CustomData != nil {
		t.Errorf("b manages nothing, got %+v", b)
	}
	if c := got["c"]; c.NameCard == nil || *c.NameCard != "" || c.CustomData != nil {
		t.Errorf("c: %+v", c)
	}
	adopted := refreshed(imported("g"), live).Members
	if a := adopted["a"]; a.NameCard == nil || *a.NameCard != "Changed" || !mapsEqual(a.CustomData, live.Members["a"].CustomData) {
		t.Errorf("adopted a: %+v", a)
	}
	if c := adopted["c"]; c.NameCard != nil || !mapsEqual(c.CustomData, map[string]string{"tier": "gold"}) {
		t.Errorf("adopted c: %+v", c)
	}
	if _, ok := adopted["boss"]; ok {
		t.Error("the owner was adopted")
	}
}
