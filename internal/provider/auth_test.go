package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// The emulator rejects expired, foreign-app and wrong-admin signatures; the
// provider reports each as an authentication error naming the setting to fix.
func TestAccAuthErrors(t *testing.T) {
	env := newTestEnv(t, 2)
	gid := env.group("Public")
	env.emu.AddApp(testAppID+1, "key-of-another-app", testAdmin)
	expired, err := usersig.Generate(testAppID, testKey, testAdmin, time.Hour, time.Now().Add(-2*time.Hour))
	must(t, err)
	otherApp, err := usersig.Generate(testAppID+1, "key-of-another-app", testAdmin, time.Hour, time.Now())
	must(t, err)
	config := func(credentials string) string {
		return fmt.Sprintf(`
provider "tencentim" {
  sdkappid    = %d
  endpoint    = %q
  max_retries = 0
  %s
}

resource "tencentim_group_members" "test" {
  group_id = %q
  members  = { user0001 = {} }
}
`, testAppID, env.url, credentials, gid)
	}
	cases := []struct{ name, credentials, err string }{
		{"expired usersig", fmt.Sprintf("usersig = %q", expired), `(?s)Authentication failed.*error 70001.*usersig has expired.*set secret_key`},
		{"usersig of another app", fmt.Sprintf("usersig = %q", otherApp), `(?s)Authentication failed.*error 70014.*check sdkappid`},
		{"secret key of another app", `secret_key = "key-of-another-app"`, `(?s)Authentication failed.*error 70009.*secret_key does not belong to\s+sdkappid`},
		{"identifier not an admin", fmt.Sprintf("secret_key = %q\n  identifier = \"user0002\"", testKey), `(?s)Authentication failed.*error 60010.*identifier must be an app\s+admin`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps:                    []resource.TestStep{{Config: config(tc.credentials), ExpectError: regexp.MustCompile(tc.err)}},
			})
		})
	}
	if n := len(env.serverMembers(gid)); n != 0 {
		t.Fatalf("a request with bad credentials changed the group: %d members", n)
	}
}
