package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

func generate(t *testing.T, s tfprotov6.ProviderServer, typeName string, state *tfprotov6.DynamicValue) map[string]tftypes.Value {
	t.Helper()
	ctx := context.Background()
	resp, err := s.GenerateResourceConfig(ctx, &tfprotov6.GenerateResourceConfigRequest{TypeName: typeName, State: state})
	must(t, err)
	noErrors(t, "GenerateResourceConfig", resp.Diagnostics)
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	must(t, err)
	v, err := resp.Config.Unmarshal(sch.ResourceSchemas[typeName].ValueType())
	must(t, err)
	var attrs map[string]tftypes.Value
	must(t, v.As(&attrs))
	return attrs
}

func wantNull(t *testing.T, what string, attrs map[string]tftypes.Value, names ...string) {
	t.Helper()
	for _, n := range names {
		if !attrs[n].IsNull() {
			t.Errorf("%s: %s = %v, want it left out (null)", what, n, attrs[n])
		}
	}
}

func wantString(t *testing.T, what string, v tftypes.Value, want string) {
	t.Helper()
	var s string
	if v.IsNull() || v.As(&s) != nil || s != want {
		t.Errorf("%s = %v, want %q", what, v, want)
	}
}

// The configuration generated for an imported tencentim_group is valid for
// its type: no create_time, no max_member_count for AVChatRoom groups, no
// apply_join_option for Work groups, and empty texts left to their default.
func TestGenerateGroupConfig(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	ctx := context.Background()
	for _, c := range []struct {
		typ  string
		null []string
		keep map[string]string
	}{
		{"Public", []string{"id", "create_time", "notification", "face_url"}, map[string]string{"apply_join_option": "FreeAccess", "introduction": "hello", "owner_account": "boss"}},
		{"Private", []string{"id", "create_time", "apply_join_option"}, map[string]string{"type": "Private"}},
		{"AVChatRoom", []string{"id", "create_time", "max_member_count"}, map[string]string{"apply_join_option": "FreeAccess"}},
	} {
		limit := 6000
		if c.typ == "AVChatRoom" {
			limit = 0
		}
		m := modelFromInfo(&timapi.GroupInfo{GroupID: "g-" + c.typ, Type: c.typ, Name: "n", OwnerAccount: "boss", CreateTime: 1_600_000_000,
			MaxMemberNum: limit, ApplyJoinOption: "FreeAccess", Introduction: "hello"}, types.StringNull())
		state, err := encodeGroupState(ctx, &m)
		must(t, err)
		attrs := generate(t, s, groupTypeName, state)
		wantNull(t, c.typ, attrs, c.null...)
		wantString(t, c.typ+" group_id", attrs["group_id"], "g-"+c.typ)
		wantString(t, c.typ+" name", attrs["name"], "n")
		for k, v := range c.keep {
			wantString(t, c.typ+" "+k, attrs[k], v)
		}
	}
}

// tencentim_group_members: the members with their role only when Admin and
// no join_time (both default to the state's), exclusive only when true, no
// computed attribute.
func TestGenerateGroupMembersConfig(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	m := refreshedModel()
	m.Exclusive = true
	ma := m.Members["a"]
	card := "Lead"
	ma.NameCard, ma.CustomData = &card, map[string]string{"dept": "sre"}
	m.Members["a"] = ma
	attrs := generate(t, s, groupMembersTypeName, writeValue(m.value()))
	wantNull(t, "members", attrs, "id", "owner_account", "group_type", "timeouts")
	wantString(t, "group_id", attrs["group_id"], "g1")
	var excl bool
	if attrs["exclusive"].IsNull() || attrs["exclusive"].As(&excl) != nil || !excl {
		t.Errorf("exclusive = %v, want true kept", attrs["exclusive"])
	}
	var ms map[string]tftypes.Value
	must(t, attrs["members"].As(&ms))
	if len(ms) != 2 {
		t.Fatalf("members %v, want 2", ms)
	}
	var a, b map[string]tftypes.Value
	must(t, ms["a"].As(&a))
	must(t, ms["b"].As(&b))
	wantString(t, "a role", a["role"], "Admin")
	wantString(t, "a name_card", a["name_card"], "Lead")
	var data map[string]tftypes.Value
	must(t, a["custom_data"].As(&data))
	if len(data) != 1 {
		t.Fatalf("a custom_data %v, want dept only", data)
	}
	wantString(t, "a custom_data.dept", data["dept"], "sre")
	wantNull(t, "a", a, "join_time", "unread_msg_num")
	wantNull(t, "b", b, "role", "join_time", "unread_msg_num", "name_card", "custom_data")

	// exclusive false is the default: left out.
	m.Exclusive = false
	wantNull(t, "members", generate(t, s, groupMembersTypeName, writeValue(m.value())), "exclusive")
}

func refreshedModel() groupMembersModel {
	return groupMembersModel{ID: "g1", GroupID: "g1", OwnerAccount: "boss", GroupType: "Public",
		Members: map[string]memberModel{"a": {Role: "Admin", JoinTime: i64(100)}, "b": {Role: "Member", JoinTime: i64(200)}}}
}

func TestGenerateAccountsConfig(t *testing.T) {
	s, err := NewServer("test")()
	must(t, err)
	state := accountsValue{p: isKnown, id: known(accountsID), deleteOnRemove: wireBool{p: isKnown},
		accounts: wireMap[accountValue]{p: isKnown, elems: map[string]accountValue{"alice": {p: isKnown, nick: known("Alice")}, "bob": {p: isKnown}}}}
	attrs := generate(t, s, accountsTypeName, accountsCodec.write(state))
	wantNull(t, "accounts", attrs, "id", "delete_on_remove")
	var as map[string]tftypes.Value
	must(t, attrs["accounts"].As(&as))
	var alice map[string]tftypes.Value
	must(t, as["alice"].As(&alice))
	if len(as) != 2 {
		t.Fatalf("accounts %v", as)
	}
	wantString(t, "alice nick", alice["nick"], "Alice")
}
