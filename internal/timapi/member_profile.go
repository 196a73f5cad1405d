package timapi

import (
	"context"
	"maps"
	"slices"
)

// A member's group profile: its name card and the app's custom member
// fields (AppMemberDefinedData). The documented limits (QD 群组系统
// "自定义字段" @01e4cc2f, QD 修改群成员资料 @02785b13): at most 5 custom
// member fields per app, configured in the console; a key of at most 16
// bytes of letters, digits and underscores; a member's value of at most 64
// bytes; a name card of at most 50 bytes. The server refuses more with 10004.
const (
	MaxNameCardBytes        = 50
	MaxCustomDataKeys       = 5
	MaxCustomDataKeyBytes   = 16
	MaxCustomDataValueBytes = 64
)

// ValidCustomDataKey reports whether k can name a custom member field.
func ValidCustomDataKey(k string) bool {
	if k == "" || len(k) > MaxCustomDataKeyBytes {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

const modifyMemberCommand = "modify_group_member_info"

// MemberChange is what one modify_group_member_info changes of a member;
// what it leaves zero stays as it is.
type MemberChange struct {
	Role     string  // "Admin" or "Member"; "" leaves the role
	NameCard *string // nil leaves the name card; "" clears it
	// CustomData sets the custom member fields it names; "" clears one. The
	// fields it does not name are left as they are.
	CustomData map[string]string
}

// Empty reports whether the change would change nothing.
func (m MemberChange) Empty() bool {
	return m.Role == "" && m.NameCard == nil && len(m.CustomData) == 0
}

type definedDataJSON struct {
	Key   string
	Value string
}

// ModifyGroupMember changes one member's role, name card and custom fields
// in one modify_group_member_info call (the API takes one member per call).
// An empty change makes no call. Custom fields are sent in key order.
func (c *Client) ModifyGroupMember(ctx context.Context, groupID, account string, ch MemberChange) error {
	if ch.Empty() {
		return nil
	}
	req := struct {
		GroupID  string            `json:"GroupId"`
		Account  string            `json:"Member_Account"`
		Role     string            `json:",omitempty"`
		NameCard *string           `json:",omitempty"`
		Data     []definedDataJSON `json:"AppMemberDefinedData,omitempty"`
	}{GroupID: groupID, Account: account, Role: ch.Role, NameCard: ch.NameCard}
	for _, k := range slices.Sorted(maps.Keys(ch.CustomData)) {
		req.Data = append(req.Data, definedDataJSON{Key: k, Value: ch.CustomData[k]})
	}
	return c.Call(ctx, groupService, modifyMemberCommand, req, nil)
}

// customData is the AppMemberDefinedData of a member answer as a map of the
// fields with a value (nil when none); a repeated key keeps its last value.
func customData(list []definedDataJSON) map[string]string {
	var out map[string]string
	for _, d := range list {
		if d.Key == "" {
			continue
		}
		if d.Value == "" {
			delete(out, d.Key)
			continue
		}
		if out == nil {
			out = make(map[string]string, len(list))
		}
		out[d.Key] = d.Value
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
