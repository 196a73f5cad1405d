package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tencentim/terraform-provider-tencentim/internal/members"
)

// largeChangeMembers is how many affected members make a plan say what its
// apply will cost; smaller plans stay quiet.
const largeChangeMembers = 100

// planFacts are a plan's declared members and the prior state's members as
// the engine sees them, built once for the live-group checks and the summary.
type planFacts struct {
	declared map[string]members.Declared // nil when the members are unknown
	live     map[string]members.Live     // the prior state's members
}

func newPlanFacts(prior, planned groupMembersValue) planFacts {
	f := planFacts{live: make(map[string]members.Live, len(prior.members.elems))}
	for a, e := range prior.members.elems {
		// The prior state's profile fields are the server's as far as they
		// are managed.
		m := e.model()
		l := members.Live{Role: m.Role, CustomData: m.CustomData}
		if m.JoinTime != nil {
			l.JoinTime = *m.JoinTime
		}
		if m.NameCard != nil {
			l.NameCard = *m.NameCard
		}
		f.live[a] = l
	}
	if planned.members.p == isKnown {
		f.declared = make(map[string]members.Declared, len(planned.members.elems))
		for a, e := range planned.members.elems {
			f.declared[a] = e.model().declared()
		}
	}
	return f
}

// changeSummary says, for a plan that affects more than largeChangeMembers
// members, how many members the apply imports, removes and changes, and in
// how many calls, or "". importCap is the import batch size the provider
// would send now; the server may make it smaller (300, 100, 20).
func changeSummary(priorV, plannedV groupMembersValue, f planFacts, importCap int) string {
	if plannedV.members.p != isKnown || plannedV.exclusive.p == isUnknown {
		return ""
	}
	for _, m := range plannedV.members.elems {
		if m.p != isKnown || m.role.p != isKnown || m.nameCard.p == isUnknown || m.customData.p == isUnknown || hasUnknown(m.customData) {
			return "" // the apply decides; any count would be a guess
		}
	}
	creating := priorV.p == isNull
	managed := func(a string) bool { _, ok := f.live[a]; return ok }
	c := members.Diff(f.declared, f.live, managed, plannedV.exclusive.b)
	// One modify_group_member_info per member whose role or profile
	// changes: the role and the profile of one member share it.
	modified := make(map[string]bool, len(c.RoleChanges)+len(c.Profiles))
	for _, rc := range c.RoleChanges {
		modified[rc.Account] = true
	}
	for _, pc := range c.Profiles {
		modified[pc.Account] = true
	}
	if len(c.Import)+len(c.Remove)+len(modified)-len(c.Rejoin) <= largeChangeMembers {
		return ""
	}
	var parts []string
	if n := len(c.Import); n > 0 {
		verb := "imports"
		if creating {
			verb = "imports up to" // members already in the group are adopted
		}
		parts = append(parts, fmt.Sprintf("%s %s in %s", verb, count(n, "member"), count(ceilDiv(n, importCap), "call")))
	}
	if n := len(c.Remove); n > 0 {
		parts = append(parts, fmt.Sprintf("removes %s in %s", count(n, "member"), count(ceilDiv(n, 100), "call")))
	}
	switch roles, profiles := len(c.RoleChanges), len(c.Profiles); {
	case profiles == 0 && roles > 0:
		parts = append(parts, fmt.Sprintf("changes %s, one call each", count(roles, "role")))
	case profiles > 0 && roles == 0:
		parts = append(parts, fmt.Sprintf("sets the name card or custom data of %s, one call each", count(profiles, "member")))
	case profiles > 0:
		parts = append(parts, fmt.Sprintf("changes %s and the name card or custom data of %s in %s, one per member", count(roles, "role"), count(profiles, "member"), count(len(modified), "call")))
	}
	s := "This apply " + strings.Join(parts, ", ") + "."
	if len(c.Rejoin) > 0 {
		s += fmt.Sprintf(" %s are removed and imported again for a new join_time.", count(len(c.Rejoin), "member"))
	}
	return s + fmt.Sprintf(" Imports go in batches of %d, the most the server has accepted so far; a server that takes fewer makes more calls.", importCap)
}

func hasUnknown(m wireStrings) bool {
	for _, v := range m.elems {
		if v.p == isUnknown {
			return true
		}
	}
	return false
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// count is "1 member" or "1,200 members".
func count(n int, noun string) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if n != 1 {
		noun += "s"
	}
	return s + " " + noun
}
