package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

const groupMembersTypeName = "tencentim_group_members"

// Attribute names of tencentim_group_members; they are a contract with users'
// configurations.
const (
	attrID           = "id"
	attrGroupID      = "group_id"
	attrExclusive    = "exclusive"
	attrMembers      = "members"
	attrRole         = "role"
	attrJoinTime     = "join_time"
	attrUnreadMsgNum = "unread_msg_num"
	attrOwnerAccount = "owner_account"
	attrGroupType    = "group_type"
	attrTimeouts     = "timeouts"
)

var timeoutNames = []string{"create", "read", "update", "delete"}

var (
	memberObjectType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		attrRole:         tftypes.String,
		attrJoinTime:     tftypes.Number,
		attrUnreadMsgNum: tftypes.Number,
	}}
	membersMapType = tftypes.Map{ElementType: memberObjectType}
	timeoutsType   = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"create": tftypes.String, "read": tftypes.String, "update": tftypes.String, "delete": tftypes.String,
	}}
	groupMembersType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		attrID:           tftypes.String,
		attrGroupID:      tftypes.String,
		attrExclusive:    tftypes.Bool,
		attrMembers:      membersMapType,
		attrOwnerAccount: tftypes.String,
		attrGroupType:    tftypes.String,
		attrTimeouts:     timeoutsType,
	}}
)

func md(s string) (string, tfprotov6.StringKind) { return s, tfprotov6.StringKindMarkdown }

func attribute(name string, typ tftypes.Type, desc string, set func(*tfprotov6.SchemaAttribute)) *tfprotov6.SchemaAttribute {
	a := &tfprotov6.SchemaAttribute{Name: name, Type: typ}
	a.Description, a.DescriptionKind = md(desc)
	set(a)
	return a
}

func groupMembersSchema() *tfprotov6.Schema {
	required := func(a *tfprotov6.SchemaAttribute) { a.Required = true }
	optional := func(a *tfprotov6.SchemaAttribute) { a.Optional = true }
	optionalComputed := func(a *tfprotov6.SchemaAttribute) { a.Optional, a.Computed = true, true }
	computed := func(a *tfprotov6.SchemaAttribute) { a.Computed = true }

	timeoutAttrs := make([]*tfprotov6.SchemaAttribute, 0, len(timeoutNames))
	for _, op := range timeoutNames {
		timeoutAttrs = append(timeoutAttrs, attribute(op, tftypes.String,
			fmt.Sprintf("How long %s may take, as a duration such as `30m` or `1h`. Defaults to `%dm`.", op, int(defaultTimeout(op).Minutes())), optional))
	}

	s := &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Attributes: []*tfprotov6.SchemaAttribute{
			attribute(attrID, tftypes.String, "The group ID; the same as `group_id`.", computed),
			attribute(attrGroupID, tftypes.String, "The group to manage, e.g. `@TGS#2J4SZEAEL`. Changing it replaces the resource. AVChatRoom groups cannot be managed: they keep no member list.", required),
			attribute(attrExclusive, tftypes.Bool, "When `true`, every member of the group that is not declared in `members` (except the owner) is removed, and members added outside Terraform show as drift. When `false` (the default), only the declared members are managed and others are left alone.", optionalComputed),
			{
				Name: attrMembers,
				NestedType: &tfprotov6.SchemaObject{
					Nesting: tfprotov6.SchemaObjectNestingModeMap,
					Attributes: []*tfprotov6.SchemaAttribute{
						attribute(attrRole, tftypes.String, "`Admin` or `Member`. Defaults to `Member`. Work (Private) groups have no Admin role. A change is applied in place with `modify_group_member_info`.", optionalComputed),
						attribute(attrJoinTime, tftypes.Number, "When the member joined, in Unix seconds. It can only be set by importing the member: it must be after the group's creation and not in the future. When omitted, the server's value is read back and kept. Changing it on an existing member removes and re-imports that member.", optionalComputed),
						attribute(attrUnreadMsgNum, tftypes.Number, "Unread message count given to the member when imported. It is never read back, and changing it on an existing member changes nothing remotely.", optional),
					},
				},
				Required:        true,
				Description:     "The members, keyed by account (UserID). Accounts must already exist in the app. The group owner must not be declared: the owner is never imported, removed or changed by this resource.",
				DescriptionKind: tfprotov6.StringKindMarkdown,
			},
			attribute(attrOwnerAccount, tftypes.String, "The group's owner, as reported by the server; empty for ownerless groups.", computed),
			attribute(attrGroupType, tftypes.String, "The group's type, as the server reports it: its REST API names `Private` (the SDKs' Work), `Public`, `ChatRoom` (the SDKs' Meeting) or `Community`.", computed),
			{
				Name:            attrTimeouts,
				NestedType:      &tfprotov6.SchemaObject{Nesting: tfprotov6.SchemaObjectNestingModeSingle, Attributes: timeoutAttrs},
				Optional:        true,
				Description:     "Time limits for each operation.",
				DescriptionKind: tfprotov6.StringKindMarkdown,
			},
		},
	}}
	s.Block.Description, s.Block.DescriptionKind = md("Manages the members of one Tencent Cloud Chat (IM) group: who they are, their role, and the join time and unread count they are imported with.\n\n" +
		"Every apply reads the live group once and makes the minimum calls: `import_group_member` in batches of up to 300, `delete_group_member` in batches of up to 100, and one `modify_group_member_info` per role change. " +
		"A role change is an in-place update. Members that are already in the group are adopted, never re-added. If a call fails, the saved state holds exactly what the server holds, so the next apply carries on from there.")
	return s
}
