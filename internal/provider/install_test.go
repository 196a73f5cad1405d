package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestAccInstall checks `make install` (tools/install.sh) the way a user of
// an unpublished provider relies on it: the script puts a versioned build
// into a filesystem mirror, and an ordinary `init` in a configuration outside
// this repository installs it from there, writes a lock file and gives no
// dev_overrides warning; the plan and apply then work against the emulator.
// It runs once with a CLI configuration naming the mirror, and once with no
// CLI configuration and the default ~/.terraform.d/plugins, which both CLIs
// search by themselves.
func TestAccInstall(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc runs it)")
	}
	cli, err := currentCLI()
	if err != nil {
		t.Fatal(err)
	}
	// `tencentim/tencentim` means this host on the CLI under test.
	host := "registry.terraform.io"
	if cli.opentofu {
		host = "registry.opentofu.org"
	}
	env := newTestEnv(t, 3)

	t.Run("explicit mirror", func(t *testing.T) {
		mirror, home := t.TempDir(), t.TempDir()
		// Distinctive, so that finding it in the binary shows -X set it.
		const version = "3.141.59"
		files := runInstall(t, version, "PLUGIN_DIR="+mirror, "VERSION="+version)
		checkInstalled(t, files, mirror, version)
		// -s -w strip the symbols and -trimpath leaves -ldflags out of the
		// build info, so look for the string -X main.version put in.
		bin, err := os.ReadFile(files[0])
		must(t, err)
		if !bytes.Contains(bin, []byte(version)) {
			t.Errorf("%s does not contain its version %s: main.version was not set", files[0], version)
		}

		rc := filepath.Join(t.TempDir(), "cli.tfrc")
		must(t, os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["%s/tencentim/*"]
  }
  direct {
    exclude = ["%s/tencentim/*"]
  }
}
`, mirror, host, host)), 0o600))
		checkUserConfig(t, cli, env, host, filepath.Join(mirror, host), version, `version = "~> 3.141"`,
			"HOME="+home, "TF_CLI_CONFIG_FILE="+rc)
	})

	t.Run("implied mirror", func(t *testing.T) {
		// A fresh home: install.sh's default PLUGIN_DIR and the CLI's implied
		// mirror both come from HOME. Go keeps the real caches, so that the
		// build neither downloads nor recompiles anything.
		home := t.TempDir()
		goEnv := []string{"HOME=" + home}
		for _, v := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOENV"} {
			out, err := exec.Command("go", "env", v).Output()
			must(t, err)
			goEnv = append(goEnv, v+"="+strings.TrimSpace(string(out)))
		}
		version := defaultInstallVersion(t)
		files := runInstall(t, version, goEnv...)
		mirror := filepath.Join(home, ".terraform.d", "plugins")
		checkInstalled(t, files, mirror, version)
		// No TF_CLI_CONFIG_FILE, and no ~/.terraformrc or ~/.tofurc in the
		// fresh home: no provider_installation block at all. And no version
		// constraint, which a prerelease version would not satisfy.
		checkUserConfig(t, cli, env, host, filepath.Join(mirror, host), version, "", "HOME="+home)
	})
}

// runInstall runs tools/install.sh with the extra environment and returns
// the files it says it installed; its first line must name wantVersion.
func runInstall(t *testing.T, wantVersion string, extra ...string) []string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "tools", "install.sh"))
	must(t, err)
	cmd := exec.Command("bash", script)
	// The last of duplicate variables wins (os/exec), so extra may set HOME.
	cmd.Env = append(withoutEnv(os.Environ(), "PLUGIN_DIR", "VERSION"), extra...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	t.Logf("install.sh:\n%s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !strings.Contains(lines[0], " "+wantVersion+" ") {
		t.Errorf("install.sh's first line %q does not name version %s", lines[0], wantVersion)
	}
	var files []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "  ") {
			files = append(files, strings.TrimSpace(l))
		}
	}
	return files
}

// checkInstalled asserts that files are exactly the binary's path under both
// hosts in mirror, that they exist and are executable, and are the same
// build.
func checkInstalled(t *testing.T, files []string, mirror, version string) {
	t.Helper()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	name := "terraform-provider-tencentim_v" + version
	var want []string
	for _, h := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		want = append(want, filepath.Join(mirror, h, "tencentim", "tencentim", version, platform, name))
	}
	if strings.Join(files, "\n") != strings.Join(want, "\n") {
		t.Fatalf("install.sh installed\n%s\nwant\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	var first []byte
	for _, f := range files {
		fi, err := os.Stat(f)
		must(t, err)
		if fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable (%v)", f, fi.Mode())
		}
		b, err := os.ReadFile(f)
		must(t, err)
		if first == nil {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("%s differs from %s", f, files[0])
		}
	}
}

// defaultInstallVersion is the version install.sh picks without VERSION:
// the tag at HEAD, else the version at the top of CHANGELOG.md. It must be a
// release version, since `init` without an exact constraint never selects a
// prerelease.
func defaultInstallVersion(t *testing.T) string {
	t.Helper()
	var version string
	if out, err := exec.Command("git", "-C", "../..", "describe", "--tags", "--exact-match", "--match", "v[0-9]*").Output(); err == nil {
		version = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	} else {
		changelog, err := os.ReadFile("../../CHANGELOG.md")
		must(t, err)
		m := regexp.MustCompile(`(?m)^## ([0-9.]+)( |$)`).FindSubmatch(changelog)
		if m == nil {
			t.Fatal("no '## X.Y.Z' heading in CHANGELOG.md")
		}
		version = string(m[1])
	}
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(version) {
		t.Fatalf("default version %q is not a release version X.Y.Z", version)
	}
	return version
}

// checkUserConfig runs init, plan and apply of a small configuration in a
// fresh directory outside the repository, with the CLI environment in
// cliEnv (none of the caller's TF_ variables), and checks that the provider
// came from hostMirror, the mirror's directory for host.
func checkUserConfig(t *testing.T, cli testCLI, env *testEnv, host, hostMirror, version, constraint string, cliEnv ...string) {
	t.Helper()
	group := env.group("Public")
	dir := t.TempDir()
	if constraint != "" {
		constraint = ", " + constraint
	}
	must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fmt.Sprintf(`terraform {
  required_providers {
    tencentim = { source = "tencentim/tencentim"%s }
  }
}

provider "tencentim" {}

resource "tencentim_group_members" "team" {
  group_id = %q
  members = {
    user0001 = { role = "Admin" }
    user0002 = {}
  }
}
`, constraint, group)), 0o600))
	var cleaned []string
	for _, kv := range withoutEnv(os.Environ(), "HOME") {
		// The CLI reads TF_* and XDG_* (OpenTofu: its config and data dirs):
		// only cliEnv may set them here.
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "XDG_") {
			cleaned = append(cleaned, kv)
		}
	}
	runEnv := append(cleaned, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		EnvSDKAppID+"="+fmt.Sprint(testAppID), EnvSecretKey+"="+testKey, EnvEndpoint+"="+env.url)
	runEnv = append(runEnv, cliEnv...)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cli.path, args...)
		cmd.Dir, cmd.Env = dir, runEnv
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(cli.path), strings.Join(args, " "), err, out)
		}
		if args[0] != "show" { // the JSON plan is checked below, not read
			t.Logf("%s %s:\n%s", filepath.Base(cli.path), strings.Join(args, " "), out)
		}
		if strings.Contains(string(out), "Provider development overrides") {
			t.Errorf("%s %s warns of dev_overrides", filepath.Base(cli.path), strings.Join(args, " "))
		}
		return string(out)
	}

	out := run("init", "-no-color", "-input=false")
	if want := "Installed tencentim/tencentim v" + version + " (unauthenticated)"; !strings.Contains(out, want) {
		t.Errorf("init output lacks %q", want)
	}
	lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	must(t, err)
	lockRE := regexp.MustCompile(`(?s)provider "` + regexp.QuoteMeta(host) + `/tencentim/tencentim" \{\s*version\s*= "` +
		regexp.QuoteMeta(version) + `".*"h1:[A-Za-z0-9+/=]+"`)
	if !lockRE.Match(lock) {
		t.Errorf(".terraform.lock.hcl does not lock %s/tencentim/tencentim %s with an h1: hash:\n%s", host, version, lock)
	}
	// What init installed is the build in the mirror, byte for byte.
	platform := runtime.GOOS + "_" + runtime.GOARCH
	name := "terraform-provider-tencentim_v" + version
	installed, err := os.ReadFile(filepath.Join(dir, ".terraform", "providers", host, "tencentim", "tencentim", version, platform, name))
	must(t, err)
	mirrored, err := os.ReadFile(filepath.Join(hostMirror, "tencentim", "tencentim", version, platform, name))
	must(t, err)
	if !bytes.Equal(installed, mirrored) {
		t.Errorf("the provider init installed is not the one in %s", hostMirror)
	}
	if out := run("version"); !strings.Contains(out, "+ provider "+host+"/tencentim/tencentim v"+version) {
		t.Errorf("version does not list provider %s/tencentim/tencentim v%s", host, version)
	}

	out = run("plan", "-no-color", "-input=false", "-out=tfplan")
	for _, want := range []string{
		"tencentim_group_members.team will be created",
		"Plan: 1 to add, 0 to change, 0 to destroy.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	var plan struct {
		ResourceChanges []struct {
			Address string
			Change  struct {
				Actions []string
				After   struct {
					GroupID string                           `json:"group_id"`
					Members map[string]struct{ Role string } `json:"members"`
				}
			}
		} `json:"resource_changes"`
	}
	showOut := run("show", "-json", "tfplan")
	must(t, json.Unmarshal([]byte(showOut[strings.Index(showOut, "{"):]), &plan))
	if len(plan.ResourceChanges) != 1 {
		t.Fatalf("plan has %d resource changes, want 1", len(plan.ResourceChanges))
	}
	rc := plan.ResourceChanges[0]
	if got := fmt.Sprint(rc.Address, rc.Change.Actions, rc.Change.After.GroupID, rc.Change.After.Members); got !=
		fmt.Sprint("tencentim_group_members.team", []string{"create"}, group, map[string]struct{ Role string }{"user0001": {"Admin"}, "user0002": {"Member"}}) {
		t.Errorf("planned change: %s", got)
	}

	run("apply", "-no-color", "-input=false", "tfplan")
	server := env.serverMembers(group)
	if len(server) != 2 || server["user0001"].Role != "Admin" || server["user0002"].Role != "Member" {
		t.Errorf("after apply the group holds %v, want user0001 Admin and user0002 Member", server)
	}
}

// withoutEnv drops the variables named from environ.
func withoutEnv(environ []string, names ...string) []string {
	var out []string
	for _, kv := range environ {
		keep := true
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
