package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be an http(s) URL; plain http only for loopback addresses"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := timapi.ValidateEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint", err.Error())
	}
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive Go duration such as 30s"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a positive duration; use a value such as \"30s\" or \"2m\".", req.ConfigValue.ValueString()))
	}
}

// maxGroupIDBytes is the documented length limit of a group ID.
const maxGroupIDBytes = 48

// groupIDProblem checks the format every group ID has, for every resource,
// the data source and imports: it returns what is wrong, or "", "".
func groupIDProblem(id string) (summary, detail string) {
	switch {
	case id == "":
		return "Empty group_id", "The group ID is empty. Group IDs look like \"@TGS#2J4SZEAEL\"."
	case len(id) > maxGroupIDBytes:
		return "Invalid group_id", fmt.Sprintf("Group ID %q is %d bytes; group IDs are at most %d bytes.", id, len(id), maxGroupIDBytes)
	case !printableASCII(id):
		return "Invalid group_id", fmt.Sprintf("Group ID %q contains characters other than printable ASCII; group IDs use only printable ASCII.", id)
	}
	return "", ""
}

// groupIDValidator applies groupIDProblem; advice is added to its message.
type groupIDValidator struct{ advice string }

func (groupIDValidator) Description(context.Context) string {
	return fmt.Sprintf("must be 1 to %d bytes of printable ASCII", maxGroupIDBytes)
}

func (v groupIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v groupIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := groupIDProblem(req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail+v.advice)
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
