package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResolveConfig(t *testing.T) {
	base := func() providerModel {
		return providerModel{
			SDKAppID: types.Int64Null(), Identifier: types.StringNull(), SecretKey: types.StringNull(), UserSig: types.StringNull(),
			Region: types.StringNull(), Endpoint: types.StringNull(), MaxRetries: types.Int64Null(), RequestTimeout: types.StringNull(),
			RateLimit: types.Int64Null(), TotalRateLimit: types.Int64Null(), MaxParallelRequests: types.Int64Null(), ImportBatchSize: types.Int64Null(), DeleteBatchSize: types.Int64Null(),
		}
	}
	cases := []struct {
		name    string
		model   func(*providerModel)
		env     map[string]string
		wantErr string // attribute path and text
		check   func(*testing.T, resolvedConfig)
	}{
		{
			name: "attributes",
			model: func(m *providerModel) {
				m.SDKAppID = types.Int64Value(1400000001)
				m.SecretKey = types.StringValue("k")
			},
			check: func(t *testing.T, c resolvedConfig) {
				if c.client.SDKAppID != 1400000001 || c.client.Identifier != "administrator" || c.client.Region != "china" ||
					c.importBatchSize != 300 || c.deleteBatchSize != 100 || c.maxParallel != 8 || c.client.RequestTimeout != 30*time.Second {
					t.Fatalf("defaults: %+v", c)
				}
			},
		},
		{
			name: "environment",
			env: map[string]string{EnvSDKAppID: "1400000002", EnvIdentifier: "ops", EnvUserSig: "sig", EnvRegion: "singapore",
				EnvEndpoint: "http://127.0.0.1:9000"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.client.SDKAppID != 1400000002 || c.client.Identifier != "ops" || c.client.UserSig != "sig" ||
					c.client.Region != "singapore" || c.client.Endpoint != "http://127.0.0.1:9000" {
					t.Fatalf("env not used: %+v", c.client)
				}
			},
		},
		{
			name:  "attribute wins over environment",
			model: func(m *providerModel) { m.SDKAppID = types.Int64Value(7); m.SecretKey = types.StringValue("k") },
			env:   map[string]string{EnvSDKAppID: "8"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.client.SDKAppID != 7 {
					t.Fatalf("SDKAppID = %d", c.client.SDKAppID)
				}
			},
		},
		{name: "missing sdkappid", model: func(m *providerModel) { m.SecretKey = types.StringValue("k") }, wantErr: "sdkappid: Missing SDKAppID"},
		{name: "non-numeric env sdkappid", env: map[string]string{EnvSDKAppID: "abc", EnvSecretKey: "k"}, wantErr: "sdkappid: Invalid SDKAppID"},
		{name: "zero env sdkappid", env: map[string]string{EnvSDKAppID: "0", EnvSecretKey: "k"}, wantErr: "sdkappid: Invalid SDKAppID"},
		{name: "no credentials", env: map[string]string{EnvSDKAppID: "1"}, wantErr: "secret_key: Missing credentials"},
		{name: "both credentials", env: map[string]string{EnvSDKAppID: "1", EnvSecretKey: "k", EnvUserSig: "s"}, wantErr: "usersig: Conflicting credentials"},
		{name: "unknown region from env", env: map[string]string{EnvSDKAppID: "1", EnvSecretKey: "k", EnvRegion: "mars"}, wantErr: "region: Unknown region"},
		{name: "endpoint without scheme", env: map[string]string{EnvSDKAppID: "1", EnvSecretKey: "k", EnvEndpoint: "console.tim.qq.com"}, wantErr: "endpoint: Invalid endpoint"},
		{name: "http endpoint not loopback", env: map[string]string{EnvSDKAppID: "1", EnvSecretKey: "k", EnvEndpoint: "http://example.com"}, wantErr: "endpoint: Invalid endpoint"},
		{name: "unknown value", model: func(m *providerModel) { m.SDKAppID = types.Int64Unknown() }, wantErr: "sdkappid: Provider setting not known yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			if tc.model != nil {
				tc.model(&m)
			}
			var resp provider.ConfigureResponse
			c, ok := resolveConfig(m, func(k string) string { return tc.env[k] }, &resp)
			var errs []string
			for _, d := range resp.Diagnostics.Errors() {
				if ad, isAttr := d.(diag.DiagnosticWithPath); isAttr {
					errs = append(errs, ad.Path().String()+": "+d.Summary())
				} else {
					errs = append(errs, d.Summary())
				}
			}
			got := strings.Join(errs, "\n")
			if tc.wantErr != "" {
				if ok || !strings.Contains(got, tc.wantErr) {
					t.Fatalf("errors = %q, want %q", got, tc.wantErr)
				}
				return
			}
			if !ok {
				t.Fatalf("unexpected errors: %s", got)
			}
			tc.check(t, c)
		})
	}
}
