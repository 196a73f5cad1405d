package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

var (
	_ datasource.DataSource              = (*groupDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*groupDataSource)(nil)
)

func newGroupDataSource() datasource.DataSource { return &groupDataSource{} }

type groupDataSource struct {
	data *providerData
}

type groupDataSourceModel struct {
	GroupID         types.String `tfsdk:"group_id"`
	ID              types.String `tfsdk:"id"`
	Type            types.String `tfsdk:"type"`
	Name            types.String `tfsdk:"name"`
	OwnerAccount    types.String `tfsdk:"owner_account"`
	Introduction    types.String `tfsdk:"introduction"`
	Notification    types.String `tfsdk:"notification"`
	FaceURL         types.String `tfsdk:"face_url"`
	ApplyJoinOption types.String `tfsdk:"apply_join_option"`
	MaxMemberCount  types.Int64  `tfsdk:"max_member_count"`
	MemberCount     types.Int64  `tfsdk:"member_count"`
	CreateTime      types.Int64  `tfsdk:"create_time"`
}

func (d *groupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (d *groupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one group's base information with one `get_group_info` call that asks for the base fields only, never the member list " +
			"(`tencentim_group_members` reads the members). The attributes are named as on the `tencentim_group` resource.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The group to read.",
				Required:            true,
				Validators:          []validator.String{groupIDValidator{}},
			},
			"id":                computed("The group ID, the same as `group_id`."),
			"type":              computed("The group's type as the server reports it: its REST API names `Private` (the SDKs' Work), `Public`, `ChatRoom` (the SDKs' Meeting), `Community` or `AVChatRoom`."),
			"name":              computed("The group's name."),
			"owner_account":     computed("The owner's UserID; empty for an ownerless group."),
			"introduction":      computed("The group's introduction; empty when it has none."),
			"notification":      computed("The group's notification (announcement); empty when it has none."),
			"face_url":          computed("The URL of the group's avatar; empty when it has none."),
			"apply_join_option": computed("How requests to join are handled: `FreeAccess`, `NeedPermission` or `DisableApply`."),
			"max_member_count": schema.Int64Attribute{
				MarkdownDescription: "The most members the group may have (the API's `MaxMemberNum`).",
				Computed:            true,
			},
			"member_count": schema.Int64Attribute{
				MarkdownDescription: "How many members the group has, the owner included (the API's `MemberNum`).",
				Computed:            true,
			},
			"create_time": schema.Int64Attribute{
				MarkdownDescription: "When the group was created, in Unix seconds.",
				Computed:            true,
			},
		},
	}
}

func (d *groupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m groupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireConfigured(d.data, &resp.Diagnostics) {
		return
	}
	// A data source has no timeouts attribute; this bounds the rate-limit
	// retries, which otherwise last as long as the context.
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout("read"))
	defer cancel()
	id := m.GroupID.ValueString()
	g, err := d.data.client.GetGroup(ctx, id)
	if err != nil {
		f := groupReadFailure(id, err)
		resp.Diagnostics.AddAttributeError(pathGroupID, f.summary, f.detail)
		return
	}
	m.ID = m.GroupID
	m.Type = types.StringValue(g.Type)
	m.Name = types.StringValue(g.Name)
	m.OwnerAccount = types.StringValue(g.OwnerAccount)
	m.Introduction = types.StringValue(g.Introduction)
	m.Notification = types.StringValue(g.Notification)
	m.FaceURL = types.StringValue(g.FaceURL)
	m.ApplyJoinOption = types.StringValue(g.ApplyJoinOption)
	m.MaxMemberCount = types.Int64Value(int64(g.MaxMemberNum))
	m.MemberCount = types.Int64Value(int64(g.MemberNum))
	m.CreateTime = types.Int64Value(g.CreateTime)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// groupReadFailure is what a failed read of group id tells the user.
func groupReadFailure(id string, err error) applyFailure {
	if timapi.IsNotFound(err) {
		return applyFailure{
			fmt.Sprintf("Group %s does not exist", id),
			fmt.Sprintf("%v.\n\nCheck group_id, and that the provider's sdkappid and region are the app's. "+
				"If a tencentim_group in this configuration creates the group, set group_id = tencentim_group.NAME.id: "+
				"that id is known only after apply, so the data source is then read once the group exists.", err),
		}
	}
	summary := fmt.Sprintf("Reading group %s failed", id)
	if timapi.IsAuth(err) {
		summary = "Authentication failed: " + summary
	}
	return applyFailure{summary, fmt.Sprintf("%v.\n\n%s", err, dataSourceAdvice(err, "get_group_info"))}
}
