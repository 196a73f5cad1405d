package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// The data sources run against the emulator at Tencent's documented rates:
// get_appid_group_list 1 call/s, as a real app would have it.

// seedEveryType makes n[type] groups of each type (the client-SDK names
// seed Private and ChatRoom groups) and returns their IDs by REST type.
func (e *testEnv) seedEveryType(n map[string]int) map[string][]string {
	e.t.Helper()
	out := map[string][]string{}
	for _, typ := range []string{"Work", "Public", "Meeting", "Community", "AVChatRoom"} {
		for range n[typ] {
			out[timapi.RESTGroupType(typ)] = append(out[timapi.RESTGroupType(typ)], e.group(typ))
		}
	}
	return out
}

// union is the IDs of the given types, sorted, as the data source lists them.
func union(byType map[string][]string, restTypes ...string) []string {
	var out []string
	for _, t := range restTypes {
		out = append(out, byType[t]...)
	}
	slices.Sort(out)
	return out
}

func stringsExact(ss []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ss))
	for i, s := range ss {
		checks[i] = knownvalue.StringExact(s)
	}
	return knownvalue.ListExact(checks)
}

// groupObjects is the expected groups attribute: each ID with the name
// env.group gave it and its REST type.
func groupObjects(env *testEnv, ids []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		g, ok := env.emu.GroupInfo(testAppID, id)
		if !ok {
			env.t.Fatalf("group %s is not on the server", id)
		}
		checks[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"group_id": knownvalue.StringExact(id),
			"name":     knownvalue.StringExact(g.Name),
			"type":     knownvalue.StringExact(g.Type),
		})
	}
	return knownvalue.ListExact(checks)
}

// perRead asserts that the requests since the last ResetStats are whole
// reads of a tencentim_groups data source, each making exactly lists
// successful get_appid_group_list calls that list listed IDs in all, and
// infos get_group_info calls that return no member. Terraform reads a data
// source several times per test step (plan, apply, the checks' plans), so
// the check is per read. Calls refused as too frequent are retried by the
// client; they are counted and logged, not failed.
type perRead struct {
	env                  *testEnv
	lists, listed, infos int
	// Refusals allowed per read: each read is a new provider process, whose
	// first call may come under a second after the previous one's last.
	throttledPerRead int
}

func (c perRead) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check()
}

func (c perRead) check() error {
	var lists, listed, infos, infoMembers, throttled int
	other := map[string]int{}
	for _, r := range c.env.emu.Log() {
		switch {
		case r.ErrorCode == 10006:
			throttled++
		case r.ErrorCode != 0:
			return fmt.Errorf("%s was answered %d", r.Command, r.ErrorCode)
		case r.Command == "get_appid_group_list":
			lists++
			listed += r.Members
		case r.Command == "get_group_info":
			infos++
			infoMembers += r.Members
		default:
			other[r.Command]++
		}
	}
	switch {
	case len(other) > 0:
		return fmt.Errorf("unexpected calls %v", other)
	case lists == 0 || lists%c.lists != 0:
		return fmt.Errorf("%d get_appid_group_list calls: not a whole number of reads of %d calls", lists, c.lists)
	}
	reads := lists / c.lists
	c.env.t.Logf("%d reads: %d get_appid_group_list calls listing %d IDs (%d more refused as too frequent), %d get_group_info calls",
		reads, lists, listed, throttled, infos)
	switch {
	case listed != reads*c.listed:
		return fmt.Errorf("%d reads listed %d group IDs, want %d per read", reads, listed, c.listed)
	case infos != reads*c.infos:
		return fmt.Errorf("%d reads made %d get_group_info calls, want %d per read", reads, infos, c.infos)
	case infoMembers != 0:
		return fmt.Errorf("get_group_info returned %d members; the data source asks for base info only", infoMembers)
	case throttled > reads*c.throttledPerRead:
		return fmt.Errorf("%d calls refused as too frequent in %d reads, want at most %d per read", throttled, reads, c.throttledPerRead)
	}
	return nil
}

const groupsAddr = "data.tencentim_groups.test"

func (e *testEnv) groupsConfig(attrs ...string) string {
	return e.providerBlock("") + "\ndata \"tencentim_groups\" \"test\" {\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
}

// Groups of every type: all of them, a type filter (one listing per type,
// a type's two names counting once) and with_info in batches of 50.
func TestAccDataSourceGroups_typesAndInfo(t *testing.T) {
	env := newTestEnv(t, 0)
	byType := env.seedEveryType(map[string]int{"Work": 3, "Public": 55, "Meeting": 3, "Community": 3, "AVChatRoom": 3})
	all := union(byType, "Private", "Public", "ChatRoom", "Community", "AVChatRoom")
	teams := union(byType, "Private", "Community")
	big := union(byType, "Public", "AVChatRoom", "ChatRoom")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				// Every type in one listing; no info.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupsConfig(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), stringsExact(all)),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), knownvalue.Null()),
					perRead{env: env, lists: 1, listed: len(all), infos: 0, throttledPerRead: 1},
				},
			},
			{
				// Work and Private are one type: two listings, and one
				// get_group_info for 6 groups.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupsConfig(`types = ["Work", "Private", "Community"]`, `with_info = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), stringsExact(teams)),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), groupObjects(env, teams)),
					perRead{env: env, lists: 2, listed: len(teams), infos: 1, throttledPerRead: 1},
				},
			},
			{
				// 61 groups: three listings and two get_group_info calls.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupsConfig(`types = ["Public", "AVChatRoom", "Meeting"]`, `with_info = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), stringsExact(big)),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), groupObjects(env, big)),
					perRead{env: env, lists: 3, listed: len(big), infos: 2, throttledPerRead: 1},
				},
			},
			{
				// with_info = false is the default: no get_group_info.
				PreConfig: env.emu.ResetStats,
				Config:    env.groupsConfig(`types = ["ChatRoom"]`, `with_info = false`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), stringsExact(union(byType, "ChatRoom"))),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), knownvalue.Null()),
					perRead{env: env, lists: 1, listed: 3, infos: 0, throttledPerRead: 1},
				},
			},
		},
	})
}

// Types outside tencentim_group's, and an empty set, are refused before
// any call, naming the attribute.
func TestAccDataSourceGroups_invalidTypes(t *testing.T) {
	env := newTestEnv(t, 0)
	env.group("Public")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   env.emu.ResetStats,
				Config:      env.groupsConfig(`types = ["Public", "BChatRoom"]`),
				PlanOnly:    true,
				ExpectError: phrases(`types[Value("BChatRoom")]`, `value must be one of`, `"Work"`, `"ChatRoom"`, `got: "BChatRoom"`),
			},
			{
				Config:      env.groupsConfig(`types = ["public"]`),
				PlanOnly:    true,
				ExpectError: phrases(`types[Value("public")]`, `value must be one of`),
			},
			{
				Config:      env.groupsConfig(`types = []`),
				PlanOnly:    true,
				ExpectError: phrases("Empty types", "Omit types to list the groups of every type"),
			},
			{
				PreConfig: func() {
					if log := env.emu.Log(); len(log) != 0 {
						t.Errorf("the refused configurations made %d calls, the first %s", len(log), log[0].Command)
					}
				},
				Config: env.groupsConfig(`types = ["Public"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					perRead{env: env, lists: 1, listed: 1, infos: 0, throttledPerRead: 1},
				},
			},
		},
	})
}

// An empty app lists nothing in one call; a server that ends a listing with
// an empty page (the docs' sample answer) costs one call more per listing.
func TestAccDataSourceGroups_pagingReadings(t *testing.T) {
	for _, finalEmptyPage := range []bool{false, true} {
		t.Run(fmt.Sprintf("final empty page %t", finalEmptyPage), func(t *testing.T) {
			env := newTestEnv(t, 0)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.GroupListFinalEmptyPage = finalEmptyPage })
			perListing := 1
			if finalEmptyPage {
				perListing = 2
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: env.emu.ResetStats,
					Config:    env.groupsConfig(`with_info = true`),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), knownvalue.ListExact(nil)),
						statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), knownvalue.ListExact(nil)),
						// An empty page has no cursor under either reading,
						// and no group means no get_group_info.
						perRead{env: env, lists: 1, listed: 0, infos: 0, throttledPerRead: 1},
					},
				}},
			})
			byType := env.seedEveryType(map[string]int{"Work": 2, "Public": 2, "Meeting": 2, "Community": 2, "AVChatRoom": 2})
			want := union(byType, "Private", "Community")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: env.emu.ResetStats,
					Config:    env.groupsConfig(`types = ["Work", "Community"]`, `with_info = true`),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("ids"), stringsExact(want)),
						statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("groups"), groupObjects(env, want)),
						perRead{env: env, lists: 2 * perListing, listed: len(want), infos: 1, throttledPerRead: 1},
					},
				}},
			})
		})
	}
}

// A caller that is not an app admin: the common 60010 is an authentication
// error naming the setting; the page's own 10007 says the same in its words.
func TestAccDataSourceGroups_notAdmin(t *testing.T) {
	for _, c := range []struct {
		name      string
		code10007 bool
		want      []string
	}{
		{"60010", false, []string{"Authentication failed: Listing the app's groups failed", "error 60010", "identifier must be an app admin account"}},
		{"10007", true, []string{"Listing the app's Community groups failed", "error 10007", "Only an app admin may make this call", "set the provider's identifier"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t, 0)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.GroupListNonAdmin10007 = c.code10007 })
			types := ""
			if c.code10007 {
				types = `types = ["Community"]`
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config:      env.providerBlock(`identifier = "owner"`) + "\ndata \"tencentim_groups\" \"test\" {\n  " + types + "\n}\n",
					ExpectError: phrases(c.want...),
				}},
			})
		})
	}
}

const groupDataAddr = "data.tencentim_group.test"

// One group of each type, read with one get_group_info each (no member
// list), every base field as the server holds it.
func TestAccDataSourceGroup_everyType(t *testing.T) {
	env := newTestEnv(t, 3)
	byType := env.seedEveryType(map[string]int{"Work": 1, "Public": 1, "Meeting": 1, "Community": 1, "AVChatRoom": 1})
	pub := byType["Public"][0]
	for i := 1; i <= 3; i++ {
		must(t, env.emu.PutMember(testAppID, pub, emulator.Member{Account: account(i)}))
	}
	intro, note, face, apply, maxN := "all hands", "stand-up at 10", "https://example.com/p.png", "FreeAccess", 500
	must(t, env.client().ModifyGroupBaseInfo(t.Context(), pub, timapi.GroupBaseInfoChange{
		Introduction: &intro, Notification: &note, FaceURL: &face, ApplyJoinOption: &apply, MaxMemberNum: &maxN,
	}))
	var config strings.Builder
	config.WriteString(env.providerBlock(""))
	config.WriteString("\ndata \"tencentim_group\" \"test\" {\n  group_id = " + fmt.Sprintf("%q", pub) + "\n}\n")
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(pub)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("type"), knownvalue.StringExact("Public")),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("name"), knownvalue.StringExact("test Public")),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("owner_account"), knownvalue.StringExact(testOwner)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("introduction"), knownvalue.StringExact(intro)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("notification"), knownvalue.StringExact(note)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("face_url"), knownvalue.StringExact(face)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("apply_join_option"), knownvalue.StringExact(apply)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("max_member_count"), knownvalue.Int64Exact(int64(maxN))),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("member_count"), knownvalue.Int64Exact(4)),
		statecheck.ExpectKnownValue(groupDataAddr, tfjsonpath.New("create_time"), knownvalue.Int64Exact(1_600_000_000)),
	}
	for typ, ids := range byType {
		fmt.Fprintf(&config, "\ndata \"tencentim_group\" %q {\n  group_id = %q\n}\n", strings.ToLower(typ), ids[0])
		checks = append(checks,
			statecheck.ExpectKnownValue("data.tencentim_group."+strings.ToLower(typ), tfjsonpath.New("type"), knownvalue.StringExact(typ)),
			statecheck.ExpectKnownValue("data.tencentim_group."+strings.ToLower(typ), tfjsonpath.New("member_count"), knownvalue.Int64Func(func(n int64) error {
				if want := map[bool]int64{true: 4, false: 1}[typ == "Public"]; n != want {
					return fmt.Errorf("%s group: member_count %d, want %d", typ, n, want)
				}
				return nil
			})),
		)
	}
	checks = append(checks, checkFunc(func() error {
		return sameReadsPerGroup(env, append(slices.Concat(slices.Collect(maps.Values(byType))...), pub))
	}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:         env.emu.ResetStats,
			Config:            config.String(),
			ConfigStateChecks: checks,
		}},
	})
}

// sameReadsPerGroup asserts that every request since ResetStats is a
// get_group_info of one group without members, and that each group was
// read equally often (once per read of its data source; Public is read by
// two data sources).
func sameReadsPerGroup(env *testEnv, ids []string) error {
	per := map[string]int{}
	for _, r := range env.emu.Log() {
		if r.Command != "get_group_info" || r.ErrorCode != 0 || r.Members != 0 || strings.Contains(r.GroupID, ",") {
			return fmt.Errorf("unexpected call %s for %q (code %d, %d members)", r.Command, r.GroupID, r.ErrorCode, r.Members)
		}
		per[r.GroupID]++
	}
	weight := map[string]int{}
	for _, id := range ids {
		weight[id]++
	}
	reads := -1
	for id, w := range weight {
		n := per[id]
		if n == 0 || n%w != 0 || (reads >= 0 && n/w != reads) {
			return fmt.Errorf("get_group_info calls per group %v, want the same number for each data source", per)
		}
		reads = n / w
	}
	if len(per) != len(weight) {
		return fmt.Errorf("get_group_info read groups %v, want %v", per, weight)
	}
	env.t.Logf("%d reads, one get_group_info each: %v", reads, per)
	return nil
}

// A missing group is an error on group_id that names it and says what to
// do; the read is one get_group_info.
func TestAccDataSourceGroup_missing(t *testing.T) {
	env := newTestEnv(t, 0)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:   env.emu.ResetStats,
			Config:      env.providerBlock("") + "\ndata \"tencentim_group\" \"test\" {\n  group_id = \"no-such-group\"\n}\n",
			ExpectError: phrases("Group no-such-group does not exist", "error 10010", "Check group_id", "tencentim_group.NAME.id"),
		}},
	})
	if s := env.emu.Stats(); s["get_group_info"].Calls != 1 || len(s) != 1 {
		t.Fatalf("calls %v, want one get_group_info", s)
	}
}

// The documentation's examples, applied as written.
func TestAccDataSourceGroups_examples(t *testing.T) {
	env := newTestEnv(t, 0)
	byType := env.seedEveryType(map[string]int{"Work": 2, "Public": 1, "Community": 2})
	if _, err := env.emu.AddGroup(testAppID, emulator.Group{ID: "@TGS#2J4SZEAEL", Type: "Public", Name: "engineering", Owner: testOwner, CreateTime: 1_400_000_000, MaxMemberNum: 200}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvSDKAppID, fmt.Sprint(testAppID))
	t.Setenv(EnvSecretKey, testKey)
	t.Setenv(EnvEndpoint, env.url)
	names := map[string]knownvalue.Check{}
	for _, id := range union(byType, "Private", "Community") {
		g, _ := env.emu.GroupInfo(testAppID, id)
		names[id] = knownvalue.StringExact(g.Name)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: example(t, "data-sources/tencentim_groups/data-source.tf"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("group_count", knownvalue.Int64Exact(6)),
					statecheck.ExpectKnownOutputValue("team_names", knownvalue.MapExact(names)),
				},
			},
			{
				Config: example(t, "data-sources/tencentim_group/data-source.tf"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("engineering_owner", knownvalue.StringExact(testOwner)),
					statecheck.ExpectKnownOutputValue("engineering_seats_left", knownvalue.Int64Exact(199)),
				},
			},
		},
	})
}
