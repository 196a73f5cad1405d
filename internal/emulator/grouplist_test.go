package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// get_appid_group_list as QD 获取APP中的所有群组.md @1f1e5e90 documents it.

// listPage is one decoded get_appid_group_list answer.
type listPage struct {
	total int64
	ids   []string
	next  int64
}

func (v *env) listGroups(body M) listPage {
	v.t.Helper()
	r := v.mustOK(getAppIDGroupList, body)
	for _, k := range []string{"TotalCount", "GroupIdList", "Next"} {
		if _, ok := r[k]; !ok {
			v.t.Fatalf("answer lacks %s: %v", k, r)
		}
	}
	p := listPage{total: num(r["TotalCount"]), next: num(r["Next"]), ids: []string{}}
	for _, x := range r.list("GroupIdList") {
		m := x.(map[string]any)
		if len(m) != 1 {
			v.t.Fatalf("GroupIdList element %v has fields besides GroupId", m)
		}
		p.ids = append(p.ids, m["GroupId"].(string))
	}
	return p
}

// listAll pages with limit from Next 0 until Next comes back 0 and returns
// the IDs and the number of calls.
func (v *env) listAll(limit int, groupType string) (ids []string, calls int) {
	v.t.Helper()
	next := int64(0)
	for {
		body := M{"Limit": limit, "Next": next}
		if groupType != "" {
			body["GroupType"] = groupType
		}
		p := v.listGroups(body)
		calls++
		ids = append(ids, p.ids...)
		if p.next == 0 {
			return ids, calls
		}
		if p.next == next {
			v.t.Fatalf("Next %d repeated", next)
		}
		next = p.next
	}
}

// seedTypes makes n groups of each type, interleaved, and returns all IDs
// and the IDs of each REST type in creation order.
func seedTypes(v *env, n int) (all []string, byType map[string][]string) {
	v.t.Helper()
	byType = map[string][]string{}
	for range n {
		// Seeded under the client-SDK names too: the documented ones are stored.
		for _, typ := range []string{"Public", "Work", "ChatRoom", "AVChatRoom", "Community", "Meeting", "Private"} {
			id := v.group(typ, "user1")
			all = append(all, id)
			rest := map[string]string{"Work": "Private", "Meeting": "ChatRoom"}[typ]
			if rest == "" {
				rest = typ
			}
			byType[rest] = append(byType[rest], id)
		}
	}
	return all, byType
}

func TestGroupListPaging(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	if p := v.listGroups(M{}); p.total != 0 || len(p.ids) != 0 || p.next != 0 {
		t.Fatalf("empty app: %+v, want TotalCount 0, no IDs, Next 0", p)
	}
	all, _ := seedTypes(v, 3) // 21 groups
	// The basic form lists everything, in creation order, and is done.
	if p := v.listGroups(M{}); p.total != 21 || !slices.Equal(p.ids, all) || p.next != 0 {
		t.Fatalf("basic form: %+v, want all 21 in creation order and Next 0", p)
	}
	// Pages of every size add up to the same list; the last page (also when
	// it is full) says Next 0, and TotalCount ignores Limit and Next.
	for _, limit := range []int{1, 2, 5, 7, 20, 21, 22, 10000} {
		next, calls := int64(0), 0
		var got []string
		for {
			p := v.listGroups(M{"Limit": limit, "Next": next})
			calls++
			if p.total != 21 {
				t.Fatalf("Limit %d, Next %d: TotalCount %d, want 21", limit, next, p.total)
			}
			if len(p.ids) > limit || (p.next != 0 && len(p.ids) != limit) {
				t.Fatalf("Limit %d: a page of %d with Next %d", limit, len(p.ids), p.next)
			}
			got = append(got, p.ids...)
			if p.next == 0 {
				break
			}
			next = p.next
		}
		if want := (21 + limit - 1) / limit; calls != want || !slices.Equal(got, all) {
			t.Fatalf("Limit %d: %d calls listing %v, want %d calls listing %v", limit, calls, got, want, all)
		}
	}
	// Limit 0 is the default, 10000.
	if p := v.listGroups(M{"Limit": 0, "Next": 0}); len(p.ids) != 21 || p.next != 0 {
		t.Fatalf("Limit 0: %+v", p)
	}
	// The stats count the IDs of each page.
	v.e.ResetStats()
	v.listGroups(M{"Limit": 4})
	if s := v.e.Stats()[getAppIDGroupList]; s.Calls != 1 || !slices.Equal(s.Members, []int{4}) {
		t.Fatalf("stats %+v, want one call of 4", s)
	}
}

// The cursor is a place in creation order, so groups created or dismissed
// between two pages shift nothing: a listing sees every group that lasts
// it exactly once, and new groups come last.
func TestGroupListCursorSurvivesChanges(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	var ids []string
	for range 6 {
		ids = append(ids, v.group("Public", "user1"))
	}
	p1 := v.listGroups(M{"Limit": 3, "Next": 0})
	if !slices.Equal(p1.ids, ids[:3]) {
		t.Fatalf("first page %v, want %v", p1.ids, ids[:3])
	}
	// The last listed group and one not yet listed go; a new one comes,
	// created through the API and back-dated: creation order, not
	// CreateTime, decides.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(v.e.DeleteGroup(testApp, ids[2]))
	v.mustOK("destroy_group", M{"GroupId": ids[3]})
	created := v.mustOK("import_group", M{"Type": "Public", "Name": "late", "CreateTime": t0 - 5000})["GroupId"].(string)
	p2 := v.listGroups(M{"Limit": 3, "Next": p1.next})
	if want := []string{ids[4], ids[5], created}; !slices.Equal(p2.ids, want) || p2.next != 0 || p2.total != 5 {
		t.Fatalf("second page %+v, want %v, Next 0, TotalCount 5", p2, want)
	}
	// A cursor past every group is an empty, final page.
	if p := v.listGroups(M{"Next": p1.next + 1_000_000_000}); len(p.ids) != 0 || p.next != 0 || p.total != 5 {
		t.Fatalf("past the end: %+v", p)
	}
}

// The reading of the docs' sample answer: Next stays non-zero while a page
// lists groups, and the listing ends with an empty page.
func TestGroupListFinalEmptyPage(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1, GroupListFinalEmptyPage: true})
	all, byType := seedTypes(v, 2) // 14 groups
	p := v.listGroups(M{})
	if !slices.Equal(p.ids, all) || p.next == 0 {
		t.Fatalf("basic form %+v, want all 14 and a non-zero Next", p)
	}
	if last := v.listGroups(M{"Next": p.next}); len(last.ids) != 0 || last.next != 0 || last.total != 14 {
		t.Fatalf("after the last group: %+v, want no IDs, Next 0, TotalCount 14", last)
	}
	for _, c := range []struct {
		limit, calls int
		groupType    string
		want         []string
	}{
		{7, 3, "", all}, // two full pages, then the empty one
		{5, 4, "", all}, // 5, 5, 4: the short page still has a Next
		{1, 3, "Community", byType["Community"]},
		{10, 1, bChatRoom, nil},
	} {
		got, calls := v.listAll(c.limit, c.groupType)
		if calls != c.calls || !slices.Equal(got, c.want) {
			t.Errorf("Limit %d %s: %d calls listing %v, want %d listing %v", c.limit, c.groupType, calls, got, c.calls, c.want)
		}
	}
	// By default the same listings take one call fewer.
	v.e.UpdateSettings(func(s *Settings) { s.GroupListFinalEmptyPage = false })
	if _, calls := v.listAll(7, ""); calls != 2 {
		t.Errorf("default reading: %d calls for 14 groups at Limit 7, want 2", calls)
	}
}

func TestGroupListTypeFilter(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	all, byType := seedTypes(v, 3)
	// Three of each type, and three more Private and ChatRoom groups seeded
	// as Work and Meeting.
	for typ, n := range map[string]int64{"Public": 3, "Private": 6, "ChatRoom": 6, "AVChatRoom": 3, "Community": 3} {
		want := byType[typ]
		if int64(len(want)) != n {
			t.Fatalf("seeded %d %s groups, want %d", len(want), typ, n)
		}
		p := v.listGroups(M{"GroupType": typ})
		if p.total != n || !slices.Equal(p.ids, want) || p.next != 0 {
			t.Errorf("GroupType %s: %+v, want TotalCount %d and %v", typ, p, n, want)
		}
		// Filtered pages: TotalCount is the type's, Next the type's cursor.
		got, calls := v.listAll(2, typ)
		if wantCalls := int((n + 1) / 2); calls != wantCalls || !slices.Equal(got, want) {
			t.Errorf("GroupType %s in pages of 2: %d calls listing %v, want %d listing %v", typ, calls, got, wantCalls, want)
		}
		if p1 := v.listGroups(M{"GroupType": typ, "Limit": 2, "Next": 0}); p1.total != n || p1.next == 0 {
			t.Errorf("GroupType %s, first page of 2: %+v, want TotalCount %d and a cursor", typ, p1, n)
		}
	}
	// BChatRoom is documented, and no group here has it.
	if p := v.listGroups(M{"GroupType": bChatRoom}); p.total != 0 || len(p.ids) != 0 || p.next != 0 {
		t.Errorf("BChatRoom: %+v", p)
	}
	// An empty GroupType is no filter.
	if p := v.listGroups(M{"GroupType": ""}); p.total != 21 || !slices.Equal(p.ids, all) {
		t.Errorf(`GroupType "": %+v`, p)
	}
	// Work and Meeting are client-SDK names: refused, naming the REST name,
	// unless AcceptClientTypeNames allows them.
	for alias, rest := range map[string]string{"Work": "Private", "Meeting": "ChatRoom"} {
		r := v.wantCode(10004, getAppIDGroupList, M{"GroupType": alias})
		if !strings.Contains(r.info(), "use "+rest) {
			t.Errorf("GroupType %s: ErrorInfo %q does not name %s", alias, r.info(), rest)
		}
	}
	v.e.UpdateSettings(func(s *Settings) { s.AcceptClientTypeNames = true })
	if p := v.listGroups(M{"GroupType": "Work"}); !slices.Equal(p.ids, byType["Private"]) || p.total != 6 {
		t.Errorf("GroupType Work, accepted: %+v, want the Private groups", p)
	}
	if p := v.listGroups(M{"GroupType": "Meeting"}); !slices.Equal(p.ids, byType["ChatRoom"]) {
		t.Errorf("GroupType Meeting, accepted: %+v, want the ChatRoom groups", p)
	}
}

func TestGroupListInvalidInput(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	v.group("Public", "user1")
	for _, c := range []struct {
		body string
		info string // a word the ErrorInfo must contain
	}{
		{`{"Limit":10001}`, "Limit"},
		{`{"Limit":-1}`, "Limit"},
		{`{"Limit":"10"}`, "Limit"},
		{`{"Limit":1.5}`, "Limit"},
		{`{"Next":-1}`, "Next"},
		{`{"Next":"0"}`, "Next"},
		{`{"Next":[]}`, "Next"},
		{`{"GroupType":"Group"}`, "GroupType"},
		{`{"GroupType":"public"}`, "GroupType"}, // names are case-sensitive
		{`{"GroupType":1}`, "GroupType"},
		{`{"GroupType":["Public"]}`, "GroupType"},
	} {
		r := v.wantCode(10004, getAppIDGroupList, c.body)
		if !strings.Contains(r.info(), c.info) {
			t.Errorf("%s: ErrorInfo %q does not name %s", c.body, r.info(), c.info)
		}
	}
	// Not a JSON object.
	v.wantCode(60003, getAppIDGroupList, `[]`)
	// null is absent.
	if p := v.listGroups(M{"Limit": nil, "Next": nil, "GroupType": nil}); len(p.ids) != 1 || p.next != 0 {
		t.Errorf("null fields: %+v", p)
	}
}

// An identifier that is not an app admin: the common 60010 by default, the
// page's own 10007 under the other reading.
func TestGroupListNonAdmin(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	sig, err := usersig.Generate(testApp, testKey, "user1", time.Hour, time.Unix(t0, 0))
	if err != nil {
		t.Fatal(err)
	}
	call := func() resp {
		t.Helper()
		status, raw := v.raw(http.MethodPost, "/v4/group_open_http_svc/"+getAppIDGroupList, v.query("user1", sig, testApp), `{}`)
		if status != http.StatusOK {
			t.Fatalf("HTTP %d", status)
		}
		return decode(t, raw)
	}
	if r := call(); r.code() != 60010 {
		t.Fatalf("non-admin: %d %q, want 60010", r.code(), r.info())
	}
	v.e.UpdateSettings(func(s *Settings) { s.GroupListNonAdmin10007 = true })
	if r := call(); r.code() != 10007 || !strings.Contains(r.info(), "App admin") {
		t.Fatalf("non-admin under GroupListNonAdmin10007: %d %q, want 10007", r.code(), r.info())
	}
	// Only this command answers 10007; the admin still lists.
	status, raw := v.raw(http.MethodPost, groupPath, v.query("user1", sig, testApp), `{"GroupIdList":["x"]}`)
	if r := decode(t, raw); status != http.StatusOK || r.code() != 60010 {
		t.Fatalf("get_group_info from a non-admin: %d", r.code())
	}
	v.listGroups(M{})
}

// The documented 1 call/s, per app, with a burst of one: a second call
// within the second is refused with 10006 naming the command, other
// commands are not affected, and a second later the call passes again.
func TestGroupListRate(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	start := time.Now()
	v.listGroups(M{})
	r := v.call(getAppIDGroupList, M{})
	if time.Since(start) < time.Second {
		if r.code() != 10006 || !strings.Contains(r.info(), getAppIDGroupList) || !strings.Contains(r.info(), "1/s") {
			t.Fatalf("second call within a second: %d %q, want 10006 naming the command and 1/s", r.code(), r.info())
		}
	}
	v.mustOK("get_group_info", M{"GroupIdList": []string{g}})
	time.Sleep(time.Until(start.Add(1100 * time.Millisecond)))
	v.listGroups(M{})
	// Ten calls at once: one passes.
	time.Sleep(1100 * time.Millisecond)
	passed := 0
	for range 10 {
		switch r := v.call(getAppIDGroupList, M{}); r.code() {
		case 0:
			passed++
		case 10006:
		default:
			t.Fatalf("code %d %q", r.code(), r.info())
		}
	}
	if passed < 1 || passed > 2 {
		t.Fatalf("%d of 10 immediate calls passed, want 1 (2 if a second went by)", passed)
	}
}

// The default Limit is 10000: a larger app needs the paged form.
func TestGroupListDefaultLimit(t *testing.T) {
	v := newEnv(t, Settings{CommandRateScale: -1})
	for range maxGroupListLimit + 1 {
		v.group("Private", "")
	}
	p := v.listGroups(M{})
	if len(p.ids) != maxGroupListLimit || p.total != maxGroupListLimit+1 || p.next == 0 {
		t.Fatalf("basic form: %d IDs, TotalCount %d, Next %d; want 10000, 10001 and a cursor", len(p.ids), p.total, p.next)
	}
	if last := v.listGroups(M{"Next": p.next}); len(last.ids) != 1 || last.next != 0 || slices.Contains(p.ids, last.ids[0]) {
		t.Fatalf("second page %+v, want the one remaining group and Next 0", last)
	}
}
