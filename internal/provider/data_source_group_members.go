package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
)

var (
	_ datasource.DataSource              = (*groupMembersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*groupMembersDataSource)(nil)
)

func newGroupMembersDataSource() datasource.DataSource { return &groupMembersDataSource{} }

type groupMembersDataSource struct {
	data *providerData
}

type groupMembersDataSourceModel struct {
	GroupID      types.String `tfsdk:"group_id"`
	ID           types.String `tfsdk:"id"`
	OwnerAccount types.String `tfsdk:"owner_account"`
	GroupType    types.String `tfsdk:"group_type"`
	MemberCount  types.Int64  `tfsdk:"member_count"`
	Members      types.Map    `tfsdk:"members"`
}

var dataSourceMemberType = types.ObjectType{AttrTypes: map[string]attr.Type{
	attrRole:       types.StringType,
	attrJoinTime:   types.Int64Type,
	attrNameCard:   types.StringType,
	attrCustomData: types.MapType{ElemType: types.StringType},
}}

func (d *groupMembersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_members"
}

func (d *groupMembersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every member of a group, the owner included, with one paged read (the `Next` cursor for Community groups). The pages are read in the API's basic form, which carries every member field and every custom member field the app configured, so that the name cards and custom data come in the same calls.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The group to read.",
				Required:            true,
				Validators:          []validator.String{groupIDValidator{}},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The group ID.",
				Computed:            true,
			},
			"owner_account": schema.StringAttribute{
				MarkdownDescription: "The group's owner; empty for ownerless groups.",
				Computed:            true,
			},
			"group_type": schema.StringAttribute{
				MarkdownDescription: "The group's type, as the server reports it: its REST API names `Private` (the SDKs' Work), `Public`, `ChatRoom` (the SDKs' Meeting), `Community` or `AVChatRoom`.",
				Computed:            true,
			},
			"member_count": schema.Int64Attribute{
				MarkdownDescription: "How many members the group has, the owner included.",
				Computed:            true,
			},
			"members": schema.MapNestedAttribute{
				MarkdownDescription: "The members keyed by account. AVChatRoom groups keep no member list, so this is empty for them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					attrRole: schema.StringAttribute{
						MarkdownDescription: "`Owner`, `Admin` or `Member`.",
						Computed:            true,
					},
					attrJoinTime: schema.Int64Attribute{
						MarkdownDescription: "When the member joined, in Unix seconds.",
						Computed:            true,
					},
					attrNameCard: schema.StringAttribute{
						MarkdownDescription: "The member's name card; empty when it has none.",
						Computed:            true,
					},
					attrCustomData: schema.MapAttribute{
						MarkdownDescription: "The member's custom member fields (`AppMemberDefinedData`) that have a value, keyed by field name; empty when none has.",
						ElementType:         types.StringType,
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *groupMembersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupMembersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m groupMembersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireConfigured(d.data, &resp.Diagnostics) {
		return
	}
	live, err := d.data.reads.ReadGroupWith(ctx, d.data.client, m.GroupID.ValueString(), membership.ReadOptions{AllCustomData: true})
	if err != nil {
		f := readFailure(m.GroupID.ValueString(), err)
		resp.Diagnostics.AddAttributeError(pathGroupID, f.summary, f.detail)
		return
	}
	elems := make(map[string]attr.Value, len(live.Members))
	for account, l := range live.Members {
		data := make(map[string]attr.Value, len(l.CustomData))
		for k, v := range l.CustomData {
			data[k] = types.StringValue(v)
		}
		elems[account] = types.ObjectValueMust(dataSourceMemberType.AttrTypes, map[string]attr.Value{
			attrRole:       types.StringValue(l.Role),
			attrJoinTime:   types.Int64Value(l.JoinTime),
			attrNameCard:   types.StringValue(l.NameCard),
			attrCustomData: types.MapValueMust(types.StringType, data),
		})
	}
	m.ID = m.GroupID
	m.OwnerAccount = types.StringValue(live.Info.OwnerAccount)
	m.GroupType = types.StringValue(live.Info.Type)
	m.MemberCount = types.Int64Value(int64(len(live.Members)))
	m.Members = types.MapValueMust(dataSourceMemberType, elems)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

var pathGroupID = path.Root("group_id")
