package timapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// group simulates get_group_member_info for one group.
type group struct {
	t         *testing.T
	members   []Member
	community bool
	nextInt   bool          // Community cursor as a JSON integer instead of a string
	serverCap int           // the server returns at most this many per page (0: Limit)
	numDelta  int           // added to the reported MemberNum
	shortAt   map[int]int   // offset -> members to return instead (a flaky short page)
	delay     time.Duration // per request, to observe concurrency

	mu          sync.Mutex
	inflight    int
	maxInflight int
}

func makeMembers(n int) []Member {
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{Account: fmt.Sprintf("user%04d", i), Role: "Member", JoinTime: int64(1_700_000_000 + i)}
	}
	if n > 0 {
		ms[0].Role = "Owner"
	}
	if n > 2 {
		ms[2].Role = "Admin"
	}
	return ms
}

func (g *group) handle(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
	g.mu.Lock()
	g.inflight++
	g.maxInflight = max(g.maxInflight, g.inflight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}()
	if g.delay > 0 {
		time.Sleep(g.delay)
	}

	var req map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body, &req); err != nil {
		g.t.Errorf("request body %s: %v", rec.Body, err)
	}
	if string(req["GroupId"]) != `"g1"` {
		g.t.Errorf("GroupId %s", req["GroupId"])
	}
	var limit int
	_ = json.Unmarshal(req["Limit"], &limit)
	if g.serverCap > 0 {
		limit = min(limit, g.serverCap)
	}
	start := 0
	var next any
	if g.community {
		if _, has := req["Offset"]; has {
			g.t.Errorf("Community request carries Offset: %s", rec.Body)
		}
		raw, has := req["Next"]
		switch {
		case !has:
			g.t.Errorf("Community request without Next: %s", rec.Body)
		case string(raw) == `""`:
		case g.nextInt:
			if err := json.Unmarshal(raw, &start); err != nil {
				g.t.Errorf("Next %s is not the integer the server sent", raw)
			}
		default:
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				g.t.Errorf("Next %s is not the string the server sent", raw)
			}
			start, _ = strconv.Atoi(strings.TrimPrefix(s, "c"))
		}
	} else {
		if _, has := req["Next"]; has {
			g.t.Errorf("offset request carries Next: %s", rec.Body)
		}
		if err := json.Unmarshal(req["Offset"], &start); err != nil {
			g.t.Errorf("offset request without Offset: %s", rec.Body)
		}
	}
	end := min(start+limit, len(g.members))
	if short, ok := g.shortAt[start]; ok {
		end = min(start+short, end)
	}
	page := []map[string]any{}
	for _, m := range g.members[min(start, end):end] {
		page = append(page, map[string]any{"Member_Account": m.Account, "Role": m.Role, "JoinTime": m.JoinTime})
	}
	resp := ok(map[string]any{"MemberNum": len(g.members) + g.numDelta, "MemberList": page})
	if g.community {
		switch {
		case end >= len(g.members) && g.nextInt:
			next = 0
		case end >= len(g.members):
			next = ""
		case g.nextInt:
			next = end
		default:
			next = "c" + strconv.Itoa(end)
		}
		resp["Next"] = next
	}
	writeJSON(w, resp)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestGetGroupMembersPaging(t *testing.T) {
	for _, mode := range []string{"offset", "community-string", "community-int"} {
		for _, n := range []int{0, 1, 7, 450} {
			for _, pageSize := range []int{1, 7, 200} {
				t.Run(fmt.Sprintf("%s/N=%d/P=%d", mode, n, pageSize), func(t *testing.T) {
					t.Parallel()
					g := &group{t: t, members: makeMembers(n), community: mode != "offset", nextInt: mode == "community-int"}
					f := newFake(t, g.handle)
					c, _ := newClient(t, f.URL)
					got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: g.community, PageSize: pageSize})
					if err != nil {
						t.Fatal(err)
					}
					want := max(1, ceilDiv(n, pageSize))
					if got.Pages != want || f.count() != want || c.Stats()[getMembersCommand] != want {
						t.Fatalf("Pages %d, %d requests; want %d", got.Pages, f.count(), want)
					}
					if got.MemberNum != n || !sameMembers(got.Members, g.members) {
						t.Fatalf("MemberNum %d, %d members; want %d", got.MemberNum, len(got.Members), n)
					}
					for _, r := range f.requests() {
						var req struct {
							Limit            int
							MemberInfoFilter []string
						}
						_ = json.Unmarshal(r.Body, &req)
						if req.Limit != pageSize || !slices.Equal(req.MemberInfoFilter, []string{"Role", "JoinTime"}) {
							t.Fatalf("request %s", r.Body)
						}
					}
				})
			}
		}
	}
}

// TestGetGroupMembersServerPageCap: the server returns fewer than Limit;
// offsets advance by what came back, still one request per page.
func TestGetGroupMembersServerPageCap(t *testing.T) {
	for _, community := range []bool{false, true} {
		g := &group{t: t, members: makeMembers(450), serverCap: 7, community: community}
		f := newFake(t, g.handle)
		c, _ := newClient(t, f.URL)
		got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: community, Fields: []string{"Role"}})
		if err != nil {
			t.Fatal(err)
		}
		if !sameMembers(got.Members, g.members) || got.Pages != 65 || f.count() != 65 {
			t.Fatalf("community=%v: %d members in %d pages (%d requests)", community, len(got.Members), got.Pages, f.count())
		}
		if !strings.Contains(string(f.requests()[0].Body), `"MemberInfoFilter":["Role"]`) {
			t.Fatalf("request %s", f.requests()[0].Body)
		}
	}
}

func TestGetGroupMembersBoundedParallelism(t *testing.T) {
	g := &group{t: t, members: makeMembers(450), delay: 5 * time.Millisecond}
	f := newFake(t, g.handle)
	c, _ := newClient(t, f.URL, func(c *Config) { c.MaxParallel = 3 })
	got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Members) != 450 || got.Pages != 45 {
		t.Fatalf("%d members, %d pages", len(got.Members), got.Pages)
	}
	if g.maxInflight > 3 || g.maxInflight < 2 {
		t.Fatalf("max in flight %d, want 2..3", g.maxInflight)
	}
}

// TestGetGroupMembersShortPageGap: a page in the middle comes back short
// (e.g. a member left during the read); the gap is read sequentially and the
// pages fetched beyond it are still used.
func TestGetGroupMembersShortPageGap(t *testing.T) {
	g := &group{t: t, members: makeMembers(100), shortAt: map[int]int{20: 3}}
	f := newFake(t, g.handle)
	c, _ := newClient(t, f.URL)
	got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !sameMembers(got.Members, g.members) {
		t.Fatalf("%d members", len(got.Members))
	}
	// 10 planned pages plus one for the gap at 23..32.
	if got.Pages != 11 {
		t.Fatalf("%d pages", got.Pages)
	}
}

func TestGetGroupMembersUnreliableMemberNum(t *testing.T) {
	t.Run("larger than the pages", func(t *testing.T) {
		for _, pageSize := range []int{1, 7, 200} {
			g := &group{t: t, members: makeMembers(30), numDelta: 25}
			f := newFake(t, g.handle)
			c, _ := newClient(t, f.URL)
			got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: pageSize})
			if err != nil {
				t.Fatal(err)
			}
			if !sameMembers(got.Members, g.members) || got.MemberNum != 55 {
				t.Fatalf("P=%d: %d members, MemberNum %d", pageSize, len(got.Members), got.MemberNum)
			}
			if limit := ceilDiv(30, pageSize) + 8; got.Pages > limit {
				t.Fatalf("P=%d: %d pages, want at most %d", pageSize, got.Pages, limit)
			}
		}
	})
	t.Run("smaller than one page", func(t *testing.T) {
		g := &group{t: t, members: makeMembers(25), numDelta: -25}
		f := newFake(t, g.handle)
		c, _ := newClient(t, f.URL)
		got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10})
		if err != nil {
			t.Fatal(err)
		}
		// Read on until an empty page: 3 pages and one empty.
		if !sameMembers(got.Members, g.members) || got.Pages != 4 {
			t.Fatalf("%d members in %d pages", len(got.Members), got.Pages)
		}
	})
	t.Run("community MemberNum ignored", func(t *testing.T) {
		g := &group{t: t, members: makeMembers(25), numDelta: -20, community: true}
		f := newFake(t, g.handle)
		c, _ := newClient(t, f.URL)
		got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10, Community: true})
		if err != nil || !sameMembers(got.Members, g.members) || got.Pages != 3 {
			t.Fatalf("%v: %+v", err, got)
		}
	})
}

func TestGetGroupMembersDeduplicates(t *testing.T) {
	g := &group{t: t, members: makeMembers(20)}
	// The page at offset 10 repeats the last members of the first page, as if
	// members joined at the front during the read.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), `"Offset":10`) {
			page := []map[string]any{}
			for _, m := range g.members[8:18] {
				page = append(page, map[string]any{"Member_Account": m.Account, "Role": m.Role, "JoinTime": m.JoinTime})
			}
			writeJSON(w, ok(map[string]any{"MemberNum": 20, "MemberList": page}))
			return
		}
		g.handle(w, r, rec, n)
	})
	c, _ := newClient(t, f.URL)
	got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !sameMembers(got.Members, g.members[:18]) {
		t.Fatalf("members %v", got.Members)
	}
}

func TestGetGroupMembersMalformed(t *testing.T) {
	cases := []struct {
		name      string
		community bool
		body      func(n int) string
		wantErr   string
	}{
		{"truncated", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":3,"MemberList":[{"Member_Acc` }, "malformed response"},
		{"MemberNum as string", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":"3","MemberList":[]}` }, "malformed response"},
		{"MemberList as object", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":3,"MemberList":{}}` }, "malformed response"},
		{"JoinTime as string", false, func(int) string {
			return `{"ActionStatus":"OK","MemberNum":1,"MemberList":[{"Member_Account":"a","JoinTime":"x"}]}`
		}, "malformed response"},
		{"missing MemberList", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":3}` }, "no MemberList"},
		{"member without account", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":1,"MemberList":[{"Role":"Owner"}]}` }, "without Member_Account"},
		{"negative MemberNum", false, func(int) string { return `{"ActionStatus":"OK","MemberNum":-1,"MemberList":[]}` }, "implausible MemberNum"},
		{"huge MemberNum", false, func(int) string {
			return `{"ActionStatus":"OK","MemberNum":2000000000,"MemberList":[{"Member_Account":"a"}]}`
		}, "implausible MemberNum"},
		{"html page", false, func(int) string { return `<html>oops</html>` }, "not a JSON object"},
		{"Next as object", true, func(int) string {
			return `{"ActionStatus":"OK","MemberNum":1,"MemberList":[{"Member_Account":"a"}],"Next":{}}`
		}, "must be a string or a number"},
		{"Next repeats", true, func(n int) string {
			return fmt.Sprintf(`{"ActionStatus":"OK","MemberNum":9,"MemberList":[{"Member_Account":"a%d"}],"Next":"same"}`, n)
		}, "repeated"},
		{"later page broken", false, func(n int) string {
			if n == 1 {
				return `{"ActionStatus":"OK","MemberNum":3,"MemberList":[{"Member_Account":"a"}]}`
			}
			return `{"ActionStatus":"OK","MemberNum":3,"MemberList":[{"Member_Account":5}]}`
		}, "malformed response"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				fmt.Fprint(w, tc.body(n))
			})
			c, _ := newClient(t, f.URL)
			got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: tc.community})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), getMembersCommand) {
				t.Fatalf("GetGroupMembers = %+v, %v; want error containing %q", got, err, tc.wantErr)
			}
		})
	}
}

func TestGetGroupMembersEnds(t *testing.T) {
	cases := []struct {
		name  string
		pages []string
		want  int // members
	}{
		{"Next null", []string{`{"ActionStatus":"OK","MemberNum":1,"MemberList":[{"Member_Account":"a"}],"Next":null}`}, 1},
		{"Next absent", []string{`{"ActionStatus":"OK","MemberNum":1,"MemberList":[{"Member_Account":"a"}]}`}, 1},
		{"empty page with cursor", []string{
			`{"ActionStatus":"OK","MemberNum":5,"MemberList":[{"Member_Account":"a"}],"Next":7}`,
			`{"ActionStatus":"OK","MemberNum":5,"MemberList":[],"Next":8}`,
		}, 1},
		{"empty group, MemberList absent", []string{`{"ActionStatus":"OK","MemberNum":0,"Next":""}`}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				fmt.Fprint(w, tc.pages[min(n, len(tc.pages))-1])
			})
			c, _ := newClient(t, f.URL)
			got, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{Community: true})
			if err != nil || len(got.Members) != tc.want || got.Pages != len(tc.pages) {
				t.Fatalf("%+v, %v", got, err)
			}
		})
	}
}

func TestGetGroupMembersErrorStopsParallelRead(t *testing.T) {
	g := &group{t: t, members: makeMembers(100)}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if strings.Contains(string(rec.Body), `"Offset":30`) {
			writeJSON(w, fail(10010, "group dismissed"))
			return
		}
		g.handle(w, r, rec, n)
	})
	c, _ := newClient(t, f.URL, func(c *Config) { c.MaxParallel = 1 })
	_, err := c.GetGroupMembers(t.Context(), "g1", ListOptions{PageSize: 10})
	if !IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}
	// With one worker the pages after the failing one are never requested.
	if f.count() != 4 {
		t.Fatalf("%d requests", f.count())
	}
}

func TestCursor(t *testing.T) {
	for raw, wantDone := range map[string]bool{
		``: true, `null`: true, `""`: true, `0`: true, `0.0`: true, ` "" `: true,
		`"abc"`: false, `12`: false, `"0"`: false,
	} {
		_, done, err := cursor(json.RawMessage(raw))
		if err != nil || done != wantDone {
			t.Errorf("cursor(%s) = %v, %v", raw, done, err)
		}
	}
	for _, raw := range []string{`{}`, `[]`, `true`, `"unterminated`} {
		if _, _, err := cursor(json.RawMessage(raw)); err == nil {
			t.Errorf("cursor(%s) accepted", raw)
		}
	}
}

// sameMembers compares member lists (Member holds a map, so it is not
// comparable with ==).
func sameMembers(a, b []Member) bool {
	return slices.EqualFunc(a, b, func(x, y Member) bool { return reflect.DeepEqual(x, y) })
}
