package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// Advice every resource gives.
const (
	// rateLimitedAdvice is what to do when rate-limit answers outlasted the
	// retries.
	rateLimitedAdvice = "The server kept answering that requests are too frequent until the operation's time ran out, although the provider lowered its rate each time. Check the app's API limits in the console (another client may be using the quota), raise the resource's timeouts or lower the provider's rate_limit, then run apply again: the state records what was applied."
	interruptedAdvice = "The operation was interrupted. Run apply again: the state records what was applied."
	timedOutAdvice    = "The operation ran out of time. Raise the resource's timeouts, then run apply again: the state records what was applied."
	// createAccountsFirst is how to make accounts exist before a plan checks them.
	createAccountsFirst = "Import them into the app first, for example with a tencentim_accounts resource that this resource depends on (by reference or depends_on, so that its plan comes first)"
	notConfiguredDetail = "The tencentim provider has no configuration yet, usually because a provider setting depends on a value known only after apply. Set the provider's settings from variables or values known at plan time."
)

// commonAdvice is the advice for an error that means the same to every
// resource (a rate limit outlasting the retries, an interruption, failed
// authentication), or "".
func commonAdvice(err error) string {
	switch {
	case timapi.IsRateLimited(err):
		return rateLimitedAdvice
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return interruptedAdvice
	case timapi.IsAuth(err):
		return timapi.AuthHint(err)
	}
	return ""
}

// applyFailure is one user-facing error: what failed and what to do.
type applyFailure struct {
	summary, detail string
}

func (f applyFailure) Error() string { return f.summary + ": " + f.detail }

// diagnostics collects protocol diagnostics.
type diagnostics []*tfprotov6.Diagnostic

func (d *diagnostics) add(sev tfprotov6.DiagnosticSeverity, p *tftypes.AttributePath, summary, detail string) {
	*d = append(*d, &tfprotov6.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Attribute: p})
}

func (d *diagnostics) errorAt(p *tftypes.AttributePath, summary, detail string) {
	d.add(tfprotov6.DiagnosticSeverityError, p, summary, detail)
}

func (d *diagnostics) warnAt(p *tftypes.AttributePath, summary, detail string) {
	d.add(tfprotov6.DiagnosticSeverityWarning, p, summary, detail)
}

// failures adds failures to protocol diagnostics.
func (d *diagnostics) failures(fs []applyFailure) {
	for _, f := range fs {
		d.errorAt(nil, f.summary, f.detail)
	}
}

func (d diagnostics) hasError() bool {
	for _, x := range d {
		if x.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// memberFailures renders the membership engine's failures for group groupID.
func memberFailures(groupID string, fs []membership.Failure) []applyFailure {
	out := make([]applyFailure, len(fs))
	for i, f := range fs {
		switch {
		case f.Err == nil:
			out[i] = applyFailure{f.Summary, f.Detail}
		case f.Interrupted():
			out[i] = interrupted(f.Err)
		default:
			out[i] = callFailure(groupID, f.Command, f.Err, f.Accounts)
			if f.Detail != "" {
				out[i].detail += "\n\n" + f.Detail
			}
		}
	}
	return out
}

// callFailure turns a membership call's error into a message that names the
// call, the code, the group, the accounts and what to do.
func callFailure(groupID, command string, err error, accounts []string) applyFailure {
	var what string
	if len(accounts) > 0 {
		what = fmt.Sprintf(" Accounts in the failed request: %s.", listAccounts(accounts))
	}
	advice := commonAdvice(err)
	switch {
	case timapi.IsRateLimited(err):
	case errors.Is(err, context.DeadlineExceeded):
		advice = timedOutAdvice
	case advice != "":
	case timapi.IsNotFound(err):
		advice = fmt.Sprintf("Group %s does not exist (any more). Check group_id and that the provider's sdkappid and region are the app's.", groupID)
	default:
		advice = "Nothing else was changed by this request; the state records what was applied, and running apply again carries on from there."
	}
	summary := fmt.Sprintf("%s failed for group %s", command, groupID)
	if timapi.IsAuth(err) {
		summary = "Authentication failed: " + summary
	}
	return applyFailure{summary, fmt.Sprintf("%v.%s\n\n%s", err, what, advice)}
}

// readFailure renders a failed membership.ReadGroup.
func readFailure(groupID string, err error) applyFailure {
	if timapi.IsNotFound(err) {
		return applyFailure{
			fmt.Sprintf("Group %s does not exist", groupID),
			fmt.Sprintf("%v.\n\nCreate the group first, or check group_id and that the provider's sdkappid and region are the app's. For a group that a tencentim_group creates in the same apply, set group_id = tencentim_group.NAME.id: that id is known only after apply, so the plan leaves its checks to the apply.", err),
		}
	}
	return callFailure(groupID, "reading group", err, nil)
}

// interrupted is the failure of work not started because ctx ended.
func interrupted(err error) applyFailure {
	return applyFailure{"Interrupted", fmt.Sprintf("%v; not every call was made. Run apply again: the state records what was applied.", err)}
}

var listAccounts = membership.ListAccounts
