package provider

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

func accountChecks(emu *emulator.Emulator) int {
	n := 0
	for _, r := range emu.Log() {
		if r.Command == "account_check" {
			n++
		}
	}
	return n
}

// Plans that ask about the same accounts at once share one account_check;
// planned accounts are never asked about; a forgotten account is asked
// about again; a failed check is not remembered.
func TestPlanAccounts(t *testing.T) {
	env := newTestEnv(t, 150)
	client, err := timapi.New(timapi.Config{SDKAppID: testAppID, SecretKey: testKey, Endpoint: env.url, Identifier: testAdmin, RateLimit: -1, MaxRetries: -1})
	must(t, err)
	data := &providerData{client: client, maxParallel: 4}
	ids := []string{"ghost"}
	for i := 1; i <= 150; i++ {
		ids = append(ids, account(i))
	}
	slices.Sort(ids)

	// Ten plans at once: two account_check calls (150 accounts and one
	// missing, in batches of 100), each plan told of the one missing.
	env.emu.InjectFault(emulator.Fault{Command: "account_check", Times: -1, Delay: 50 * time.Millisecond})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			missing, failures := data.accounts.missing(t.Context(), data, ids)
			if len(failures) > 0 || !slices.Equal(missing, []string{"ghost"}) {
				t.Errorf("missing %v, failures %+v; want [ghost] and none", missing, failures)
			}
		})
	}
	wg.Wait()
	env.emu.ClearFaults()
	if n := accountChecks(env.emu); n != 2 {
		t.Errorf("ten plans of the same 151 accounts sent %d account_check calls, want 2", n)
	}

	env.emu.ResetStats()
	data.accounts.plan([]string{"newcomer"})
	if missing, _ := data.accounts.missing(t.Context(), data, []string{"ghost", "newcomer"}); !slices.Equal(missing, []string{"ghost"}) || accountChecks(env.emu) != 0 {
		t.Errorf("missing %v after %d calls; want [ghost] from what is known, with no call", missing, accountChecks(env.emu))
	}

	env.emu.AddAccounts(testAppID, "ghost")
	data.accounts.forget([]string{"ghost"})
	if missing, _ := data.accounts.missing(t.Context(), data, []string{"ghost"}); len(missing) != 0 || accountChecks(env.emu) != 1 {
		t.Errorf("missing %v after %d calls; want none after one call, as ghost was forgotten and now exists", missing, accountChecks(env.emu))
	}

	env.emu.ResetStats()
	env.emu.InjectFault(emulator.Fault{Command: "account_check", ErrorCode: 70402})
	if _, failures := data.accounts.missing(t.Context(), data, []string{"stranger"}); len(failures) != 1 {
		t.Fatalf("failures %+v, want the one account_check failure", failures)
	}
	if missing, failures := data.accounts.missing(t.Context(), data, []string{"stranger"}); len(failures) != 0 || !slices.Equal(missing, []string{"stranger"}) || accountChecks(env.emu) != 2 {
		t.Errorf("after a failed check: missing %v, failures %+v, %d calls; want [stranger] asked again (2 calls)", missing, failures, accountChecks(env.emu))
	}
}
