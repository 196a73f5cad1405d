package provider

import "github.com/hashicorp/terraform-plugin-go/tfprotov6"

// ForgetPlanChecks makes a configured server forget its plans' account
// checks. Terraform starts a new provider process for each walk, which knows
// nothing of an earlier walk's checks; the protocol benchmarks, which keep
// one server, call it before each plan to count calls as Terraform would.
func ForgetPlanChecks(s tfprotov6.ProviderServer) {
	data := s.(*server).protocol[groupMembersTypeName].(*groupMembersResource).provider.configured.Load()
	data.accounts.mu.Lock()
	defer data.accounts.mu.Unlock()
	data.accounts.planned, data.accounts.checked = nil, nil
}
