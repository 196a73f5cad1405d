package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const accountsAddr = "tencentim_accounts.test"

// accountsConfig declares the given accounts ("id" or "id=hcl-object-body")
// plus acct001..acct<bulk>.
func (e *testEnv) accountsConfig(deleteOnRemove bool, bulk int, entries ...string) string {
	return e.providerBlock("") + fmt.Sprintf(`
resource "tencentim_accounts" "test" {
  delete_on_remove = %t
  accounts = merge(
    { for i in range(1, %d) : format("acct%%03d", i) => {} },
    %s
  )
}
`, deleteOnRemove, bulk+1, membersHCL(entries...))
}

// client is a timapi client for changes made outside Terraform.
func (e *testEnv) client() *timapi.Client {
	e.t.Helper()
	c, err := timapi.New(timapi.Config{SDKAppID: testAppID, SecretKey: testKey, Endpoint: e.url, RateLimit: -1, MaxRetries: -1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// hasAccounts checks which accounts the app holds.
func (e *testEnv) hasAccounts(present, absent []string) error {
	all := e.emu.Accounts(testAppID)
	for _, a := range present {
		if !slices.Contains(all, a) {
			return fmt.Errorf("account %s is not in the app", a)
		}
	}
	for _, a := range absent {
		if slices.Contains(all, a) {
			return fmt.Errorf("account %s is still in the app", a)
		}
	}
	return nil
}

// phrases matches an error that contains each phrase in order, whatever
// line wrapping the CLI applied between their words.
func phrases(ps ...string) *regexp.Regexp {
	parts := make([]string, len(ps))
	for i, p := range ps {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// priorState checks the state a plan started from (after its refresh).
type priorState func(*tfjson.State) error

func (f priorState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan.PriorState)
}

// resourceValues is the attribute values of a root-module resource.
func resourceValues(s *tfjson.State, address string) map[string]any {
	if s == nil || s.Values == nil {
		return nil
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues
		}
	}
	return nil
}

func bulkAccounts(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("acct%03d", i))
	}
	return out
}

func TestAccAccounts_lifecycle(t *testing.T) {
	env := newTestEnv(t, 0)
	// account_delete on a paid plan needs the console switch.
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.AccountDeleteEnabled = true })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// delete_on_remove was true at the end: what the configuration
			// held is deleted; what it forgot earlier is still there.
			return env.hasAccounts(append(bulkAccounts(101, 120), "bob", testOwner), append(bulkAccounts(1, 100), "carol", "alice"))
		},
		Steps: []resource.TestStep{
			{
				// 122 accounts: two multiaccount_import calls of 100 and 22.
				Config: env.accountsConfig(false, 120, `alice=nick = "Alice"`, `bob=face_url = "https://example.com/bob.png"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(accountsAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("id"), knownvalue.StringExact("accounts")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("id"), knownvalue.StringExact("accounts")),
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("delete_on_remove"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts"), knownvalue.MapSizeExact(122)),
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts").AtMapKey("alice"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"nick": knownvalue.StringExact("Alice"), "face_url": knownvalue.Null(),
					})),
					checkFunc(func() error {
						if got := env.emu.Stats()["multiaccount_import"].Members; !slices.Equal(got, []int{100, 22}) {
							return fmt.Errorf("multiaccount_import members per call = %v, want [100 22]", got)
						}
						return env.hasAccounts(append(bulkAccounts(1, 120), "alice", "bob"), nil)
					}),
				},
			},
			{
				// Removed with delete_on_remove = false: forgotten, not deleted.
				PreConfig: env.emu.ResetStats,
				Config:    env.accountsConfig(false, 100, `alice=nick = "Alice"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(accountsAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts"), knownvalue.MapSizeExact(101)),
					calls(env, map[string]int{"account_delete": 0, "multiaccount_import": 0}),
					checkFunc(func() error { return env.hasAccounts(append(bulkAccounts(101, 120), "bob"), nil) }),
				},
			},
			{
				// delete_on_remove = true applies to the removal in the same
				// apply; a changed nick re-imports just that account; a new
				// account is imported.
				PreConfig: env.emu.ResetStats,
				Config:    env.accountsConfig(true, 100, `carol=nick = "Carol"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(accountsAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("delete_on_remove"), knownvalue.Bool(true)),
					calls(env, map[string]int{"account_delete": 1, "multiaccount_import": 1}),
					checkFunc(func() error {
						if got := env.emu.Stats()["multiaccount_import"].Members; !slices.Equal(got, []int{1}) {
							return fmt.Errorf("multiaccount_import members per call = %v, want [1]", got)
						}
						return env.hasAccounts([]string{"carol"}, []string{"alice"})
					}),
				},
			},
			{
				PreConfig: env.emu.ResetStats,
				Config:    env.accountsConfig(true, 100, `carol=nick = "Caroline"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(accountsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts").AtMapKey("carol").AtMapKey("nick"), knownvalue.StringExact("Caroline")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{calls(env, map[string]int{"account_delete": 0, "multiaccount_import": 1})},
			},
			{
				// Import by a comma-separated list of UserIDs; nick and
				// face_url are not readable and delete_on_remove starts false.
				ResourceName:                         accountsAddr,
				ImportState:                          true,
				ImportStateId:                        strings.Join(append(bulkAccounts(1, 100), "carol"), ","),
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              []string{"accounts.carol.nick", "delete_on_remove"},
			},
		},
	})
}

func TestAccAccounts_drift(t *testing.T) {
	env := newTestEnv(t, 0)
	// Only trial apps may import a deleted UserID again.
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.Plan = emulator.PlanTrial })
	config := env.accountsConfig(false, 0, `alice`, `bob`, `carol`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlanAfterApply()},
			{
				// Deleted outside Terraform: the refresh drops it from the
				// state and the plan imports it again.
				PreConfig: func() {
					res, err := env.client().AccountDelete(t.Context(), []string{"bob"})
					must(t, err)
					if len(res) != 1 || res[0].ResultCode != 0 {
						t.Fatalf("account_delete: %+v", res)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountsAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts").AtMapKey("bob"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"nick": knownvalue.Null(), "face_url": knownvalue.Null(),
					})),
					priorState(func(s *tfjson.State) error {
						got := resourceValues(s, accountsAddr)["accounts"].(map[string]any)
						if _, ok := got["bob"]; ok || len(got) != 2 {
							return fmt.Errorf("refreshed accounts %v: want alice and carol", got)
						}
						return nil
					}),
				}},
			},
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check:            func(*terraform.State) error { return env.hasAccounts([]string{"alice", "bob", "carol"}, nil) },
			},
			{
				// Importing an account that does not exist is refused.
				Config:        config,
				ResourceName:  accountsAddr,
				ImportState:   true,
				ImportStateId: "alice,ghost",
				ExpectError:   phrases("1 accounts do not exist in the app", "ghost"),
			},
			{
				Config:        config,
				ResourceName:  accountsAddr,
				ImportState:   true,
				ImportStateId: "alice,,bob",
				ExpectError:   phrases("Invalid import ID", "comma-separated list of UserIDs"),
			},
		},
	})
}

// The default keeps accounts: destroying the resource forgets them.
func TestAccAccounts_destroyKeepsByDefault(t *testing.T) {
	env := newTestEnv(t, 0)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := env.emu.Stats()["account_delete"].Calls; n != 0 {
				return fmt.Errorf("%d account_delete calls", n)
			}
			return env.hasAccounts([]string{"alice", "bob"}, nil)
		},
		Steps: []resource.TestStep{{
			Config: env.providerBlock("") + `
resource "tencentim_accounts" "test" {
  accounts = { alice = {}, bob = { nick = "Bob" } }
}
`,
			ConfigPlanChecks: emptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("delete_on_remove"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccAccounts_failures(t *testing.T) {
	env := newTestEnv(t, 0)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.AccountDeleteEnabled = true })
	config := env.accountsConfig(true, 150)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				// The second batch fails: nothing is saved (no taint), and the
				// first batch stays imported.
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Command: "multiaccount_import", Skip: 1, ErrorCode: 70398})
				},
				Config:      config,
				ExpectError: phrases("multiaccount_import failed for 50 accounts", "error 70398", "acct101", "at most 100 accounts", "Nothing was saved to the state"),
			},
			{
				PreConfig: func() {
					must(t, env.hasAccounts(bulkAccounts(1, 100), bulkAccounts(101, 150)))
					env.emu.ResetStats()
				},
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountsAddr, tfjsonpath.New("accounts"), knownvalue.MapSizeExact(150)),
					calls(env, map[string]int{"multiaccount_import": 2}),
				},
			},
			{
				// Deletion refused (71000): the accounts stay in the state and
				// the next plan tries again.
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Command: "account_delete", ErrorCode: 71000})
				},
				Config:      env.accountsConfig(true, 140),
				ExpectError: phrases("account_delete failed for 10 accounts", "error 71000", "acct141", "Enable account deletion in the console"),
			},
			{
				Config:             env.accountsConfig(true, 140),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           env.accountsConfig(true, 140),
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check:            func(*terraform.State) error { return env.hasAccounts(bulkAccounts(1, 140), bulkAccounts(141, 150)) },
			},
		},
	})
}

func TestAccAccounts_validation(t *testing.T) {
	env := newTestEnv(t, 0)
	for _, tc := range []struct {
		key string
		err *regexp.Regexp
	}{
		{strings.Repeat("u", 33), phrases("Invalid UserID", "33 bytes; UserIDs are at most 32 bytes")},
		{"café", phrases("Invalid UserID", "non-ASCII")},
		{" padded", phrases("Invalid UserID", "leading or trailing spaces")},
		{"", phrases("Invalid UserID", "empty")},
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config:      env.providerBlock("") + fmt.Sprintf("resource \"tencentim_accounts\" \"test\" {\n  accounts = { %q = {} }\n}\n", tc.key),
				PlanOnly:    true,
				ExpectError: tc.err,
			}},
		})
	}
	if n := env.emu.Stats()["multiaccount_import"].Calls; n != 0 {
		t.Fatalf("%d multiaccount_import calls for invalid configurations", n)
	}
}

// FailAccounts entries are reported by name; the rest count as imported.
func TestAccountsImportHonoursFailAccounts(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ AccountList []struct{ UserID string } }
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		sizes = append(sizes, len(req.AccountList))
		mu.Unlock()
		fail := []string{}
		for _, a := range req.AccountList {
			if strings.HasPrefix(a.UserID, "bad") {
				fail = append(fail, a.UserID)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "FailAccounts": fail})
	}))
	defer srv.Close()
	client, err := timapi.New(timapi.Config{SDKAppID: testAppID, SecretKey: testKey, Endpoint: srv.URL, RateLimit: -1, MaxRetries: -1})
	must(t, err)
	accounts := map[string]accountValue{}
	for i := range 230 {
		id := fmt.Sprintf("u%03d", i)
		if i == 5 || i == 150 {
			id = "bad" + id
		}
		accounts[id] = accountValue{p: isKnown}
	}
	imported, failures := importAccounts(t.Context(), client, accounts)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(sizes, []int{100, 100, 30}) {
		t.Fatalf("batch sizes %v", sizes)
	}
	if len(imported) != 228 || slices.Contains(imported, "badu005") {
		t.Fatalf("%d imported", len(imported))
	}
	if len(failures) != 1 || !strings.Contains(failures[0].summary, "2 accounts could not be imported") ||
		!strings.Contains(failures[0].detail, "FailAccounts: badu005, badu150") {
		t.Fatalf("failures %+v", failures)
	}
}

// account_check batches run in parallel; a missing account is reported,
// and a failed batch fails the whole read, naming its accounts.
func TestAccountsCheckInParallel(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak, calls := 0, 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ CheckItem []struct{ UserID string } }
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		inFlight++
		calls++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		items := []map[string]any{}
		for _, it := range req.CheckItem {
			status := "Imported"
			if it.UserID == "u0150" {
				status = "NotImported"
			}
			if it.UserID == "u0777" {
				_ = json.NewEncoder(w).Encode(map[string]any{"ActionStatus": "FAIL", "ErrorCode": 70402, "ErrorInfo": "bad request"})
				return
			}
			items = append(items, map[string]any{"UserID": it.UserID, "ResultCode": 0, "AccountStatus": status})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "ResultItem": items})
	}))
	defer srv.Close()
	client, err := timapi.New(timapi.Config{SDKAppID: testAppID, SecretKey: testKey, Endpoint: srv.URL, RateLimit: -1, MaxRetries: -1})
	must(t, err)
	data := &providerData{client: client, maxParallel: 4}
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("u%04d", i)
		}
		return out
	}
	missing, failures := checkAccounts(t.Context(), data, ids(700))
	if len(failures) != 0 || !slices.Equal(missing, []string{"u0150"}) {
		t.Fatalf("missing %v, failures %+v", missing, failures)
	}
	mu.Lock()
	if calls != 7 || peak < 2 || peak > 4 {
		t.Errorf("%d calls, peak concurrency %d (want 7 calls, 2..4 at once)", calls, peak)
	}
	mu.Unlock()
	_, failures = checkAccounts(t.Context(), data, ids(1000))
	if len(failures) != 1 || !strings.Contains(failures[0].summary, "account_check failed for 100 accounts") ||
		!strings.Contains(failures[0].detail, "error 70402") || !strings.Contains(failures[0].detail, "u0700") {
		t.Fatalf("failures %+v", failures)
	}
}

// A state saved by the framework implementation of tencentim_accounts
// (testdata/accounts-framework-state/saved-state.json: `terraform apply` of its main.tf at
// commit 40be48e) loads on the protocol implementation: the plan is empty,
// and the next change applies from it.
func TestAccAccounts_frameworkStateUpgrades(t *testing.T) {
	env := newTestEnv(t, 0)
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.AccountDeleteEnabled = true })
	env.emu.AddAccounts(testAppID, "alice", "bob", "carol", "dave")
	h := newCLIHarness(t, env)
	config, err := os.ReadFile("testdata/accounts-framework-state/main.tf")
	must(t, err)
	state, err := os.ReadFile("testdata/accounts-framework-state/saved-state.json")
	must(t, err)
	if strings.Contains(filepath.Base(h.cli), "tofu") {
		// OpenTofu resolves the provider's source to its own registry.
		state = bytes.ReplaceAll(state, []byte("registry.terraform.io"), []byte("registry.opentofu.org"))
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "terraform.tfstate"), state, 0o600))
	h.writeConfig(string(config))
	if out, err := h.run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan on the framework's state: %v (want exit 0, no changes)\n%s", err, out)
	}

	// Carol leaves (delete_on_remove is true), bob gets a new nick.
	changed := strings.Replace(strings.Replace(string(config), "    carol = {}\n", "", 1), `nick = "Bob"`, `nick = "Robert"`, 1)
	if changed == string(config) {
		t.Fatal("the test's edit of main.tf matched nothing")
	}
	h.writeConfig(changed)
	h.mustRun("apply", "-auto-approve")
	must(t, env.hasAccounts([]string{"alice", "bob", "dave"}, []string{"carol"}))
	if out, err := h.run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan after the apply: %v (want no changes)\n%s", err, out)
	}
	out := h.mustRun("show", "-json")
	var shown tfjson.State
	must(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &shown))
	got := resourceValues(&shown, "tencentim_accounts.seed")
	want := map[string]any{
		"id": "accounts", "delete_on_remove": true,
		"accounts": map[string]any{
			"alice": map[string]any{"nick": "Alice", "face_url": "https://example.com/a.png"},
			"bob":   map[string]any{"nick": "Robert", "face_url": nil},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("state after the apply:\n%v\nwant\n%v", got, want)
	}
}

// UpgradeResourceState reads each instance of the framework's saved state
// as tftypes does.
func TestAccountsUpgradeReadsFrameworkState(t *testing.T) {
	b, err := os.ReadFile("testdata/accounts-framework-state/saved-state.json")
	must(t, err)
	var file struct {
		Resources []struct {
			Instances []struct {
				Attributes json.RawMessage `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	must(t, json.Unmarshal(b, &file))
	r := &accountsResource{}
	n := 0
	for _, res := range file.Resources {
		for _, inst := range res.Instances {
			n++
			raw := &tfprotov6.RawState{JSON: inst.Attributes}
			resp, err := r.UpgradeResourceState(t.Context(), &tfprotov6.UpgradeResourceStateRequest{TypeName: accountsTypeName, RawState: raw})
			must(t, err)
			if len(resp.Diagnostics) > 0 {
				t.Fatalf("diagnostics %v", resp.Diagnostics[0])
			}
			got, err := resp.UpgradedState.Unmarshal(accountsCodec.typ)
			must(t, err)
			want, err := raw.UnmarshalWithOpts(accountsCodec.typ, tfprotov6.UnmarshalOpts{})
			must(t, err)
			if !got.Equal(want) {
				t.Fatalf("upgraded\n%v\nwant\n%v", got, want)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d instances in the saved state, want 2", n)
	}
}

// randomValue is a value of any type built from strings, numbers, bools,
// objects and maps, with nulls and unknowns at every level.
func randomValue(g valueGen, typ tftypes.Type) tftypes.Value {
	switch g.pick(10) {
	case 0:
		return tftypes.NewValue(typ, nil)
	case 1:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, []string{"", "a", "Member", "https://example.com/é.png"}[g.pick(4)])
	case typ.Is(tftypes.Number):
		return g.num()
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, g.pick(2) == 0)
	case typ.Is(tftypes.Object{}):
		attrs := map[string]tftypes.Value{}
		for name, at := range typ.(tftypes.Object).AttributeTypes {
			attrs[name] = randomValue(g, at)
		}
		return tftypes.NewValue(typ, attrs)
	case typ.Is(tftypes.Map{}):
		elems := map[string]tftypes.Value{}
		for range g.pick(6) {
			elems[genAccounts[g.pick(len(genAccounts))]] = randomValue(g, typ.(tftypes.Map).ElementType)
		}
		return tftypes.NewValue(typ, elems)
	}
	panic(fmt.Sprintf("no generator for %v", typ))
}

// Each protocol resource's codec reads what tftypes writes, and tftypes
// reads back the same value from what the codec writes.
func TestCodecsRoundTripTFTypes(t *testing.T) {
	g := valueGen{rand.New(rand.NewPCG(3, 4))}
	roundTrip := map[string]func([]byte) ([]byte, error){
		accountsTypeName: func(b []byte) ([]byte, error) {
			v, err := decodeMsgpack(accountsObject, b)
			return encodeMsgpack(accountsObject, &v), err
		},
		groupMembersTypeName: func(b []byte) ([]byte, error) {
			v, err := decodeMsgpack(groupMembersObject, b)
			return encodeMsgpack(groupMembersObject, &v), err
		},
	}
	types := map[string]tftypes.Type{accountsTypeName: accountsCodec.typ, groupMembersTypeName: groupMembers.typ}
	for name, rt := range roundTrip {
		for i := range 2000 {
			tv := randomValue(g, types[name])
			dv, err := tfprotov6.NewDynamicValue(types[name], tv)
			must(t, err)
			b, err := rt(dv.MsgPack)
			if err != nil {
				t.Fatalf("%s #%d: %v\n%v", name, i, err, tv)
			}
			got, err := tfprotov6.DynamicValue{MsgPack: b}.Unmarshal(types[name])
			if err != nil || !got.Equal(tv) {
				t.Fatalf("%s #%d: %v\n%v\nwant\n%v", name, i, err, got, tv)
			}
		}
	}
}
