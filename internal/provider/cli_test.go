package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cliHarness runs a real terraform or tofu binary (TF_ACC_TERRAFORM_PATH, as
// for the other acceptance tests) against a provider binary built from this
// module, through dev_overrides: for what the test framework cannot do, such
// as killing the CLI mid-apply or choosing -parallelism.
type cliHarness struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

var (
	providerBinOnce sync.Once
	providerBinDir  string
	providerBinErr  error
)

func newCLIHarness(t *testing.T, env *testEnv) *cliHarness {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc runs it)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		var err error
		if cli, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	providerBinOnce.Do(func() {
		// Shared by every test of the package (t.TempDir would vanish with the
		// first one); TestMain removes it.
		providerBinDir, providerBinErr = os.MkdirTemp("", "tencentim-provider-bin") //nolint:usetesting // see above
		if providerBinErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(providerBinDir, "terraform-provider-tencentim"), "../..").CombinedOutput()
		if err != nil {
			providerBinErr = fmt.Errorf("building the provider: %v\n%s", err, out)
		}
	})
	if providerBinErr != nil {
		t.Fatal(providerBinErr)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "cli.tfrc")
	must(t, os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentim/tencentim" = %q
    "registry.opentofu.org/tencentim/tencentim" = %q
  }
  direct {}
}
`, providerBinDir, providerBinDir)), 0o600))
	return &cliHarness{t: t, cli: cli, dir: dir, env: append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=",
		EnvSDKAppID+"="+fmt.Sprint(testAppID), EnvSecretKey+"="+testKey, EnvEndpoint+"="+env.url,
	)}
}

func (h *cliHarness) writeConfig(body string) {
	h.t.Helper()
	must(h.t, os.WriteFile(filepath.Join(h.dir, "main.tf"), []byte(`terraform {
  required_providers {
    tencentim = { source = "tencentim/tencentim" }
  }
}
`+body), 0o600))
}

// start launches the CLI in its own process group, so that a signal reaches
// it and its provider plugin as a terminal's Ctrl-C would.
func (h *cliHarness) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	args = append(args, "-no-color")
	if args[0] != "show" {
		args = append(args, "-input=false")
	}
	cmd := exec.Command(h.cli, args...)
	cmd.Dir, cmd.Env = h.dir, h.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(h.t, cmd.Start())
	return cmd, &out
}

// run runs the CLI to the end and returns its output and error.
func (h *cliHarness) run(args ...string) (string, error) {
	cmd, out := h.start(args...)
	err := cmd.Wait()
	return out.String(), err
}

func (h *cliHarness) mustRun(args ...string) string {
	h.t.Helper()
	out, err := h.run(args...)
	if err != nil {
		h.t.Fatalf("%s %s: %v\n%s", filepath.Base(h.cli), strings.Join(args, " "), err, out)
	}
	return out
}

// stateMembers reads the saved state of the resource, without refreshing it.
func (h *cliHarness) stateMembers(address string) map[string]string {
	h.t.Helper()
	out := h.mustRun("show", "-json")
	var state struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Address string
					Values  struct {
						Members map[string]struct{ Role string } `json:"members"`
					}
				}
			} `json:"root_module"`
		}
	}
	must(h.t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &state))
	roles := map[string]string{}
	if state.Values != nil {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == address {
				for a, m := range r.Values.Members {
					roles[a] = m.Role
				}
			}
		}
	}
	return roles
}

// waitFor polls until cond holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
