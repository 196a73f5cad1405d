package provider

import (
	"fmt"
	"testing"
)

func TestChangeSummary(t *testing.T) {
	state := func(n int, role string) groupMembersValue {
		m := groupMembersModel{ID: "g", GroupID: "g", Members: map[string]memberModel{}}
		for i := range n {
			jt := int64(1_600_000_000 + i)
			m.Members[fmt.Sprintf("u%05d", i)] = memberModel{Role: role, JoinTime: &jt}
		}
		return m.value()
	}
	unknownRole := state(200, "Member")
	e := unknownRole.members.elems["u00007"]
	e.role = unknownString()
	unknownRole.members.elems["u00007"] = e
	// 120 members get a name card; 30 of them change role too.
	withCards := state(150, "Member")
	for i := range 150 {
		a := fmt.Sprintf("u%05d", i)
		e := withCards.members.elems[a]
		if i < 30 {
			e.role = known("Admin")
		}
		if i < 120 {
			e.nameCard = known("card")
		}
		withCards.members.elems[a] = e
	}
	unknownCard := state(200, "Member")
	e = unknownCard.members.elems["u00003"]
	e.nameCard = unknownString()
	unknownCard.members.elems["u00003"] = e
	for _, tc := range []struct {
		name           string
		prior, planned groupMembersValue
		cap            int
		want           string
	}{
		{"small changes stay quiet", state(10, "Member"), state(110, "Member"), 300, ""},
		{"exactly the threshold stays quiet", state(0, "Member"), state(100, "Member"), 300, ""},
		{"imports and roles", state(50, "Admin"), state(1250, "Member"), 300,
			"This apply imports 1,200 members in 4 calls, changes 50 roles, one call each. Imports go in batches of 300, the most the server has accepted so far; a server that takes fewer makes more calls."},
		{"removals at a smaller cap", state(1230, "Member"), state(1000, "Member"), 20,
			"This apply removes 230 members in 3 calls. Imports go in batches of 20, the most the server has accepted so far; a server that takes fewer makes more calls."},
		{"create says up to", groupMembersValue{}, state(101, "Member"), 100,
			"This apply imports up to 101 members in 2 calls. Imports go in batches of 100, the most the server has accepted so far; a server that takes fewer makes more calls."},
		{"an unknown role makes no guess", state(0, "Member"), unknownRole, 300, ""},
		{"roles and profiles share one call per member", state(150, "Member"), withCards, 300,
			"This apply changes 30 roles and the name card or custom data of 120 members in 120 calls, one per member. Imports go in batches of 300, the most the server has accepted so far; a server that takes fewer makes more calls."},
		{"an unknown name card makes no guess", state(0, "Member"), unknownCard, 300, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := changeSummary(tc.prior, tc.planned, newPlanFacts(tc.prior, tc.planned), tc.cap); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
