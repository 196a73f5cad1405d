package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

var (
	_ resource.Resource                   = (*groupResource)(nil)
	_ resource.ResourceWithConfigure      = (*groupResource)(nil)
	_ resource.ResourceWithImportState    = (*groupResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*groupResource)(nil)
	_ resource.ResourceWithValidateConfig = (*groupResource)(nil)
	_ resource.ResourceWithIdentity       = (*groupResource)(nil)
)

// Group types a configuration may name: the client SDK names first, as the
// console and SDK docs use them, then the REST names (Private = Work,
// ChatRoom = Meeting), which are what is sent.
var groupTypes = []string{
	timapi.GroupTypeWork, timapi.GroupTypePublic, timapi.GroupTypeMeeting, timapi.GroupTypeCommunity, timapi.GroupTypeAVChatRoom,
	timapi.GroupTypePrivate, timapi.GroupTypeChatRoom,
}

var applyJoinOptions = []string{"FreeAccess", "NeedPermission", "DisableApply"}

// Documented limits, in bytes.
const (
	maxGroupNameBytes     = 30
	maxIntroductionBytes  = 240
	maxNotificationBytes  = 300
	maxFaceURLBytes       = 100
	maxMembersCommunity   = 100000
	maxMembersOtherGroups = 6000
	customCommunityPrefix = "@TGS#_"
	reservedGroupIDPrefix = "@TGS#"
)

// groupTypeName is what Metadata names the resource, for the code on the
// protocol (list resources, identity, generated configuration).
const groupTypeName = "tencentim_group"

func newGroupResource() resource.Resource { return &groupResource{now: time.Now} }

type groupResource struct {
	data *providerData
	now  func() time.Time
}

type groupResourceModel struct {
	ID              types.String `tfsdk:"id"`
	GroupID         types.String `tfsdk:"group_id"`
	Type            types.String `tfsdk:"type"`
	Name            types.String `tfsdk:"name"`
	OwnerAccount    types.String `tfsdk:"owner_account"`
	Introduction    types.String `tfsdk:"introduction"`
	Notification    types.String `tfsdk:"notification"`
	FaceURL         types.String `tfsdk:"face_url"`
	MaxMemberCount  types.Int64  `tfsdk:"max_member_count"`
	ApplyJoinOption types.String `tfsdk:"apply_join_option"`
	CreateTime      types.Int64  `tfsdk:"create_time"`
}

func (r *groupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (r *groupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A chat group. It is created with `create_group`, or with `import_group` when `create_time` is set " +
			"(no notifications or callbacks, and members can then be imported with join times back to `create_time`). " +
			"Name, introduction, notification, face URL, member limit and join option change in place (`modify_group_base_info`); " +
			"a new owner is set with `change_group_owner`; a new type, `group_id` or `create_time` replaces the group. " +
			"Destroying the resource dismisses the group (`destroy_group`).\n\n" +
			"Use `id` as the `group_id` of `tencentim_group_members`. Accounts named here and in the members must exist first, " +
			"for example in a `tencentim_accounts` resource the group `depends_on`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The group ID, the same as `group_id`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "A custom group ID: at most 48 bytes of printable ASCII. It must not start with `@TGS#`, except that a Community group's custom ID must start with `@TGS#_`. " +
					"When omitted the server generates one. Changing it replaces the group.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{groupIDValidator{advice: " Fix group_id, or omit it to let the server generate one."}},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "The group type: `" + strings.Join(groupTypes[:5], "`, `") + "`, or their REST API names `Private` (= `Work`) and `ChatRoom` (= `Meeting`). " +
					"The REST name is what is sent to the API and what it reports; the state keeps the name you wrote, so neither spelling shows a diff. " +
					"Changing it replaces the group, except between a type's two names.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(groupTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !timapi.SameGroupType(req.StateValue.ValueString(), req.PlanValue.ValueString())
					},
					"Changing the type replaces the group (Work and Private, Meeting and ChatRoom are the same type).",
					"Changing the type replaces the group (Work and Private, Meeting and ChatRoom are the same type).",
				)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The group name, 1 to %d bytes (UTF-8: a CJK character takes 3 bytes).", maxGroupNameBytes),
				Required:            true,
				Validators:          []validator.String{byteLengthValidator{name: "name", min: 1, max: maxGroupNameBytes}},
			},
			"owner_account": schema.StringAttribute{
				MarkdownDescription: "The owner's UserID; it must be an imported account. Omit it for an ownerless group; when omitted, the current owner is read but not managed. " +
					"Changing it hands the group over in one apply: an account outside the group is first imported as a member (`import_group_member`), then `change_group_owner` makes it the owner. " +
					"If `tencentim_group_members` manages the new owner, remove it from `members` in the same change: the owner is never a managed member. " +
					"The previous owner stays in the group as an ordinary member. A group's owner cannot be removed, only handed over. AVChatRoom groups cannot change owner.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{userIDValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"introduction": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The group introduction, at most %d bytes. Defaults to empty.", maxIntroductionBytes),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{byteLengthValidator{name: "introduction", max: maxIntroductionBytes}},
			},
			"notification": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The group notification (announcement), at most %d bytes. Defaults to empty.", maxNotificationBytes),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{byteLengthValidator{name: "notification", max: maxNotificationBytes}},
			},
			"face_url": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The URL of the group's avatar, at most %d bytes. Defaults to empty.", maxFaceURLBytes),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{byteLengthValidator{name: "face_url", max: maxFaceURLBytes}},
			},
			"max_member_count": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The most members the group may have: up to %d for Community groups and %d for the other types, within the app's plan. "+
					"When omitted the server's default (the plan's limit) is used and read back. It cannot be set below the current member count, nor on AVChatRoom groups, which keep no member list.", maxMembersCommunity, maxMembersOtherGroups),
				Optional:      true,
				Computed:      true,
				Validators:    []validator.Int64{int64validator.Between(1, maxMembersCommunity)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"apply_join_option": schema.StringAttribute{
				MarkdownDescription: "How requests to join are handled: `" + strings.Join(applyJoinOptions, "`, `") + "`. When omitted the server's default is used and read back. " +
					"Work (`Private`) groups take invited members only, so it cannot be set for them.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.OneOf(applyJoinOptions...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"create_time": schema.Int64Attribute{
				MarkdownDescription: "When the group was created, in Unix seconds. Setting it creates the group with `import_group`, back-dated to this time, " +
					"so that members can be imported with earlier join times (for migrating an existing group); it must not be in the future, and AVChatRoom groups cannot be imported. " +
					"When omitted the group is created with `create_group` and this is the server's creation time. Changing it replaces the group.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					int64planmodifier.RequiresReplaceIfConfigured(),
				},
			},
		},
	}
}

// IdentitySchema is the group ID, as for tencentim_group_members (identity.go).
func (r *groupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			identityGroupID: identityschema.StringAttribute{RequiredForImport: true, Description: groupIdentityDescription},
		},
	}
}

// setIdentity records the group's identity in a response.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, groupID string, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.SetAttribute(ctx, path.Root(identityGroupID), groupID)...)
	}
}

func (r *groupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *groupResource) configured(diags *diag.Diagnostics) bool {
	return requireConfigured(r.data, diags)
}

// ValidateConfig checks the rules that combine attributes.
func (r *groupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m groupResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.CreateTime.IsNull() && !m.CreateTime.IsUnknown() {
		if ct := m.CreateTime.ValueInt64(); ct > r.now().Unix() {
			resp.Diagnostics.AddAttributeError(path.Root("create_time"), "create_time in the future",
				fmt.Sprintf("create_time is %d (%s), after now. import_group only back-dates groups; use a past time, or omit create_time to create the group now.", ct, time.Unix(ct, 0).UTC().Format(time.RFC3339)))
		}
	}
	if m.Type.IsNull() || m.Type.IsUnknown() {
		return
	}
	typ := m.Type.ValueString()
	switch timapi.RESTGroupType(typ) {
	case timapi.GroupTypePrivate:
		if !m.ApplyJoinOption.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("apply_join_option"), "apply_join_option is not available for Work groups",
				fmt.Sprintf("%s groups take invited members only, so nobody can apply to join them. Remove apply_join_option, or use another type such as Public.", typ))
		}
	case timapi.GroupTypeAVChatRoom:
		if !m.MaxMemberCount.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("max_member_count"), "max_member_count is not available for AVChatRoom groups",
				"AVChatRoom groups keep no member list and have no member limit. Remove max_member_count.")
		}
		if !m.CreateTime.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("create_time"), "AVChatRoom groups cannot be imported",
				"Setting create_time creates the group with import_group, which does not support AVChatRoom groups. Remove create_time.")
		}
	}
	if timapi.RESTGroupType(typ) != timapi.GroupTypeCommunity && !m.MaxMemberCount.IsNull() && !m.MaxMemberCount.IsUnknown() && m.MaxMemberCount.ValueInt64() > maxMembersOtherGroups {
		resp.Diagnostics.AddAttributeError(path.Root("max_member_count"), "max_member_count too large",
			fmt.Sprintf("max_member_count is %d; %s groups hold at most %d members (Community groups up to %d). Lower it or use a Community group.",
				m.MaxMemberCount.ValueInt64(), typ, maxMembersOtherGroups, maxMembersCommunity))
	}
}

// ModifyPlan checks a custom group_id against the type when the group is
// created (an imported group keeps whatever ID it has, so the rules are not
// applied to it), and that a new owner_account exists. The planned id stays
// unknown until the group exists, so that a tencentim_group_members of the
// same apply, which refers to it, leaves its live-group checks to the apply.
func (r *groupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, state groupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// The planned identity: known once group_id is, on a create or for the
	// same group. A replacement keeps the prior one here (the framework
	// refuses an identity change on an update); Terraform plans the new
	// object again from a null state, which sets it.
	if hasValue(plan.GroupID) && (req.State.Raw.IsNull() || plan.GroupID.Equal(state.GroupID)) {
		setIdentity(ctx, resp.Identity, plan.GroupID.ValueString(), &resp.Diagnostics)
	}
	if req.State.Raw.IsNull() && !plan.GroupID.IsNull() && !plan.GroupID.IsUnknown() && !plan.Type.IsUnknown() {
		if msg := customGroupIDProblem(plan.GroupID.ValueString(), plan.Type.ValueString()); msg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Invalid custom group_id", msg)
			return
		}
	}
	owner := plan.OwnerAccount.ValueString()
	if r.data == nil || plan.OwnerAccount.IsUnknown() || owner == "" || owner == state.OwnerAccount.ValueString() {
		return
	}
	missing, failures := r.data.accounts.missing(ctx, r.data, []string{owner})
	for _, f := range failures {
		resp.Diagnostics.AddAttributeError(path.Root("owner_account"), f.summary, f.detail)
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("owner_account"), "The owner account does not exist in the app",
			fmt.Sprintf("account_check reports that %q was never imported, so it cannot own the group. %s, or fix owner_account.", owner, createAccountsFirst))
	}
}

// customGroupIDProblem applies the documented custom-ID rules for a group
// of type typ, or returns "".
func customGroupIDProblem(id, typ string) string {
	if timapi.RESTGroupType(typ) == timapi.GroupTypeCommunity {
		if !strings.HasPrefix(id, customCommunityPrefix) || len(id) == len(customCommunityPrefix) {
			return fmt.Sprintf("group_id %q is not a valid Community group ID: custom IDs of Community groups must start with %q followed by at least one character, such as \"@TGS#_oncall\". Fix group_id, or omit it to let the server generate one.", id, customCommunityPrefix)
		}
		return ""
	}
	if strings.HasPrefix(id, reservedGroupIDPrefix) {
		return fmt.Sprintf("group_id %q starts with %q, which is reserved for IDs the server generates (only Community groups use the %q prefix). Choose an ID without it, such as %q, or omit group_id.", id, reservedGroupIDPrefix, customCommunityPrefix, strings.TrimLeft(strings.TrimPrefix(id, reservedGroupIDPrefix), "_"))
	}
	return ""
}

func (r *groupResource) createRequest(m groupResourceModel) timapi.CreateGroupRequest {
	req := timapi.CreateGroupRequest{
		Type:         m.Type.ValueString(),
		Name:         m.Name.ValueString(),
		Introduction: m.Introduction.ValueString(),
		Notification: m.Notification.ValueString(),
		FaceURL:      m.FaceURL.ValueString(),
	}
	if hasValue(m.GroupID) {
		req.GroupID = m.GroupID.ValueString()
	}
	if hasValue(m.OwnerAccount) {
		req.OwnerAccount = m.OwnerAccount.ValueString()
	}
	if hasValue(m.ApplyJoinOption) {
		req.ApplyJoinOption = m.ApplyJoinOption.ValueString()
	}
	if !m.MaxMemberCount.IsNull() && !m.MaxMemberCount.IsUnknown() {
		req.MaxMemberCount = int(m.MaxMemberCount.ValueInt64())
	}
	if !m.CreateTime.IsNull() && !m.CreateTime.IsUnknown() {
		req.CreateTime = m.CreateTime.ValueInt64()
	}
	return req
}

func hasValue(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

func (r *groupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan groupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	creq := r.createRequest(plan)
	command := "create_group"
	create := r.data.client.CreateGroup
	if creq.CreateTime != 0 {
		command, create = "import_group", r.data.client.ImportGroup
	}
	id, err := create(ctx, creq)
	if err != nil {
		summary, detail := groupFailure(command, creq.GroupID, err)
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	ctx = tflog.SetField(ctx, "group_id", id)
	tflog.Debug(ctx, "created group", map[string]any{"command": command})

	info, err := r.data.client.GetGroup(ctx, id)
	if err != nil {
		// The group exists: record it (Terraform marks it tainted because
		// of the error), so that it is not left behind unmanaged.
		summary, detail := groupFailure("get_group_info", id, err)
		resp.Diagnostics.AddError(summary, detail+"\n\nThe group was created and is saved in the state, marked tainted: the next apply replaces it.")
		plan.ID, plan.GroupID = types.StringValue(id), types.StringValue(id)
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		for _, v := range []*types.String{&plan.OwnerAccount, &plan.ApplyJoinOption} {
			if v.IsUnknown() {
				*v = types.StringNull()
			}
		}
		if plan.MaxMemberCount.IsUnknown() {
			plan.MaxMemberCount = types.Int64Null()
		}
		if plan.CreateTime.IsUnknown() {
			plan.CreateTime = types.Int64Null()
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	state := modelFromInfo(info, plan.Type)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// modelFromInfo is the state for a group as the server describes it. A
// type the server names differently but equivalently (Private for Work)
// keeps the name in priorType, so it does not look like a change.
func modelFromInfo(info *timapi.GroupInfo, priorType types.String) groupResourceModel {
	typ := info.Type
	if hasValue(priorType) && timapi.SameGroupType(priorType.ValueString(), typ) {
		typ = priorType.ValueString()
	}
	return groupResourceModel{
		ID:              types.StringValue(info.GroupID),
		GroupID:         types.StringValue(info.GroupID),
		Type:            types.StringValue(typ),
		Name:            types.StringValue(info.Name),
		OwnerAccount:    types.StringValue(info.OwnerAccount),
		Introduction:    types.StringValue(info.Introduction),
		Notification:    types.StringValue(info.Notification),
		FaceURL:         types.StringValue(info.FaceURL),
		MaxMemberCount:  types.Int64Value(int64(info.MaxMemberNum)),
		ApplyJoinOption: types.StringValue(info.ApplyJoinOption),
		CreateTime:      types.Int64Value(info.CreateTime),
	}
}

func (r *groupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	id := state.ID.ValueString()
	// Set first, whatever the read finds: a state saved before identity
	// existed has none, and the framework refuses a read that returns none,
	// even one that removes the resource.
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
	info, err := r.data.client.GetGroup(ctx, id)
	switch {
	case timapi.IsNotFound(err):
		resp.Diagnostics.AddWarning(fmt.Sprintf("Group %s no longer exists", id),
			fmt.Sprintf("%v.\n\nThe group was dismissed outside Terraform, so it is removed from the state; the next apply creates it again.", err))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		summary, detail := groupFailure("get_group_info", id, err)
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	if info.GroupID == "" {
		info.GroupID = id
	}
	next := modelFromInfo(info, state.Type)
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

func (r *groupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var state, plan groupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	id := state.ID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", id)

	var change timapi.GroupBaseInfoChange
	setText := func(dst **string, planned, prior types.String) {
		if hasValue(planned) && !planned.Equal(prior) {
			s := planned.ValueString()
			*dst = &s
		}
	}
	setText(&change.Name, plan.Name, state.Name)
	setText(&change.Introduction, plan.Introduction, state.Introduction)
	setText(&change.Notification, plan.Notification, state.Notification)
	setText(&change.FaceURL, plan.FaceURL, state.FaceURL)
	setText(&change.ApplyJoinOption, plan.ApplyJoinOption, state.ApplyJoinOption)
	if !plan.MaxMemberCount.IsNull() && !plan.MaxMemberCount.IsUnknown() && !plan.MaxMemberCount.Equal(state.MaxMemberCount) {
		n := int(plan.MaxMemberCount.ValueInt64())
		change.MaxMemberNum = &n
	}

	failed := false
	if err := r.data.client.ModifyGroupBaseInfo(ctx, id, change); err != nil {
		summary, detail := groupFailure("modify_group_base_info", id, err)
		resp.Diagnostics.AddError(summary, detail)
		failed = true
	}
	if newOwner := plan.OwnerAccount; !failed && hasValue(newOwner) && newOwner.ValueString() != state.OwnerAccount.ValueString() {
		if summary, detail := r.handOver(ctx, id, state.Type.ValueString(), newOwner.ValueString()); summary != "" {
			resp.Diagnostics.AddAttributeError(path.Root("owner_account"), summary, detail)
			failed = true
		}
	}

	// Record what the server now holds, so that whatever failed shows up
	// in the next plan again.
	info, err := r.data.client.GetGroup(ctx, id)
	if err != nil {
		summary, detail := groupFailure("get_group_info", id, err)
		resp.Diagnostics.AddError(summary, detail)
		if !failed {
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		return
	}
	next := modelFromInfo(info, plan.Type)
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

func (r *groupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	id := state.ID.ValueString()
	if err := r.data.client.DestroyGroup(ctx, id); err != nil && !timapi.IsNotFound(err) {
		summary, detail := groupFailure("destroy_group", id, err)
		resp.Diagnostics.AddError(summary, detail)
	}
}

// ImportState adopts a group by its ID, or by its identity (an import
// block's identity = { group_id = ... }); Read fills in the rest.
func (r *groupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, summary, how := req.ID, "Invalid import ID", "The import ID is the group ID, such as \"@TGS#2J4SZEAEL\"."
	if id == "" && req.Identity != nil {
		summary, how = "Invalid import identity", "Import with identity = { group_id = \"@TGS#2J4SZEAEL\" }."
		var gid types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(identityGroupID), &gid)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = gid.ValueString()
	}
	if _, msg := groupIDProblem(id); msg != "" {
		resp.Diagnostics.AddError(summary, msg+" "+how)
		return
	}
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root(identityGroupID), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), id)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// handOver makes newOwner the owner in one apply: change_group_owner takes
// only a member, so an account outside the group is imported first (an
// existing member is left as it is: Result 2). It returns a diagnostic's
// summary and detail, or "" when the group has its new owner.
func (r *groupResource) handOver(ctx context.Context, id, groupType, newOwner string) (string, string) {
	if timapi.SupportsMemberList(groupType) {
		results, err := r.data.client.ImportGroupMembers(ctx, id, []timapi.ImportMember{{Account: newOwner}})
		if err != nil {
			return groupFailure("import_group_member", id, err)
		}
		if len(results) != 1 || results[0].Result == 0 {
			return fmt.Sprintf("%s could not join group %s", newOwner, id),
				fmt.Sprintf("import_group_member refused %q, so the group could not be handed over to it. Check that the account exists in the app (for example in tencentim_accounts, which the group should depend on) and that the group is not full; the owner is unchanged.", newOwner)
		}
	}
	if err := r.data.client.ChangeGroupOwner(ctx, id, newOwner); err != nil {
		return groupFailure("change_group_owner", id, err)
	}
	return "", ""
}

// groupFailure turns a group API error into a message that names the call,
// the code, the group and what to do.
func groupFailure(command, groupID string, err error) (summary, detail string) {
	summary = command + " failed"
	shown := groupID
	if groupID != "" {
		summary += " for group " + groupID
	} else {
		shown = "(to be generated)"
	}
	advice := commonAdvice(err)
	code := timapi.Code(err)
	switch {
	case advice != "":
	case code == 10021:
		advice = fmt.Sprintf("Group ID %s is already used by another group. Choose another group_id, or omit it to let the server generate one.", shown)
	case code == 10025:
		advice = fmt.Sprintf("Group ID %s already exists and belongs to this owner. Adopt it instead of creating it: `terraform import <address> '%s'`, or an import block.", shown, groupID)
	case timapi.IsNotFound(err):
		advice = fmt.Sprintf("Group %s does not exist (any more). Check that the provider's sdkappid and region are the app's; if it was dismissed, the next plan creates it again.", shown)
	case code == 10004 && command == "change_group_owner":
		advice = "The server refused the new owner. Check that owner_account is an imported account; the provider imports it as a member before handing the group over, so it need not be a member already."
	case code == 10004 && command == "modify_group_base_info":
		advice = "The server refused a value (see the message above). Check the lengths of name, introduction, notification and face_url, and that max_member_count is not below the group's current member count."
	case code == 10004:
		advice = "The server refused a value (see the message above). Check type, name (at most 30 bytes), the group_id rules, and that owner_account is an imported account (for example in tencentim_accounts, which the group should depend on)."
	case code == 10007:
		advice = "This group type does not support the operation (see the message above); change the configuration accordingly."
	case code == 10019:
		advice = "An account named in the request does not exist in the app. Import it first, for example with tencentim_accounts."
	case code == 10036, code == 10058:
		advice = "The app's plan allows no more groups of this kind. Dismiss unused groups or upgrade the plan."
	case code == 10037:
		advice = "The owner has reached the number of groups one account may create or join. Choose another owner_account or leave some groups."
	case code == 10038:
		advice = "max_member_count exceeds the member limit of the app's plan. Lower it or upgrade the plan."
	default:
		advice = "Nothing else was changed by this request. Fix the cause and run apply again."
	}
	return summary, fmt.Sprintf("%v.\n\n%s", err, advice)
}

type userIDValidator struct{}

func (userIDValidator) Description(context.Context) string {
	return "must be a UserID: 1 to 32 bytes of printable ASCII without leading or trailing spaces"
}

func (v userIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (userIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := userIDProblem(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid UserID", msg+" Omit owner_account for an ownerless group.")
	}
}

// byteLengthValidator checks a string's length in bytes (the API's unit),
// not in characters.
type byteLengthValidator struct {
	name     string
	min, max int
}

func (v byteLengthValidator) Description(context.Context) string {
	return fmt.Sprintf("must be %d to %d bytes (UTF-8)", v.min, v.max)
}

func (v byteLengthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v byteLengthValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := len(req.ConfigValue.ValueString())
	switch {
	case n < v.min:
		resp.Diagnostics.AddAttributeError(req.Path, "Empty "+v.name, fmt.Sprintf("%s must not be empty.", v.name))
	case n > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, v.name+" too long",
			fmt.Sprintf("%s is %d bytes; the API allows at most %d bytes (UTF-8: a CJK character takes 3 bytes). Shorten it.", v.name, n, v.max))
	}
}
