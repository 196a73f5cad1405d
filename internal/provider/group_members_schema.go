package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const groupMembersTypeName = "tencentim_group_members"

// Attribute names of tencentim_group_members; they are a contract with
// users' configurations.
const (
	attrID           = "id"
	attrExclusive    = "exclusive"
	attrOwnerAccount = "owner_account"
	attrGroupType    = "group_type"
	attrGroupID      = "group_id"
	attrRole         = "role"
	attrMembers      = "members"
	attrJoinTime     = "join_time"
	attrUnreadMsgNum = "unread_msg_num"
	attrNameCard     = "name_card"
	attrCustomData   = "custom_data"
	attrTimeouts     = "timeouts"
)

// groupMembersValue is a tencentim_group_members value.
type groupMembersValue struct {
	p                                    presence
	id, groupID, ownerAccount, groupType wireString
	exclusive                            wireBool
	members                              wireMap[wireMember]
	timeouts                             timeoutsValue
}

type wireMember struct {
	p                presence
	role             wireString
	joinTime, unread wireNumber
	nameCard         wireString
	customData       wireStrings
}

// The table of tencentim_group_members: adding an attribute is a line here
// and a field above, plus what it means.
var (
	memberObject = newObject(func(m *wireMember) *presence { return &m.p },
		stringAttr(attrRole, optionalComputed, "`Admin` or `Member`. Defaults to `Member`. Work (Private) groups have no Admin role. A change is applied in place with `modify_group_member_info`.", func(m *wireMember) *wireString { return &m.role }, checkRole),
		numberAttr(attrJoinTime, optionalComputed, "When the member joined, in Unix seconds. It can only be set by importing the member: it must be after the group's creation and not in the future. When omitted, the server's value is read back and kept. Changing it on an existing member removes and re-imports that member.", func(m *wireMember) *wireNumber { return &m.joinTime }, checkJoinTime),
		numberAttr(attrUnreadMsgNum, optional, "Unread message count given to the member when imported. It is never read back, and changing it on an existing member changes nothing remotely.", func(m *wireMember) *wireNumber { return &m.unread }, checkUnread),
		stringAttr(attrNameCard, optional, "The member's name card (group nickname), at most 50 bytes of UTF-8. When set it is managed: given to a new member right after its import, and restored when it drifts; `\"\"` clears it. When omitted, the name card is not managed and never shows as drift. Set with `modify_group_member_info`, in the same call as a role change.", func(m *wireMember) *wireString { return &m.nameCard }, checkNameCard),
		stringMapAttr(attrCustomData, optional, "Custom member fields (`AppMemberDefinedData`), keyed by field name. Only the keys named here are managed; the member's other fields are left alone and never show as drift. An empty value clears that field. The fields must be configured for the app in the IM console: at most 5, each named by 1 to 16 bytes of letters, digits and underscores, with values of at most 64 bytes. Set with `modify_group_member_info`, in the same call as a role or name card change.", func(m *wireMember) *wireStrings { return &m.customData },
			stringMapKind[wireMember]{validKey: checkCustomDataKey, validValue: checkCustomDataValue, validMap: checkCustomData}),
	)
	groupMembersObject = newObject(func(v *groupMembersValue) *presence { return &v.p },
		stringAttr(attrID, computed, "The group ID; the same as `group_id`.", func(v *groupMembersValue) *wireString { return &v.id }, nil),
		stringAttr(attrGroupID, required, "The group to manage, e.g. `@TGS#2J4SZEAEL`. Changing it replaces the resource. AVChatRoom groups cannot be managed: they keep no member list.", func(v *groupMembersValue) *wireString { return &v.groupID }, checkGroupID),
		boolAttr(attrExclusive, optionalComputed, "When `true`, every member of the group that is not declared in `members` (except the owner) is removed, and members added outside Terraform show as drift. When `false` (the default), only the declared members are managed and others are left alone.", func(v *groupMembersValue) *wireBool { return &v.exclusive }),
		mapAttr(attrMembers, required, "The members, keyed by account (UserID). Accounts must already exist in the app. The group owner must not be declared: the owner is never imported, removed or changed by this resource. Terraform drops a misspelled attribute inside a member's object without an error (terraform#33570), so `name_crad = \"x\"` manages nothing: check the spelling of `name_card` and `custom_data`.", func(v *groupMembersValue) *wireMap[wireMember] { return &v.members }, memberObject, checkMemberKey),
		stringAttr(attrOwnerAccount, computed, "The group's owner, as reported by the server; empty for ownerless groups.", func(v *groupMembersValue) *wireString { return &v.ownerAccount }, nil),
		stringAttr(attrGroupType, computed, "The group's type, as the server reports it: its REST API names `Private` (the SDKs' Work), `Public`, `ChatRoom` (the SDKs' Meeting) or `Community`.", func(v *groupMembersValue) *wireString { return &v.groupType }, nil),
		objectAttr(attrTimeouts, optional, "Time limits for each operation.", func(v *groupMembersValue) *timeoutsValue { return &v.timeouts }, timeoutsObject),
	)
	groupMembers = newCodec(groupMembersTypeName, groupMembersObject)
)

const groupMembersDescription = "Manages the members of one Tencent Cloud Chat (IM) group: who they are, their role, and the join time and unread count they are imported with.\n\n" +
	"Every apply reads the live group once and makes the minimum calls: `import_group_member` in batches of up to 300, `delete_group_member` in batches of up to 100, and one `modify_group_member_info` per member whose role, name card or custom data changed. " +
	"A role change is an in-place update. Name cards and custom member fields are read only when some member declares them. Members that are already in the group are adopted, never re-added. If a call fails, the saved state holds exactly what the server holds, so the next apply carries on from there."

func groupMembersSchema() *tfprotov6.Schema {
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Description: groupMembersDescription, DescriptionKind: tfprotov6.StringKindMarkdown,
		Attributes: groupMembersObject.schemaAttributes(),
	}}
}

// Types of the values, for tests that build them with tftypes.
var (
	groupMembersType = groupMembers.typ
	memberObjectType = memberObject.tfType()
	membersMapType   = tftypes.Map{ElementType: memberObjectType}
	timeoutsType     = timeoutsObject.tfType()
)

func readValue(dv *tfprotov6.DynamicValue, diags *diagnostics, what string) (groupMembersValue, bool) {
	return groupMembers.read(dv, diags, what)
}

func writeValue(v groupMembersValue) *tfprotov6.DynamicValue { return groupMembers.write(v) }

// ------------------------------------------------------------ the checks

func checkRole(role string, c *checks) *problem {
	switch role {
	case members.RoleAdmin, members.RoleMember:
		return nil
	case members.RoleOwner:
		return &problem{"The owner role cannot be declared",
			fmt.Sprintf("%q has role \"Owner\". A group's owner is set when the group is created or with change_group_owner, never by this resource. Use \"Admin\" or \"Member\".", c.key)}
	}
	return &problem{"Invalid role", fmt.Sprintf("%q has role %q. Use \"Admin\" or \"Member\" (the default); roles are case-sensitive.", c.key, role)}
}

func checkJoinTime(jt int64, c *checks) *problem {
	switch {
	case jt <= 0:
		return &problem{"Invalid join_time", fmt.Sprintf("join_time of %q is %d; it must be a positive Unix time in seconds, after the group's creation.", c.key, jt)}
	case jt > c.now.Unix():
		return &problem{"join_time in the future",
			fmt.Sprintf("join_time of %q is %d (%s), after now; the API only imports members that joined in the past.", c.key, jt, time.Unix(jt, 0).UTC().Format(time.RFC3339))}
	}
	return nil
}

func checkNameCard(card string, c *checks) *problem {
	if len(card) > timapi.MaxNameCardBytes {
		return &problem{"Name card too long", fmt.Sprintf("The name card of %q is %d bytes; a name card is at most %d bytes of UTF-8 (a Chinese character takes 3).", c.key, len(card), timapi.MaxNameCardBytes)}
	}
	return nil
}

func checkCustomData(data map[string]wireString, c *checks) *problem {
	if len(data) > timapi.MaxCustomDataKeys {
		return &problem{"Too many custom member fields", fmt.Sprintf("%q has %d custom member fields; an app has at most %d, so no member can carry more.", c.key, len(data), timapi.MaxCustomDataKeys)}
	}
	return nil
}

func checkCustomDataKey(key string, c *checks) *problem {
	if !timapi.ValidCustomDataKey(key) {
		return &problem{"Invalid custom member field name", fmt.Sprintf("%q has a custom member field named %q. A field is named by 1 to %d bytes of letters, digits and underscores, as configured in the IM console.", c.key, key, timapi.MaxCustomDataKeyBytes)}
	}
	return nil
}

func checkCustomDataValue(key, value string, c *checks) *problem {
	if len(value) > timapi.MaxCustomDataValueBytes {
		return &problem{"Custom member field value too long", fmt.Sprintf("The custom member field %q of %q is %d bytes; a value is at most %d bytes.", key, c.key, len(value), timapi.MaxCustomDataValueBytes)}
	}
	return nil
}

func checkUnread(n int64, c *checks) *problem {
	if n < 0 {
		return &problem{"Invalid unread_msg_num", fmt.Sprintf("unread_msg_num of %q is %d; it must be zero or more.", c.key, n)}
	}
	return nil
}

// checkMemberKey applies tencentim_accounts' rule to a member key.
func checkMemberKey(account string) *problem {
	if account == "" {
		return &problem{"Empty account", "A member key is empty. Keys are the members' accounts (UserIDs)."}
	}
	if msg := userIDProblem(account); msg != "" {
		return &problem{"Invalid account", msg}
	}
	return nil
}

func checkGroupID(id string, _ *checks) *problem {
	var d diagnostics
	validateGroupID(id, nil, &d)
	if len(d) > 0 {
		return &problem{d[0].Summary, d[0].Detail}
	}
	return nil
}

// validateConfig checks every known value, so that a typo fails at validate
// or plan time, before any API call.
func validateConfig(config groupMembersValue, now time.Time, diags *diagnostics) {
	groupMembersObject.check(&config, &checks{diags: diags, now: now})
}
