package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
)

// cliFeature is a protocol feature that only some CLI versions support
// (ecosystem.md §2.1). The tests that need one call requireCLI, and `make
// test` prints, through TestCLIFeatures, which of them run on each CLI.
type cliFeature struct {
	name string
	// The first Terraform and OpenTofu versions that support it; "" when
	// none does yet.
	terraform, opentofu string
	why                 string // where the support is recorded, for the skip line
}

var (
	featureEphemeral = cliFeature{"ephemeral resources", "1.10.0", "1.11.0", ""}
	featureIdentity  = cliFeature{"resource identity and import by identity", "1.12.0", "1.12.0", ""}
	featureList      = cliFeature{"list resources and terraform query", "1.14.0", "", "opentofu#3787 is open"}
	cliFeatures      = []cliFeature{featureEphemeral, featureIdentity, featureList}
)

// testCLI is the CLI the acceptance tests run: TF_ACC_TERRAFORM_PATH, or
// terraform on PATH.
type testCLI struct {
	path     string
	opentofu bool
	version  *version.Version
}

func (c testCLI) String() string {
	if c.opentofu {
		return "OpenTofu v" + c.version.String()
	}
	return "Terraform v" + c.version.String()
}

var (
	cliOnce sync.Once
	cliInfo testCLI
	cliErr  error
)

func currentCLI() (testCLI, error) {
	cliOnce.Do(func() {
		path := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if path == "" {
			if path, cliErr = exec.LookPath("terraform"); cliErr != nil {
				cliErr = fmt.Errorf("no CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
				return
			}
		}
		out, err := exec.Command(path, "version", "-json").Output()
		if err != nil {
			cliErr = fmt.Errorf("%s version -json: %v", path, err)
			return
		}
		var v struct {
			TerraformVersion string `json:"terraform_version"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			cliErr = fmt.Errorf("%s version -json: %v", path, err)
			return
		}
		plain, err := exec.Command(path, "version").Output()
		if err != nil {
			cliErr = fmt.Errorf("%s version: %v", path, err)
			return
		}
		cliInfo = testCLI{path: path, opentofu: strings.HasPrefix(string(plain), "OpenTofu")}
		cliInfo.version, cliErr = version.NewVersion(v.TerraformVersion)
	})
	return cliInfo, cliErr
}

// supports says whether cli supports f, and if not, why.
func (c testCLI) supports(f cliFeature) (bool, string) {
	least, product := f.terraform, "Terraform"
	if c.opentofu {
		least, product = f.opentofu, "OpenTofu"
	}
	if least == "" {
		return false, fmt.Sprintf("no %s version supports them yet (%s)", product, f.why)
	}
	if c.version.LessThan(version.Must(version.NewVersion(least))) {
		return false, fmt.Sprintf("they need %s ≥ %s", product, least)
	}
	return true, ""
}

// requireCLI skips t, saying why, on a CLI without f. `make test` prints the
// same verdicts (TestCLIFeatures), so no test is skipped silently.
func requireCLI(t *testing.T, f cliFeature) testCLI {
	t.Helper()
	cli, err := currentCLI()
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := cli.supports(f); !ok {
		t.Skipf("the %s tests do not run on %s: %s", f.name, cli, why)
	}
	return cli
}

// TestCLIFeatures prints, for the CLI under test, which feature-gated tests
// run and which do not and why. `make testacc-*` runs it with -v before the
// suite and shows its "cli feature:" lines.
func TestCLIFeatures(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc runs it)")
	}
	cli, err := currentCLI()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cliFeatures {
		if ok, why := cli.supports(f); ok {
			t.Logf("cli feature: %s: the %s tests run", cli, f.name)
		} else {
			t.Logf("cli feature: %s: the %s tests do not run: %s", cli, f.name, why)
		}
	}
}
