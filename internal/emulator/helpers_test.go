package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// These tests talk raw HTTP, building URLs and bodies by hand as the
// reference describes, so they check the wire format rather than a client.

const (
	testApp   uint64 = 1400000001
	testKey          = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testAdmin        = "administrator"
	t0               = int64(1700000000)
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

type env struct {
	t     testing.TB
	e     *Emulator
	base  string
	clock *clock
	sig   string
}

// newEnv starts an emulator with one app, its admin and accounts user1..user60.
func newEnv(t testing.TB, s Settings) *env {
	t.Helper()
	return newEnvOpts(t, Options{Settings: s})
}

func newEnvOpts(t testing.TB, opts Options) *env {
	t.Helper()
	c := &clock{now: time.Unix(t0, 0)}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	e := New(opts)
	base, stop := e.Start()
	t.Cleanup(stop)
	e.AddApp(testApp, testKey, testAdmin)
	for i := 1; i <= 60; i++ {
		e.AddAccounts(testApp, fmt.Sprintf("user%d", i))
	}
	sig, err := usersig.Generate(testApp, testKey, testAdmin, 24*time.Hour, opts.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, e: e, base: base, clock: c, sig: sig}
}

// resp is a decoded response body; numbers stay json.Number so tests can
// check JSON types.
type resp map[string]any

func (r resp) code() int {
	n, _ := r["ErrorCode"].(json.Number).Int64()
	return int(n)
}

func (r resp) info() string { s, _ := r["ErrorInfo"].(string); return s }

func (r resp) list(key string) []any { l, _ := r[key].([]any); return l }

func num(v any) int64 {
	n, err := v.(json.Number).Int64()
	if err != nil {
		panic(err)
	}
	return n
}

func decode(t testing.TB, raw []byte) resp {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var r resp
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	for _, k := range []string{"ActionStatus", "ErrorCode", "ErrorInfo"} {
		if _, ok := r[k]; !ok {
			t.Fatalf("response lacks %s: %s", k, raw)
		}
	}
	wantStatus := "OK"
	if r.code() != 0 {
		wantStatus = "FAIL"
	}
	if r["ActionStatus"] != wantStatus {
		t.Fatalf("ActionStatus %v with ErrorCode %d: %s", r["ActionStatus"], r.code(), raw)
	}
	return r
}

func (v *env) query(identifier, sig string, app uint64) url.Values {
	q := url.Values{}
	q.Set("sdkappid", strconv.FormatUint(app, 10))
	q.Set("identifier", identifier)
	q.Set("usersig", sig)
	q.Set("random", "12345")
	q.Set("contenttype", "json")
	return q
}

// raw sends a request and returns status and body.
func (v *env) raw(method, path string, q url.Values, body string) (int, []byte) {
	v.t.Helper()
	req, err := http.NewRequest(method, v.base+path+"?"+q.Encode(), bytes.NewBufferString(body))
	if err != nil {
		v.t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func serviceOf(command string) string {
	switch command {
	case "account_import", "multiaccount_import", "account_check", "account_delete":
		return serviceLogin
	}
	return serviceGroup
}

// call sends a correctly signed request; body is a string or marshalled.
func (v *env) call(command string, body any) resp {
	v.t.Helper()
	s, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			v.t.Fatal(err)
		}
		s = string(b)
	}
	status, raw := v.raw(http.MethodPost, "/v4/"+serviceOf(command)+"/"+command, v.query(testAdmin, v.sig, testApp), s)
	if status != http.StatusOK {
		v.t.Fatalf("%s: HTTP %d: %s", command, status, raw)
	}
	return decode(v.t, raw)
}

// mustOK fails unless the call succeeded.
func (v *env) mustOK(command string, body any) resp {
	v.t.Helper()
	r := v.call(command, body)
	if r.code() != 0 {
		v.t.Fatalf("%s: ErrorCode %d %q", command, r.code(), r.info())
	}
	return r
}

// wantCode fails unless the call answered code.
func (v *env) wantCode(code int, command string, body any) resp {
	v.t.Helper()
	r := v.call(command, body)
	if r.code() != code {
		v.t.Fatalf("%s %v: ErrorCode %d %q, want %d", command, body, r.code(), r.info(), code)
	}
	return r
}

type M = map[string]any

func (v *env) group(typ, owner string) string {
	v.t.Helper()
	id, err := v.e.AddGroup(testApp, Group{Type: typ, Name: "g", Owner: owner, CreateTime: t0 - 1000})
	if err != nil {
		v.t.Fatal(err)
	}
	return id
}

func members(accts ...string) []M {
	out := make([]M, len(accts))
	for i, a := range accts {
		out[i] = M{"Member_Account": a}
	}
	return out
}

func users(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("user%d", i))
	}
	return out
}

func results(t *testing.T, r resp) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, x := range r.list("MemberList") {
		m := x.(map[string]any)
		out[m["Member_Account"].(string)] = num(m["Result"])
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// allMemberKeys are the (sorted) keys of a member object without a filter.
const allMemberKeys = "JoinTime,LastSendMsgTime,Member_Account,MsgFlag,MsgSeq,MuteUntil,NameCard,Role"
