package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const (
	// accountsID is the id of every tencentim_accounts resource: the
	// resource is a set of accounts in the provider's app and has no
	// identity of its own on the server.
	accountsID = "accounts"
	// accountsPerCall is the documented cap of multiaccount_import,
	// account_check and account_delete.
	accountsPerCall = 100
)

var (
	_ resource.Resource                = (*accountsResource)(nil)
	_ resource.ResourceWithConfigure   = (*accountsResource)(nil)
	_ resource.ResourceWithImportState = (*accountsResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*accountsResource)(nil)
)

func newAccountsResource() resource.Resource { return &accountsResource{} }

type accountsResource struct {
	data *providerData
}

type accountsResourceModel struct {
	ID             types.String `tfsdk:"id"`
	Accounts       types.Map    `tfsdk:"accounts"`
	DeleteOnRemove types.Bool   `tfsdk:"delete_on_remove"`
}

type accountModel struct {
	Nick    types.String `tfsdk:"nick"`
	FaceURL types.String `tfsdk:"face_url"`
}

var accountObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"nick":     types.StringType,
	"face_url": types.StringType,
}}

func (r *accountsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_accounts"
}

func (r *accountsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Imports a batch of IM accounts (UserIDs) into the app, so that groups and memberships can refer to them. " +
			"Accounts are imported with `multiaccount_import` (at most 100 per call) and read back with `account_check`; " +
			"an account deleted outside Terraform shows up as drift and is imported again by the next apply.\n\n" +
			"~> Removing an account from `accounts` only forgets it unless `delete_on_remove = true`: " +
			"on paid plans a deleted UserID cannot be imported again for 3 months.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Always `" + accountsID + "`: the resource is a set of accounts in the provider's app and has no server-side identity of its own.",
				Computed:            true,
				Default:             stringdefault.StaticString(accountsID),
			},
			"accounts": schema.MapNestedAttribute{
				MarkdownDescription: "The accounts, keyed by UserID (at most 32 bytes of printable ASCII, no leading or trailing spaces). " +
					"`nick` and `face_url` are sent when an account is imported or when they change; they are not read back, so changes made elsewhere do not show as drift.",
				Required:   true,
				Validators: []validator.Map{userIDKeysValidator{}},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"nick": schema.StringAttribute{
						MarkdownDescription: "The account's nickname (`Nick`), sent when the account is imported or this value changes. Removing it leaves the nickname on the server as it is.",
						Optional:            true,
					},
					"face_url": schema.StringAttribute{
						MarkdownDescription: "The URL of the account's avatar (`FaceUrl`), sent when the account is imported or this value changes. Removing it leaves the avatar on the server as it is.",
						Optional:            true,
					},
				}},
			},
			"delete_on_remove": schema.BoolAttribute{
				MarkdownDescription: "Whether an account removed from `accounts` (or every account, when the resource is destroyed) is deleted from the app with `account_delete`. " +
					"Defaults to `false`: such accounts are only forgotten, because on paid plans a deleted UserID cannot be imported again for 3 months, " +
					"and only trial apps may delete accounts unless deletion is enabled in the console. " +
					"A new value applies to removals in the same apply.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *accountsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *accountsResource) configured(diags *diag.Diagnostics) bool {
	return requireConfigured(r.data, diags)
}

// decodeAccounts decodes the accounts map. Callers pass known values only.
func decodeAccounts(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]accountModel {
	out := map[string]accountModel{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func accountsValue(accounts map[string]accountModel) types.Map {
	elems := make(map[string]attr.Value, len(accounts))
	for id, a := range accounts {
		elems[id] = types.ObjectValueMust(accountObjectType.AttrTypes, map[string]attr.Value{
			"nick":     a.Nick,
			"face_url": a.FaceURL,
		})
	}
	return types.MapValueMust(accountObjectType, elems)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ModifyPlan warns about what removing accounts from the map will do.
func (r *accountsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan accountsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Accounts.IsUnknown() || plan.DeleteOnRemove.IsUnknown() {
		return
	}
	planned := plan.Accounts.Elements()
	var removed []string
	for id := range state.Accounts.Elements() {
		if _, ok := planned[id]; !ok {
			removed = append(removed, id)
		}
	}
	if len(removed) == 0 {
		return
	}
	slices.Sort(removed)
	if plan.DeleteOnRemove.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("accounts"), fmt.Sprintf("%d accounts will be deleted from the app", len(removed)),
			fmt.Sprintf("delete_on_remove is true, so the apply deletes these accounts with account_delete: %s.\n\nDeleting an account also removes it from every group. On paid plans a deleted UserID cannot be imported again for 3 months.", listAccounts(removed)))
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("accounts"), fmt.Sprintf("%d accounts will be forgotten, not deleted", len(removed)),
		fmt.Sprintf("delete_on_remove is false, so these accounts stay in the app and are only removed from the state: %s.\n\nSet delete_on_remove = true in the same change to delete them instead.", listAccounts(removed)))
}

func (r *accountsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accountsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	accounts := decodeAccounts(ctx, plan.Accounts, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	imported, failures := r.importAccounts(ctx, accounts)
	if len(failures) > 0 {
		for _, f := range failures {
			resp.Diagnostics.AddError(f.summary, f.detail)
		}
		// Saving a partial state would taint the resource, and replacing it
		// could delete accounts; importing is idempotent, so the next apply
		// simply imports every account again.
		resp.Diagnostics.AddError("Nothing was saved to the state",
			fmt.Sprintf("%d of %d accounts were imported before the failure. They stay in the app; the next apply imports every account again (importing an existing account changes nothing but its nick and face_url).", len(imported), len(accounts)))
		return
	}
	plan.ID = types.StringValue(accountsID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// importAccounts imports accounts in sorted batches of 100, one
// multiaccount_import call each, and returns the accounts the server
// accepted. It stops at the first failed call.
func (r *accountsResource) importAccounts(ctx context.Context, accounts map[string]accountModel) ([]string, []applyFailure) {
	ids := sortedKeys(accounts)
	var imported, rejected []string
	var failures []applyFailure
	for _, batch := range members.Batches(ids, accountsPerCall) {
		req := make([]timapi.Account, len(batch))
		for i, id := range batch {
			a := accounts[id]
			req[i] = timapi.Account{UserID: id, Nick: a.Nick.ValueString(), FaceURL: a.FaceURL.ValueString()}
		}
		failed, err := r.data.client.MultiAccountImport(ctx, req)
		if err != nil {
			failures = append(failures, accountsFailure("multiaccount_import", err, batch))
			break
		}
		bad := make(map[string]bool, len(failed))
		for _, f := range failed {
			bad[f] = true
		}
		for _, id := range batch {
			if bad[id] {
				rejected = append(rejected, id)
			} else {
				imported = append(imported, id)
			}
		}
	}
	tflog.Debug(ctx, "imported accounts", map[string]any{"imported": len(imported), "rejected": len(rejected)})
	if len(rejected) > 0 {
		failures = append(failures, applyFailure{
			fmt.Sprintf("%d accounts could not be imported", len(rejected)),
			fmt.Sprintf("multiaccount_import listed these accounts in FailAccounts: %s.\n\nThe server refused them without a reason. Check that each UserID is at most 32 bytes of printable ASCII and that the app's account quota (100 accounts on the trial edition) is not used up, then run apply again. The other accounts were imported.", listAccounts(rejected)),
		})
	}
	return imported, failures
}

// deleteAccounts deletes accounts in sorted batches of 100 and returns the
// ones that are gone (deleted, or already absent: 70107). It stops at the
// first failed call.
func (r *accountsResource) deleteAccounts(ctx context.Context, ids []string) ([]string, []applyFailure) {
	slices.Sort(ids)
	var gone []string
	var refused []string
	var codes []string
	var failures []applyFailure
	for _, batch := range members.Batches(ids, accountsPerCall) {
		results, err := r.data.client.AccountDelete(ctx, batch)
		if err != nil {
			failures = append(failures, accountsFailure("account_delete", err, batch))
			break
		}
		seen := make(map[string]bool, len(results))
		for _, res := range results {
			seen[res.UserID] = true
			switch res.ResultCode {
			case 0, 70107:
				gone = append(gone, res.UserID)
			default:
				refused = append(refused, res.UserID)
				codes = append(codes, fmt.Sprintf("%s: %d %s", res.UserID, res.ResultCode, res.ResultInfo))
			}
		}
		for _, id := range batch {
			if !seen[id] {
				refused = append(refused, id)
				codes = append(codes, id+": no result in the response")
			}
		}
	}
	if len(refused) > 0 {
		failures = append(failures, applyFailure{
			fmt.Sprintf("%d accounts could not be deleted", len(refused)),
			fmt.Sprintf("account_delete reported per-account errors: %s.\n\nThese accounts stay in the state, so the next apply tries again. If deletion is not allowed for this app (error 71000), enable account deletion in the console or set delete_on_remove = false.", listAccounts(codes)),
		})
	}
	return gone, failures
}

func (r *accountsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accountsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	accounts := decodeAccounts(ctx, state.Accounts, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	missing, failures := r.checkAccounts(ctx, sortedKeys(accounts))
	for _, f := range failures {
		resp.Diagnostics.AddError(f.summary, f.detail)
	}
	if len(failures) > 0 {
		return
	}
	if len(missing) > 0 {
		tflog.Debug(ctx, "accounts deleted outside Terraform", map[string]any{"count": len(missing)})
		for _, id := range missing {
			delete(accounts, id)
		}
		state.Accounts = accountsValue(accounts)
	}
	state.ID = types.StringValue(accountsID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// checkAccounts returns the accounts that do not exist, from account_check
// in batches of 100, up to max_parallel_requests at a time. Per-account
// errors other than "does not exist" fail the read rather than being taken
// for a deletion.
func (r *accountsResource) checkAccounts(ctx context.Context, ids []string) ([]string, []applyFailure) {
	batches := members.Batches(ids, accountsPerCall)
	results := make([][]timapi.AccountStatus, len(batches))
	errs := make([]error, len(batches))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(r.data.maxParallel, 1))
	var wg sync.WaitGroup
	for i, batch := range batches {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i], errs[i] = r.data.client.AccountCheck(ctx, batch)
			if errs[i] != nil {
				cancel() // no point reading the rest
			}
		}()
	}
	wg.Wait()

	var missing, problems []string
	for i, batch := range batches {
		if errs[i] != nil && !errors.Is(errs[i], context.Canceled) {
			return nil, []applyFailure{accountsFailure("account_check", errs[i], batch)}
		}
	}
	for i, batch := range batches {
		if errs[i] != nil || results[i] == nil && ctx.Err() != nil {
			// Cancelled after another batch failed, or the caller's context ended.
			return nil, []applyFailure{accountsFailure("account_check", context.Cause(ctx), batch)}
		}
		seen := make(map[string]bool, len(results[i]))
		for _, res := range results[i] {
			seen[res.UserID] = true
			switch {
			case res.Imported:
			case res.ResultCode == 0 || res.ResultCode == 70107:
				missing = append(missing, res.UserID)
			default:
				problems = append(problems, fmt.Sprintf("%s: %d %s", res.UserID, res.ResultCode, res.ResultInfo))
			}
		}
		for _, id := range batch {
			if !seen[id] {
				problems = append(problems, id+": no result in the response")
			}
		}
	}
	if len(problems) > 0 {
		return nil, []applyFailure{{
			fmt.Sprintf("account_check failed for %d accounts", len(problems)),
			fmt.Sprintf("account_check could not tell whether these accounts exist: %s.\n\nNothing was changed. Run the command again; if the errors persist, check the accounts in the console.", listAccounts(problems)),
		}}
	}
	return missing, nil
}

func (r *accountsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var state, plan accountsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	prior := decodeAccounts(ctx, state.Accounts, &resp.Diagnostics)
	planned := decodeAccounts(ctx, plan.Accounts, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	changed := map[string]accountModel{}
	for id, a := range planned {
		if p, ok := prior[id]; !ok || !p.Nick.Equal(a.Nick) || !p.FaceURL.Equal(a.FaceURL) {
			changed[id] = a
		}
	}
	var removed []string
	for id := range prior {
		if _, ok := planned[id]; !ok {
			removed = append(removed, id)
		}
	}

	// The new state starts from the old one and takes in each change that
	// the server confirmed, so after a failure it records exactly what was
	// applied and the next plan shows the rest again.
	next := make(map[string]accountModel, len(planned))
	for id, a := range prior {
		next[id] = a
	}
	var failures []applyFailure
	if len(removed) > 0 {
		if plan.DeleteOnRemove.ValueBool() {
			gone, fs := r.deleteAccounts(ctx, removed)
			failures = append(failures, fs...)
			for _, id := range gone {
				delete(next, id)
			}
		} else {
			for _, id := range removed {
				delete(next, id)
			}
		}
	}
	if len(changed) > 0 && len(failures) == 0 {
		imported, fs := r.importAccounts(ctx, changed)
		failures = append(failures, fs...)
		for _, id := range imported {
			next[id] = planned[id]
		}
	}
	for _, f := range failures {
		resp.Diagnostics.AddError(f.summary, f.detail)
	}
	plan.ID = types.StringValue(accountsID)
	plan.Accounts = accountsValue(next)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accountsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accountsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	accounts := decodeAccounts(ctx, state.Accounts, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.DeleteOnRemove.ValueBool() {
		if len(accounts) > 0 {
			resp.Diagnostics.AddWarning(fmt.Sprintf("%d accounts were left in the app", len(accounts)),
				"delete_on_remove is false, so destroying tencentim_accounts only removes the accounts from the state; they stay in the app. Set delete_on_remove = true and apply before destroying to delete them.")
		}
		return
	}
	if !r.configured(&resp.Diagnostics) {
		return
	}
	gone, failures := r.deleteAccounts(ctx, sortedKeys(accounts))
	if len(failures) == 0 {
		return
	}
	for _, f := range failures {
		resp.Diagnostics.AddError(f.summary, f.detail)
	}
	// Keep only what is left, so the next destroy deletes just that.
	for _, id := range gone {
		delete(accounts, id)
	}
	state.Accounts = accountsValue(accounts)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// ImportState takes a comma-separated list of UserIDs, checks that every
// one exists and adopts them with delete_on_remove = false. nick and
// face_url cannot be read back, so they start out null.
func (r *accountsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	accounts := map[string]accountModel{}
	var problems []string
	for _, part := range strings.Split(req.ID, ",") {
		id := strings.TrimSpace(part)
		if msg := userIDProblem(id); msg != "" {
			problems = append(problems, msg)
			continue
		}
		accounts[id] = accountModel{Nick: types.StringNull(), FaceURL: types.StringNull()}
	}
	if len(problems) > 0 {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID must be a comma-separated list of UserIDs, such as \"alice,bob\". %s", strings.Join(problems, " ")))
		return
	}
	if !r.configured(&resp.Diagnostics) {
		return
	}
	missing, failures := r.checkAccounts(ctx, sortedKeys(accounts))
	for _, f := range failures {
		resp.Diagnostics.AddError(f.summary, f.detail)
	}
	if len(failures) > 0 {
		return
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError(fmt.Sprintf("%d accounts do not exist in the app", len(missing)),
			fmt.Sprintf("account_check reports these accounts as not imported: %s. Remove them from the import ID, or let tencentim_accounts create them instead of importing them.", listAccounts(missing)))
		return
	}
	state := accountsResourceModel{
		ID:             types.StringValue(accountsID),
		Accounts:       accountsValue(accounts),
		DeleteOnRemove: types.BoolValue(false),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// accountsFailure turns an account API error into a message that names the
// call, the code, the accounts and what to do.
func accountsFailure(command string, err error, accounts []string) applyFailure {
	advice := "Nothing else was changed by this request; the state records what was applied, and running apply again carries on from there."
	code := apiCode(err)
	switch {
	case timapi.IsRateLimited(err):
		advice = rateLimitedAdvice
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		advice = "The operation was interrupted. Run apply again: the state records what was applied."
	case timapi.IsAuth(err):
		advice = timapi.AuthHint(err)
	case code == 71000:
		advice = "This app does not allow deleting accounts. Enable account deletion in the console (only trial apps allow it by default), or set delete_on_remove = false to keep the accounts."
	case code == 70398:
		advice = "The trial edition allows at most 100 accounts. Upgrade the app's plan or import fewer accounts."
	case code == 70399:
		advice = "A deleted UserID cannot be imported again for 3 months on paid plans. Use another UserID."
	case code == 70402:
		advice = "The server refused a parameter: check that every UserID is at most 32 bytes of printable ASCII and that nick and face_url are valid."
	}
	return applyFailure{
		fmt.Sprintf("%s failed for %d accounts", command, len(accounts)),
		fmt.Sprintf("%v. Accounts in the failed request: %s.\n\n%s", err, listAccounts(accounts), advice),
	}
}

// userIDProblem says what is wrong with a UserID, or returns "".
func userIDProblem(id string) string {
	switch {
	case id == "":
		return "A UserID is empty."
	case len(id) > 32:
		return fmt.Sprintf("UserID %q is %d bytes; UserIDs are at most 32 bytes.", id, len(id))
	case !printableASCII(id):
		return fmt.Sprintf("UserID %q contains non-printable or non-ASCII characters; use printable ASCII only.", id)
	case strings.TrimSpace(id) != id:
		return fmt.Sprintf("UserID %q has leading or trailing spaces; remove them.", id)
	}
	return ""
}

// userIDKeysValidator checks every key of a map of accounts.
type userIDKeysValidator struct{}

func (userIDKeysValidator) Description(context.Context) string {
	return "keys must be UserIDs: 1 to 32 bytes of printable ASCII without leading or trailing spaces"
}

func (v userIDKeysValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (userIDKeysValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for id := range req.ConfigValue.Elements() {
		if msg := userIDProblem(id); msg != "" {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(id), "Invalid UserID", msg+" Fix the key in accounts.")
		}
	}
}
