package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Resource identity (Terraform ≥ 1.12, OpenTofu ≥ 1.12): tencentim_group and
// tencentim_group_members are both identified by their group, the same value
// as their import ID. tencentim_accounts has none: it is a set of accounts
// the configuration chooses, with no server-side object of its own.

// identityGroupID is the one identity attribute of both group resources.
const identityGroupID = "group_id"

const groupIdentityDescription = "The group's ID, such as `@TGS#2J4SZEAEL`: the same value as the import ID."

var groupIdentityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{identityGroupID: tftypes.String}}

// groupIdentitySchema is the identity schema the protocol resource
// advertises; tencentim_group declares the same one through the framework.
func groupIdentitySchema() *tfprotov6.ResourceIdentitySchema {
	return &tfprotov6.ResourceIdentitySchema{
		Version: 0,
		IdentityAttributes: []*tfprotov6.ResourceIdentitySchemaAttribute{{
			Name: identityGroupID, Type: tftypes.String, RequiredForImport: true,
			Description: groupIdentityDescription,
		}},
	}
}

// groupIdentity is the identity of the group id names, or nil while there
// is none to give: for a null object, and for a group ID known only after
// apply. Terraform would take an unknown identity on a create, but OpenTofu
// 1.12 fails to save such a plan ("value is not known"), so none is planned
// then, as the framework does; the apply returns it.
func groupIdentity(id wireString) *tfprotov6.ResourceIdentityData {
	if id.p != isKnown {
		return nil
	}
	obj := tftypes.NewValue(groupIdentityType, map[string]tftypes.Value{identityGroupID: tftypes.NewValue(tftypes.String, id.s)})
	dv, err := tfprotov6.NewDynamicValue(groupIdentityType, obj)
	if err != nil {
		// A string in a fixed object type always encodes.
		panic(fmt.Sprintf("encoding the identity of group %q: %v", id.s, err))
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// stateIdentity is the identity of a resource whose value is v: none for a
// null (removed) object.
func stateIdentity(v groupMembersValue) *tfprotov6.ResourceIdentityData {
	if v.p != isKnown {
		return nil
	}
	return groupIdentity(v.groupID)
}

// identityGroupIDOf reads the group ID of an identity, as an import block's
// identity argument gives it.
func identityGroupIDOf(d *tfprotov6.ResourceIdentityData) (string, error) {
	if d == nil || d.IdentityData == nil {
		return "", fmt.Errorf("no identity was given")
	}
	tv, err := d.IdentityData.Unmarshal(groupIdentityType)
	if err != nil {
		return "", fmt.Errorf("the identity does not match {group_id = string}: %v", err)
	}
	var attrs map[string]tftypes.Value
	if err := tv.As(&attrs); err != nil {
		return "", fmt.Errorf("the identity is not an object: %v", err)
	}
	gid := attrs[identityGroupID]
	if !gid.IsKnown() || gid.IsNull() {
		return "", fmt.Errorf("group_id is null or unknown")
	}
	var s string
	if err := gid.As(&s); err != nil {
		return "", fmt.Errorf("group_id is not a string: %v", err)
	}
	return strings.TrimSpace(s), nil
}

// upgradeGroupIdentity answers UpgradeResourceIdentity: version 0 is the
// only one, so a saved identity is read and returned as it is.
func upgradeGroupIdentity(typeName string, req *tfprotov6.UpgradeResourceIdentityRequest) *tfprotov6.UpgradeResourceIdentityResponse {
	resp := &tfprotov6.UpgradeResourceIdentityResponse{}
	fail := func(detail string) *tfprotov6.UpgradeResourceIdentityResponse {
		resp.Diagnostics = unsupportedDiag("Unable to read the saved resource identity", detail)
		return resp
	}
	if req.Version != 0 {
		return fail(fmt.Sprintf("The state holds identity schema version %d of %s; this provider knows only version 0. Use the provider version that wrote the state, or remove the resource with `terraform state rm` and import it again by its group ID.", req.Version, typeName))
	}
	if req.RawIdentity == nil {
		return resp
	}
	tv, err := req.RawIdentity.UnmarshalWithOpts(groupIdentityType, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return fail(fmt.Sprintf("The saved identity of %s could not be decoded: %v. Remove the resource with `terraform state rm` and import it again by its group ID.", typeName, err))
	}
	dv, err := tfprotov6.NewDynamicValue(groupIdentityType, tv)
	if err != nil {
		return fail(fmt.Sprintf("The saved identity of %s could not be encoded: %v. This is a bug in the provider; please report it.", typeName, err))
	}
	resp.UpgradedIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &dv}
	return resp
}

// tencentim_accounts has no identity (see above); its
// UpgradeResourceIdentity stays unsupported.
func (r *accountsResource) identitySchema() *tfprotov6.ResourceIdentitySchema { return nil }
