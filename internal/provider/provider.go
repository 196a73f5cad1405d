// Package provider is the Terraform provider for Tencent Cloud Chat (IM)
// groups. The provider configuration and the data source are served by
// terraform-plugin-framework; tencentim_group_members is served directly on
// the protocol (see server.go) so that plans stay linear in the member count.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentim/terraform-provider-tencentim/internal/membership"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

// Environment variables read when the matching attribute is not set.
const (
	EnvSDKAppID   = "TENCENTIM_SDKAPPID"
	EnvIdentifier = "TENCENTIM_IDENTIFIER"
	EnvSecretKey  = "TENCENTIM_SECRET_KEY"
	EnvUserSig    = "TENCENTIM_USERSIG"
	EnvRegion     = "TENCENTIM_REGION"
	EnvEndpoint   = "TENCENTIM_ENDPOINT"
)

// The defaults documented in the schema are timapi's and the first
// documented batch caps.
var (
	defaults               = timapi.DefaultConfig()
	defaultImportBatchSize = timapi.ImportCaps[0]
	defaultDeleteBatchSize = timapi.DeleteCaps[0]
)

var (
	_ provider.Provider                       = (*tencentimProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*tencentimProvider)(nil)
)

type tencentimProvider struct {
	version string
	// configured is shared with the protocol-level resource in server.go.
	configured atomic.Pointer[providerData]
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	client      *timapi.Client
	maxParallel int
	// engine's batch caps, learned from the server, last for the provider
	// process, so every later batch of every resource uses them.
	engine membership.Engine
	// reads shares a group's read among the resources refreshing it at once.
	reads membership.SharedReads
	// refreshed is each group's info as this process's refresh read it
	// (group ID → *timapi.GroupInfo), for the plan's checks that follow.
	refreshed sync.Map
	// accounts answers the plans' account checks.
	accounts planAccounts
	// What ephemeral tencentim_usersig signs with: secretKey is "" when the
	// provider was given a pre-signed usersig, which cannot sign others.
	sdkAppID   uint64
	identifier string
	secretKey  string
}

type providerModel struct {
	SDKAppID            types.Int64  `tfsdk:"sdkappid"`
	Identifier          types.String `tfsdk:"identifier"`
	SecretKey           types.String `tfsdk:"secret_key"`
	UserSig             types.String `tfsdk:"usersig"`
	Region              types.String `tfsdk:"region"`
	Endpoint            types.String `tfsdk:"endpoint"`
	MaxRetries          types.Int64  `tfsdk:"max_retries"`
	RequestTimeout      types.String `tfsdk:"request_timeout"`
	RateLimit           types.Int64  `tfsdk:"rate_limit"`
	TotalRateLimit      types.Int64  `tfsdk:"total_rate_limit"`
	MaxParallelRequests types.Int64  `tfsdk:"max_parallel_requests"`
	ImportBatchSize     types.Int64  `tfsdk:"import_batch_size"`
	DeleteBatchSize     types.Int64  `tfsdk:"delete_batch_size"`
}

func (p *tencentimProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "tencentim"
	resp.Version = p.version
}

func (p *tencentimProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Tencent Cloud Chat (IM) groups through the server REST API. " +
			"Authenticate with the app's `secret_key` (the provider signs and renews UserSigs itself) or with a pre-generated `usersig`.",
		Attributes: map[string]schema.Attribute{
			"sdkappid": schema.Int64Attribute{
				MarkdownDescription: "The app's SDKAppID from the Chat console. Env: `" + EnvSDKAppID + "`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"identifier": schema.StringAttribute{
				MarkdownDescription: "An App admin account; requests are signed as this account. Defaults to `" + defaults.Identifier + "`. Env: `" + EnvIdentifier + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 32)},
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The app's secret key, used to sign UserSigs (TLSSigAPIv2). Conflicts with `usersig`. Env: `" + EnvSecretKey + "`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"usersig": schema.StringAttribute{
				MarkdownDescription: "A pre-generated UserSig for `identifier`, used instead of `secret_key`. It is not renewed: give it a validity longer than your runs. Env: `" + EnvUserSig + "`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "The data centre of the app: one of `" + strings.Join(timapi.Regions(), "`, `") + "`. Defaults to `" + defaults.Region + "`. Ignored when `endpoint` is set. Env: `" + EnvRegion + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(timapi.Regions()...)},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the REST API, overriding `region`, for private deployments and the local emulator, e.g. `https://console.tim.qq.com`. Plain `http` is accepted only for loopback addresses. Env: `" + EnvEndpoint + "`.",
				Optional:            true,
				Validators:          []validator.String{endpointValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a transport error, HTTP 5xx, or a retryable API code (10002, 70169, 70202, 70500). Defaults to `%d`. "+
					"Rate-limit answers (HTTP 429 and codes 10006, 60007, 60011, 60018, 60019) do not count: they lower the command's rate (see `rate_limit`) and are retried until the operation's timeout.", defaults.MaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Timeout of one HTTP attempt, as a Go duration such as `30s`. A slower response is retried. Defaults to `%s`.", defaults.RequestTimeout),
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"rate_limit": schema.Int64Attribute{
				MarkdownDescription: "The starting and highest rate, in requests per second, of each API command, shared by every resource of this provider. " +
					"Defaults to each command's documented limit: 200 for the group APIs, 100 for `multiaccount_import`, `account_check` and `account_delete`, 1 for `get_appid_group_list`. " +
					"The rate adapts: a rate-limit answer halves the command's rate, and successes raise it again step by step, so parallel resources settle at whatever the server allows.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"total_rate_limit": schema.Int64Attribute{
				MarkdownDescription: "Requests per second for all API commands together, on top of `rate_limit`. Tencent documents its limits per command; set this when your app has an app-wide limit too. Unset by default.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_parallel_requests": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many requests one resource may have in flight at once (import and delete batches, role changes, member pages). Defaults to `%d`.", defaults.MaxParallel),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 64)},
			},
			"import_batch_size": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Members per `import_group_member` call, at most. Defaults to `%d`. Tencent has documented caps of 300, 100 and (newest) 20: "+
					"when the server answers 10005 (too many accounts), the size steps down to the next documented cap (below 20 it halves) and the batch is sent again. "+
					"The size found holds for the rest of the provider process, for every resource, so finding it costs at most two refused calls per command run.", defaultImportBatchSize),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 500)},
			},
			"delete_batch_size": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Members per `delete_group_member` call, at most. Defaults to `%d`, the documented cap; halved on 10005, and the size found holds for the rest of the provider process.", defaultDeleteBatchSize),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 500)},
			},
		},
	}
}

func (p *tencentimProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, ok := resolveConfig(m, os.Getenv, resp)
	if !ok {
		return
	}
	cfg.client.Logger = tflogLogger{}
	client, err := timapi.New(cfg.client)
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	data := &providerData{client: client, maxParallel: cfg.maxParallel, engine: membership.Engine{
		Client:    client,
		ImportCap: timapi.NewBatchCap(cfg.importBatchSize, timapi.ImportCaps),
		DeleteCap: timapi.NewBatchCap(cfg.deleteBatchSize, timapi.DeleteCaps),
		Parallel:  cfg.maxParallel,
	}}
	// Set only now that resolveConfig and timapi.New have accepted them.
	data.sdkAppID, data.identifier, data.secretKey = cfg.client.SDKAppID, cfg.client.Identifier, cfg.client.SecretKey
	p.configured.Store(data)
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

type resolvedConfig struct {
	client          timapi.Config
	importBatchSize int
	deleteBatchSize int
	maxParallel     int
}

// resolveConfig merges attributes with environment variables and reports
// every missing or conflicting setting as an error on its attribute.
func resolveConfig(m providerModel, getenv func(string) string, resp *provider.ConfigureResponse) (resolvedConfig, bool) {
	unknown := func(attr string, v interface{ IsUnknown() bool }) bool {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Provider setting not known yet",
				"The provider cannot be configured from a value that is known only after apply. Set `"+attr+"` from a variable or a value known at plan time.")
			return true
		}
		return false
	}
	for attr, v := range map[string]interface{ IsUnknown() bool }{
		"sdkappid": m.SDKAppID, "identifier": m.Identifier, "secret_key": m.SecretKey, "usersig": m.UserSig,
		"region": m.Region, "endpoint": m.Endpoint, "max_retries": m.MaxRetries, "request_timeout": m.RequestTimeout,
		"rate_limit": m.RateLimit, "total_rate_limit": m.TotalRateLimit, "max_parallel_requests": m.MaxParallelRequests,
		"import_batch_size": m.ImportBatchSize, "delete_batch_size": m.DeleteBatchSize,
	} {
		unknown(attr, v)
	}
	if resp.Diagnostics.HasError() {
		return resolvedConfig{}, false
	}
	str := func(v types.String, env string) string {
		if !v.IsNull() {
			return v.ValueString()
		}
		return getenv(env)
	}
	intOr := func(v types.Int64, def int) int {
		if v.IsNull() {
			return def
		}
		return int(v.ValueInt64())
	}

	var c resolvedConfig
	if !m.SDKAppID.IsNull() {
		c.client.SDKAppID = uint64(m.SDKAppID.ValueInt64())
	} else if s := getenv(EnvSDKAppID); s != "" {
		id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || id == 0 {
			resp.Diagnostics.AddAttributeError(path.Root("sdkappid"), "Invalid SDKAppID",
				fmt.Sprintf("%s must be the app's numeric SDKAppID from the Chat console, got %q.", EnvSDKAppID, s))
		}
		c.client.SDKAppID = id
	} else {
		resp.Diagnostics.AddAttributeError(path.Root("sdkappid"), "Missing SDKAppID",
			"Set `sdkappid` in the provider block or the "+EnvSDKAppID+" environment variable to the app's SDKAppID from the Chat console.")
	}

	c.client.Identifier = str(m.Identifier, EnvIdentifier)
	if c.client.Identifier == "" {
		c.client.Identifier = defaults.Identifier
	}
	c.client.SecretKey = str(m.SecretKey, EnvSecretKey)
	c.client.UserSig = str(m.UserSig, EnvUserSig)
	switch {
	case c.client.SecretKey != "" && c.client.UserSig != "":
		resp.Diagnostics.AddAttributeError(path.Root("usersig"), "Conflicting credentials",
			"Both a secret key and a UserSig are set (in the provider block or the "+EnvSecretKey+" and "+EnvUserSig+" environment variables). Set only one: `secret_key` lets the provider sign and renew UserSigs itself.")
	case c.client.SecretKey == "" && c.client.UserSig == "":
		resp.Diagnostics.AddAttributeError(path.Root("secret_key"), "Missing credentials",
			"Set `secret_key` (or "+EnvSecretKey+") to the app's secret key, or `usersig` (or "+EnvUserSig+") to a UserSig generated for the identifier.")
	}

	c.client.Region = str(m.Region, EnvRegion)
	if c.client.Region == "" {
		c.client.Region = defaults.Region
	}
	if _, ok := timapi.RegionEndpoint(c.client.Region); !ok {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Unknown region",
			fmt.Sprintf("Region %q is not supported. Use one of: %s.", c.client.Region, strings.Join(timapi.Regions(), ", ")))
	}
	c.client.Endpoint = str(m.Endpoint, EnvEndpoint)
	if c.client.Endpoint != "" {
		if err := timapi.ValidateEndpoint(c.client.Endpoint); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid endpoint", err.Error())
		}
	}

	c.client.MaxRetries = intOr(m.MaxRetries, defaults.MaxRetries)
	c.client.RequestTimeout = defaults.RequestTimeout
	if !m.RequestTimeout.IsNull() {
		d, err := time.ParseDuration(m.RequestTimeout.ValueString())
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request timeout",
				fmt.Sprintf("%q is not a positive duration; use a value such as \"30s\" or \"2m\".", m.RequestTimeout.ValueString()))
		}
		c.client.RequestTimeout = d
	}
	c.client.RateLimit = float64(intOr(m.RateLimit, 0)) // 0: each command's documented rate
	c.client.TotalRateLimit = float64(intOr(m.TotalRateLimit, 0))
	c.maxParallel = intOr(m.MaxParallelRequests, defaults.MaxParallel)
	c.client.MaxParallel = c.maxParallel
	c.importBatchSize = intOr(m.ImportBatchSize, defaultImportBatchSize)
	c.deleteBatchSize = intOr(m.DeleteBatchSize, defaultDeleteBatchSize)
	return c, !resp.Diagnostics.HasError()
}

// providerDataFrom is the checked type assertion of every framework
// resource's and data source's Configure. It returns nil before the
// provider is configured.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data type",
			fmt.Sprintf("Expected *providerData, got: %T. Please report this issue to the provider developers.", v))
	}
	return data
}

// requireConfigured reports an error when data is nil.
func requireConfigured(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil {
		diags.AddError("Provider not configured", notConfiguredDetail)
		return false
	}
	return true
}

func (p *tencentimProvider) Resources(context.Context) []func() resource.Resource {
	// tencentim_group_members and tencentim_accounts are served on the
	// protocol; see server.go.
	return []func() resource.Resource{newGroupResource}
}

func (p *tencentimProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newGroupMembersDataSource, newGroupsDataSource, newGroupDataSource}
}

func (p *tencentimProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newUsersigEphemeral}
}
