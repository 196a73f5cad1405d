package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// With TF_LOG=TRACE written to a file, neither the secret key nor the UserSig
// (raw or URL-encoded) appears in the log, the state or any error, also when
// requests fail and are retried.
func TestAccSecretsNeverLeak(t *testing.T) {
	sig, err := usersig.Generate(testAppID, testKey, testAdmin, 24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The credential comes from the environment, as in CI: a literal in the
	// configuration would be logged by the test harness itself.
	for _, mode := range []struct{ name, envVar, secret string }{
		{"secret_key", EnvSecretKey, testKey},
		{"usersig", EnvUserSig, sig},
	} {
		t.Run(mode.name, func(t *testing.T) {
			env := newTestEnv(t, 20)
			gid := env.group("Public")
			logPath := filepath.Join(t.TempDir(), "trace.log")
			t.Setenv("TF_LOG", "TRACE")
			t.Setenv("TF_ACC_LOG_PATH", logPath)
			t.Setenv(EnvSecretKey, "")
			t.Setenv(EnvUserSig, "")
			t.Setenv(mode.envVar, mode.secret)
			provider := fmt.Sprintf(`
provider "tencentim" {
  sdkappid    = %d
  endpoint    = %q
  max_retries = 1
}
`, testAppID, env.url)
			config := func(n int) string {
				return provider + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = %s
}
`, gid, rangeMembers(n))
			}
			var states []string
			captureState := checkStateFunc(func(s any) error {
				b, err := json.Marshal(s)
				states = append(states, string(b))
				return err
			})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{
					{Config: config(5), ConfigStateChecks: []statecheck.StateCheck{captureState}},
					{
						// Failing requests: a dropped connection, then a gateway page.
						PreConfig: func() {
							env.emu.InjectFault(emulator.Fault{Command: "import_group_member", Times: 1, DropConnection: true})
							env.emu.InjectFault(emulator.Fault{Command: "import_group_member", Times: -1, HTTPStatus: 502})
						},
						Config:      config(10),
						ExpectError: regexp.MustCompile(`import_group_member`),
					},
					{
						PreConfig:         env.emu.ClearFaults,
						Config:            config(10),
						ConfigStateChecks: []statecheck.StateCheck{captureState},
					},
				},
			})
			if os.Getenv("KEEP_TRACE") != "" {
				_ = os.WriteFile("/tmp/trace-"+mode.name+".log", mustRead(t, logPath), 0o600)
			}
			raw, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			log := string(raw)
			// The log must really hold the provider's request logs, or the
			// absence of secrets would prove nothing.
			for _, want := range []string{"Tencent IM API attempt", "import_group_member", "http_status"} {
				if !strings.Contains(log, want) {
					t.Fatalf("the TRACE log has no %q: provider logs were not captured", want)
				}
			}
			haystacks := map[string]string{"TRACE log": log, "state": strings.Join(states, "\n")}
			for where, text := range haystacks {
				for _, secret := range []string{mode.secret, url.QueryEscape(mode.secret), url.PathEscape(mode.secret)} {
					if n := strings.Count(text, secret); n != 0 {
						t.Errorf("%s contains the %s %d times", where, mode.name, n)
					}
				}
				if n := strings.Count(text, "usersig="); n != 0 {
					t.Errorf("%s contains a request query (usersig=) %d times", where, n)
				}
			}
			t.Logf("%s: TRACE log of %d bytes and %d states checked: 0 occurrences", mode.name, len(log), len(states))
		})
	}
}

// checkStateFunc hands the raw state to f.
type checkStateFunc func(any) error

func (f checkStateFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
