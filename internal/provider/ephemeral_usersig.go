package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

var (
	_ ephemeral.EphemeralResource              = (*usersigEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*usersigEphemeral)(nil)
)

const (
	// defaultUsersigExpire is what the provider signs its own requests with
	// (timapi's UserSigTTL) and the least validity Tencent recommends.
	defaultUsersigExpire = 24 * time.Hour
	// maxUsersigExpire is the longest validity Tencent documents for a
	// UserSig (50 years, CN 32688), counted as 365-day years.
	maxUsersigExpire = 50 * 365 * 24 * time.Hour
)

func newUsersigEphemeral() ephemeral.EphemeralResource { return &usersigEphemeral{now: time.Now} }

type usersigEphemeral struct {
	data *providerData
	now  func() time.Time
}

type usersigModel struct {
	Identifier types.String `tfsdk:"identifier"`
	Expire     types.String `tfsdk:"expire"`
	UserSig    types.String `tfsdk:"usersig"`
	ExpiresAt  types.String `tfsdk:"expires_at"`
}

func (r *usersigEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_usersig"
}

func (r *usersigEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Signs a UserSig (TLSSigAPIv2) for an account with the provider's `secret_key`, for bots and backends that log in to Chat and keep their UserSig in a secret store. " +
			"The UserSig is signed locally, with no API call, each time Terraform opens the resource (in every plan and apply), and it is never saved in the state or the plan: " +
			"pass it to a write-only argument, a provider configuration or another ephemeral value. " +
			"Needs the provider to be configured with `secret_key`; a provider given a pre-signed `usersig` cannot sign new ones. " +
			"Ephemeral resources need Terraform 1.10 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"identifier": schema.StringAttribute{
				MarkdownDescription: "The UserID the UserSig is for: at most 32 bytes of printable ASCII, without leading or trailing spaces. " +
					"Defaults to the provider's `identifier` (the App admin). The account need not exist to be signed for; it must exist before it logs in with the UserSig.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{usersigIdentifierValidator{}},
			},
			"expire": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long the UserSig is valid from the moment it is signed, as a Go duration in whole seconds, such as `24h` or `720h` (30 days). "+
					"Defaults to `%s`. At most `%s` (50 years), the longest validity Tencent documents; Tencent recommends at least `24h`, to absorb clock differences.",
					formatHours(defaultUsersigExpire), formatHours(maxUsersigExpire)),
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{usersigExpireValidator{}},
			},
			"usersig": schema.StringAttribute{
				MarkdownDescription: "The UserSig. Sensitive, and never stored in the state or the plan. A new one is signed every time the resource is opened.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "The last second at which the UserSig is valid, in RFC 3339 (UTC), such as `2026-07-01T12:00:00Z`: the signing time plus `expire`.",
				Computed:            true,
			},
		},
	}
}

func (r *usersigEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *usersigEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m usersigModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireConfigured(r.data, &resp.Diagnostics) {
		return
	}
	if r.data.secretKey == "" {
		resp.Diagnostics.AddError("Cannot sign a UserSig without the secret key",
			"ephemeral.tencentim_usersig signs UserSigs with the app's secret key, but this provider is configured with a pre-signed `usersig` "+
				"(in the provider block or "+EnvUserSig+"), which only signs the provider's own requests. "+
				"Configure the provider with `secret_key` (or "+EnvSecretKey+") instead of `usersig`, for example in a provider block with an alias used only by this resource.")
		return
	}
	// Terraform opens an ephemeral resource only once its configuration is
	// known; an unknown value would only come from another client.
	if m.Identifier.IsUnknown() || m.Expire.IsUnknown() {
		m.UserSig, m.ExpiresAt = types.StringUnknown(), types.StringUnknown()
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
		return
	}

	identifier := r.data.identifier
	if !m.Identifier.IsNull() {
		identifier = m.Identifier.ValueString()
	}
	expire := defaultUsersigExpire
	if !m.Expire.IsNull() {
		var problem string
		if expire, problem = parseUsersigExpire(m.Expire.ValueString()); problem != "" {
			resp.Diagnostics.AddAttributeError(path.Root("expire"), "Invalid expire", problem)
			return
		}
	} else {
		m.Expire = types.StringValue(formatHours(expire))
	}

	now := r.now()
	sig, err := usersig.Generate(r.data.sdkAppID, r.data.secretKey, identifier, expire, now)
	if err != nil {
		// Generate's errors name only what is missing, never the key.
		resp.Diagnostics.AddError("Signing the UserSig failed",
			fmt.Sprintf("Signing a UserSig for %q failed: %v. Check the provider's secret_key and this resource's identifier.", identifier, err))
		return
	}
	// The same instant Verify treats as the last valid second.
	expiresAt := time.Unix(now.Unix()+int64(expire/time.Second), 0).UTC()
	m.Identifier = types.StringValue(identifier)
	m.UserSig = types.StringValue(sig)
	m.ExpiresAt = types.StringValue(expiresAt.Format(time.RFC3339))
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	tflog.Debug(ctx, "Signed a UserSig", map[string]any{"identifier": identifier, "expires_at": m.ExpiresAt.ValueString()})
}

// parseUsersigExpire reads an expire value, or says what is wrong with it.
func parseUsersigExpire(s string) (time.Duration, string) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("%q is not a duration. Use a Go duration with the units h, m and s, such as \"24h\" or \"720h\" (30 days); days are not a unit.", s)
	case d <= 0:
		return 0, fmt.Sprintf("%q is not positive. A UserSig needs a validity of at least one second; Tencent recommends at least \"24h\".", s)
	case d%time.Second != 0:
		return 0, fmt.Sprintf("%q is not a whole number of seconds: a UserSig counts its validity in seconds (TLS.expire). Round it, for example to %q.", s, max(d.Round(time.Second), time.Second).String())
	case d > maxUsersigExpire:
		return 0, fmt.Sprintf("%q is longer than 50 years (%q), the longest validity Tencent documents for a UserSig. Use a shorter one and sign a new UserSig before it expires.", s, formatHours(maxUsersigExpire))
	}
	return d, ""
}

// formatHours writes a whole number of hours as "24h" rather than
// time.Duration's "24h0m0s", as a user would write it.
func formatHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

type usersigExpireValidator struct{}

func (usersigExpireValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a positive Go duration of whole seconds, at most %s", formatHours(maxUsersigExpire))
}

func (v usersigExpireValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (usersigExpireValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, problem := parseUsersigExpire(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid expire", problem)
	}
}

// usersigIdentifierValidator checks a UserID as every other attribute that
// names an account does (userIDProblem), with advice for this resource.
type usersigIdentifierValidator struct{}

func (usersigIdentifierValidator) Description(context.Context) string {
	return "must be a UserID: 1 to 32 bytes of printable ASCII without leading or trailing spaces"
}

func (v usersigIdentifierValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (usersigIdentifierValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := userIDProblem(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid UserID",
			msg+" Fix identifier, or omit it to sign for the provider's admin identifier.")
	}
}
