package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// configuredServer is the provider server as Terraform starts it, configured
// for env's emulator.
func configuredServer(t *testing.T, env *testEnv) tfprotov6.ProviderServer {
	t.Helper()
	s, err := NewServer("test")()
	must(t, err)
	ctx := context.Background()
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	pt := sch.Provider.ValueType().(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range pt.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	attrs["sdkappid"] = num(testAppID)
	attrs["secret_key"] = str(testKey)
	attrs["endpoint"] = str(env.url)
	dv, err := tfprotov6.NewDynamicValue(pt, tftypes.NewValue(pt, attrs))
	must(t, err)
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &dv})
	must(t, err)
	noErrors(t, "ConfigureProvider", resp.Diagnostics)
	return s
}

func noErrors(t *testing.T, rpc string, ds []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", rpc, d.Summary, d.Detail)
		}
	}
}

func identityData(t *testing.T, groupID tftypes.Value) *tfprotov6.ResourceIdentityData {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(groupIdentityType, tftypes.NewValue(groupIdentityType, map[string]tftypes.Value{identityGroupID: groupID}))
	must(t, err)
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// identityOf is an identity's group_id: "<nil>" for no identity, "<unknown>"
// for an unknown one.
func identityOf(t *testing.T, d *tfprotov6.ResourceIdentityData) string {
	t.Helper()
	if d == nil || d.IdentityData == nil {
		return "<nil>"
	}
	v, err := d.IdentityData.Unmarshal(groupIdentityType)
	must(t, err)
	var attrs map[string]tftypes.Value
	must(t, v.As(&attrs))
	if !attrs[identityGroupID].IsKnown() {
		return "<unknown>"
	}
	var s string
	must(t, attrs[identityGroupID].As(&s))
	return s
}

// TestGroupMembersIdentityRPCs drives tencentim_group_members' RPCs as
// Terraform ≥ 1.12 does and checks that each one that returns state returns
// the identity: an import by identity, the refresh of a state saved without
// identity, plans (known and unknown group), applies and the destroy.
func TestGroupMembersIdentityRPCs(t *testing.T) {
	env := newTestEnv(t, 3)
	gid := env.group("Public")
	must(t, env.emu.PutMember(testAppID, gid, emulator.Member{Account: "user0001", Role: "Admin", JoinTime: 1_700_000_000}))
	s := configuredServer(t, env)
	ctx := context.Background()

	schemas, err := s.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	must(t, err)
	noErrors(t, "GetResourceIdentitySchemas", schemas.Diagnostics)
	for _, name := range []string{groupMembersTypeName, "tencentim_group"} {
		is := schemas.IdentitySchemas[name]
		if is == nil || len(is.IdentityAttributes) != 1 {
			t.Fatalf("identity schema of %s: %+v, want one attribute", name, is)
		}
		a := is.IdentityAttributes[0]
		if a.Name != identityGroupID || !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.Description == "" {
			t.Fatalf("identity attribute of %s: %+v, want group_id, a string required for import, described", name, a)
		}
	}
	if is, ok := schemas.IdentitySchemas[accountsTypeName]; ok {
		t.Fatalf("%s has identity schema %+v, want none", accountsTypeName, is)
	}

	// import { to = ..., identity = { group_id = gid } }
	im, err := s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: groupMembersTypeName, Identity: identityData(t, str(gid))})
	must(t, err)
	noErrors(t, "ImportResourceState", im.Diagnostics)
	if len(im.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(im.ImportedResources))
	}
	imported := im.ImportedResources[0]
	if got := identityOf(t, imported.Identity); got != gid {
		t.Fatalf("import identity %s, want %s", got, gid)
	}
	if m := mustDecode(t, imported.State).model(); m.GroupID != gid || m.ID != gid || m.Members != nil {
		t.Fatalf("imported state %+v, want group %s with members null", m, gid)
	}

	// The refresh after an import, or of a state saved before identity
	// existed: no current identity.
	rd, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: groupMembersTypeName, CurrentState: imported.State})
	must(t, err)
	noErrors(t, "ReadResource", rd.Diagnostics)
	if got := identityOf(t, rd.NewIdentity); got != gid {
		t.Fatalf("read identity %s, want %s", got, gid)
	}
	if m := mustDecode(t, rd.NewState).model(); m.Members["user0001"].Role != "Admin" {
		t.Fatalf("read members %+v, want user0001 adopted as Admin", m.Members)
	}

	// An update: user0002 joins.
	cfg := dynamic(t, configValue(str(gid), map[string]map[string]tftypes.Value{
		"user0001": {attrRole: str("Admin")}, "user0002": {},
	}))
	pl, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: groupMembersTypeName,
		PriorState: rd.NewState, ProposedNewState: cfg, Config: cfg, PriorIdentity: rd.NewIdentity})
	must(t, err)
	noErrors(t, "PlanResourceChange", pl.Diagnostics)
	if got := identityOf(t, pl.PlannedIdentity); got != gid {
		t.Fatalf("planned identity %s, want %s", got, gid)
	}
	ap, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: groupMembersTypeName,
		PriorState: rd.NewState, PlannedState: pl.PlannedState, Config: cfg, PlannedIdentity: pl.PlannedIdentity})
	must(t, err)
	noErrors(t, "ApplyResourceChange", ap.Diagnostics)
	if got := identityOf(t, ap.NewIdentity); got != gid {
		t.Fatalf("identity after the update %s, want %s", got, gid)
	}
	if _, in := env.serverMembers(gid)["user0002"]; !in {
		t.Fatal("user0002 was not imported by the update")
	}

	// A create whose group is known only after apply plans no identity
	// (OpenTofu cannot save an unknown one).
	unknownCfg := dynamic(t, configValue(tftypes.NewValue(tftypes.String, tftypes.UnknownValue), map[string]map[string]tftypes.Value{"user0003": {}}))
	null := dynamic(t, tftypes.NewValue(groupMembersType, nil))
	pl2, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: groupMembersTypeName,
		PriorState: null, ProposedNewState: unknownCfg, Config: unknownCfg})
	must(t, err)
	noErrors(t, "PlanResourceChange", pl2.Diagnostics)
	if got := identityOf(t, pl2.PlannedIdentity); got != "<nil>" {
		t.Fatalf("planned identity of a group known after apply: %s, want none", got)
	}

	// The destroy keeps the identity in the plan; the removed object has none.
	pl3, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: groupMembersTypeName,
		PriorState: ap.NewState, ProposedNewState: null, Config: null, PriorIdentity: ap.NewIdentity})
	must(t, err)
	noErrors(t, "PlanResourceChange", pl3.Diagnostics)
	if got := identityOf(t, pl3.PlannedIdentity); got != gid {
		t.Fatalf("planned identity of the destroy %s, want %s", got, gid)
	}
	ap3, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: groupMembersTypeName,
		PriorState: ap.NewState, PlannedState: null, Config: null, PlannedIdentity: pl3.PlannedIdentity})
	must(t, err)
	noErrors(t, "ApplyResourceChange", ap3.Diagnostics)
	if got := identityOf(t, ap3.NewIdentity); got != "<nil>" {
		t.Fatalf("identity after the destroy %s, want none", got)
	}
	if left := env.serverMembers(gid); len(left) != 0 {
		t.Fatalf("members left after the destroy: %v", left)
	}
}

func TestGroupMembersImportByIdentityRefusesBadIdentity(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	for name, id := range map[string]tftypes.Value{
		"empty":    str(""),
		"null":     tftypes.NewValue(tftypes.String, nil),
		"too long": str(strings.Repeat("g", 49)),
	} {
		im, err := s.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: groupMembersTypeName, Identity: identityData(t, id)})
		must(t, err)
		if len(im.ImportedResources) != 0 || len(im.Diagnostics) == 0 || !strings.Contains(im.Diagnostics[0].Detail, "identity = { group_id") {
			t.Errorf("%s group_id: imported %d, diagnostics %+v; want an error that shows the identity form", name, len(im.ImportedResources), im.Diagnostics)
		}
	}
}

func TestUpgradeResourceIdentity(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	ctx := context.Background()
	up, err := s.UpgradeResourceIdentity(ctx, &tfprotov6.UpgradeResourceIdentityRequest{TypeName: groupMembersTypeName, Version: 0,
		RawIdentity: &tfprotov6.RawState{JSON: []byte(`{"group_id":"@TGS#abc"}`)}})
	must(t, err)
	noErrors(t, "UpgradeResourceIdentity", up.Diagnostics)
	if got := identityOf(t, up.UpgradedIdentity); got != "@TGS#abc" {
		t.Fatalf("upgraded identity %s, want @TGS#abc", got)
	}
	up, err = s.UpgradeResourceIdentity(ctx, &tfprotov6.UpgradeResourceIdentityRequest{TypeName: groupMembersTypeName, Version: 1,
		RawIdentity: &tfprotov6.RawState{JSON: []byte(`{"group_id":"@TGS#abc"}`)}})
	must(t, err)
	if up.UpgradedIdentity != nil || len(up.Diagnostics) == 0 || !strings.Contains(up.Diagnostics[0].Detail, "version 1") {
		t.Fatalf("a newer identity version: %+v, %+v; want an error naming the version", up.UpgradedIdentity, up.Diagnostics)
	}
	// tencentim_accounts has no identity to upgrade.
	up, err = s.UpgradeResourceIdentity(ctx, &tfprotov6.UpgradeResourceIdentityRequest{TypeName: accountsTypeName, RawIdentity: &tfprotov6.RawState{JSON: []byte(`{}`)}})
	must(t, err)
	if len(up.Diagnostics) == 0 || up.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatalf("%s identity upgrade: %+v, want an error", accountsTypeName, up.Diagnostics)
	}
}

func dynamic(t *testing.T, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(v.Type(), v)
	must(t, err)
	return &dv
}

func mustDecode(t *testing.T, dv *tfprotov6.DynamicValue) groupMembersValue {
	t.Helper()
	var diags diagnostics
	v, ok := readValue(dv, &diags, "state")
	if !ok {
		t.Fatalf("decoding: %+v", diags)
	}
	return v
}
