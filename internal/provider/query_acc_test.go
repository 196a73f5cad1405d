package provider

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// bare runs the CLI with args only: `terraform query` and `output` take no
// -input, which the harness adds to the other commands.
func (h *cliHarness) bare(args ...string) (string, error) {
	cmd := exec.Command(h.cli, args...)
	cmd.Dir, cmd.Env = h.dir, h.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (h *cliHarness) query(args ...string) (string, error) {
	return h.bare(append([]string{"query", "-no-color"}, args...)...)
}

// emptyPlan fails t unless `plan -detailed-exitcode` reports no changes.
func (h *cliHarness) emptyPlan(after string) {
	h.t.Helper()
	out, err := h.run("plan", "-detailed-exitcode")
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		h.t.Fatalf("plan after %s has changes, want none:\n%s", after, out)
	case err != nil:
		h.t.Fatalf("plan after %s: %v\n%s", after, err, out)
	}
}

// The adoption flow of the guide (templates/guides/adopting.md.tmpl), on a
// real Terraform ≥ 1.14: `terraform
// query -generate-config-out` writes resource and import blocks for every
// group of every type and every member list; the apply only imports (no
// write reaches the server), and the next plan is empty.
func TestAccAdoption_queryGenerateConfig(t *testing.T) {
	requireAccCLI(t, featureList)
	env := newTestEnv(t, 3)
	ids := adoptionGroups(t, env)
	h := newCLIHarness(t, env)
	h.writeConfig("")
	must(t, os.WriteFile(filepath.Join(h.dir, "adopt.tfquery.hcl"), []byte(example(t, "adopting/adopt.tfquery.hcl")), 0o600))

	// The listing alone: one line per result, with its identity.
	out, err := h.query()
	if err != nil {
		t.Fatalf("terraform query: %v\n%s", err, out)
	}
	t.Logf("terraform query:\n%s", out)
	for _, id := range ids {
		if !strings.Contains(out, `group_id=`+id) {
			t.Errorf("terraform query does not list %s:\n%s", id, out)
		}
	}
	if n := strings.Count(out, "list.tencentim_group_members.all"); n != len(ids)-1 {
		t.Errorf("terraform query lists %d member lists, want %d (every group but the AVChatRoom):\n%s", n, len(ids)-1, out)
	}

	if out, err := h.query("-generate-config-out=adopt.tf"); err != nil {
		t.Fatalf("terraform query -generate-config-out: %v\n%s", err, out)
	}
	gen, err := os.ReadFile(filepath.Join(h.dir, "adopt.tf"))
	must(t, err)
	t.Logf("adopt.tf:\n%s", gen)
	generated := string(gen)
	// Computed-only attributes never appear; neither do create_time nor
	// the settings a group's type does not have (genconfig.go), nor the
	// members' defaults.
	blocks := regexp.MustCompile(`(?ms)^resource "(\w+)" "\w+" \{\n(.*?)^\}$`).FindAllStringSubmatch(generated, -1)
	if len(blocks) != 2*len(ids)-1 {
		t.Fatalf("adopt.tf has %d resource blocks, want %d", len(blocks), 2*len(ids)-1)
	}
	topLevel := regexp.MustCompile(`(?m)^  (\w+)\s+=`)
	for _, b := range blocks {
		forbidden := map[string]bool{"id": true}
		switch body := b[2]; b[1] {
		case groupTypeName:
			forbidden["create_time"] = true
			if strings.Contains(body, `"Private"`) {
				forbidden["apply_join_option"] = true
			}
			if strings.Contains(body, `"AVChatRoom"`) {
				forbidden["max_member_count"] = true
			}
		case groupMembersTypeName:
			forbidden["owner_account"], forbidden["group_type"], forbidden["exclusive"] = true, true, true
			if strings.Contains(body, "join_time") || strings.Contains(body, `"Member"`) {
				t.Errorf("a member block writes a default (role Member, join_time):\n%s", body)
			}
		}
		for _, m := range topLevel.FindAllStringSubmatch(b[2], -1) {
			if forbidden[m[1]] {
				t.Errorf("a %s block writes %s:\n%s", b[1], m[1], b[2])
			}
		}
	}
	if n := strings.Count(generated, "\nimport {"); n != 2*len(ids)-1 {
		t.Errorf("adopt.tf has %d import blocks, want %d", n, 2*len(ids)-1)
	}
	for _, want := range []string{`group_id = "adopt-public"`, `role = "Admin"`, "identity = {", `name_card = "Adopted"`, `dept = "sre"`} {
		if !regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(want), " ", `\s+`)).MatchString(generated) {
			t.Errorf("adopt.tf lacks %s", want)
		}
	}

	env.emu.ResetStats()
	out = h.mustRun("apply", "-auto-approve")
	if !strings.Contains(out, "9 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply of the generated configuration:\n%s", out)
	}
	must(t, onlyReads(env))
	h.emptyPlan("the adoption")
	if got := h.stateMembers("tencentim_group_members.all_1"); len(got) != 2 {
		t.Errorf("members adopted for the second group: %v, want 2", got)
	}
}

// The list resources through terraform-plugin-testing's Query mode
// (`terraform query -json`): results, identities, display names, the
// members a result carries, and the types filter.
func TestAccListResources_query(t *testing.T) {
	requireAccCLI(t, featureList)
	env := newTestEnv(t, 3)
	adoptionGroups(t, env)
	byGroup := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(identityOfGroup(id))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.providerBlock("")},
			{
				// The provider block is the first step's main.tf.
				Query: true,
				Config: `
list "tencentim_group" "all" {
  provider         = tencentim
  include_resource = true
}

list "tencentim_group_members" "all" {
  provider         = tencentim
  include_resource = true
}

list "tencentim_group_members" "some" {
  provider = tencentim
  config {
    types = ["Work", "Community"]
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("tencentim_group.all", 5),
					querycheck.ExpectLength("tencentim_group_members.all", 4),
					querycheck.ExpectLength("tencentim_group_members.some", 2),
					querycheck.ExpectIdentity("tencentim_group_members.some", identityOfGroup("@TGS#_adopt-community")),
					querycheck.ExpectIdentity("tencentim_group_members.some", identityOfGroup("adopt-work")),
					querycheck.ExpectResourceDisplayName("tencentim_group.all", byGroup("adopt-live"), knownvalue.StringExact("Live room (AVChatRoom)")),
					querycheck.ExpectResourceDisplayName("tencentim_group_members.all", byGroup("adopt-public"), knownvalue.StringExact("Public group (Public, 3 members)")),
					querycheck.ExpectResourceKnownValues("tencentim_group_members.all", byGroup("adopt-public"), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("members").AtMapKey("user0001").AtMapKey("role"), KnownValue: knownvalue.StringExact("Admin")},
						{Path: tfjsonpath.New("members").AtMapKey("user0002").AtMapKey("join_time"), KnownValue: knownvalue.Int64Exact(1_700_000_100)},
						{Path: tfjsonpath.New("members").AtMapKey("user0002").AtMapKey("name_card"), KnownValue: knownvalue.StringExact("Adopted")},
						{Path: tfjsonpath.New("members").AtMapKey("user0002").AtMapKey("custom_data"), KnownValue: knownvalue.MapExact(map[string]knownvalue.Check{"dept": knownvalue.StringExact("sre")})},
						{Path: tfjsonpath.New("members").AtMapKey("user0001").AtMapKey("name_card"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("owner_account"), KnownValue: knownvalue.StringExact(testOwner)},
					}),
					querycheck.ExpectResourceKnownValues("tencentim_group.all", byGroup("adopt-work"), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("type"), KnownValue: knownvalue.StringExact("Private")},
						{Path: tfjsonpath.New("create_time"), KnownValue: knownvalue.Int64Exact(1_600_000_000)},
					}),
				},
			},
		},
	})
}

// The guide's path without list resources (OpenTofu, Terraform 1.12–1.13):
// data "tencentim_groups" lists the groups; the groups are imported by
// identity with for_each; an output writes one import block per member
// list, from which `plan -generate-config-out` writes the members. The
// apply only imports, and the next plan is empty.
func TestAccAdoption_importBlocks(t *testing.T) {
	requireAccCLI(t, featureIdentity)
	env := newTestEnv(t, 3)
	ids := adoptionGroups(t, env)
	h := newCLIHarness(t, env)
	write := func(name, body string) { must(t, os.WriteFile(filepath.Join(h.dir, name), []byte(body), 0o600)) }
	h.writeConfig("")
	write("list.tf", example(t, "adopting/list.tf"))
	h.mustRun("apply", "-auto-approve")
	imports, err := h.bare("output", "-raw", "member_imports")
	if err != nil {
		t.Fatalf("output member_imports: %v\n%s", err, imports)
	}
	if n := strings.Count(imports, "import {"); n != len(ids)-1 {
		t.Fatalf("member_imports has %d import blocks, want %d:\n%s", n, len(ids)-1, imports)
	}
	write("imports.tf", imports)
	if out, err := h.run("plan", "-generate-config-out=members.tf"); err != nil {
		t.Fatalf("plan -generate-config-out: %v\n%s", err, out)
	}
	members, err := os.ReadFile(filepath.Join(h.dir, "members.tf"))
	must(t, err)
	t.Logf("members.tf:\n%s", members)
	write("groups.tf", example(t, "adopting/groups.tf"))
	env.emu.ResetStats()
	out := h.mustRun("apply", "-auto-approve")
	if !strings.Contains(out, "9 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply of the adoption:\n%s", out)
	}
	must(t, onlyReads(env))
	h.emptyPlan("the adoption")
}
