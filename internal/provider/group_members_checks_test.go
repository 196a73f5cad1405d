package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Refusals that must happen before any write call.
func TestAccGroupMembers_refusedBeforeAnyWrite(t *testing.T) {
	env := newTestEnv(t, 5)
	av := env.group("AVChatRoom")
	work := env.group("Work")
	public := env.group("Public")
	future := time.Now().Add(48 * time.Hour).Unix()
	noWrites := calls(env, map[string]int{"import_group_member": 0, "delete_group_member": 0, "modify_group_member_info": 0})
	cases := []struct {
		name   string
		config string
		err    string
	}{
		{"avchatroom", env.membersConfig(av, false, membersHCL(`user0001`)), `AVChatRoom groups have no member list`},
		{"admin in work group", env.membersConfig(work, false, membersHCL(`user0001=role = "Admin"`, `user0002`)), `(?s)no Admin role.*user0001`},
		{"owner declared", env.membersConfig(public, false, membersHCL(`owner`, `user0001`)), `(?s)"owner" owns group`},
		{"join_time before creation", env.membersConfig(public, false, membersHCL(`user0001=join_time = 1500000000`, `user0002`)), `(?s)join_time before the group was created.*user0001`},
		{"join_time in the future", env.membersConfig(public, false, membersHCL(fmt.Sprintf(`user0003=join_time = %d`, future))), `join_time in the future`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env.emu.ResetStats()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config,
					ExpectError: regexp.MustCompile(tc.err),
				}},
			})
			if err := noWrites.(callCheck).check(); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Existing members of the group are untouched by any of the above.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:            env.membersConfig(work, false, membersHCL(`user0001`, `user0002`)),
			ConfigPlanChecks:  emptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{env: env, address: membersAddr, groupID: work, wantSize: 2}},
		}},
	})
}
