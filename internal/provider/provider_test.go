package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

const (
	testAppID = 1400000001
	testKey   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testAdmin = "administrator"
	testOwner = "owner"
)

var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"tencentim": NewServer("test"),
}

func TestMain(m *testing.M) {
	// Terraform warns when TF_CLI_CONFIG_FILE names a missing file; give the
	// CLI a real, empty one so that no machine's own config leaks in.
	if os.Getenv("TF_ACC") != "" {
		dir, err := os.MkdirTemp("", "tencentim-cli-config")
		if err != nil {
			panic(err)
		}
		cfg := filepath.Join(dir, "empty.tfrc")
		if err := os.WriteFile(cfg, nil, 0o600); err != nil {
			panic(err)
		}
		os.Setenv("TF_CLI_CONFIG_FILE", cfg)
		code := m.Run()
		os.RemoveAll(dir)
		if providerBinDir != "" {
			os.RemoveAll(providerBinDir)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// testEnv is an emulator seeded with one app, its admin, accounts user0001..
// and a few groups, served on 127.0.0.1 for one test.
type testEnv struct {
	t    *testing.T
	emu  *emulator.Emulator
	url  string
	nAcc int
}

func newTestEnv(t *testing.T, accounts int) *testEnv {
	t.Helper()
	return newTestEnvWith(t, emulator.New(emulator.Options{}), accounts)
}

// newTestEnvWith seeds and serves emu.
func newTestEnvWith(t *testing.T, emu *emulator.Emulator, accounts int) *testEnv {
	t.Helper()
	emu.AddApp(testAppID, testKey, testAdmin)
	ids := []string{testOwner}
	for i := 1; i <= accounts; i++ {
		ids = append(ids, account(i))
	}
	emu.AddAccounts(testAppID, ids...)
	url, stop := emu.Start()
	t.Cleanup(stop)
	return &testEnv{t: t, emu: emu, url: url, nAcc: accounts}
}

func account(i int) string { return fmt.Sprintf("user%04d", i) }

// group creates a group owned by testOwner and returns its ID.
func (e *testEnv) group(typ string) string {
	e.t.Helper()
	id, err := e.emu.AddGroup(testAppID, emulator.Group{Type: typ, Name: "test " + typ, Owner: testOwner, CreateTime: 1_600_000_000})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *testEnv) providerBlock(extra string) string {
	return fmt.Sprintf(`
provider "tencentim" {
  sdkappid   = %d
  secret_key = %q
  endpoint   = %q
  %s
}
`, testAppID, testKey, e.url, extra)
}

// serverMembers is the group's membership without the owner.
func (e *testEnv) serverMembers(groupID string) map[string]emulator.Member {
	e.t.Helper()
	ms, ok := e.emu.Members(testAppID, groupID)
	if !ok {
		e.t.Fatalf("group %s does not exist", groupID)
	}
	out := map[string]emulator.Member{}
	for a, m := range ms {
		if m.Role != "Owner" {
			out[a] = m
		}
	}
	return out
}

// stateMatchesServer asserts that the resource's saved members are exactly
// what the server holds for the accounts the resource manages: same accounts
// (among managed ones), same roles, same join times, and the same name cards
// and custom member fields where the state manages them.
type stateMatchesServer struct {
	env      *testEnv
	address  string
	groupID  string
	managed  func(string) bool // nil: every non-owner member is managed
	wantSize int               // -1: don't check
}

func (c stateMatchesServer) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.compare(req.State)
}

// CheckPlan compares the plan's prior state: in a -refresh=false plan that is
// the state exactly as the last apply saved it.
func (c stateMatchesServer) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.compare(req.Plan.PriorState)
}

func (c stateMatchesServer) compare(state *tfjson.State) error {
	server := c.env.serverMembers(c.groupID)
	var stateMembers map[string]any
	if state != nil && state.Values != nil {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == c.address {
				stateMembers, _ = r.AttributeValues[attrMembers].(map[string]any)
			}
		}
	}
	var problems []string
	for a, v := range stateMembers {
		sm := v.(map[string]any)
		m, ok := server[a]
		if !ok {
			problems = append(problems, a+": in state, not on the server")
			continue
		}
		jt := jsonInt(sm[attrJoinTime])
		if sm[attrRole] != m.Role || jt != m.JoinTime {
			problems = append(problems, fmt.Sprintf("%s: state %v/%d, server %s/%d", a, sm[attrRole], jt, m.Role, m.JoinTime))
		}
		// The profile fields the state manages are the server's.
		if card, ok := sm[attrNameCard].(string); ok && card != m.NameCard {
			problems = append(problems, fmt.Sprintf("%s: state name_card %q, server %q", a, card, m.NameCard))
		}
		if data, ok := sm[attrCustomData].(map[string]any); ok {
			for k, v := range data {
				if v != m.CustomData[k] {
					problems = append(problems, fmt.Sprintf("%s: state custom_data.%s %q, server %q", a, k, v, m.CustomData[k]))
				}
			}
		}
	}
	for a := range server {
		if _, ok := stateMembers[a]; !ok && (c.managed == nil || c.managed(a)) {
			problems = append(problems, a+": on the server, not in state")
		}
	}
	if c.wantSize >= 0 && len(stateMembers) != c.wantSize {
		problems = append(problems, fmt.Sprintf("state has %d members, want %d", len(stateMembers), c.wantSize))
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("... %d more", len(problems)-10))
		}
		return fmt.Errorf("state differs from the server for %s:\n%s", c.address, strings.Join(problems, "\n"))
	}
	return nil
}

func jsonInt(v any) int64 {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	}
	return -1
}
