package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// syncBuffer is written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type apiResp struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
	MemberNum    int
	MemberList   []struct{ Member_Account, Role string }
}

func post(t *testing.T, addr, command, sig, body string) apiResp {
	t.Helper()
	q := url.Values{"sdkappid": {"1400000009"}, "identifier": {"admin"}, "usersig": {sig}, "random": {"7"}, "contenttype": {"json"}}
	res, err := http.Post("http://"+addr+"/v4/group_open_http_svc/"+command+"?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("HTTP %d: %s", res.StatusCode, raw)
	}
	var r apiResp
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return r
}

func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	persist := filepath.Join(dir, "state.json")
	portFile := filepath.Join(dir, "port")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-sdkappid", "1400000009", "-secret-key", "k3y", "-admin", "admin",
			"-seed-demo", "-persist", persist, "-port-file", portFile, "-import-cap", "20"}, &stdout, &stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	if pf, _ := os.ReadFile(portFile); strings.TrimSpace(string(pf)) != addr {
		t.Fatalf("port file %q, addr %q", pf, addr)
	}
	if out := stdout.String(); !strings.Contains(out, "@TGS#_demo-community") || !strings.Contains(out, "demo-work              type=Private") ||
		!strings.Contains(out, "demo-meeting           type=ChatRoom") {
		t.Fatalf("demo groups not printed with their documented types:\n%s", out)
	}

	sig, err := usersig.Generate(1400000009, "k3y", "admin", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := post(t, addr, "get_group_member_info", sig, `{"GroupId":"demo-public"}`)
	if r.ErrorCode != 0 || r.MemberNum != 2 || r.MemberList[0].Member_Account != "user1" || r.MemberList[0].Role != "Owner" {
		t.Fatalf("signed request: %+v", r)
	}
	r = post(t, addr, "import_group_member", sig, `{"GroupId":"@TGS#_demo-community","MemberList":[{"Member_Account":"user3"}]}`)
	if r.ErrorCode != 0 {
		t.Fatalf("import: %+v", r)
	}
	bad, _ := usersig.Generate(1400000009, "not-the-key", "admin", time.Hour, time.Now())
	r = post(t, addr, "get_group_member_info", bad, `{"GroupId":"demo-public"}`)
	if r.ErrorCode != 70009 || r.ActionStatus != "FAIL" || !strings.HasPrefix(r.ErrorInfo, "UserSig verification Failed") {
		t.Fatalf("badly signed request: %+v", r)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown")
	}
	logs := stderr.String()
	if !strings.Contains(logs, "import_group_member sdkappid=1400000009 group=\"@TGS#_demo-community\" members=1 code=0") ||
		!strings.Contains(logs, "code=70009") {
		t.Fatalf("access log:\n%s", logs)
	}
	if strings.Contains(logs, sig) || strings.Contains(logs, bad) || strings.Contains(logs, "usersig") {
		t.Fatalf("access log leaks the UserSig:\n%s", logs)
	}
	state, err := os.ReadFile(persist)
	if err != nil || !bytes.Contains(state, []byte(`"user3"`)) {
		t.Fatalf("persisted state: %v\n%s", err, state)
	}

	// Restart from the persisted state: the import survived, the demo groups
	// are not duplicated.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ready2 := make(chan string, 1)
	done2 := make(chan error, 1)
	go func() {
		done2 <- run(ctx2, []string{"-listen", "127.0.0.1:0", "-sdkappid", "1400000009", "-secret-key", "k3y", "-admin", "admin",
			"-seed-demo", "-persist", persist}, io.Discard, io.Discard, ready2)
	}()
	select {
	case addr = <-ready2:
	case err := <-done2:
		t.Fatalf("restart: %v", err)
	}
	r = post(t, addr, "get_group_member_info", sig, `{"GroupId":"@TGS#_demo-community"}`)
	if r.ErrorCode != 0 || r.MemberNum != 3 {
		t.Fatalf("after restart: %+v", r)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-listen", "0.0.0.0:0"},
		{"-listen", ":8080"},
		{"-listen", "192.168.1.10:8080"},
		{"-listen", "127.0.0.1:0", "-missing-account", "sometimes"},
		{"-listen", "127.0.0.1:0", "-plan", "gold"},
		{"-listen", "127.0.0.1:0", "-command-rate-scale", "NaN"},
		{"-listen", "127.0.0.1:0", "-command-rate-scale", "fast"},
		{"-listen", "127.0.0.1:0", "-next-type", "float"},
		{"-listen", "127.0.0.1:0", "-member-defined-keys", "a,b,c,d,e,f"},
		{"-listen", "127.0.0.1:0", "-member-defined-keys", "bad-key"},
		{"-listen", "127.0.0.1:0", "-member-data-unknown-key", "ignore"},
		{"-listen", "127.0.0.1:0", "-member-data-unset", "null"},
		{"-listen", "127.0.0.1:0", "-member-data-filter-unknown-key", "drop"},
		{"-listen", "127.0.0.1:0", "extra"},
		{"-no-such-flag"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard, nil); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
	for _, ok := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := checkLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestGenUserSig(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-gen-usersig", "-sdkappid", "1400000009", "-secret-key", "k3y", "-admin", "admin"}, &out, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	sig := strings.TrimSpace(out.String())
	s, err := usersig.Verify(sig, 1400000009, "k3y", "admin", time.Now())
	if err != nil {
		t.Fatalf("generated UserSig does not verify: %v", err)
	}
	if s.Expire != int64(180*24*time.Hour/time.Second) {
		t.Fatalf("expire %d", s.Expire)
	}
}

// startRun serves run(args) until the test ends and returns its address.
func startRun(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), io.Discard, io.Discard, ready)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("run %v: %v", args, err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	return ""
}

func getSettings(t *testing.T, addr string) map[string]any {
	t.Helper()
	res, err := http.Get("http://" + addr + "/emulator/settings")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlagsReachSettings(t *testing.T) {
	defaults := getSettings(t, startRun(t))
	for k, want := range map[string]any{
		"ImportCap": 20.0, "DeleteCap": 100.0, "PageSize": 200.0, "MissingAccount": "member", "NextType": "string",
		"RateLimit": 0.0, "CommandRateScale": 1.0, "GroupMemberLimit": 0.0, "Plan": "enterprise",
		"AcceptClientTypeNames": false, "AccountDeleteEnabled": false, "Latency": "0s",
		"MemberDataUnknownKey": "drop", "MemberDataUnset": "omit", "MemberDataOnlyNamed": false, "MemberDataFilterUnknownKey": "ignore",
	} {
		if defaults[k] != want {
			t.Errorf("default %s = %v, want %v", k, defaults[k], want)
		}
	}
	set := getSettings(t, startRun(t, "-plan", "trial", "-accept-client-type-names", "-command-rate-scale", "0.5",
		"-account-delete-enabled", "-missing-account", "reject", "-import-cap", "100", "-next-type", "integer", "-group-member-limit", "50"))
	for k, want := range map[string]any{
		"Plan": "trial", "AcceptClientTypeNames": true, "CommandRateScale": 0.5, "AccountDeleteEnabled": true,
		"MissingAccount": "reject", "ImportCap": 100.0, "NextType": "integer", "GroupMemberLimit": 50.0,
	} {
		if set[k] != want {
			t.Errorf("%s = %v, want %v", k, set[k], want)
		}
	}
	if keys := fmt.Sprint(defaults["MemberDefinedKeys"]); keys != "[]" {
		t.Errorf("default MemberDefinedKeys = %s", keys)
	}
	member := getSettings(t, startRun(t, "-member-defined-keys", "Level, Team_2", "-member-data-unknown-key", "refuse",
		"-member-data-unset", "empty", "-member-data-only-named", "-member-data-filter-unknown-key", "refuse"))
	for k, want := range map[string]any{
		"MemberDataUnknownKey": "refuse", "MemberDataUnset": "empty", "MemberDataOnlyNamed": true, "MemberDataFilterUnknownKey": "refuse",
	} {
		if member[k] != want {
			t.Errorf("%s = %v, want %v", k, member[k], want)
		}
	}
	if keys := fmt.Sprint(member["MemberDefinedKeys"]); keys != "[Level Team_2]" {
		t.Errorf("MemberDefinedKeys = %s", keys)
	}
	if off := getSettings(t, startRun(t, "-command-rate-scale", "-1")); off["CommandRateScale"] != -1.0 {
		t.Errorf("negative scale %v", off["CommandRateScale"])
	}
}
