package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

func TestFaultAPICodeSkipTimes(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	// Fail the 2nd and 3rd import batches.
	v.e.InjectFault(Fault{Command: "import_group_member", Skip: 1, Times: 2, ErrorCode: 10002})
	v.mustOK("get_group_info", M{"GroupIdList": []string{g}}) // other commands unaffected
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user2")})
	r := v.wantCode(10002, "import_group_member", M{"GroupId": g, "MemberList": members("user3")})
	if r.info() == "" {
		t.Fatal("fault without ErrorInfo")
	}
	v.wantCode(10002, "import_group_member", M{"GroupId": g, "MemberList": members("user3")})
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members("user3")})
	ms, _ := v.e.Members(testApp, g)
	if len(ms) != 3 {
		t.Fatalf("faulted calls changed state or good ones did not: %v", ms)
	}
	st := v.e.Stats()["import_group_member"]
	if st.Calls != 4 || st.Failed != 2 || fmt.Sprint(st.Members) != "[1 1 1 1]" {
		t.Fatalf("stats %+v", st)
	}

	// Times -1 fails until cleared; "" matches any command; custom info.
	v.e.InjectFault(Fault{Times: -1, ErrorCode: 70001, ErrorInfo: "custom"})
	for i := 0; i < 3; i++ {
		if r := v.wantCode(70001, "account_check", M{"CheckItem": []M{{"UserID": "user1"}}}); r.info() != "custom" {
			t.Fatalf("info %q", r.info())
		}
	}
	v.e.ClearFaults()
	v.mustOK("account_check", M{"CheckItem": []M{{"UserID": "user1"}}})
}

func TestFaultHTTPStatus(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Public", "user1")
	for _, status := range []int{500, 502} {
		v.e.InjectFault(Fault{Command: "import_group_member", HTTPStatus: status})
		code, body := v.raw("POST", "/v4/group_open_http_svc/import_group_member", v.query(testAdmin, v.sig, testApp), `{"GroupId":"`+g+`","MemberList":[{"Member_Account":"user2"}]}`)
		if code != status {
			t.Fatalf("HTTP %d, want %d", code, status)
		}
		if json.Valid(body) {
			t.Fatalf("gateway error body is JSON: %s", body)
		}
		if ms, _ := v.e.Members(testApp, g); len(ms) != 1 {
			t.Fatal("faulted call imported")
		}
	}
	log := v.e.Log()
	if last := log[len(log)-1]; last.HTTPStatus != 502 || last.Command != "import_group_member" || last.GroupID != g || last.Members != 1 {
		t.Fatalf("log %+v", last)
	}
}

func TestFaultDelayAndDrop(t *testing.T) {
	v := newEnv(t, Settings{})
	v.e.InjectFault(Fault{Command: "get_group_info", Delay: 150 * time.Millisecond})
	start := time.Now()
	v.mustOK("get_group_info", M{"GroupIdList": []string{"x"}}) // delayed, then normal
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("Delay fault took %v", d)
	}
	start = time.Now()
	v.mustOK("get_group_info", M{"GroupIdList": []string{"x"}})
	if d := time.Since(start); d >= 150*time.Millisecond {
		t.Fatalf("second call delayed %v", d)
	}

	g := v.group("Public", "user1")
	v.e.InjectFault(Fault{Command: "import_group_member", DropConnection: true})
	req, _ := http.NewRequest("POST", v.base+"/v4/group_open_http_svc/import_group_member?"+v.query(testAdmin, v.sig, testApp).Encode(),
		strings.NewReader(`{"GroupId":"`+g+`","MemberList":[{"Member_Account":"user2"}]}`))
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("dropped connection answered HTTP %d", res.StatusCode)
	}
	if ms, _ := v.e.Members(testApp, g); len(ms) != 1 {
		t.Fatal("dropped call imported")
	}
	st := v.e.Stats()["import_group_member"]
	if st.Calls != 1 || st.Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A Delay combined with an error code delays, then fails.
	v.e.InjectFault(Fault{Delay: 50 * time.Millisecond, ErrorCode: 10006})
	start = time.Now()
	v.wantCode(10006, "get_group_info", M{"GroupIdList": []string{"x"}})
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("not delayed")
	}
}

func TestLatency(t *testing.T) {
	v := newEnv(t, Settings{Latency: 80 * time.Millisecond})
	start := time.Now()
	v.mustOK("get_group_info", M{"GroupIdList": []string{"x"}})
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("request took %v", d)
	}
	if l := v.e.Log(); l[len(l)-1].Duration < 80*time.Millisecond {
		t.Fatalf("logged duration %v", l[len(l)-1].Duration)
	}
	v.e.UpdateSettings(func(s *Settings) { s.Latency = 0 })
	start = time.Now()
	v.mustOK("get_group_info", M{"GroupIdList": []string{"x"}})
	if d := time.Since(start); d >= 80*time.Millisecond {
		t.Fatalf("request took %v after removing latency", d)
	}
}

// The emulator's own work happens within the latency, as a remote server's
// does: the import lands at once and only the answer waits.
func TestLatencyIncludesTheWork(t *testing.T) {
	v := newEnv(t, Settings{Latency: time.Minute})
	g := v.group("Public", "user1")
	ctx, cancel := context.WithCancel(context.Background())
	body, _ := json.Marshal(M{"GroupId": g, "MemberList": members("user2")})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.base+"/v4/"+serviceGroup+"/import_group_member?"+v.query(testAdmin, v.sig, testApp).Encode(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	defer func() { cancel(); <-answered }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := v.e.Members(testApp, g); got["user2"].Account != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import has not landed while its answer waits out the latency")
		}
	}
	select {
	case <-answered:
		t.Fatal("answered before the latency had passed")
	default:
	}
}

func TestRateLimit(t *testing.T) {
	v := newEnv(t, Settings{RateLimit: 5})
	g := v.group("Public", "user1")
	ok, limited := 0, 0
	for i := 0; i < 20; i++ {
		r := v.call("import_group_member", M{"GroupId": g, "MemberList": members(fmt.Sprintf("user%d", i+2))})
		switch r.code() {
		case 0:
			ok++
		case 10006:
			limited++
			if r.info() != "operation frequency limited" {
				t.Fatalf("info %q", r.info())
			}
		default:
			t.Fatalf("code %d", r.code())
		}
	}
	// Burst of 5 plus at most a little refill during the loop.
	if ok < 5 || ok > 8 || limited != 20-ok {
		t.Fatalf("ok %d limited %d", ok, limited)
	}
	if ms, _ := v.e.Members(testApp, g); len(ms) != ok+1 {
		t.Fatalf("limited calls imported: %d members for %d ok", len(ms), ok)
	}
	// Other apps have their own bucket.
	v.e.AddApp(testApp+1, testKey, testAdmin)
	if st := v.e.Stats()["import_group_member"]; st.Failed != limited {
		t.Fatalf("stats %+v", st)
	}
	time.Sleep(250 * time.Millisecond)
	v.mustOK("get_group_info", M{"GroupIdList": []string{g}})
	v.e.UpdateSettings(func(s *Settings) { s.RateLimit = 0 })
	for i := 0; i < 20; i++ {
		v.mustOK("get_group_info", M{"GroupIdList": []string{g}})
	}
}

func TestStatsAndLog(t *testing.T) {
	v := newEnv(t, Settings{})
	g := v.group("Community", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(users(2, 21)...)})
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": members(users(22, 24)...)})
	v.wantCode(10004, "import_group_member", M{"GroupId": g, "MemberList": []M{}})
	v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 10})
	r := v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 20, "Next": v.mustOK("get_group_member_info", M{"GroupId": g, "Limit": 10})["Next"]})
	_ = r
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"user2", "user3"}})
	st := v.e.Stats()
	if s := st["import_group_member"]; s.Calls != 3 || s.Failed != 1 || fmt.Sprint(s.Members) != "[20 3 0]" {
		t.Fatalf("import stats %+v", s)
	}
	if s := st["get_group_member_info"]; s.Calls != 3 || fmt.Sprint(s.Members) != "[10 10 14]" {
		t.Fatalf("read stats %+v", s)
	}
	if s := st["delete_group_member"]; s.Calls != 1 || fmt.Sprint(s.Members) != "[2]" {
		t.Fatalf("delete stats %+v", s)
	}
	log := v.e.Log()
	if len(log) != 7 {
		t.Fatalf("log has %d entries", len(log))
	}
	bad := log[2]
	if bad.Command != "import_group_member" || bad.ErrorCode != 10004 || bad.SDKAppID != testApp || bad.GroupID != g || bad.HTTPStatus != 200 || !bad.Time.Equal(time.Unix(t0, 0)) {
		t.Fatalf("log entry %+v", bad)
	}
	// Auth failures reach the command too (they are counted and failed).
	v.raw("POST", "/v4/group_open_http_svc/import_group_member", v.query(testAdmin, "garbage", testApp), `{}`)
	if s := v.e.Stats()["import_group_member"]; s.Calls != 4 || s.Failed != 2 {
		t.Fatalf("stats after auth failure %+v", s)
	}
	v.e.ResetStats()
	if len(v.e.Stats()) != 0 || len(v.e.Log()) != 0 {
		t.Fatal("ResetStats")
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := newEnvOpts(t, Options{PersistPath: path})
	g := v.group("Community", "user1")
	v.mustOK("import_group_member", M{"GroupId": g, "MemberList": []M{{"Member_Account": "user3", "JoinTime": t0 - 5, "UnreadMsgNum": 4}, {"Member_Account": "user2", "Role": "Admin"}}})
	v.mustOK("modify_group_member_info", M{"GroupId": g, "Member_Account": "user3", "NameCard": "three"})
	v.mustOK("create_group", M{"Type": "Private", "Name": "w", "GroupId": "work-1", "Owner_Account": "user4", "Introduction": "hi"})
	v.mustOK("account_import", M{"UserID": "zed", "Nick": "Zed"})
	// Durable after each call, without an explicit flush.
	raw, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(raw, []byte(`"zed"`)) {
		t.Fatalf("state file not written after the call: %v", err)
	}
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := New(Options{PersistPath: path, Now: v.clock.Now})
	if err := e2.PersistError(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{g, "work-1"} {
		m1, _ := v.e.Members(testApp, id)
		m2, ok := e2.Members(testApp, id)
		if !ok || fmt.Sprint(m1) != fmt.Sprint(m2) {
			t.Fatalf("%s members\n%v\n%v", id, m1, m2)
		}
		i1, _ := v.e.GroupInfo(testApp, id)
		i2, _ := e2.GroupInfo(testApp, id)
		if i1 != i2 {
			t.Fatalf("group info %+v vs %+v", i1, i2)
		}
	}
	if fmt.Sprint(v.e.Accounts(testApp)) != fmt.Sprint(e2.Accounts(testApp)) {
		t.Fatal("accounts differ")
	}
	// The reloaded app still authenticates (secret key persisted) and keeps order.
	base, stop := e2.Start()
	defer stop()
	v2 := &env{t: t, e: e2, base: base, clock: v.clock, sig: v.sig}
	r := v2.mustOK("get_group_member_info", M{"GroupId": g})
	var order []string
	for _, x := range r.list("MemberList") {
		order = append(order, x.(map[string]any)["Member_Account"].(string))
	}
	if strings.Join(order, ",") != "user1,user3,user2" {
		t.Fatalf("order after reload %v", order)
	}
	info := v2.mustOK("get_group_info", M{"GroupIdList": []string{"work-1"}}).list("GroupInfo")[0].(map[string]any)
	if info["Introduction"] != "hi" {
		t.Fatalf("introduction lost: %v", info)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	// A corrupt file is reported, not ignored.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if New(Options{PersistPath: bad}).PersistError() == nil {
		t.Fatal("corrupt state file accepted")
	}
}

func TestConcurrentImports(t *testing.T) {
	v := newEnv(t, Settings{ImportCap: 40}) // batches of 40
	var all []string
	for i := 0; i < 400; i++ {
		all = append(all, fmt.Sprintf("c%03d", i))
	}
	v.e.AddAccounts(testApp, all...)
	g := v.group("Community", "user1")
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := 0; w < 20; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			// Overlapping batches: each account is in two workers' batches.
			var batch []string
			batch = append(batch, all[(w*20)%400:(w*20)%400+20]...)
			batch = append(batch, all[((w+1)*20)%400:((w+1)*20)%400+20]...)
			r := v.call("import_group_member", M{"GroupId": g, "MemberList": members(batch...)})
			if r.code() != 0 {
				errs <- fmt.Sprint("import ", r.code())
			}
		}(w)
		go func() {
			defer wg.Done()
			r := v.call("get_group_member_info", M{"GroupId": g, "Limit": 50})
			if r.code() != 0 {
				errs <- fmt.Sprint("read ", r.code())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	ms, _ := v.e.Members(testApp, g)
	if len(ms) != 401 {
		t.Fatalf("%d members, want 401", len(ms))
	}
	got := readAllNext(t, v, g, 200, false)
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a] {
			t.Fatalf("%s listed twice", a)
		}
		seen[a] = true
	}
	if len(got) != 401 {
		t.Fatalf("paged %d members", len(got))
	}
}

// seed100k fills a Community group with 100,000 members out of band.
func seed100k(tb testing.TB, e *Emulator) string {
	tb.Helper()
	g, err := e.AddGroup(testApp, Group{Type: "Community", Name: "big", Owner: "owner", CreateTime: t0 - 1000})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i < 100000; i++ {
		if err := e.PutMember(testApp, g, Member{Account: fmt.Sprintf("m%06d", i), JoinTime: t0}); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

// scanCommunity pages a Community group by Next with typed decoding (the
// generic map decoding in readAllNext is too slow for 100k members under
// -race). It returns the accounts in order and the number of pages.
func scanCommunity(t *testing.T, v *env, g string, limit int, start json.RawMessage, maxPages int) ([]string, int) {
	t.Helper()
	var got []string
	next := start
	for pages := 1; ; pages++ {
		status, raw := v.raw("POST", "/v4/group_open_http_svc/get_group_member_info", v.query(testAdmin, v.sig, testApp),
			fmt.Sprintf(`{"GroupId":%q,"Limit":%d,"Next":%s}`, g, limit, next))
		var page struct {
			ErrorCode  int
			MemberNum  int
			MemberList []struct{ Member_Account string }
			Next       json.RawMessage
		}
		if err := json.Unmarshal(raw, &page); err != nil || status != 200 || page.ErrorCode != 0 {
			t.Fatalf("page %d: HTTP %d %v %s", pages, status, err, raw)
		}
		if len(page.MemberList) > limit {
			t.Fatalf("page of %d", len(page.MemberList))
		}
		for _, m := range page.MemberList {
			got = append(got, m.Member_Account)
		}
		if s := string(page.Next); s == `""` || s == "0" || pages == maxPages {
			return got, pages
		}
		next = page.Next
	}
}

func TestCommunity100kEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("large group")
	}
	v := newEnv(t, Settings{CommandRateScale: -1}) // 500 pages as fast as they come
	g := seed100k(t, v.e)
	start := time.Now()
	got, pages := scanCommunity(t, v, g, 200, json.RawMessage(`""`), -1)
	t.Logf("full scan of 100k members in %d pages: %v", pages, time.Since(start))
	if len(got) != 100000 || got[0] != "owner" || got[1] != "m000001" || got[99999] != "m099999" || pages != 500 {
		t.Fatalf("read %d members in %d pages (%v ... %v)", len(got), pages, got[:2], got[len(got)-1:])
	}
	seen := make(map[string]bool, len(got))
	for _, a := range got {
		if seen[a] {
			t.Fatalf("%s returned twice", a)
		}
		seen[a] = true
	}
	// After a removal mid-group (which invalidates the cached order once),
	// resume from an integer cursor just before it: seq is join order, so
	// m049901 (seq 49902) starts the page.
	v.mustOK("delete_group_member", M{"GroupId": g, "MemberToDel_Account": []string{"m050000"}})
	v.e.UpdateSettings(func(s *Settings) { s.NextType = NextTypeInteger })
	got, _ = scanCommunity(t, v, g, 200, json.RawMessage(`49902`), 2)
	if len(got) != 400 || got[0] != "m049901" || got[98] != "m049999" || got[99] != "m050001" || got[399] != "m050301" {
		t.Fatalf("resumed scan %d: %v %v %v", len(got), got[0], got[98:100], got[len(got)-1])
	}
	if st := v.e.Stats()["get_group_member_info"]; st.Calls != 502 {
		t.Fatalf("%d pages, want 502", st.Calls)
	}
}

func BenchmarkGetGroupMemberInfo100k(b *testing.B) {
	e := New(Options{Now: func() time.Time { return time.Unix(t0, 0) }, Settings: Settings{CommandRateScale: -1}})
	e.AddApp(testApp, testKey, testAdmin)
	g := seed100k(b, e)
	v := &env{t: b, e: e, clock: &clock{now: time.Unix(t0, 0)}}
	sig := mustSig(b)
	target := "/v4/group_open_http_svc/get_group_member_info?" + v.query(testAdmin, sig, testApp).Encode()
	// A cursor in the middle of the group, as a full scan would send.
	body := []byte(`{"GroupId":"` + g + `","Limit":200,"Next":"50000"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("POST", target, bytes.NewReader(body)))
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"ErrorCode":0`)) {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
}

func TestControlEndpoints(t *testing.T) {
	e := New(Options{Now: func() time.Time { return time.Unix(t0, 0) }})
	base, stop := e.Start()
	defer stop()
	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%s %s: %s", method, path, raw)
			}
		}
		return res.StatusCode, m
	}
	if code, m := do("GET", "/emulator/healthz", ""); code != 200 || m["status"] != "ok" {
		t.Fatal("healthz")
	}
	code, m := do("POST", "/emulator/seed", fmt.Sprintf(`{"sdkappid":%d,"secret_key":%q,"admins":["administrator"],"accounts":["a","b","c"],
		"groups":[{"id":"fixed","type":"Public","name":"P","owner":"a","create_time":%d},{"type":"Community","name":"C","owner":"b"}]}`, testApp, testKey, t0-100))
	if code != 200 {
		t.Fatalf("seed %d %v", code, m)
	}
	groups := m["groups"].([]any)
	if groups[0].(map[string]any)["id"] != "fixed" || !strings.HasPrefix(groups[1].(map[string]any)["id"].(string), "@TGS#_") {
		t.Fatalf("seeded groups %v", groups)
	}
	if code, _ := do("POST", "/emulator/seed", fmt.Sprintf(`{"sdkappid":%d,"groups":[{"id":"fixed","type":"Public","name":"P"}]}`, testApp)); code != http.StatusConflict {
		t.Fatalf("re-seeding a group: %d", code)
	}
	if code, _ := do("POST", "/emulator/seed", `{"sdkappid":5}`); code != 400 {
		t.Fatal("seed without key for a new app accepted")
	}
	code, m = do("GET", fmt.Sprintf("/emulator/state?sdkappid=%d", testApp), "")
	apps := m["apps"].([]any)
	app := apps[0].(map[string]any)
	if code != 200 || len(app["accounts"].([]any)) != 3 || len(app["groups"].([]any)) != 2 || app["secret_key"] != nil {
		t.Fatalf("state %v", m)
	}

	code, m = do("POST", "/emulator/settings", `{"ImportCap":20,"Latency":"20ms","nexttype":"integer"}`)
	if code != 200 || m["ImportCap"].(float64) != 20 || m["Latency"] != "20ms" || m["NextType"] != "integer" {
		t.Fatalf("settings %d %v", code, m)
	}
	if s := e.Settings(); s.ImportCap != 20 || s.Latency != 20*time.Millisecond || s.DeleteCap != 100 {
		t.Fatalf("Settings %+v", s)
	}
	do("POST", "/emulator/settings", `{"Latency":0}`)
	if code, _ := do("POST", "/emulator/settings", `{"Bogus":1}`); code != 400 {
		t.Fatal("unknown setting accepted")
	}
	if code, _ := do("POST", "/emulator/settings", `{"MissingAccount":"sometimes"}`); code != 400 {
		t.Fatal("bad MissingAccount accepted")
	}

	v := &env{t: t, e: e, base: base, clock: &clock{now: time.Unix(t0, 0)}, sig: mustSig(t)}
	if code, _ := do("POST", "/emulator/faults", `{"Command":"get_group_info","ErrorCode":10002,"Delay":30}`); code != 200 {
		t.Fatal("fault rejected")
	}
	start := time.Now()
	v.wantCode(10002, "get_group_info", M{"GroupIdList": []string{"fixed"}})
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("Delay in ms not applied")
	}
	do("POST", "/emulator/faults", `{"ErrorCode":10002,"Times":-1,"Delay":"1ms"}`)
	v.wantCode(10002, "get_group_info", M{"GroupIdList": []string{"fixed"}})
	do("DELETE", "/emulator/faults", "")
	v.mustOK("get_group_info", M{"GroupIdList": []string{"fixed"}})
	if code, _ := do("POST", "/emulator/faults", `{"Delay":"soon"}`); code != 400 {
		t.Fatal("bad delay accepted")
	}

	req, _ := http.NewRequest("GET", base+"/emulator/stats", nil)
	res, _ := http.DefaultClient.Do(req)
	var stats map[string]CallStats
	if err := json.NewDecoder(res.Body).Decode(&stats); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if stats["get_group_info"].Calls != 3 || stats["get_group_info"].Failed != 2 {
		t.Fatalf("stats %+v", stats)
	}
	res, _ = http.Get(base + "/emulator/log")
	var log []LoggedRequest
	if err := json.NewDecoder(res.Body).Decode(&log); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(log) != 3 || log[0].GroupID != "fixed" {
		t.Fatalf("log %+v", log)
	}
	do("POST", "/emulator/reset-stats", "")
	if len(e.Log()) != 0 {
		t.Fatal("reset-stats")
	}
	if code, _ := do("GET", "/emulator/nope", ""); code != 404 {
		t.Fatal("unknown control endpoint")
	}
}

func mustSig(tb testing.TB) string {
	tb.Helper()
	s, err := usersig.Generate(testApp, testKey, testAdmin, 24*time.Hour, time.Unix(t0, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestPersistenceDebouncesLargeState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v := newEnvOpts(t, Options{PersistPath: path})
	// Pretend the state has grown large.
	v.e.persist.mu.Lock()
	v.e.persist.lastSize = bigState + 1
	v.e.persist.mu.Unlock()
	v.mustOK("account_import", M{"UserID": "late"})
	if raw, _ := os.ReadFile(path); bytes.Contains(raw, []byte(`"late"`)) {
		t.Fatal("large state saved synchronously")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if raw, _ := os.ReadFile(path); bytes.Contains(raw, []byte(`"late"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("debounced save never happened")
		}
		time.Sleep(20 * time.Millisecond)
	}
	v.e.persist.mu.Lock()
	v.e.persist.lastSize = bigState + 1
	v.e.persist.mu.Unlock()
	v.mustOK("account_import", M{"UserID": "flushed"})
	if err := v.e.Flush(); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(path); !bytes.Contains(raw, []byte(`"flushed"`)) {
		t.Fatal("Flush did not write pending state")
	}
}
