package provider

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

const usersigType = "tencentim_usersig"

// usersigServer is a provider server configured with attrs (endpoint
// unused: signing makes no API call) and the ephemeral resource's type.
func usersigServer(t *testing.T, attrs map[string]tftypes.Value) (tfprotov6.ProviderServer, tftypes.Object) {
	t.Helper()
	s, err := NewServer("test")()
	must(t, err)
	ctx := context.Background()
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	es, ok := sch.EphemeralResourceSchemas[usersigType]
	if !ok {
		t.Fatalf("the provider has no ephemeral resource %s", usersigType)
	}
	ptype, ok := sch.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T", sch.Provider.ValueType())
	}
	attrs["sdkappid"] = tftypes.NewValue(tftypes.Number, int64(testAppID))
	attrs["endpoint"] = tftypes.NewValue(tftypes.String, "http://127.0.0.1:1")
	dv, err := tfprotov6.NewDynamicValue(ptype, objectOf(ptype, attrs))
	must(t, err)
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "test", Config: &dv})
	must(t, err)
	if msg := errorDiags(resp.Diagnostics); msg != "" {
		t.Fatalf("ConfigureProvider: %s", msg)
	}
	etype, ok := es.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s schema type is %T", usersigType, es.ValueType())
	}
	return s, etype
}

// objectOf is a value of t with the attributes in set and null elsewhere.
func objectOf(t tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	attrs := make(map[string]tftypes.Value, len(t.AttributeTypes))
	for name, at := range t.AttributeTypes {
		if v, ok := set[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(t, attrs)
}

func errorDiags(ds []*tfprotov6.Diagnostic) string {
	var msgs []string
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	return strings.Join(msgs, "; ")
}

// openUsersig validates and opens the ephemeral resource as Terraform does,
// and returns its string attributes and the error diagnostics.
func openUsersig(t *testing.T, s tfprotov6.ProviderServer, etype tftypes.Object, cfg map[string]string) (map[string]string, string) {
	t.Helper()
	set := map[string]tftypes.Value{}
	for k, v := range cfg {
		set[k] = tftypes.NewValue(tftypes.String, v)
	}
	dv, err := tfprotov6.NewDynamicValue(etype, objectOf(etype, set))
	must(t, err)
	ctx := context.Background()
	vr, err := s.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: usersigType, Config: &dv})
	must(t, err)
	if msg := errorDiags(vr.Diagnostics); msg != "" {
		return nil, msg
	}
	resp, err := s.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: usersigType, Config: &dv})
	must(t, err)
	out := map[string]string{}
	// On an error the framework still returns the configuration as the
	// result; the caller checks that it holds no UserSig.
	if resp.Result != nil {
		v, err := resp.Result.Unmarshal(etype)
		must(t, err)
		var attrs map[string]tftypes.Value
		must(t, v.As(&attrs))
		for k, a := range attrs {
			var s *string
			must(t, a.As(&s))
			if s != nil {
				out[k] = *s
			}
		}
	}
	return out, errorDiags(resp.Diagnostics)
}

// checkSignedUsersig says what is wrong with a UserSig the resource returned
// for identifier and expire, signed between notBefore and notAfter.
func checkSignedUsersig(sig, identifier string, expire time.Duration, expiresAt string, notBefore, notAfter time.Time) error {
	s, err := usersig.Decode(sig)
	if err != nil {
		return fmt.Errorf("the UserSig does not decode: %w", err)
	}
	if s.Time < notBefore.Unix() || s.Time > notAfter.Unix() {
		return fmt.Errorf("TLS.time %d is outside the signing window [%d, %d]", s.Time, notBefore.Unix(), notAfter.Unix())
	}
	if want := int64(expire / time.Second); s.Expire != want {
		return fmt.Errorf("TLS.expire = %d, want %d", s.Expire, want)
	}
	signedAt := time.Unix(s.Time, 0)
	if _, err := usersig.Verify(sig, testAppID, testKey, identifier, signedAt); err != nil {
		return fmt.Errorf("the UserSig does not verify with the app's key for %q: %w", identifier, err)
	}
	last := signedAt.Add(expire)
	if _, err := usersig.Verify(sig, testAppID, testKey, identifier, last); err != nil {
		return fmt.Errorf("the UserSig is not valid at its last second %s: %w", last, err)
	}
	if _, err := usersig.Verify(sig, testAppID, testKey, identifier, last.Add(time.Second)); !errors.Is(err, usersig.ErrExpired) {
		return fmt.Errorf("one second after %s Verify = %v, want %v", last, err, usersig.ErrExpired)
	}
	if _, err := usersig.Verify(sig, testAppID, strings.Repeat("f", len(testKey)), identifier, signedAt); !errors.Is(err, usersig.ErrSignatureMismatch) {
		return fmt.Errorf("with another key Verify = %v, want %v", err, usersig.ErrSignatureMismatch)
	}
	if want := last.UTC().Format(time.RFC3339); expiresAt != want {
		return fmt.Errorf("expires_at = %q, want %q (TLS.time + TLS.expire)", expiresAt, want)
	}
	return nil
}

// The UserSig verifies with the app's key, for the identifier asked for (or
// the provider's), with the validity asked for (or 24h), and expires_at is
// its last valid second.
func TestUsersigEphemeral_signsVerifiableUserSig(t *testing.T) {
	cases := []struct {
		name         string
		providerID   string // "" leaves the provider's identifier unset
		cfg          map[string]string
		wantID       string
		wantExpire   time.Duration
		wantExpireIn string
	}{
		{"defaults", "", nil, testAdmin, 24 * time.Hour, "24h"},
		{"defaults to the provider's identifier", "ops_admin", nil, "ops_admin", 24 * time.Hour, "24h"},
		{"a bot for 30 days", "", map[string]string{"identifier": "support_bot", "expire": "720h"}, "support_bot", 720 * time.Hour, "720h"},
		{"seconds", "ops_admin", map[string]string{"expire": "90s"}, "ops_admin", 90 * time.Second, "90s"},
		{"the longest", "", map[string]string{"expire": "438000h"}, testAdmin, maxUsersigExpire, "438000h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]tftypes.Value{"secret_key": tftypes.NewValue(tftypes.String, testKey)}
			if tc.providerID != "" {
				attrs["identifier"] = tftypes.NewValue(tftypes.String, tc.providerID)
			}
			s, etype := usersigServer(t, attrs)
			before := time.Now()
			got, diags := openUsersig(t, s, etype, tc.cfg)
			after := time.Now()
			if diags != "" {
				t.Fatalf("Open: %s", diags)
			}
			if got["identifier"] != tc.wantID || got["expire"] != tc.wantExpireIn {
				t.Errorf("identifier, expire = %q, %q; want %q, %q", got["identifier"], got["expire"], tc.wantID, tc.wantExpireIn)
			}
			if err := checkSignedUsersig(got["usersig"], tc.wantID, tc.wantExpire, got["expires_at"], before, after); err != nil {
				t.Fatal(err)
			}
			if _, err := usersig.Verify(got["usersig"], testAppID, testKey, "someone_else", before); !errors.Is(err, usersig.ErrIdentifierMismatch) {
				t.Errorf("Verify for another identifier = %v, want %v", err, usersig.ErrIdentifierMismatch)
			}
		})
	}

	// The value is marked sensitive, so that the CLI never prints it.
	s, err := NewServer("test")()
	must(t, err)
	sch, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	for _, a := range sch.EphemeralResourceSchemas[usersigType].Block.Attributes {
		if wantSensitive := a.Name == "usersig"; a.Sensitive != wantSensitive {
			t.Errorf("%s: Sensitive = %v, want %v", a.Name, a.Sensitive, wantSensitive)
		}
		if a.Description == "" {
			t.Errorf("%s has no description", a.Name)
		}
	}
}

// Every expire and identifier the UserSig format or the API would refuse is
// refused by validation, with what to do; the edges are accepted.
func TestUsersigEphemeral_validation(t *testing.T) {
	s, etype := usersigServer(t, map[string]tftypes.Value{"secret_key": tftypes.NewValue(tftypes.String, testKey)})
	cases := []struct {
		attr, value string
		want        []string // all of them in the error; none: accepted
	}{
		{"expire", "1s", nil},
		{"expire", "2h30m", nil},
		{"expire", "438000h", nil},
		{"expire", "0s", []string{"Invalid expire", `"0s" is not positive`}},
		{"expire", "-1h", []string{"Invalid expire", `"-1h" is not positive`}},
		{"expire", "1500ms", []string{"Invalid expire", "not a whole number of seconds", `"2s"`}},
		{"expire", "100ms", []string{"Invalid expire", "not a whole number of seconds", `"1s"`}},
		{"expire", "438000h1s", []string{"Invalid expire", "longer than 50 years", `"438000h"`}},
		{"expire", "30d", []string{"Invalid expire", `"30d" is not a duration`, "days are not a unit"}},
		{"expire", "", []string{"Invalid expire", `"" is not a duration`}},
		{"identifier", "support_bot", nil},
		{"identifier", strings.Repeat("u", 32), nil},
		{"identifier", strings.Repeat("u", 33), []string{"Invalid UserID", "33 bytes; UserIDs are at most 32 bytes", "Fix identifier"}},
		{"identifier", "café", []string{"Invalid UserID", "non-ASCII"}},
		{"identifier", " padded", []string{"Invalid UserID", "leading or trailing spaces"}},
		{"identifier", "", []string{"Invalid UserID", "empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.attr+"="+tc.value, func(t *testing.T) {
			got, diags := openUsersig(t, s, etype, map[string]string{tc.attr: tc.value})
			if tc.want == nil {
				if diags != "" || got["usersig"] == "" {
					t.Fatalf("refused: %s", diags)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(diags, w) {
					t.Errorf("error %q does not contain %q", diags, w)
				}
			}
		})
	}
}

// A provider given a pre-signed usersig has no key to sign with: Open says
// so and what to configure instead, and returns nothing.
func TestUsersigEphemeral_presignedUsersigRefused(t *testing.T) {
	sig, err := usersig.Generate(testAppID, testKey, testAdmin, time.Hour, time.Now())
	must(t, err)
	s, etype := usersigServer(t, map[string]tftypes.Value{"usersig": tftypes.NewValue(tftypes.String, sig)})
	got, diags := openUsersig(t, s, etype, map[string]string{"identifier": "support_bot"})
	if got["usersig"] != "" || got["expires_at"] != "" {
		t.Fatalf("Open failed and still returned a UserSig: %v", got)
	}
	for _, w := range []string{"Cannot sign a UserSig without the secret key", "pre-signed `usersig`", "Configure the provider with `secret_key`", EnvSecretKey} {
		if !strings.Contains(diags, w) {
			t.Errorf("error %q does not contain %q", diags, w)
		}
	}
	if strings.Contains(diags, sig) {
		t.Error("the error quotes the configured UserSig")
	}
}

// requireEphemeralCLI skips without TF_ACC, and on a CLI without ephemeral
// resources.
func requireEphemeralCLI(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc runs it)")
	}
	requireCLI(t, featureEphemeral)
}

// exampleEphemeralBlock is the ephemeral block of the documentation's
// example, which the acceptance test applies as written.
func exampleEphemeralBlock(t *testing.T) string {
	t.Helper()
	ex := example(t, "ephemeral-resources/tencentim_usersig/ephemeral-resource.tf")
	start := strings.Index(ex, `ephemeral "tencentim_usersig" "support_bot" {`)
	end := strings.Index(ex[max(start, 0):], "\n}\n")
	if start < 0 || end < 0 {
		t.Fatalf("the example has no ephemeral \"tencentim_usersig\" \"support_bot\" block:\n%s", ex)
	}
	return ex[start : start+end+3]
}

type stateCheck func(*tfjson.State) error

func (f stateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

type planCheck func(*tfjson.Plan) error

func (f planCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// noUsersigInPlan fails when the plan holds the ephemeral resource.
var noUsersigInPlan = planCheck(func(p *tfjson.Plan) error {
	for _, rc := range p.ResourceChanges {
		if rc.Type == usersigType || strings.HasPrefix(rc.Address, "ephemeral.") {
			return fmt.Errorf("the plan has a change for %s", rc.Address)
		}
	}
	if p.PlannedValues != nil && p.PlannedValues.RootModule != nil {
		for _, r := range p.PlannedValues.RootModule.Resources {
			if r.Type == usersigType {
				return fmt.Errorf("the plan's planned values hold %s", r.Address)
			}
		}
	}
	return nil
})

// Through the real CLI, the ephemeral values (the example's block, and one
// with every default) reach the echo provider's configuration with the right
// shape and a UserSig that verifies; the plan and the state hold no
// tencentim_usersig. (The echo resource stores what it is given: that is how
// the values are inspected.)
func TestAccUsersigEphemeral_echo(t *testing.T) {
	requireEphemeralCLI(t)
	env := newTestEnv(t, 0)
	start := time.Now()
	cfg := env.providerBlock("") + exampleEphemeralBlock(t) + `
ephemeral "tencentim_usersig" "admin" {}

provider "echo" {
  data = {
    bot   = ephemeral.tencentim_usersig.support_bot
    admin = ephemeral.tencentim_usersig.admin
  }
}

resource "echo" "test" {}
`
	checkEcho := stateCheck(func(s *tfjson.State) error {
		for _, r := range s.Values.RootModule.Resources {
			if r.Type == usersigType {
				return fmt.Errorf("the state holds %s", r.Address)
			}
		}
		var data map[string]any
		for _, r := range s.Values.RootModule.Resources {
			if r.Address == "echo.test" {
				data, _ = r.AttributeValues["data"].(map[string]any)
			}
		}
		want := map[string]struct {
			id     string
			expire time.Duration
			in     string
		}{"bot": {"support_bot", 1440 * time.Hour, "1440h"}, "admin": {testAdmin, 24 * time.Hour, "24h"}}
		for name, w := range want {
			v, _ := data[name].(map[string]any)
			str := func(k string) string { s, _ := v[k].(string); return s }
			if len(v) != 4 || str("identifier") != w.id || str("expire") != w.in {
				return fmt.Errorf("echo.test.data.%s = %v, want identifier %q, expire %q, usersig and expires_at", name, v, w.id, w.in)
			}
			if err := checkSignedUsersig(str("usersig"), w.id, w.expire, str("expires_at"), start, time.Now()); err != nil {
				return fmt.Errorf("echo.test.data.%s: %w", name, err)
			}
		}
		return nil
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"tencentim": NewServer("test"),
			"echo":      echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config:            cfg,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noUsersigInPlan}},
			ConfigStateChecks: []statecheck.StateCheck{checkEcho},
		}},
	})
}

// A provider configured with a pre-signed usersig (here from
// TENCENTIM_USERSIG) fails the plan at the ephemeral resource, saying to
// configure secret_key.
func TestAccUsersigEphemeral_presignedUsersig(t *testing.T) {
	requireEphemeralCLI(t)
	env := newTestEnv(t, 0)
	sig, err := usersig.Generate(testAppID, testKey, testAdmin, time.Hour, time.Now())
	must(t, err)
	t.Setenv(EnvSecretKey, "")
	t.Setenv(EnvUserSig, sig)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"tencentim": NewServer("test"),
			"echo":      echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "tencentim" {
  sdkappid = %d
  endpoint = %q
}

ephemeral "tencentim_usersig" "bot" {
  identifier = "support_bot"
}

provider "echo" {
  data = ephemeral.tencentim_usersig.bot.usersig
}

resource "echo" "test" {}
`, testAppID, env.url),
			ExpectError: regexp.MustCompile(`(?s)Cannot sign a UserSig without the secret key.*pre-signed\s+` + "`usersig`" + `.*Configure\s+the\s+provider\s+with\s+` + "`secret_key`"),
		}},
	})
}

// applySavedPlan applies a saved plan: the harness adds its flags after the
// arguments, where they would count as more plan files.
func applySavedPlan(h *cliHarness, plan string) string {
	h.t.Helper()
	cmd := exec.Command(h.cli, "apply", "-no-color", "-input=false", plan)
	cmd.Dir, cmd.Env = h.dir, h.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("%s apply %s: %v\n%s", filepath.Base(h.cli), plan, err, out)
	}
	return string(out)
}

// sigRecorder is a proxy in front of the emulator that keeps the usersig of
// every request, so the test knows the values it must not find.
type sigRecorder struct {
	mu   sync.Mutex
	sigs []string
}

func (r *sigRecorder) serve(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	must(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if sig := req.URL.Query().Get("usersig"); sig != "" {
			r.mu.Lock()
			if !slices.Contains(r.sigs, sig) {
				r.sigs = append(r.sigs, sig)
			}
			r.mu.Unlock()
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (r *sigRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sigs)
}

// The real use, through the CLI: a second provider configuration signs its
// requests with the ephemeral UserSig and reads a group with it. The server
// accepts it, and after `plan -out`, `apply` of that plan, a second apply and
// a plan, no UserSig the server saw is in the saved plan (every file of it,
// and `show -json`), the state file, `show -json` of the state, the CLI's
// output or the provider's TRACE log; neither plan nor state has a
// tencentim_usersig.
func TestAccUsersigEphemeral_neverInPlanOrState(t *testing.T) {
	requireEphemeralCLI(t)
	env := newTestEnv(t, 0)
	gid := env.group("Public")
	rec := &sigRecorder{}
	signedURL := rec.serve(t, env.url)
	h := newCLIHarness(t, env)
	logPath := filepath.Join(h.dir, "provider.log")
	// No key in the environment, or the second configuration would have
	// both credentials; TRACE logs of the provider alone, not of the CLI.
	h.env = append(h.env, EnvSecretKey+"=", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH="+logPath)
	h.writeConfig(fmt.Sprintf(`
provider "tencentim" {
  sdkappid   = %[1]d
  secret_key = %[2]q
  endpoint   = %[3]q
}

ephemeral "tencentim_usersig" "admin" {
  expire = "720h"
}

provider "tencentim" {
  alias    = "signed"
  sdkappid = %[1]d
  endpoint = %[4]q
  usersig  = ephemeral.tencentim_usersig.admin.usersig
}

data "tencentim_group_members" "g" {
  provider = tencentim.signed
  group_id = %[5]q
}

output "member_count" {
  value = data.tencentim_group_members.g.member_count
}
`, testAppID, testKey, env.url, signedURL, gid))

	start := time.Now()
	outputs := map[string]string{}
	outputs["plan -out"] = h.mustRun("plan", "-out=tfplan")
	planJSON := h.mustRun("show", "-json", "tfplan")
	outputs["apply tfplan"] = applySavedPlan(h, "tfplan")
	outputs["apply -auto-approve"] = h.mustRun("apply", "-auto-approve")
	outputs["plan -detailed-exitcode"] = h.mustRun("plan", "-detailed-exitcode")
	stateJSON := h.mustRun("show", "-json")
	end := time.Now()

	// The needles: every UserSig the signed configuration sent. They must
	// be the ephemeral resource's (the first configuration makes no call),
	// or searching for them would prove nothing.
	sigs := rec.all()
	if len(sigs) == 0 {
		t.Fatal("the server received no request from the configuration signed with the ephemeral UserSig")
	}
	for _, sig := range sigs {
		s, err := usersig.Decode(sig)
		must(t, err)
		if err := checkSignedUsersig(sig, testAdmin, 720*time.Hour, time.Unix(s.Time+s.Expire, 0).UTC().Format(time.RFC3339), start.Add(-time.Second), end); err != nil {
			t.Fatalf("a UserSig the server received: %v", err)
		}
	}
	var state struct {
		Values struct {
			Outputs map[string]struct{ Value json.Number } `json:"outputs"`
		} `json:"values"`
	}
	must(t, json.Unmarshal([]byte(stateJSON[strings.Index(stateJSON, "{"):]), &state))
	if got := state.Values.Outputs["member_count"].Value.String(); got != "1" {
		t.Fatalf("member_count = %q, want 1 (the owner): the read with the ephemeral UserSig failed", got)
	}

	haystacks := map[string]string{
		"show -json tfplan":  planJSON,
		"show -json (state)": stateJSON,
		"terraform.tfstate":  string(mustRead(t, filepath.Join(h.dir, "terraform.tfstate"))),
		"provider log":       string(mustRead(t, logPath)),
	}
	for cmd, out := range outputs {
		haystacks["output of "+cmd] = out
	}
	zr, err := zip.OpenReader(filepath.Join(h.dir, "tfplan"))
	must(t, err)
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		must(t, rc.Close())
		haystacks["tfplan/"+f.Name] = string(b)
	}
	must(t, zr.Close())
	// The provider's log must really hold the ephemeral resource's logs.
	if !strings.Contains(haystacks["provider log"], "Signed a UserSig") {
		t.Fatal("the provider log has no \"Signed a UserSig\": the provider's logs were not captured")
	}

	for where, text := range haystacks {
		for _, sig := range sigs {
			s, err := usersig.Decode(sig)
			must(t, err)
			for _, needle := range []string{sig, url.QueryEscape(sig), s.Signature} {
				if strings.Contains(text, needle) {
					t.Errorf("%s contains the ephemeral UserSig (or its signature)", where)
				}
			}
		}
	}
	// Only the configuration (in the plan file and the plan's
	// "configuration") may name the ephemeral resource.
	var plan map[string]json.RawMessage
	must(t, json.Unmarshal([]byte(planJSON[strings.Index(planJSON, "{"):]), &plan))
	delete(plan, "configuration")
	rest, err := json.Marshal(plan)
	must(t, err)
	for where, text := range map[string]string{
		"the plan outside its configuration": string(rest),
		"show -json (state)":                 stateJSON,
		"terraform.tfstate":                  haystacks["terraform.tfstate"],
	} {
		if strings.Contains(text, usersigType) {
			t.Errorf("%s names %s", where, usersigType)
		}
	}
	if !t.Failed() {
		t.Logf("%d UserSigs searched for in %d files and outputs: not found", len(sigs), len(haystacks))
	}
}
