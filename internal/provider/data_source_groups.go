package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

var (
	_ datasource.DataSource              = (*groupsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*groupsDataSource)(nil)
)

func newGroupsDataSource() datasource.DataSource { return &groupsDataSource{} }

type groupsDataSource struct {
	data *providerData
}

type groupsDataSourceModel struct {
	Types    types.Set  `tfsdk:"types"`
	WithInfo types.Bool `tfsdk:"with_info"`
	IDs      types.List `tfsdk:"ids"`
	Groups   types.List `tfsdk:"groups"`
}

var groupsDataSourceGroupType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"group_id": types.StringType,
	"name":     types.StringType,
	"type":     types.StringType,
}}

var pathTypes = path.Root("types")

func (d *groupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_groups"
}

func (d *groupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the IDs of the app's groups with `get_appid_group_list`, optionally of some types only, and with `with_info` their names and types too.\n\n" +
			"**Cost of a read.** `get_appid_group_list` returns at most 10,000 group IDs per call and Tencent allows it **1 call per second** per app, " +
			"so a read makes ⌈G/10000⌉ calls (at least one) for each type in `types`, or one listing of every type without `types`, G being the number of groups listed, " +
			"paced a second apart: 25,000 groups of one type take 3 calls and at least 2 seconds. With `with_info = true` it adds ⌈G/50⌉ `get_group_info` calls (50 groups each, 200 calls/s). " +
			"Terraform reads a data source on every plan and apply, and every other client of the app shares the 1 call/s. " +
			"Use `tencentim_group` to read one group.",
		Attributes: map[string]schema.Attribute{
			"types": schema.SetAttribute{
				MarkdownDescription: "Only groups of these types: any of `" + strings.Join(groupTypes[:5], "`, `") + "`, or their REST API names `Private` (= `Work`) and `ChatRoom` (= `Meeting`), as `tencentim_group`'s `type` takes them. " +
					"Each type is one listing of its own (a type's two names count once). Omit it to list the groups of every type in one listing.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(stringvalidator.OneOf(groupTypes...)),
					nonEmptySetValidator{advice: "Omit types to list the groups of every type, or name at least one type."},
				},
			},
			"with_info": schema.BoolAttribute{
				MarkdownDescription: "Also read each group's name and type into `groups`, with `get_group_info` in batches of 50. Defaults to `false`.",
				Optional:            true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "The IDs of the groups, sorted (the server's order is not documented). A group listed under two types counts once.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"groups": schema.ListNestedAttribute{
				MarkdownDescription: "With `with_info = true`, the groups in the order of `ids`; null otherwise. " +
					"A group dismissed between the listing and this read is left out of both, with a warning.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"group_id": schema.StringAttribute{
						MarkdownDescription: "The group ID.",
						Computed:            true,
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "The group's name.",
						Computed:            true,
					},
					"type": schema.StringAttribute{
						MarkdownDescription: "The group's type as the server reports it: its REST API names `Private` (the SDKs' Work), `Public`, `ChatRoom` (the SDKs' Meeting), `Community` or `AVChatRoom`.",
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *groupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m groupsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireConfigured(d.data, &resp.Diagnostics) {
		return
	}
	var configured []string
	if !m.Types.IsNull() {
		resp.Diagnostics.Append(m.Types.ElementsAs(ctx, &configured, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	// A data source has no timeouts attribute; this bounds the rate-limit
	// retries, which otherwise last as long as the context.
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout("read"))
	defer cancel()

	ids, err := d.list(ctx, listTypes(configured))
	if err != nil {
		f := groupListFailure(err)
		if len(configured) > 0 {
			resp.Diagnostics.AddAttributeError(pathTypes, f.summary, f.detail)
		} else {
			resp.Diagnostics.AddError(f.summary, f.detail)
		}
		return
	}
	m.Groups = types.ListNull(groupsDataSourceGroupType)
	if m.WithInfo.ValueBool() {
		var groups []attr.Value
		ids, groups = d.withInfo(ctx, ids, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		m.Groups = types.ListValueMust(groupsDataSourceGroupType, groups)
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	m.IDs = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// listTypes is the REST types to list, each once and in a fixed order, or
// [""] (every type in one listing) when none is configured.
func listTypes(configured []string) []string {
	if len(configured) == 0 {
		return []string{""}
	}
	out := make([]string, 0, len(configured))
	for _, t := range configured {
		out = append(out, timapi.RESTGroupType(t))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// typeListError is a listing of one type that failed.
type typeListError struct {
	groupType string
	err       error
}

func (e *typeListError) Error() string { return e.err.Error() }
func (e *typeListError) Unwrap() error { return e.err }

// list runs one ListAppGroups per type and returns the IDs, each once,
// sorted.
func (d *groupsDataSource) list(ctx context.Context, restTypes []string) ([]string, error) {
	var ids []string
	for _, t := range restTypes {
		got, err := d.data.client.ListAppGroups(ctx, t)
		if err != nil {
			return nil, &typeListError{groupType: t, err: err}
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// withInfo reads the groups' base info, in ids' order. A group dismissed
// since the listing (10010) is left out of the IDs too, with a warning; any
// other element error fails the read, naming the group.
func (d *groupsDataSource) withInfo(ctx context.Context, ids []string, diags *diag.Diagnostics) ([]string, []attr.Value) {
	infos, err := d.data.client.GetGroupInfo(ctx, ids)
	if err != nil {
		diags.AddError(fmt.Sprintf("Reading the names and types of %d groups failed", len(ids)),
			fmt.Sprintf("%v.\n\n%s", err, dataSourceAdvice(err, "get_group_info")))
		return nil, nil
	}
	byID := make(map[string]timapi.GroupInfo, len(infos))
	for _, g := range infos {
		byID[g.GroupID] = g
	}
	kept := make([]string, 0, len(ids))
	groups := make([]attr.Value, 0, len(ids))
	var gone []string
	for _, id := range ids {
		g, ok := byID[id]
		switch {
		case !ok:
			diags.AddError(fmt.Sprintf("Reading group %s failed", id),
				fmt.Sprintf("get_group_info answered without an entry for group %s, which get_appid_group_list listed. Run the plan again; if the group is still missing, report it with the provider's debug log (TF_LOG=DEBUG).", id))
			continue
		case g.ErrorCode == 10010:
			gone = append(gone, id)
			continue
		case g.ErrorCode != 0:
			elemErr := &timapi.APIError{Command: "get_group_info", Code: g.ErrorCode, Info: g.ErrorInfo, Attempts: 1}
			diags.AddError(fmt.Sprintf("Reading group %s failed", id),
				fmt.Sprintf("%v.\n\n%s", elemErr, dataSourceAdvice(elemErr, "get_group_info")))
			continue
		}
		kept = append(kept, id)
		groups = append(groups, types.ObjectValueMust(groupsDataSourceGroupType.AttrTypes, map[string]attr.Value{
			"group_id": types.StringValue(id),
			"name":     types.StringValue(g.Name),
			"type":     types.StringValue(g.Type),
		}))
	}
	if len(gone) > 0 {
		summary := fmt.Sprintf("%d groups were dismissed during the read", len(gone))
		if len(gone) == 1 {
			summary = "A group was dismissed during the read"
		}
		diags.AddWarning(summary,
			fmt.Sprintf("get_appid_group_list listed %s, and get_group_info then answered that it does not exist any more (10010), so ids and groups leave it out. Nothing needs doing unless it should still exist.", listAccounts(gone)))
	}
	return kept, groups
}

// groupListFailure is what a failed listing tells the user.
func groupListFailure(err error) applyFailure {
	what := "the app's groups"
	var te *typeListError
	if errors.As(err, &te) && te.groupType != "" {
		what = fmt.Sprintf("the app's %s groups", te.groupType)
	}
	summary := "Listing " + what + " failed"
	if timapi.IsAuth(err) {
		summary = "Authentication failed: " + summary
	}
	return applyFailure{summary, fmt.Sprintf("%v.\n\n%s", err, dataSourceAdvice(err, "get_appid_group_list"))}
}

// dataSourceAdvice says what to do about a failed read of command; nothing
// was changed, so a data source never asks for an apply.
func dataSourceAdvice(err error, command string) string {
	switch {
	case timapi.IsRateLimited(err):
		return fmt.Sprintf("The server kept answering that %s calls are too frequent for %d minutes, although the provider lowered its rate each time. "+
			"Tencent allows it %s per app, shared with every other client of the app: check what else calls it, then run the plan again.",
			command, int(defaultTimeout("read").Minutes()), documentedRateText(command))
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The read took longer than %d minutes. Run the plan again when the server answers faster, or list fewer groups (types).", int(defaultTimeout("read").Minutes()))
	case errors.Is(err, context.Canceled):
		return "The read was interrupted. Run the plan again."
	case timapi.IsAuth(err):
		return timapi.AuthHint(err) + "."
	case timapi.Code(err) == 10007:
		return "Only an app admin may make this call: set the provider's identifier to an app admin account (the console's app admin list)."
	}
	return fmt.Sprintf("Nothing was changed. Run the plan again; if it fails the same way, look the error code up in Tencent's documentation of %s.", command)
}

func documentedRateText(command string) string {
	if r := timapi.DocumentedRate(command); r != 1 {
		return fmt.Sprintf("%g calls per second", r)
	}
	return "1 call per second"
}

// nonEmptySetValidator refuses a known, empty set.
type nonEmptySetValidator struct{ advice string }

func (nonEmptySetValidator) Description(context.Context) string { return "must not be empty" }

func (v nonEmptySetValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v nonEmptySetValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || len(req.ConfigValue.Elements()) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty "+req.Path.String(), "The set is empty, so nothing would be listed. "+v.advice)
}
