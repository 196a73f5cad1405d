package timapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// listEnv is an in-process emulator with the test app and its admin.
type listEnv struct {
	emu *emulator.Emulator
	url string
}

func newListEnv(t *testing.T, s emulator.Settings) *listEnv {
	t.Helper()
	emu := emulator.New(emulator.Options{Settings: s})
	emu.AddApp(testAppID, testKey, testIdentifier)
	emu.AddAccounts(testAppID, "owner")
	url, stop := emu.Start()
	t.Cleanup(stop)
	return &listEnv{emu: emu, url: url}
}

// seed makes n groups of each type, in turn, and returns their IDs in
// creation order, all and by REST type.
func (e *listEnv) seed(t *testing.T, n int, types ...string) (all []string, byType map[string][]string) {
	t.Helper()
	byType = map[string][]string{}
	for range n {
		for _, typ := range types {
			id, err := e.emu.AddGroup(testAppID, emulator.Group{Type: typ, Name: "g", Owner: "owner"})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, id)
			byType[RESTGroupType(typ)] = append(byType[RESTGroupType(typ)], id)
		}
	}
	return all, byType
}

// listCalls is the get_appid_group_list calls the emulator answered, and
// how many of them it refused as too frequent.
func (e *listEnv) listCalls() (ok, throttled int) {
	for _, r := range e.emu.Log() {
		switch {
		case r.Command != getAppGroupListCommand:
		case r.ErrorCode == 0:
			ok++
		case r.ErrorCode == 10006:
			throttled++
		}
	}
	return ok, throttled
}

func TestListAppGroupsPages(t *testing.T) {
	e := newListEnv(t, emulator.Settings{CommandRateScale: -1})
	c, _ := newClient(t, e.url)
	if ids, err := c.ListAppGroups(t.Context(), ""); err != nil || len(ids) != 0 {
		t.Fatalf("empty app: %v, %v", ids, err)
	}
	// 20,005 groups: two full pages and one of five.
	all, byType := e.seed(t, 10_001, "Public", "Work")
	community, _ := e.seed(t, 3, "Community")
	all = append(all, community...)
	e.emu.ResetStats()
	ids, err := c.ListAppGroups(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, all) {
		t.Fatalf("listed %d groups, want the %d seeded, in creation order", len(ids), len(all))
	}
	if s := e.emu.Stats()[getAppGroupListCommand]; s.Calls != 3 || !slices.Equal(s.Members, []int{10000, 10000, 5}) {
		t.Fatalf("calls %+v, want pages of 10000, 10000 and 5", s)
	}
	// A type: its REST name is sent (the emulator refuses Work by default).
	for typ, want := range map[string][]string{"Work": byType["Private"], "Private": byType["Private"], "Public": byType["Public"], "Community": community, "AVChatRoom": nil} {
		e.emu.ResetStats()
		got, err := c.ListAppGroups(t.Context(), typ)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d groups, want %d", typ, len(got), len(want))
		}
		if calls, want := e.emu.Stats()[getAppGroupListCommand].Calls, max(1, (len(want)+9999)/10000); calls != want {
			t.Errorf("%s: %d calls, want %d", typ, calls, want)
		}
	}
}

// What is sent: Limit 10000, Next 0 and then the answer's Next, GroupType
// only when asked for.
func TestListAppGroupsRequests(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, rec recorded, n int) {
		next := map[int]int64{1: 4454685361, 2: 77}[n]
		writeJSON(w, ok(map[string]any{"TotalCount": 3, "GroupIdList": []map[string]string{{"GroupId": "g" + string(rune('0'+n))}}, "Next": next}))
	})
	c, _ := newClient(t, f.URL)
	ids, err := c.ListAppGroups(t.Context(), "Meeting")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"g1", "g2", "g3"}) {
		t.Fatalf("ids %v", ids)
	}
	var bodies []map[string]any
	for _, r := range f.requests() {
		if r.Path != "/v4/group_open_http_svc/get_appid_group_list" {
			t.Fatalf("path %s", r.Path)
		}
		var b map[string]any
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.UseNumber()
		if err := dec.Decode(&b); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	for i, next := range []string{"0", "4454685361", "77"} {
		b := bodies[i]
		if b["Limit"] != json.Number("10000") || b["Next"] != json.Number(next) || b["GroupType"] != "ChatRoom" || len(b) != 3 {
			t.Errorf("request %d: %v, want Limit 10000, Next %s, GroupType ChatRoom", i+1, b, next)
		}
	}
	// No type: no GroupType.
	f2 := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ recorded, _ int) {
		writeJSON(w, ok(map[string]any{"TotalCount": 0, "GroupIdList": []any{}, "Next": 0}))
	})
	c2, _ := newClient(t, f2.URL)
	if _, err := c2.ListAppGroups(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	if body := string(f2.requests()[0].Body); body != `{"Limit":10000,"Next":0}` {
		t.Errorf("body %s", body)
	}
}

// A server that ends a listing with an empty page (the docs' sample answer)
// costs one more call; the result is the same.
func TestListAppGroupsFinalEmptyPage(t *testing.T) {
	e := newListEnv(t, emulator.Settings{CommandRateScale: -1, GroupListFinalEmptyPage: true})
	all, _ := e.seed(t, 5, "Public", "ChatRoom")
	c, _ := newClient(t, e.url)
	ids, err := c.ListAppGroups(t.Context(), "")
	if err != nil || !slices.Equal(ids, all) {
		t.Fatalf("listed %v, %v; want %v", ids, err, all)
	}
	if s := e.emu.Stats()[getAppGroupListCommand]; s.Calls != 2 || !slices.Equal(s.Members, []int{10, 0}) {
		t.Fatalf("calls %+v, want a page of 10 and an empty one", s)
	}
}

// At the documented 1 call/s on both sides, pages are paced a second apart
// from each answer, and none is refused as too frequent.
func TestListAppGroupsRate(t *testing.T) {
	e := newListEnv(t, emulator.Settings{})
	all, _ := e.seed(t, 10_001, "Private")
	c, _ := newClient(t, e.url, func(cfg *Config) { cfg.RateLimit = 0; cfg.RequestTimeout = 10 * time.Second })
	start := time.Now()
	// Twice: three pages, the third a second after the second.
	for range 2 {
		ids, err := c.ListAppGroups(t.Context(), "")
		if err != nil || !slices.Equal(ids, all) {
			t.Fatalf("listed %d, %v; want %d", len(ids), err, len(all))
		}
	}
	ok, throttled := e.listCalls()
	if ok != 4 {
		t.Fatalf("%d successful calls, want 4", ok)
	}
	if elapsed := time.Since(start); elapsed < 3*time.Second {
		t.Fatalf("4 calls in %v: faster than 1 call/s", elapsed)
	}
	// Paced from each answer, no call reaches the server early.
	if throttled != 0 {
		t.Errorf("%d calls refused as too frequent, want 0", throttled)
	}
	t.Logf("%d calls, %d refused as too frequent, in %v", ok+throttled, throttled, time.Since(start).Round(time.Millisecond))
}

// Errors reach the caller as *APIError with the server's code: an invalid
// type (10004), an identifier that is not an app admin (60010, or 10007
// under the other reading).
func TestListAppGroupsErrors(t *testing.T) {
	e := newListEnv(t, emulator.Settings{CommandRateScale: -1})
	e.seed(t, 1, "Public")
	c, _ := newClient(t, e.url)
	_, err := c.ListAppGroups(t.Context(), "BigGroup")
	if a := apiErr(t, err); a.Code != 10004 || a.Command != getAppGroupListCommand || !strings.Contains(a.Info, "GroupType") {
		t.Fatalf("invalid type: %+v", a)
	}
	e.emu.AddAccounts(testAppID, "user1")
	notAdmin, _ := newClient(t, e.url, func(cfg *Config) { cfg.Identifier = "user1" })
	_, err = notAdmin.ListAppGroups(t.Context(), "")
	if a := apiErr(t, err); a.Code != 60010 || !IsAuth(err) {
		t.Fatalf("non-admin: %+v", a)
	}
	e.emu.UpdateSettings(func(s *emulator.Settings) { s.GroupListNonAdmin10007 = true })
	_, err = notAdmin.ListAppGroups(t.Context(), "")
	if a := apiErr(t, err); a.Code != 10007 {
		t.Fatalf("non-admin under GroupListNonAdmin10007: %+v", a)
	}
}

// Malformed answers fail instead of looping or listing nonsense.
func TestListAppGroupsMalformed(t *testing.T) {
	for name, c := range map[string]struct {
		page func(n int) map[string]any
		want string
	}{
		"repeating cursor": {func(int) map[string]any {
			return ok(map[string]any{"GroupIdList": []map[string]string{{"GroupId": "g"}}, "Next": 5})
		}, "Next cursor 5 repeated after 2 pages"},
		"element without GroupId": {func(int) map[string]any {
			return ok(map[string]any{"GroupIdList": []map[string]string{{"GroupId": "g"}, {}}, "Next": 0})
		}, "without a GroupId (element 1)"},
		"Next as a string": {func(int) map[string]any {
			return ok(map[string]any{"GroupIdList": []any{}, "Next": "12"})
		}, getAppGroupListCommand},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ recorded, n int) {
				writeJSON(w, c.page(n))
			})
			cl, _ := newClient(t, f.URL)
			ids, err := cl.ListAppGroups(t.Context(), "")
			if err == nil || !strings.Contains(err.Error(), c.want) || ids != nil {
				t.Fatalf("ids %v, err %v; want no IDs and an error containing %q", ids, err, c.want)
			}
		})
	}
}
