package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Invalid configurations fail at validate or plan time, before any API call,
// with a message that says what to fix.
func TestAccBadInput(t *testing.T) {
	env := newTestEnv(t, 3)
	gid := env.group("Public")
	for _, k := range []string{EnvSDKAppID, EnvIdentifier, EnvSecretKey, EnvUserSig, EnvRegion, EnvEndpoint} {
		t.Setenv(k, "")
	}
	future := time.Now().Add(72 * time.Hour).Unix()

	// resourceCase renders a valid provider and a resource with the given
	// group_id expression and members body.
	resourceCase := func(groupID, members string) string {
		return env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %s
  members  = %s
}
`, groupID, members)
	}
	member := func(account, body string) string {
		return resourceCase(fmt.Sprintf("%q", gid), fmt.Sprintf("{\n    %s = {%s}\n  }", account, body))
	}
	// providerCase renders a provider block (settings verbatim) and a valid resource.
	providerCase := func(settings string) string {
		return fmt.Sprintf("provider \"tencentim\" {\n%s\n}\n", settings) + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = { user0001 = {} }
}
`, gid)
	}
	valid := fmt.Sprintf("sdkappid = %d\nsecret_key = %q\nendpoint = %q\n", testAppID, testKey, env.url)
	without := func(attr string) string {
		var lines []string
		for _, l := range strings.Split(valid, "\n") {
			if !strings.HasPrefix(l, attr+" ") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}

	cases := []struct {
		name, config, err string
	}{
		// Members.
		{"empty account", member(`""`, ""), `Empty account`},
		{"account over 32 bytes", member(`"`+strings.Repeat("a", 33)+`"`, ""), `UserIDs are at most 32 bytes`},
		{"control character in account", member(`"bad\u0001id"`, ""), `non-printable or non-ASCII`},
		{"non-ASCII account", member(`"álice"`, ""), `non-printable or non-ASCII`},
		{"tab in account", member(`"tab\tid"`, ""), `non-printable or non-ASCII`},
		{"account with spaces around it", member(`" alice "`, ""), `leading or trailing spaces`},
		{"lower-case role", member("user0001", `role = "admin"`), `Use "Admin" or "Member"`},
		{"empty role", member("user0001", `role = ""`), `Use "Admin" or "Member"`},
		{"owner role", member("user0001", `role = "Owner"`), `owner role cannot be declared`},
		{"unknown role", member("user0001", `role = "Moderator"`), `Use "Admin" or "Member"`},
		{"negative join_time", member("user0001", `join_time = -1`), `must be a positive Unix time`},
		{"zero join_time", member("user0001", `join_time = 0`), `must be a positive Unix time`},
		{"future join_time", member("user0001", fmt.Sprintf(`join_time = %d`, future)), `join_time in the future`},
		{"fractional join_time", member("user0001", `join_time = 1700000000.5`), `must be a whole number`},
		{"negative unread_msg_num", member("user0001", `unread_msg_num = -3`), `must be zero or more`},
		{"fractional unread_msg_num", member("user0001", `unread_msg_num = 0.5`), `must be a whole number`},
		{"member that is not an object", resourceCase(fmt.Sprintf("%q", gid), `{ user0001 = "Admin" }`), `object required`},
		{"members missing", resourceCase(fmt.Sprintf("%q", gid), "null"), `members`},
		// Group ID and timeouts.
		{"empty group_id", resourceCase(`""`, `{ user0001 = {} }`), `Empty group_id`},
		{"group_id over 48 bytes", resourceCase(`"`+strings.Repeat("g", 49)+`"`, `{ user0001 = {} }`), `group IDs are at most 48 bytes`},
		{"non-printable group_id", resourceCase(`"grp\nid"`, `{ user0001 = {} }`), `printable ASCII`},
		{"unparsable timeout", env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = { user0001 = {} }
  timeouts = { create = "soon" }
}
`, gid), `is not a positive duration`},
		{"negative timeout", env.providerBlock("") + fmt.Sprintf(`
resource "tencentim_group_members" "test" {
  group_id = %q
  members  = { user0001 = {} }
  timeouts = { delete = "-5m" }
}
`, gid), `is not a positive duration`},
		// Provider settings.
		{"sdkappid zero", providerCase(strings.Replace(valid, fmt.Sprint(testAppID), "0", 1)), `sdkappid`},
		{"sdkappid negative", providerCase(strings.Replace(valid, fmt.Sprint(testAppID), "-14", 1)), `sdkappid`},
		{"sdkappid not numeric", providerCase(strings.Replace(valid, fmt.Sprint(testAppID), `"app-one"`, 1)), `number is required`},
		{"sdkappid missing", providerCase(without("sdkappid")), `Missing SDKAppID`},
		{"secret_key and usersig both set", providerCase(valid + `usersig = "eJwsig"`), `Set only one`},
		{"neither secret_key nor usersig", providerCase(without("secret_key")), `Missing credentials`},
		{"empty secret_key", providerCase(strings.Replace(valid, testKey, "", 1)), `secret_key`},
		{"unknown region", providerCase(valid + `region = "mars"`), `region`},
		{"endpoint without scheme", providerCase(strings.Replace(valid, "http://", "", 1)), `endpoint`},
		{"http endpoint not on loopback", providerCase(without("endpoint") + `endpoint = "http://chat.example.com"`), `endpoint`},
		{"ftp endpoint", providerCase(without("endpoint") + `endpoint = "ftp://127.0.0.1"`), `endpoint`},
		{"identifier empty", providerCase(valid + `identifier = ""`), `identifier`},
		{"identifier over 32 bytes", providerCase(valid + `identifier = "` + strings.Repeat("x", 33) + `"`), `identifier`},
		{"request_timeout unparsable", providerCase(valid + `request_timeout = "fast"`), `positive duration`},
		{"request_timeout negative", providerCase(valid + `request_timeout = "-1s"`), `positive duration`},
		{"max_retries out of range", providerCase(valid + `max_retries = 100`), `max_retries`},
		{"rate_limit zero", providerCase(valid + `rate_limit = 0`), `rate_limit`},
		{"max_parallel_requests zero", providerCase(valid + `max_parallel_requests = 0`), `max_parallel_requests`},
		{"import_batch_size too large", providerCase(valid + `import_batch_size = 1000`), `import_batch_size`},
		{"delete_batch_size zero", providerCase(valid + `delete_batch_size = 0`), `delete_batch_size`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:   tc.config,
			PlanOnly: true,
			// The CLI wraps long lines, so any space may be a line break.
			ExpectError: regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(tc.err), " ", `\s+`)),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if stats := env.emu.Stats(); len(stats) != 0 {
		t.Fatalf("invalid configurations reached the API: %v", stats)
	}
	t.Logf("%d invalid configurations refused before any API call", len(cases))
}
