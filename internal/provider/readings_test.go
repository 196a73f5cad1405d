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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
)

// The scenarios that depend on a point Tencent's docs leave open, under every
// reading the emulator has a switch for (internal/emulator/README.md).

// A missing account, answered as a request-level 10019, as Result 0 for that
// member, or as a 10004 that names nobody: the error names the missing
// accounts, every other declared member is imported, and nothing is lost.
func TestAccReadings_missingAccount(t *testing.T) {
	for _, reading := range []string{emulator.MissingAccountRequest, emulator.MissingAccountMember, emulator.MissingAccountReject} {
		t.Run(reading, func(t *testing.T) {
			// More members than a plan checks with account_check, so that the
			// apply meets the missing accounts: its handling of each reading
			// is what this test is about.
			n := membership.PlanAccountCheckMax + 48
			env := newTestEnv(t, n)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.MissingAccount = reading })
			gid := env.group("Public")
			// The ghosts sit in the first and the last batch.
			withGhosts := env.membersConfig(gid, false, fmt.Sprintf(`merge(%s, { aaa-ghost = {}, zzz-ghost = {} })`, rangeMembers(n)))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      withGhosts,
						ExpectError: regexp.MustCompile(`(?s)2 accounts do not exist in the app.*aaa-ghost, zzz-ghost`),
					},
					{
						PreConfig: func() {
							if got := len(env.serverMembers(gid)); got != n {
								t.Errorf("after the failed apply the group has %d members, want the %d that exist", got, n)
							}
							env.emu.AddAccounts(testAppID, "aaa-ghost", "zzz-ghost")
							env.emu.ResetStats()
						},
						Config:           withGhosts,
						ConfigPlanChecks: emptyPlanAfterApply(),
						ConfigStateChecks: []statecheck.StateCheck{
							stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: n + 2},
							importSizes(env, []int{2}),
						},
					},
				},
			})
		})
	}
}

// The Community cursor as a string (first "") or an integer (first 0), each
// reading strict about the type it is sent; Community pages limited to 100;
// and pages shorter than asked.
func TestAccReadings_pages(t *testing.T) {
	for _, tc := range []struct {
		name      string
		groupType string
		settings  func(*emulator.Settings)
	}{
		{"community next as string, page 7", "Community", func(s *emulator.Settings) { s.NextType = emulator.NextTypeString; s.PageSize = 7 }},
		{"community next as integer, page 7", "Community", func(s *emulator.Settings) { s.NextType = emulator.NextTypeInteger; s.PageSize = 7 }},
		{"community next as integer, Limit above 100 refused", "Community", func(s *emulator.Settings) {
			s.NextType = emulator.NextTypeInteger
			s.CommunityLimitMax = 100
		}},
		{"offset pages of 7", "Public", func(s *emulator.Settings) { s.PageSize = 7 }},
		{"offset pages of 1", "ChatRoom", func(s *emulator.Settings) { s.PageSize = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, 40)
			env.emu.UpdateSettings(tc.settings)
			gid := env.group(tc.groupType)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:            env.membersConfig(gid, false, rangeMembers(30)),
						ConfigPlanChecks:  emptyPlanAfterApply(),
						ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 30}},
					},
					{
						ResourceName:      membersAddr,
						ImportState:       true,
						ImportStateVerify: true,
					},
				},
			})
		})
	}
}

// importCallsAtCap is the fewest import_group_member calls that bring in n
// members against a server at one of the documented caps, starting from the
// provider's default batch size of 300: ceil(n/cap), plus one refused call
// for each documented cap above the server's.
func importCallsAtCap(n, serverCap int) (calls, refused int) {
	for _, c := range []int{300, 100} {
		if c > serverCap {
			refused++
		}
	}
	return (n+serverCap-1)/serverCap + refused, refused
}

// Import caps of 300, 100 and 20: the cap is found in a refused call per
// documented cap above it, once per provider process, and every other
// batch is full. Deletes go in batches of 100.
func TestAccReadings_importCaps(t *testing.T) {
	const n = 610
	for _, serverCap := range []int{300, 100, 20} {
		t.Run(fmt.Sprint(serverCap), func(t *testing.T) {
			env := newTestEnv(t, n)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.ImportCap = serverCap })
			gid := env.group("Community")
			want, refused := importCallsAtCap(n, serverCap)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{
					{
						PreConfig:        env.emu.ResetStats,
						Config:           env.membersConfig(gid, false, rangeMembers(n)),
						ConfigPlanChecks: emptyPlanAfterApply(),
						ConfigStateChecks: []statecheck.StateCheck{
							calls(env, map[string]int{"import_group_member": want}),
							checkFunc(func() error {
								if got := env.emu.Stats()["import_group_member"].Failed; got != refused {
									return fmt.Errorf("%d import calls refused, want %d (one per documented cap above %d)", got, refused, serverCap)
								}
								return nil
							}),
							stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: n},
						},
					},
					{
						PreConfig:        env.emu.ResetStats,
						Config:           env.membersConfig(gid, false, rangeMembers(n-250)),
						ConfigPlanChecks: emptyPlanAfterApply(),
						ConfigStateChecks: []statecheck.StateCheck{
							calls(env, map[string]int{"delete_group_member": 3, "import_group_member": 0}),
							stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: n - 250},
						},
					},
				},
			})
		})
	}
}

// A group of 10,000 members: its basic get_group_info answer would be well
// over 1 MB (10018), so this passes only if every read is filtered.
func TestAccReadings_largeGroup(t *testing.T) {
	const n = 10_000
	env := newTestEnv(t, n)
	gid := env.group("Community")
	noTooLarge := checkFunc(func() error {
		for _, r := range env.emu.Log() {
			if r.ErrorCode == 10018 {
				return fmt.Errorf("%s was answered 10018 (response over 1 MB)", r.Command)
			}
		}
		return nil
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            env.membersConfig(gid, false, rangeMembers(n)),
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{noTooLarge, stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: n}},
			},
			{
				ResourceName:      membersAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// Work and Meeting are client SDK names; the REST API documents Private and
// ChatRoom. With the emulator refusing Work and Meeting (its default), the
// groups are created under their REST names, and the state keeps the name
// written in the configuration: the server's answers never show as a diff.
func TestAccReadings_groupTypeNames(t *testing.T) {
	env := newTestEnv(t, 5)
	config := func(work, meeting string) string {
		return env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group" "work" {
  type          = %q
  name          = "work"
  owner_account = "owner"
}
resource "tencentim_group" "meeting" {
  type          = %q
  name          = "meeting"
  owner_account = "owner"
}
`, work, meeting)
	}
	serverTypes := checkFunc(func() error {
		var got []string
		for _, g := range env.emu.Groups(testAppID) {
			got = append(got, g.Type)
		}
		if !sameStrings(got, []string{"Private", "ChatRoom"}) {
			return fmt.Errorf("the server holds groups of types %v, want Private and ChatRoom", got)
		}
		return nil
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:           config("Work", "Meeting"),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					serverTypes,
					statecheck.ExpectKnownValue("tencentim_group.work", tfjsonpath.New("type"), knownvalue.StringExact("Work")),
					statecheck.ExpectKnownValue("tencentim_group.meeting", tfjsonpath.New("type"), knownvalue.StringExact("Meeting")),
				},
			},
			{
				// The other spelling of the same types only changes the
				// name kept in the state: no replacement and no API write.
				PreConfig: env.emu.ResetStats,
				Config:    config("Private", "ChatRoom"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("tencentim_group.work", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("tencentim_group.meeting", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					serverTypes,
					calls(env, map[string]int{"create_group": 0, "destroy_group": 0, "modify_group_base_info": 0}),
					statecheck.ExpectKnownValue("tencentim_group.work", tfjsonpath.New("type"), knownvalue.StringExact("Private")),
				},
			},
		},
	})
}

// join_time is judged by the server's clock: against a server an hour
// behind this machine, a join time ten minutes ago is in the server's future
// and is refused before any write, and undeclared join times are the
// server's now.
func TestAccReadings_serverClock(t *testing.T) {
	skew := -time.Hour
	emu := emulator.New(emulator.Options{Now: func() time.Time { return time.Now().Add(skew) }})
	env := newTestEnvWith(t, emu, 5)
	gid := env.group("Public")
	tenMinutesAgo := time.Now().Add(-10 * time.Minute).Unix()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				// Refused by the plan itself.
				PreConfig:   env.emu.ResetStats,
				Config:      env.membersConfig(gid, false, membersHCL(fmt.Sprintf("user0001=join_time = %d", tenMinutesAgo), "user0002")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)join_time in the future.*server's current time.*user0001`),
			},
			{
				PreConfig: func() {
					if err := (callCheck{env: env, want: map[string]int{"import_group_member": 0}}).check(); err != nil {
						t.Error(err)
					}
				},
				Config:           env.membersConfig(gid, false, membersHCL("user0001", "user0002")),
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{checkFunc(func() error {
					serverNow := time.Now().Add(skew).Unix()
					for a, m := range env.serverMembers(gid) {
						if m.JoinTime >= serverNow || m.JoinTime < serverNow-120 {
							return fmt.Errorf("%s joined at %d; the server's now is %d", a, m.JoinTime, serverNow)
						}
					}
					return nil
				})},
			},
		},
	})
}

// Ten resources applied in parallel against a server that allows a tenth of
// the documented rates (20 group calls/s per command, where the client
// starts at 200): everything succeeds, no rate-limit error reaches the user,
// and fewer than 10% of the calls are answered "too frequent".
func TestAccReadings_throttledParallelResources(t *testing.T) {
	const groups, members = 10, 200
	env := newTestEnv(t, members)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.CommandRateScale = 0.1; s.ImportCap = 20 })
	h := newCLIHarness(t, env)
	var config strings.Builder
	config.WriteString("provider \"tencentim\" {}\n")
	for i := range groups {
		fmt.Fprintf(&config, `
resource "tencentim_group_members" "g%02d" {
  group_id = %q
  members  = %s
}
`, i, env.group("Public"), rangeMembers(members))
	}
	h.writeConfig(config.String())
	env.emu.ResetStats()
	h.mustRun("apply", "-auto-approve", "-parallelism=10")
	if out := h.mustRun("plan", "-detailed-exitcode", "-parallelism=10"); !strings.Contains(out, "No changes") {
		t.Fatalf("the plan after the apply is not empty:\n%s", out)
	}
	log := env.emu.Log()
	throttled, refused, imports := 0, 0, 0
	byCommand := map[string]int{}
	throttledBy := map[string]int{}
	for _, r := range log {
		byCommand[r.Command]++
		if r.ErrorCode == 10006 || r.ErrorCode == 60007 {
			throttledBy[r.Command]++
		}
		switch {
		case r.ErrorCode == 10006 || r.ErrorCode == 60007:
			throttled++
		case r.Command == "import_group_member" && r.ErrorCode == 10005:
			refused++
		case r.Command == "import_group_member" && r.ErrorCode == 0:
			imports++
		}
	}
	// The cap is learned once for the provider process: every batch of
	// every resource after that is full.
	if want := groups * members / 20; imports != want || refused != 2 {
		t.Errorf("%d successful imports and %d refused as too large; want %d and 2 (300 and 100, once for all ten resources)", imports, refused, want)
	}
	share := float64(throttled) / float64(len(log))
	t.Logf("%d calls, %d answered too frequent (%.1f%%); calls by command %v, too frequent by command %v", len(log), throttled, 100*share, byCommand, throttledBy)
	if share >= 0.10 {
		t.Errorf("%d of %d calls (%.1f%%) were answered too frequent; the target is under 10%%", throttled, len(log), 100*share)
	}
	for _, g := range env.emu.Groups(testAppID) {
		if n := len(env.serverMembers(g.ID)); n != members {
			t.Errorf("group %s has %d members, want %d", g.ID, n, members)
		}
	}
}

// A server whose delete cap is below the documented 100 answers an
// oversized delete_group_member with 10005 (then the batch steps down and
// the size holds) or, as its error list suggests, with 10004 (then the error
// says to lower delete_batch_size, and doing so works).
func TestAccReadings_deleteCap(t *testing.T) {
	for _, code := range []int{10005, 10004} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			env := newTestEnv(t, 150)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.DeleteCap = 50; s.OversizedDeleteCode = code })
			gid := env.group("Public")
			withBatch := func(size int) string {
				return env.providerBlock(fmt.Sprintf("delete_batch_size = %d", size)) + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = %s
}
`, gid, rangeMembers(30))
			}
			steps := []resource.TestStep{
				{Config: env.membersConfig(gid, false, rangeMembers(150)), ConfigPlanChecks: emptyPlanAfterApply()},
			}
			if code == 10005 {
				steps = append(steps, resource.TestStep{
					PreConfig:        env.emu.ResetStats,
					Config:           env.membersConfig(gid, false, rangeMembers(30)),
					ConfigPlanChecks: emptyPlanAfterApply(),
					ConfigStateChecks: []statecheck.StateCheck{
						// 100 refused, then 50, 50 and 20.
						calls(env, map[string]int{"delete_group_member": 4}),
						stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 30},
					},
				})
			} else {
				steps = append(steps,
					resource.TestStep{
						Config:      env.membersConfig(gid, false, rangeMembers(30)),
						ExpectError: phrases("delete_group_member failed for group", "error 10004", "set the provider's delete_batch_size lower"),
					},
					resource.TestStep{
						PreConfig:         env.emu.ResetStats,
						Config:            withBatch(50),
						ConfigPlanChecks:  emptyPlanAfterApply(),
						ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{env: env, address: membersAddr, groupID: gid, wantSize: 30}},
					})
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
		})
	}
}
