package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/errgroup"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const (
	accountsTypeName = "tencentim_accounts"
	// accountsID is the id of every tencentim_accounts resource: the
	// resource is a set of accounts in the provider's app and has no
	// identity of its own on the server.
	accountsID = "accounts"
)

// accountsValue is a tencentim_accounts value.
type accountsValue struct {
	p              presence
	id             wireString
	accounts       wireMap[accountValue]
	deleteOnRemove wireBool
}

type accountValue struct {
	p             presence
	nick, faceURL wireString
}

// The table of tencentim_accounts: adding an attribute is a line here and
// a field above, plus what it means.
var (
	accountObject = newObject(func(a *accountValue) *presence { return &a.p },
		stringAttr("nick", optional, "The account's nickname (`Nick`), sent when the account is imported or this value changes. Removing it leaves the nickname on the server as it is.", func(a *accountValue) *wireString { return &a.nick }, nil),
		stringAttr("face_url", optional, "The URL of the account's avatar (`FaceUrl`), sent when the account is imported or this value changes. Removing it leaves the avatar on the server as it is.", func(a *accountValue) *wireString { return &a.faceURL }, nil),
	)
	accountsObject = newObject(func(v *accountsValue) *presence { return &v.p },
		stringAttr("id", computed, "Always `"+accountsID+"`: the resource is a set of accounts in the provider's app and has no server-side identity of its own.", func(v *accountsValue) *wireString { return &v.id }, nil),
		mapAttr("accounts", required, "The accounts, keyed by UserID (at most 32 bytes of printable ASCII, no leading or trailing spaces). "+
			"`nick` and `face_url` are sent when an account is imported or when they change; they are not read back, so changes made elsewhere do not show as drift.",
			func(v *accountsValue) *wireMap[accountValue] { return &v.accounts }, accountObject, checkUserIDKey),
		boolAttr("delete_on_remove", optionalComputed, "Whether an account removed from `accounts` (or every account, when the resource is destroyed) is deleted from the app with `account_delete`. "+
			"Defaults to `false`: such accounts are only forgotten, because on paid plans a deleted UserID cannot be imported again for 3 months, "+
			"and only trial apps may delete accounts unless deletion is enabled in the console. A new value applies to removals in the same apply.",
			func(v *accountsValue) *wireBool { return &v.deleteOnRemove }),
	)
	accountsCodec = newCodec(accountsTypeName, accountsObject)
)

const accountsDescription = "Imports a batch of IM accounts (UserIDs) into the app, so that groups and memberships can refer to them. " +
	"Accounts are imported with `multiaccount_import` (at most 100 per call) and read back with `account_check`; " +
	"an account deleted outside Terraform shows up as drift and is imported again by the next apply.\n\n" +
	"~> Removing an account from `accounts` only forgets it unless `delete_on_remove = true`: " +
	"on paid plans a deleted UserID cannot be imported again for 3 months."

func checkUserIDKey(id string) *problem {
	if msg := userIDProblem(id); msg != "" {
		return &problem{"Invalid UserID", msg + " Fix the key in accounts."}
	}
	return nil
}

// accountsResource serves tencentim_accounts on the protocol, for the same
// reason as groupMembersResource: the framework is quadratic in the size of
// the accounts map.
type accountsResource struct {
	unsupported
	provider *tencentimProvider
}

func (r *accountsResource) schema() *tfprotov6.Schema {
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Description: accountsDescription, DescriptionKind: tfprotov6.StringKindMarkdown,
		Attributes: accountsObject.schemaAttributes(),
	}}
}

func (r *accountsResource) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	var diags diagnostics
	if config, ok := accountsCodec.read(req.Config, &diags, "configuration"); ok {
		accountsObject.check(&config, &checks{diags: &diags})
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: diags}, nil
}

func (r *accountsResource) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return accountsCodec.upgradeResponse(req, "Remove it with `terraform state rm` and import the accounts again."), nil
}

func (r *accountsResource) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.PlanResourceChangeResponse{}
	proposed, ok1 := accountsCodec.read(req.ProposedNewState, &diags, "proposed state")
	prior, ok2 := accountsCodec.read(req.PriorState, &diags, "prior state")
	if !ok1 || !ok2 || proposed.p != isKnown {
		resp.PlannedState, resp.Diagnostics = req.ProposedNewState, diags
		return resp, nil
	}
	planned := proposed
	planned.id = known(accountsID)
	if planned.deleteOnRemove.p == isNull {
		planned.deleteOnRemove = wireBool{p: isKnown}
	}
	warnRemovals(prior, planned, &diags)
	if data := r.provider.configured.Load(); data != nil {
		var created []string
		for id := range planned.accounts.elems {
			if _, ok := prior.accounts.elems[id]; !ok {
				created = append(created, id)
			}
		}
		data.accounts.plan(created)
	}
	resp.PlannedState, resp.Diagnostics = accountsCodec.write(planned), diags
	return resp, nil
}

// warnRemovals says what removing accounts from the map will do.
func warnRemovals(prior, planned accountsValue, diags *diagnostics) {
	if prior.p != isKnown || planned.accounts.p != isKnown || planned.deleteOnRemove.p != isKnown {
		return
	}
	var removed []string
	for id := range prior.accounts.elems {
		if _, ok := planned.accounts.elems[id]; !ok {
			removed = append(removed, id)
		}
	}
	if len(removed) == 0 {
		return
	}
	slices.Sort(removed)
	at := rootPath("accounts")
	if planned.deleteOnRemove.b {
		diags.warnAt(at, fmt.Sprintf("%d accounts will be deleted from the app", len(removed)),
			fmt.Sprintf("delete_on_remove is true, so the apply deletes these accounts with account_delete: %s.\n\nDeleting an account also removes it from every group. On paid plans a deleted UserID cannot be imported again for 3 months.", listAccounts(removed)))
		return
	}
	diags.warnAt(at, fmt.Sprintf("%d accounts will be forgotten, not deleted", len(removed)),
		fmt.Sprintf("delete_on_remove is false, so these accounts stay in the app and are only removed from the state: %s.\n\nSet delete_on_remove = true in the same change to delete them instead.", listAccounts(removed)))
}

func (r *accountsResource) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ApplyResourceChangeResponse{NewState: req.PriorState}
	planned, ok1 := accountsCodec.read(req.PlannedState, &diags, "planned state")
	prior, ok2 := accountsCodec.read(req.PriorState, &diags, "prior state")
	if !ok1 || !ok2 {
		resp.Diagnostics = diags
		return resp, nil
	}
	var next accountsValue
	switch {
	case planned.p == isNull:
		next = r.destroy(ctx, prior, &diags)
	case prior.p == isNull:
		next = r.create(ctx, planned, &diags)
	default:
		next = r.update(ctx, prior, planned, &diags)
	}
	resp.NewState, resp.Diagnostics = accountsCodec.write(next), diags
	return resp, nil
}

func (r *accountsResource) create(ctx context.Context, planned accountsValue, diags *diagnostics) accountsValue {
	data := r.provider.dataOrError(diags)
	if data == nil {
		return accountsValue{}
	}
	imported, failures := importAccounts(ctx, data.client, planned.accounts.elems)
	data.accounts.forget(imported)
	if len(failures) == 0 {
		return planned
	}
	diags.failures(failures)
	// Saving a partial state would taint the resource, and replacing it
	// could delete accounts; importing is idempotent, so the next apply
	// simply imports every account again.
	diags.errorAt(nil, "Nothing was saved to the state",
		fmt.Sprintf("%d of %d accounts were imported before the failure. They stay in the app; the next apply imports every account again (importing an existing account changes nothing but its nick and face_url).", len(imported), len(planned.accounts.elems)))
	return accountsValue{}
}

// update deletes (or forgets) removed accounts, then imports new and
// changed ones. The new state starts from the old one and takes in each
// change the server confirmed, so after a failure it records exactly what
// was applied and the next plan shows the rest again.
func (r *accountsResource) update(ctx context.Context, prior, planned accountsValue, diags *diagnostics) accountsValue {
	data := r.provider.dataOrError(diags)
	if data == nil {
		return prior
	}
	changed := map[string]accountValue{}
	for id, a := range planned.accounts.elems {
		if p, ok := prior.accounts.elems[id]; !ok || !p.nick.equal(a.nick) || !p.faceURL.equal(a.faceURL) {
			changed[id] = a
		}
	}
	var removed []string
	for id := range prior.accounts.elems {
		if _, ok := planned.accounts.elems[id]; !ok {
			removed = append(removed, id)
		}
	}
	next := planned
	next.accounts.elems = maps.Clone(prior.accounts.elems)
	var failures []applyFailure
	switch {
	case len(removed) == 0:
	case planned.deleteOnRemove.b:
		var gone []string
		gone, failures = deleteAccounts(ctx, data.client, removed)
		data.accounts.forget(gone)
		for _, id := range gone {
			delete(next.accounts.elems, id)
		}
	default:
		for _, id := range removed {
			delete(next.accounts.elems, id)
		}
	}
	if len(changed) > 0 && len(failures) == 0 {
		var imported []string
		imported, failures = importAccounts(ctx, data.client, changed)
		data.accounts.forget(imported)
		for _, id := range imported {
			next.accounts.elems[id] = planned.accounts.elems[id]
		}
	}
	diags.failures(failures)
	return next
}

func (r *accountsResource) destroy(ctx context.Context, prior accountsValue, diags *diagnostics) accountsValue {
	ids := slices.Sorted(maps.Keys(prior.accounts.elems))
	if !prior.deleteOnRemove.b {
		if len(ids) > 0 {
			diags.warnAt(nil, fmt.Sprintf("%d accounts were left in the app", len(ids)),
				"delete_on_remove is false, so destroying tencentim_accounts only removes the accounts from the state; they stay in the app. Set delete_on_remove = true and apply before destroying to delete them.")
		}
		return accountsValue{}
	}
	data := r.provider.dataOrError(diags)
	if data == nil {
		return prior
	}
	gone, failures := deleteAccounts(ctx, data.client, ids)
	data.accounts.forget(gone)
	if len(failures) == 0 {
		return accountsValue{}
	}
	diags.failures(failures)
	// Keep only what is left, so the next destroy deletes just that.
	left := prior
	left.accounts.elems = maps.Clone(prior.accounts.elems)
	for _, id := range gone {
		delete(left.accounts.elems, id)
	}
	return left
}

func (r *accountsResource) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState}
	current, ok := accountsCodec.read(req.CurrentState, &diags, "state")
	if !ok || current.p != isKnown {
		resp.Diagnostics = diags
		return resp, nil
	}
	missing, ok := r.missing(ctx, current.accounts.elems, &diags)
	if !ok {
		resp.Diagnostics = diags
		return resp, nil
	}
	if len(missing) > 0 {
		tflog.Debug(ctx, "accounts deleted outside Terraform", map[string]any{"count": len(missing)})
		current.accounts.elems = maps.Clone(current.accounts.elems)
		for _, id := range missing {
			delete(current.accounts.elems, id)
		}
	}
	current.id = known(accountsID)
	resp.NewState, resp.Diagnostics = accountsCodec.write(current), diags
	return resp, nil
}

// ImportResourceState takes a comma-separated list of UserIDs, checks that
// every one exists and adopts them with delete_on_remove = false. nick and
// face_url cannot be read back, so they start out null.
func (r *accountsResource) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	var diags diagnostics
	resp := &tfprotov6.ImportResourceStateResponse{}
	state := accountsValue{p: isKnown, id: known(accountsID), deleteOnRemove: wireBool{p: isKnown},
		accounts: wireMap[accountValue]{p: isKnown, elems: map[string]accountValue{}}}
	var problems []string
	for _, part := range strings.Split(req.ID, ",") {
		id := strings.TrimSpace(part)
		if msg := userIDProblem(id); msg != "" {
			problems = append(problems, msg)
			continue
		}
		state.accounts.elems[id] = accountValue{p: isKnown}
	}
	if len(problems) > 0 {
		diags.errorAt(nil, "Invalid import ID",
			fmt.Sprintf("The import ID must be a comma-separated list of UserIDs, such as \"alice,bob\". %s", strings.Join(problems, " ")))
		resp.Diagnostics = diags
		return resp, nil
	}
	if missing, _ := r.missing(ctx, state.accounts.elems, &diags); len(missing) > 0 {
		diags.errorAt(nil, fmt.Sprintf("%d accounts do not exist in the app", len(missing)),
			fmt.Sprintf("account_check reports these accounts as not imported: %s. Remove them from the import ID, or let tencentim_accounts create them instead of importing them.", listAccounts(missing)))
	}
	if !diags.hasError() {
		resp.ImportedResources = []*tfprotov6.ImportedResource{{TypeName: accountsTypeName, State: accountsCodec.write(state)}}
	}
	resp.Diagnostics = diags
	return resp, nil
}

// missing is the accounts that do not exist; ok is false, with the reason
// in diags, when that could not be told.
func (r *accountsResource) missing(ctx context.Context, accounts map[string]accountValue, diags *diagnostics) (missing []string, ok bool) {
	data := r.provider.dataOrError(diags)
	if data == nil {
		return nil, false
	}
	missing, failures := checkAccounts(ctx, data, slices.Sorted(maps.Keys(accounts)))
	diags.failures(failures)
	return missing, len(failures) == 0
}

// importAccounts imports accounts in sorted batches of 100, one
// multiaccount_import call each, and returns the accounts the server
// accepted. It stops at the first failed call.
func importAccounts(ctx context.Context, client *timapi.Client, accounts map[string]accountValue) ([]string, []applyFailure) {
	var imported, rejected []string
	var failures []applyFailure
	for batch := range slices.Chunk(slices.Sorted(maps.Keys(accounts)), timapi.MaxAccountsPerCall) {
		req := make([]timapi.Account, len(batch))
		for i, id := range batch {
			a := accounts[id]
			req[i] = timapi.Account{UserID: id, Nick: a.nick.value(), FaceURL: a.faceURL.value()}
		}
		failed, err := client.MultiAccountImport(ctx, req)
		if err != nil {
			failures = append(failures, accountsFailure("multiaccount_import", err, batch))
			break
		}
		for _, id := range batch {
			if slices.Contains(failed, id) {
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
func deleteAccounts(ctx context.Context, client *timapi.Client, ids []string) ([]string, []applyFailure) {
	slices.Sort(ids)
	var gone, problems []string
	var failures []applyFailure
	for batch := range slices.Chunk(ids, timapi.MaxAccountsPerCall) {
		results, err := client.AccountDelete(ctx, batch)
		if err != nil {
			failures = append(failures, accountsFailure("account_delete", err, batch))
			break
		}
		problems = append(problems, sortResults(batch, results, func(res timapi.AccountStatus) {
			gone = append(gone, res.UserID)
		})...)
	}
	if len(problems) > 0 {
		failures = append(failures, applyFailure{
			fmt.Sprintf("%d accounts could not be deleted", len(problems)),
			fmt.Sprintf("account_delete reported per-account errors: %s.\n\nThese accounts stay in the state, so the next apply tries again. If deletion is not allowed for this app (error 71000), enable account deletion in the console or set delete_on_remove = false.", listAccounts(problems)),
		})
	}
	return gone, failures
}

// sortResults passes each result of an account_check or account_delete
// that says "imported" (check) or "gone" (delete, or check's "does not
// exist") to ok, and returns the others, and every account of the batch
// without a result, as problems.
func sortResults(batch []string, results []timapi.AccountStatus, ok func(timapi.AccountStatus)) []string {
	var problems []string
	seen := make(map[string]bool, len(results))
	for _, res := range results {
		seen[res.UserID] = true
		if res.Imported || res.ResultCode == 0 || res.ResultCode == 70107 {
			ok(res)
		} else {
			problems = append(problems, fmt.Sprintf("%s: %d %s", res.UserID, res.ResultCode, res.ResultInfo))
		}
	}
	for _, id := range batch {
		if !seen[id] {
			problems = append(problems, id+": no result in the response")
		}
	}
	return problems
}

// checkAccounts returns the accounts that do not exist, from account_check
// in batches of 100, up to max_parallel_requests at a time. Per-account
// errors other than "does not exist" fail the read rather than being taken
// for a deletion.
func checkAccounts(ctx context.Context, data *providerData, ids []string) ([]string, []applyFailure) {
	batches := slices.Collect(slices.Chunk(ids, timapi.MaxAccountsPerCall))
	results := make([][]timapi.AccountStatus, len(batches))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(data.maxParallel, 1))
	for i, batch := range batches {
		g.Go(func() error {
			var err error
			if results[i], err = data.client.AccountCheck(gctx, batch); err != nil {
				return accountsFailure("account_check", err, batch)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		var f applyFailure
		if !errors.As(err, &f) {
			f = accountsFailure("account_check", err, nil)
		}
		return nil, []applyFailure{f}
	}
	var missing, problems []string
	for i, batch := range batches {
		problems = append(problems, sortResults(batch, results[i], func(res timapi.AccountStatus) {
			if !res.Imported {
				missing = append(missing, res.UserID)
			}
		})...)
	}
	if len(problems) > 0 {
		return nil, []applyFailure{{
			fmt.Sprintf("account_check failed for %d accounts", len(problems)),
			fmt.Sprintf("account_check could not tell whether these accounts exist: %s.\n\nNothing was changed. Run the command again; if the errors persist, check the accounts in the console.", listAccounts(problems)),
		}}
	}
	return missing, nil
}

// accountCodeAdvice is what to do about an account API error code.
var accountCodeAdvice = map[int]string{
	71000: "This app does not allow deleting accounts. Enable account deletion in the console (only trial apps allow it by default), or set delete_on_remove = false to keep the accounts.",
	70398: "The trial edition allows at most 100 accounts. Upgrade the app's plan or import fewer accounts.",
	70399: "A deleted UserID cannot be imported again for 3 months on paid plans. Use another UserID.",
	70402: "The server refused a parameter: check that every UserID is at most 32 bytes of printable ASCII and that nick and face_url are valid.",
}

// accountsFailure turns an account API error into a message that names the
// call, the code, the accounts and what to do.
func accountsFailure(command string, err error, accounts []string) applyFailure {
	advice := commonAdvice(err)
	if advice == "" {
		advice = accountCodeAdvice[timapi.Code(err)]
	}
	if advice == "" {
		advice = "Nothing else was changed by this request; the state records what was applied, and running apply again carries on from there."
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
