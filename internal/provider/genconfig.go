package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// GenerateResourceConfig (Terraform ≥ 1.14: `terraform plan
// -generate-config-out` and `terraform query -generate-config-out`) turns an
// imported state into the configuration that adopts it with no changes.
// Terraform's own fallback copies every settable attribute from the state,
// which writes apply_join_option for Work groups and max_member_count and
// create_time for AVChatRoom groups, all refused by tencentim_group's
// validation. Each generator here writes the least that plans no changes:
// optional+computed attributes keep their state values when omitted.

func generatedConfig(dv *tfprotov6.DynamicValue, diags diagnostics) *tfprotov6.GenerateResourceConfigResponse {
	return &tfprotov6.GenerateResourceConfigResponse{Config: dv, Diagnostics: diags}
}

func generateGroupFailed(what string, err error) *tfprotov6.GenerateResourceConfigResponse {
	var diags diagnostics
	diags.errorAt(nil, "Unable to generate the configuration of "+groupTypeName,
		fmt.Sprintf("%s: %v. This is a bug in the provider; please report it. Meanwhile write the resource block by hand: `terraform plan` after the import shows what differs.", what, err))
	return generatedConfig(nil, diags)
}

// generateGroupConfig writes type, name, group_id and the settings that
// differ from the defaults; never create_time, which would make a
// replacement back-date the new group with import_group (and which
// AVChatRoom groups refuse), nor settings the group's type does not have.
func generateGroupConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) *tfprotov6.GenerateResourceConfigResponse {
	sch := groupStateSchema().Schema
	if req.State == nil {
		return generateGroupFailed("no state was given", fmt.Errorf("nil state"))
	}
	raw, err := req.State.Unmarshal(sch.Type().TerraformType(ctx))
	if err != nil {
		return generateGroupFailed("decoding the state", err)
	}
	var m groupResourceModel
	if d := (tfsdk.State{Schema: sch, Raw: raw}).Get(ctx, &m); d.HasError() {
		return generateGroupFailed("decoding the state", fmt.Errorf("%s", d.Errors()[0].Detail()))
	}
	typ := timapi.RESTGroupType(m.Type.ValueString())
	unlessEmpty := func(v types.String) types.String {
		if v.ValueString() == "" {
			return types.StringNull()
		}
		return v
	}
	c := groupResourceModel{
		ID:              types.StringNull(),
		GroupID:         m.GroupID,
		Type:            m.Type,
		Name:            m.Name,
		OwnerAccount:    unlessEmpty(m.OwnerAccount),
		Introduction:    unlessEmpty(m.Introduction),
		Notification:    unlessEmpty(m.Notification),
		FaceURL:         unlessEmpty(m.FaceURL),
		MaxMemberCount:  m.MaxMemberCount,
		ApplyJoinOption: unlessEmpty(m.ApplyJoinOption),
		CreateTime:      types.Int64Null(),
	}
	if typ == timapi.GroupTypeAVChatRoom || m.MaxMemberCount.ValueInt64() < 1 {
		c.MaxMemberCount = types.Int64Null()
	}
	if typ == timapi.GroupTypePrivate {
		c.ApplyJoinOption = types.StringNull()
	}
	dv, err := encodeGroupState(ctx, &c)
	if err != nil {
		return generateGroupFailed("encoding the configuration", err)
	}
	return generatedConfig(dv, nil)
}

// GenerateResourceConfig writes group_id and the members, each with its
// role only when Admin and its name card and custom data as imported
// (only the non-empty ones are): an omitted role is Member and an omitted
// join_time keeps the server's, so `user = {}` adopts a member unchanged, and fewer
// attributes per member keep Terraform's conversion of a large map cheaper
// (DESIGN.md, "What core still costs"). Terraform writes the null
// unread_msg_num of each member and the null timeouts as `= null`: it
// writes every null attribute that is not computed.
func (r *groupMembersResource) GenerateResourceConfig(_ context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	var diags diagnostics
	state, ok := readValue(req.State, &diags, "state")
	if !ok {
		return generatedConfig(nil, diags), nil
	}
	c := groupMembersValue{p: state.p, groupID: state.groupID, members: wireMap[wireMember]{p: state.members.p}}
	if state.exclusive.p == isKnown && state.exclusive.b {
		c.exclusive = state.exclusive
	}
	if state.members.p == isKnown {
		c.members.elems = make(map[string]wireMember, len(state.members.elems))
		for account, e := range state.members.elems {
			// The profile fields are optional, not computed: what the import
			// filled (non-empty ones only) must be written, or the plan
			// would stop managing them.
			m := wireMember{p: e.p, unread: e.unread, nameCard: e.nameCard, customData: e.customData}
			if e.role.value() == members.RoleAdmin {
				m.role = e.role
			}
			c.members.elems[account] = m
		}
	}
	return generatedConfig(writeValue(c), diags), nil
}

// GenerateResourceConfig writes the accounts as the state holds them, and
// delete_on_remove only when true (false is the default).
func (r *accountsResource) GenerateResourceConfig(_ context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	var diags diagnostics
	state, ok := accountsCodec.read(req.State, &diags, "state")
	if !ok {
		return generatedConfig(nil, diags), nil
	}
	c := accountsValue{p: state.p, accounts: state.accounts}
	if state.deleteOnRemove.p == isKnown && state.deleteOnRemove.b {
		c.deleteOnRemove = state.deleteOnRemove
	}
	return generatedConfig(accountsCodec.write(c), diags), nil
}
