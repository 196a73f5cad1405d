package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// List resources (Terraform ≥ 1.14: `list` blocks in .tfquery.hcl files and
// `terraform query`). list "tencentim_group" and list "tencentim_group_members"
// both list the app's groups with get_appid_group_list, name them with
// get_group_info, and give each the identity an import block takes.
//
// Both are served on the protocol by server.go's router, not by the
// framework: one implementation serves both, `types` can be a set as in
// data "tencentim_groups" (the framework's list schemas have no set
// attribute), and a members result is encoded by the resource's own codec,
// linear in the members, instead of through tftypes.

const listTypesAttr = "types"

var listConfigType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{listTypesAttr: tftypes.Set{ElementType: tftypes.String}}}

// groupInfoBatch is get_group_info's documented maximum of groups per call.
const groupInfoBatch = 50

// groupList is one list resource over the app's groups.
type groupList struct {
	typeName    string
	description string
	provider    *tencentimProvider
	// memberLists keeps only the groups that keep a member list, so never
	// AVChatRoom groups.
	memberLists bool
	displayName func(*timapi.GroupInfo) string
	// resource is the listed group's resource as an import followed by a
	// read would save it, for include_resource = true.
	resource func(context.Context, *providerData, *timapi.GroupInfo) (*tfprotov6.DynamicValue, error)
}

var _ tfprotov6.ListResourceServer = (*groupList)(nil)

func newGroupList(p *tencentimProvider) *groupList {
	return &groupList{
		typeName: groupTypeName, provider: p,
		description: "Lists the app's groups, for `terraform query` (Terraform ≥ 1.14): one result per group, named by its name and type, with the `group_id` identity that an `import` block takes.\n\n" +
			"**Cost.** ⌈G/10000⌉ `get_appid_group_list` calls for each type in `types` (or one listing of every type), which Tencent allows **1 call per second** per app, " +
			"and ⌈G/50⌉ `get_group_info` calls for the names and, with `include_resource = true`, the whole resource as an import would read it. No call changes anything.",
		displayName: func(g *timapi.GroupInfo) string { return fmt.Sprintf("%s (%s)", g.Name, g.Type) },
		resource:    groupListResource,
	}
}

func newGroupMembersList(p *tencentimProvider) *groupList {
	return &groupList{
		typeName: groupMembersTypeName, provider: p, memberLists: true,
		description: "Lists the app's groups that keep a member list (every type but AVChatRoom), for `terraform query` (Terraform ≥ 1.14): one result per group, with the `group_id` identity that an `import` block takes.\n\n" +
			"With `include_resource = true` (which `terraform query -generate-config-out` implies) each result holds the group's members exactly as an import reads them: every member but the owner, with role and join time.\n\n" +
			"**Cost.** The listing costs what `list \"tencentim_group\"` costs: ⌈G/10000⌉ `get_appid_group_list` calls per type (1 call per second) and ⌈G/50⌉ `get_group_info` calls. " +
			"With `include_resource = true` each group of N members adds one `get_group_info` and **⌈N/200⌉ `get_group_member_info` pages** (Community groups follow the `Next` cursor), " +
			"read one group after another: 10 groups of 5,000 members cost 250 pages. Without it no member is read. No call changes anything.",
		displayName: func(g *timapi.GroupInfo) string {
			return fmt.Sprintf("%s (%s, %d members)", g.Name, g.Type, g.MemberNum)
		},
		resource: membersListResource,
	}
}

func (l *groupList) listSchema() *tfprotov6.Schema {
	desc := "Only groups of these types: any of `" + strings.Join(groupTypes[:5], "`, `") + "`, or their REST API names `Private` (= `Work`) and `ChatRoom` (= `Meeting`), as `tencentim_group`'s `type` takes them. " +
		"Each type is one listing of its own (a type's two names count once). Omit it to list the groups of every type in one listing."
	if l.memberLists {
		desc += " `AVChatRoom` is refused: those groups keep no member list."
	}
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Description: l.description, DescriptionKind: tfprotov6.StringKindMarkdown,
		Attributes: []*tfprotov6.SchemaAttribute{{
			Name: listTypesAttr, Type: tftypes.Set{ElementType: tftypes.String}, Optional: true,
			Description: desc, DescriptionKind: tfprotov6.StringKindMarkdown,
		}},
	}}
}

// configTypes reads the list block's types: nil when omitted. Unknown
// elements (possible in validation only) are left out.
func configTypes(dv *tfprotov6.DynamicValue) (types []string, set bool, err error) {
	if dv == nil {
		return nil, false, nil
	}
	tv, err := dv.Unmarshal(listConfigType)
	if err != nil || tv.IsNull() || !tv.IsKnown() {
		return nil, false, err
	}
	var attrs map[string]tftypes.Value
	if err := tv.As(&attrs); err != nil {
		return nil, false, err
	}
	ts := attrs[listTypesAttr]
	if ts.IsNull() || !ts.IsKnown() {
		return nil, false, nil
	}
	var elems []tftypes.Value
	if err := ts.As(&elems); err != nil {
		return nil, false, err
	}
	types = []string{}
	for _, e := range elems {
		var s string
		if e.IsKnown() && !e.IsNull() && e.As(&s) == nil {
			types = append(types, s)
		}
	}
	return types, true, nil
}

func (l *groupList) ValidateListResourceConfig(_ context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	resp := &tfprotov6.ValidateListResourceConfigResponse{}
	resp.Diagnostics = l.checkTypes(req.Config)
	return resp, nil
}

func (l *groupList) checkTypes(config *tfprotov6.DynamicValue) diagnostics {
	var diags diagnostics
	ts, set, err := configTypes(config)
	at := rootPath(listTypesAttr)
	switch {
	case err != nil:
		diags.errorAt(nil, "Unable to read the list block", fmt.Sprintf("The configuration of list %q could not be decoded: %v. This is a bug in the provider; please report it.", l.typeName, err))
	case set && len(ts) == 0:
		diags.errorAt(at, "Empty types", "The set is empty, so nothing would be listed. Omit types to list the groups of every type, or name at least one type.")
	}
	for _, t := range ts {
		p := at.WithElementKeyValue(tftypes.NewValue(tftypes.String, t))
		switch {
		case !slices.Contains(groupTypes, t):
			diags.errorAt(p, "Invalid group type", fmt.Sprintf("types names %q. Use %s; types are case-sensitive.", t, strings.Join(groupTypes, ", ")))
		case l.memberLists && !timapi.SupportsMemberList(t):
			diags.errorAt(p, "AVChatRoom groups have no member list",
				fmt.Sprintf("AVChatRoom groups keep no member list, so %s has nothing to list for them. Remove %q from types; list \"tencentim_group\" lists the groups themselves.", l.typeName, t))
		}
	}
	return diags
}

func (l *groupList) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	diags := l.checkTypes(req.Config)
	data := l.provider.dataOrError(&diags)
	if diags.hasError() {
		return &tfprotov6.ListResourceServerStream{Results: func(push func(tfprotov6.ListResourceResult) bool) {
			push(tfprotov6.ListResourceResult{Diagnostics: diags})
		}}, nil
	}
	configured, _, _ := configTypes(req.Config)
	return &tfprotov6.ListResourceServerStream{Results: func(push func(tfprotov6.ListResourceResult) bool) {
		l.results(ctx, data, configured, req.IncludeResource, req.Limit, push)
	}}, nil
}

// results pushes one result per listed group, sorted by group ID, until
// limit results (Terraform's limit, 100 by default) or push refuses more.
// Groups are named 50 at a time, and read only as far as the limit goes.
func (l *groupList) results(ctx context.Context, data *providerData, configured []string, include bool, limit int64, push func(tfprotov6.ListResourceResult) bool) {
	fail := func(summary, detail string) {
		var d diagnostics
		d.errorAt(nil, summary, detail)
		push(tfprotov6.ListResourceResult{Diagnostics: d})
	}
	ids, err := listGroupIDs(ctx, data, listTypes(configured))
	if err != nil {
		var te *listTypeError
		what := "the app's groups"
		if errors.As(err, &te) && te.groupType != "" {
			what = fmt.Sprintf("the app's %s groups", te.groupType)
		}
		fail("Listing "+what+" failed", fmt.Sprintf("%v.\n\n%s", err, queryAdvice(err, "get_appid_group_list")))
		return
	}
	var gone []string
	defer func() {
		// Warnings without an identity do not count as results.
		if len(gone) > 0 {
			var d diagnostics
			d.warnAt(nil, fmt.Sprintf("%s dismissed during the query", groupsWere(len(gone))),
				fmt.Sprintf("get_appid_group_list listed %s, and the group was gone when it was read (10010), so the results leave it out. Nothing needs doing unless it should still exist.", listAccounts(gone)))
			push(tfprotov6.ListResourceResult{Diagnostics: d})
		}
	}()
	sent := int64(0)
	for batch := range slices.Chunk(ids, groupInfoBatch) {
		rctx, cancel := context.WithTimeout(ctx, defaultTimeout("read"))
		infos, err := data.client.GetGroupInfo(rctx, batch)
		cancel()
		if err != nil {
			fail(fmt.Sprintf("Reading %d listed groups failed", len(batch)),
				fmt.Sprintf("get_group_info for groups %s: %v.\n\n%s", listAccounts(batch), err, queryAdvice(err, "get_group_info")))
			return
		}
		byID := make(map[string]*timapi.GroupInfo, len(infos))
		for i := range infos {
			byID[infos[i].GroupID] = &infos[i]
		}
		for _, id := range batch {
			g, ok := byID[id]
			switch {
			case !ok:
				fail(fmt.Sprintf("Reading group %s failed", id),
					fmt.Sprintf("get_group_info answered without an entry for group %s, which get_appid_group_list listed. Run the query again; if the group is still missing, report it with the provider's debug log (TF_LOG=DEBUG).", id))
				return
			case g.ErrorCode == 10010:
				gone = append(gone, id)
				continue
			case g.ErrorCode != 0:
				elemErr := &timapi.APIError{Command: "get_group_info", Code: g.ErrorCode, Info: g.ErrorInfo, Attempts: 1}
				fail(fmt.Sprintf("Reading group %s failed", id), fmt.Sprintf("%v.\n\n%s", elemErr, queryAdvice(elemErr, "get_group_info")))
				return
			case l.memberLists && !timapi.SupportsMemberList(g.Type):
				continue
			}
			r := tfprotov6.ListResourceResult{DisplayName: l.displayName(g), Identity: groupIdentity(known(id))}
			if include {
				r.Resource, err = l.resource(ctx, data, g)
				switch {
				case timapi.IsNotFound(err):
					gone = append(gone, id)
					continue
				case err != nil:
					fail(fmt.Sprintf("Reading group %s failed", id), fmt.Sprintf("%v.\n\n%s", err, queryAdvice(err, "get_group_member_info")))
					return
				}
			}
			if !push(r) {
				return
			}
			if sent++; limit > 0 && sent >= limit {
				return
			}
		}
	}
}

func groupsWere(n int) string {
	if n == 1 {
		return "A group was"
	}
	return fmt.Sprintf("%d groups were", n)
}

// listTypeError is a listing of one type that failed.
type listTypeError struct {
	groupType string
	err       error
}

func (e *listTypeError) Error() string { return e.err.Error() }
func (e *listTypeError) Unwrap() error { return e.err }

// listGroupIDs lists each REST type ("" for every type) and returns the IDs,
// each once, sorted (the server's order is not documented).
func listGroupIDs(ctx context.Context, data *providerData, restTypes []string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout("read"))
	defer cancel()
	var ids []string
	for _, t := range restTypes {
		got, err := data.client.ListAppGroups(ctx, t)
		if err != nil {
			return nil, &listTypeError{groupType: t, err: err}
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// queryAdvice says what to do about a failed call of command during a
// query; a query changes nothing, so it never asks for an apply.
func queryAdvice(err error, command string) string {
	switch {
	case timapi.IsRateLimited(err):
		return fmt.Sprintf("The server kept answering that %s calls are too frequent, although the provider lowered its rate each time. "+
			"Tencent limits it per app, shared with every other client of the app: check what else calls it, then run the query again.", command)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("A read took longer than %d minutes. Run the query again when the server answers faster, or list fewer groups (types, limit).", int(defaultTimeout("read").Minutes()))
	case errors.Is(err, context.Canceled):
		return "The query was interrupted. Run it again."
	case timapi.IsAuth(err):
		return timapi.AuthHint(err) + "."
	case timapi.Code(err) == 10007:
		return "Only an app admin may make this call: set the provider's identifier to an app admin account (the console's app admin list)."
	}
	return fmt.Sprintf("Nothing was changed. Run the query again; if it fails the same way, look the error code up in Tencent's documentation of %s.", command)
}

// groupListResource is tencentim_group as ImportState and Read save it.
func groupListResource(ctx context.Context, _ *providerData, g *timapi.GroupInfo) (*tfprotov6.DynamicValue, error) {
	m := modelFromInfo(g, types.StringNull())
	return encodeGroupState(ctx, &m)
}

// groupStateSchema is tencentim_group's framework schema.
var groupStateSchema = sync.OnceValue(func() resource.SchemaResponse {
	var resp resource.SchemaResponse
	newGroupResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp
})

// encodeGroupState encodes a tencentim_group value as the framework does.
func encodeGroupState(ctx context.Context, m *groupResourceModel) (*tfprotov6.DynamicValue, error) {
	sch := groupStateSchema().Schema
	st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, m); d.HasError() {
		return nil, fmt.Errorf("encoding group %s: %s", m.GroupID.ValueString(), d.Errors()[0].Detail())
	}
	dv, err := tfprotov6.NewDynamicValue(st.Raw.Type(), st.Raw)
	return &dv, err
}

// membersListResource reads the group as ImportResourceState and
// ReadResource do, so a result is exactly what the import saves.
func membersListResource(ctx context.Context, data *providerData, g *timapi.GroupInfo) (*tfprotov6.DynamicValue, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout("read"))
	defer cancel()
	m := imported(g.GroupID)
	live, err := data.reads.ReadGroupWith(ctx, data.client, g.GroupID, readOptions(m.Members))
	if err != nil {
		return nil, err
	}
	return writeValue(refreshed(m, live).value()), nil
}
