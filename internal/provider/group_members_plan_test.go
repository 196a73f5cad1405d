package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func i64(v int64) *int64 { return &v }

func configValue(groupID tftypes.Value, members map[string]map[string]tftypes.Value) tftypes.Value {
	elems := map[string]tftypes.Value{}
	for a, attrs := range members {
		full := map[string]tftypes.Value{
			attrRole:         tftypes.NewValue(tftypes.String, nil),
			attrJoinTime:     tftypes.NewValue(tftypes.Number, nil),
			attrUnreadMsgNum: tftypes.NewValue(tftypes.Number, nil),
			attrNameCard:     tftypes.NewValue(tftypes.String, nil),
			attrCustomData:   tftypes.NewValue(stringMapType, nil),
		}
		for k, v := range attrs {
			full[k] = v
		}
		elems[a] = tftypes.NewValue(memberObjectType, full)
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           tftypes.NewValue(tftypes.String, nil),
		attrGroupID:      groupID,
		attrExclusive:    tftypes.NewValue(tftypes.Bool, nil),
		attrMembers:      tftypes.NewValue(membersMapType, elems),
		attrOwnerAccount: tftypes.NewValue(tftypes.String, nil),
		attrGroupType:    tftypes.NewValue(tftypes.String, nil),
		attrTimeouts:     tftypes.NewValue(timeoutsType, nil),
	})
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
func num(n int64) tftypes.Value  { return tftypes.NewValue(tftypes.Number, n) }

func TestPlanGroupMembers(t *testing.T) {
	prior := encodeGroupMembers(groupMembersModel{
		ID: "g1", GroupID: "g1", OwnerAccount: "boss", GroupType: "Public",
		Members: map[string]memberModel{
			"a": {Role: "Admin", JoinTime: i64(100), Unread: i64(3)},
			"b": {Role: "Member", JoinTime: i64(200)},
		},
	})
	config := configValue(str("g1"), map[string]map[string]tftypes.Value{
		"a": {attrRole: str("Admin"), attrUnreadMsgNum: num(4)}, // unread change: warning
		"b": {attrJoinTime: num(250)},                           // join_time change: warning
		"c": {},                                                 // new: role defaults, join_time unknown
	})
	var diags diagnostics
	planned, replace := planGroupMembers(config, prior, &diags)
	if len(replace) != 0 {
		t.Fatalf("unexpected replace %v", replace)
	}
	m, err := decodeGroupMembers(planned)
	if err != nil {
		t.Fatal(err)
	}
	// The owner is known after the apply (a hand-over may come first).
	if m.OwnerAccount != "" || m.GroupType != "Public" || m.ID != "g1" || m.Exclusive {
		t.Fatalf("computed values not kept: %+v", m)
	}
	// With nothing to change, the plan keeps the owner and stays empty.
	unchanged, _ := planGroupMembers(configValue(str("g1"), map[string]map[string]tftypes.Value{
		"a": {attrRole: str("Admin"), attrJoinTime: num(100), attrUnreadMsgNum: num(3)},
		"b": {attrJoinTime: num(200)},
	}), prior, &diagnostics{})
	if u, _ := decodeGroupMembers(unchanged); u.OwnerAccount != "boss" {
		t.Fatalf("owner %q planned for an unchanged resource, want boss kept", u.OwnerAccount)
	}
	if a := m.Members["a"]; a.Role != "Admin" || *a.JoinTime != 100 || *a.Unread != 4 {
		t.Fatalf("a = %+v", a)
	}
	if b := m.Members["b"]; b.Role != "Member" || *b.JoinTime != 250 {
		t.Fatalf("b = %+v", b)
	}
	c := m.Members["c"]
	if c.Role != "Member" || c.JoinTime != nil || c.Unread != nil {
		t.Fatalf("c = %+v", c)
	}
	var attrs, cAttrs map[string]tftypes.Value
	_ = planned.As(&attrs)
	var elems map[string]tftypes.Value
	_ = attrs[attrMembers].As(&elems)
	_ = elems["c"].As(&cAttrs)
	if cAttrs[attrJoinTime].IsKnown() {
		t.Fatalf("join_time of a new member must be unknown in the plan")
	}
	var warnings []string
	for _, d := range diags {
		if d.Severity != tfprotov6.DiagnosticSeverityWarning {
			t.Fatalf("unexpected diagnostic %+v", d)
		}
		warnings = append(warnings, d.Summary)
	}
	got := strings.Join(warnings, "|")
	if !strings.Contains(got, "re-imports") || !strings.Contains(got, "unread_msg_num") || len(warnings) != 2 {
		t.Fatalf("warnings = %q", got)
	}

	// A new group ID forces replacement and forgets computed values.
	planned, replace = planGroupMembers(configValue(str("g2"), nil), prior, &diags)
	if len(replace) != 1 || !replace[0].Equal(rootPath(attrGroupID)) {
		t.Fatalf("replace = %v", replace)
	}
	_ = planned.As(&attrs)
	if attrs[attrOwnerAccount].IsKnown() {
		t.Fatal("owner_account must be unknown for a new group")
	}

}

func TestPlanGroupMembersUnknownMembers(t *testing.T) {
	config := configValue(tftypes.NewValue(tftypes.String, tftypes.UnknownValue), nil)
	var attrs map[string]tftypes.Value
	_ = config.As(&attrs)
	attrs[attrMembers] = tftypes.NewValue(membersMapType, tftypes.UnknownValue)
	config = tftypes.NewValue(groupMembersType, attrs)
	var diags diagnostics
	planned, _ := planGroupMembers(config, tftypes.NewValue(groupMembersType, nil), &diags)
	_ = planned.As(&attrs)
	if attrs[attrMembers].IsKnown() || attrs[attrID].IsKnown() || diags.hasError() {
		t.Fatalf("unknowns not kept: %v %v", planned, diags)
	}
}

func TestValidateGroupMembersConfig(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cases := []struct {
		name    string
		groupID string
		account string
		attrs   map[string]tftypes.Value
		want    string // "" = valid
	}{
		{"valid", "@TGS#1", "alice", map[string]tftypes.Value{attrRole: str("Admin"), attrJoinTime: num(1_700_000_000), attrUnreadMsgNum: num(0)}, ""},
		{"empty group", "", "alice", nil, "Empty group_id"},
		{"long group", strings.Repeat("g", 49), "alice", nil, "at most 48 bytes"},
		{"empty account", "g", "", nil, "Empty account"},
		{"long account", "g", strings.Repeat("a", 33), nil, "at most 32 bytes"},
		{"control char", "g", "al\x01ice", nil, "non-printable"},
		{"non-ascii", "g", "álice", nil, "non-printable"},
		{"spaces", "g", " alice", nil, "leading or trailing"},
		{"bad role", "g", "alice", map[string]tftypes.Value{attrRole: str("admin")}, "Invalid role"},
		{"owner role", "g", "alice", map[string]tftypes.Value{attrRole: str("Owner")}, "owner role cannot be declared"},
		{"negative join", "g", "alice", map[string]tftypes.Value{attrJoinTime: num(-5)}, "positive Unix time"},
		{"future join", "g", "alice", map[string]tftypes.Value{attrJoinTime: num(1_900_000_000)}, "after now"},
		{"fractional join", "g", "alice", map[string]tftypes.Value{attrJoinTime: tftypes.NewValue(tftypes.Number, 1.5)}, "whole number"},
		{"negative unread", "g", "alice", map[string]tftypes.Value{attrUnreadMsgNum: num(-1)}, "zero or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var diags diagnostics
			validateGroupMembersConfig(configValue(str(tc.groupID), map[string]map[string]tftypes.Value{tc.account: tc.attrs}), now, &diags)
			var all []string
			for _, d := range diags {
				all = append(all, d.Summary+": "+d.Detail)
				if d.Attribute == nil {
					t.Errorf("diagnostic without attribute path: %s", d.Summary)
				}
			}
			got := strings.Join(all, "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("diagnostics = %q, want %q", got, tc.want)
			}
		})
	}
}
