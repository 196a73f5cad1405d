package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// adoptionGroups seeds one group of every type, each but the AVChatRoom with
// members (an Admin where the type has the role), and returns their IDs in
// sorted order.
func adoptionGroups(t *testing.T, env *testEnv) []string {
	t.Helper()
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.MemberDefinedKeys = []string{"dept", "tier"} })
	var ids []string
	for _, g := range []emulator.Group{
		{ID: "adopt-work", Type: "Private", Name: "Work group"},
		{ID: "adopt-public", Type: "Public", Name: "Public group"},
		{ID: "adopt-meeting", Type: "ChatRoom", Name: "Meeting group"},
		{ID: "adopt-live", Type: "AVChatRoom", Name: "Live room"},
		{ID: "@TGS#_adopt-community", Type: "Community", Name: "Community group"},
	} {
		g.Owner, g.CreateTime = testOwner, 1_600_000_000
		id, err := env.emu.AddGroup(testAppID, g)
		must(t, err)
		ids = append(ids, id)
		if g.Type == "AVChatRoom" {
			continue
		}
		role := "Admin"
		if g.Type == "Private" {
			role = "Member"
		}
		must(t, env.emu.PutMember(testAppID, id, emulator.Member{Account: "user0001", Role: role, JoinTime: 1_700_000_000}))
		// A name card and a custom member field, which an import adopts.
		must(t, env.emu.PutMember(testAppID, id, emulator.Member{Account: "user0002", JoinTime: 1_700_000_100, NameCard: "Adopted", CustomData: map[string]string{"dept": "sre"}}))
	}
	slices.Sort(ids)
	return ids
}

func listConfig(t *testing.T, types ...string) *tfprotov6.DynamicValue {
	t.Helper()
	ts := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, nil)
	if types != nil {
		elems := []tftypes.Value{}
		for _, s := range types {
			elems = append(elems, str(s))
		}
		ts = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
	}
	return dynamic(t, tftypes.NewValue(listConfigType, map[string]tftypes.Value{listTypesAttr: ts}))
}

func listAll(t *testing.T, s tfprotov6.ProviderServer, req *tfprotov6.ListResourceRequest) []tfprotov6.ListResourceResult {
	t.Helper()
	stream, err := s.(tfprotov6.ListResourceServer).ListResource(context.Background(), req)
	must(t, err)
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		out = append(out, r)
	}
	return out
}

// importAndRead is what `terraform import` saves for a group: the state of
// ImportResourceState followed by ReadResource.
func importAndRead(t *testing.T, s tfprotov6.ProviderServer, typeName, id string) *tfprotov6.DynamicValue {
	t.Helper()
	ctx := context.Background()
	im, err := s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	must(t, err)
	noErrors(t, "ImportResourceState", im.Diagnostics)
	rd, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: im.ImportedResources[0].State})
	must(t, err)
	noErrors(t, "ReadResource", rd.Diagnostics)
	return rd.NewState
}

func sameValue(t *testing.T, s tfprotov6.ProviderServer, typeName string, a, b *tfprotov6.DynamicValue) bool {
	t.Helper()
	sch, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	typ := sch.ResourceSchemas[typeName].ValueType()
	va, err := a.Unmarshal(typ)
	must(t, err)
	vb, err := b.Unmarshal(typ)
	must(t, err)
	return va.Equal(vb)
}

func TestListResourcesAdvertised(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	ctx := context.Background()
	md, err := s.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{})
	must(t, err)
	var names []string
	for _, l := range md.ListResources {
		names = append(names, l.TypeName)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{groupTypeName, groupMembersTypeName}) {
		t.Fatalf("GetMetadata lists the list resources %v", names)
	}
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	for _, name := range names {
		ls := sch.ListResourceSchemas[name]
		if ls == nil || len(ls.Block.Attributes) != 1 || ls.Block.Attributes[0].Name != listTypesAttr || ls.Block.Description == "" || ls.Block.Attributes[0].Description == "" {
			t.Fatalf("list schema of %s: %+v", name, ls)
		}
	}
	// Terraform ≥ 1.14 calls GenerateResourceConfig only when told it may.
	for what, c := range map[string]*tfprotov6.ServerCapabilities{"GetMetadata": md.ServerCapabilities, "GetProviderSchema": sch.ServerCapabilities} {
		if c == nil || !c.GenerateResourceConfig || !c.PlanDestroy || !c.GetProviderSchemaOptional {
			t.Errorf("%s capabilities %+v, want GenerateResourceConfig with the framework's own", what, c)
		}
	}
}

func TestListResourceValidation(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	ls := s.(tfprotov6.ListResourceServer)
	for _, c := range []struct {
		typeName string
		types    []string
		want     string // "" = valid
	}{
		{groupTypeName, nil, ""},
		{groupTypeName, []string{"Work", "Private", "AVChatRoom"}, ""},
		{groupTypeName, []string{"public"}, `types names "public"`},
		{groupTypeName, []string{}, "Empty types"},
		{groupMembersTypeName, []string{"Community", "Meeting"}, ""},
		{groupMembersTypeName, []string{"AVChatRoom"}, "AVChatRoom groups have no member list"},
		{"tencentim_accounts", nil, "no list resource tencentim_accounts"},
	} {
		resp, err := ls.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: c.typeName, Config: listConfig(t, c.types...)})
		must(t, err)
		var got string
		for _, d := range resp.Diagnostics {
			got += d.Summary + ": " + d.Detail + "\n"
		}
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s types %v: diagnostics %q, want %q", c.typeName, c.types, got, c.want)
		}
	}
}

// Each list result is the group's identity, a name, and with
// include_resource exactly what an import by ID followed by a refresh saves;
// members are never listed for the AVChatRoom; nothing is written.
func TestListResources(t *testing.T) {
	env := newTestEnv(t, 3)
	ids := adoptionGroups(t, env)
	s := configuredServer(t, env)
	env.emu.ResetStats()

	groups := listAll(t, s, &tfprotov6.ListResourceRequest{TypeName: groupTypeName, Config: listConfig(t), IncludeResource: true, Limit: 100})
	var got []string
	for _, r := range groups {
		noErrors(t, "ListResource", r.Diagnostics)
		id := identityOf(t, r.Identity)
		got = append(got, id)
		if !sameValue(t, s, groupTypeName, r.Resource, importAndRead(t, s, groupTypeName, id)) {
			t.Errorf("list result of tencentim_group %s differs from its import", id)
		}
		if info, _ := env.emu.GroupInfo(testAppID, id); r.DisplayName != info.Name+" ("+info.Type+")" {
			t.Errorf("display name of %s: %q", id, r.DisplayName)
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("tencentim_group lists %v, want %v", got, ids)
	}

	env.emu.ResetStats()
	memberLists := listAll(t, s, &tfprotov6.ListResourceRequest{TypeName: groupMembersTypeName, Config: listConfig(t), IncludeResource: true, Limit: 100})
	got = nil
	for _, r := range memberLists {
		noErrors(t, "ListResource", r.Diagnostics)
		id := identityOf(t, r.Identity)
		got = append(got, id)
		m := mustDecode(t, r.Resource).model()
		if len(m.Members) != 2 || m.Members["user0002"].JoinTime == nil || *m.Members["user0002"].JoinTime != 1_700_000_100 {
			t.Errorf("members of %s in the list result: %+v", id, m.Members)
		}
		// Profiles are filled only where they have a value.
		if u2, u1 := m.Members["user0002"], m.Members["user0001"]; u2.NameCard == nil || *u2.NameCard != "Adopted" || u2.CustomData["dept"] != "sre" || len(u2.CustomData) != 1 ||
			u1.NameCard != nil || u1.CustomData != nil {
			t.Errorf("profiles of %s in the list result: user0001 %+v, user0002 %+v", id, u1, u2)
		}
		if !sameValue(t, s, groupMembersTypeName, r.Resource, importAndRead(t, s, groupMembersTypeName, id)) {
			t.Errorf("list result of tencentim_group_members %s differs from its import", id)
		}
	}
	if want := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "adopt-live" }); !slices.Equal(got, want) {
		t.Fatalf("tencentim_group_members lists %v, want %v (no AVChatRoom)", got, want)
	}
	must(t, onlyReads(env))

	// Without include_resource no member is read; types filters, one
	// listing per type; limit stops the results.
	env.emu.ResetStats()
	filtered := listAll(t, s, &tfprotov6.ListResourceRequest{TypeName: groupMembersTypeName, Config: listConfig(t, "Work", "Private", "Public"), Limit: 1})
	if len(filtered) != 1 || identityOf(t, filtered[0].Identity) != "adopt-public" || filtered[0].Resource != nil {
		t.Fatalf("types [Work Private Public] limit 1: %+v", filtered)
	}
	stats := env.emu.Stats()
	if stats["get_group_member_info"].Calls != 0 || stats["get_appid_group_list"].Calls != 2 || stats["get_group_info"].Calls != 1 {
		t.Fatalf("calls without include_resource: %+v; want 2 listings (Private, Public), 1 get_group_info, no member page", stats)
	}
}

// A listing that fails says what failed and what to do, as one error
// result.
func TestListResourceFailure(t *testing.T) {
	env := newTestEnv(t, 0)
	s := configuredServer(t, env)
	env.emu.InjectFault(emulator.Fault{Command: "get_appid_group_list", ErrorCode: 10007})
	rs := listAll(t, s, &tfprotov6.ListResourceRequest{TypeName: groupTypeName, Config: listConfig(t, "Public"), Limit: 100})
	if len(rs) != 1 || len(rs[0].Diagnostics) != 1 || rs[0].Identity != nil {
		t.Fatalf("results %+v, want one error", rs)
	}
	d := rs[0].Diagnostics[0]
	if d.Severity != tfprotov6.DiagnosticSeverityError || !strings.Contains(d.Summary, "Listing the app's Public groups failed") || !strings.Contains(d.Detail, "app admin") {
		t.Fatalf("diagnostic %q: %q", d.Summary, d.Detail)
	}
	// Before Configure, the list says so.
	s2, err := NewServer("test")()
	must(t, err)
	rs = listAll(t, s2, &tfprotov6.ListResourceRequest{TypeName: groupMembersTypeName, Config: listConfig(t), Limit: 100})
	if len(rs) != 1 || len(rs[0].Diagnostics) != 1 || rs[0].Diagnostics[0].Summary != "Provider not configured" {
		t.Fatalf("unconfigured results %+v", rs)
	}
}
