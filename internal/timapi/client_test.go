package timapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

func TestRegions(t *testing.T) {
	want := map[string]string{
		"china":          "https://console.tim.qq.com",
		"singapore":      "https://adminapisgp.im.qcloud.com",
		"seoul":          "https://adminapikr.im.qcloud.com",
		"tokyo":          "https://adminapijpn.im.qcloud.com",
		"frankfurt":      "https://adminapiger.im.qcloud.com",
		"mumbai":         "https://adminapiind.im.qcloud.com",
		"silicon_valley": "https://adminapiusa.im.qcloud.com",
		"jakarta":        "https://adminapiidn.im.qcloud.com",
	}
	regions := Regions()
	if !slices.IsSorted(regions) || len(regions) != len(want) {
		t.Fatalf("Regions() = %v", regions)
	}
	for _, r := range regions {
		got, ok := RegionEndpoint(r)
		if !ok || got != want[r] {
			t.Errorf("RegionEndpoint(%q) = %q, %v; want %q", r, got, ok, want[r])
		}
		if err := ValidateEndpoint(got); err != nil {
			t.Errorf("ValidateEndpoint(%q) = %v", got, err)
		}
	}
	if _, ok := RegionEndpoint("mars"); ok {
		t.Error("RegionEndpoint(mars) succeeded")
	}
}

func TestValidateEndpoint(t *testing.T) {
	cases := []struct {
		endpoint string
		wantErr  string // substring; "" means valid
	}{
		{"https://console.tim.qq.com", ""},
		{"https://console.tim.qq.com/", ""},
		{"https://example.com:8443/prefix", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.0.0.2", ""},
		{"http://localhost", ""},
		{"http://LOCALHOST:9000", ""},
		{"http://[::1]:8080", ""},
		{"", "empty"},
		{"console.tim.qq.com", "no scheme"},
		{"127.0.0.1:8080", "no scheme"},
		{"localhost:8080", "no scheme"},
		{"ftp://example.com", "use https://"},
		{"http://console.tim.qq.com", "only allowed for loopback"},
		{"http://10.0.0.1:8080", "only allowed for loopback"},
		{"http://localhost.example.com", "only allowed for loopback"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://example.com/?a=b", "query"},
		{"https://example.com/#x", "fragment"},
		{"https://user:pw@example.com", "user info"},
		{"https://exa mple.com", "not a valid URL"},
	}
	for _, c := range cases {
		err := ValidateEndpoint(c.endpoint)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("ValidateEndpoint(%q) = %v, want ok", c.endpoint, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ValidateEndpoint(%q) = %v, want error containing %q", c.endpoint, err, c.wantErr)
		}
	}
}

func TestNewValidation(t *testing.T) {
	base := Config{SDKAppID: 1, SecretKey: "k"}
	cases := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"ok with key", func(*Config) {}, ""},
		{"ok with usersig", func(c *Config) { c.SecretKey, c.UserSig = "", "sig" }, ""},
		{"no sdkappid", func(c *Config) { c.SDKAppID = 0 }, "sdkappid"},
		{"both credentials", func(c *Config) { c.UserSig = "sig" }, "not both"},
		{"no credentials", func(c *Config) { c.SecretKey = "" }, "required"},
		{"unknown region", func(c *Config) { c.Region = "mars" }, "unknown region"},
		{"bad endpoint", func(c *Config) { c.Endpoint = "http://example.com" }, "loopback"},
		{"waits inverted", func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Second, time.Millisecond }, "exceeds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			_, err := New(cfg)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("New = %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("New = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}

	c, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "https://console.tim.qq.com" || c.identifier != "administrator" || c.maxRetries != 0 ||
		c.requestTimeout != 30*time.Second || c.maxParallel != 8 ||
		c.CommandRate("import_group_member") != 200 || c.CommandRate("account_check") != 100 || c.CommandRate("get_appid_group_list") != 1 {
		t.Fatalf("defaults not applied: %+v", c)
	}
	def := DefaultConfig()
	def.SDKAppID, def.SecretKey = 1, "k"
	if c, _ = New(def); c.maxRetries != 5 {
		t.Fatalf("DefaultConfig's retries not applied: %d", c.maxRetries)
	}
	c, _ = New(Config{SDKAppID: 1, SecretKey: "k", Region: "tokyo", MaxRetries: -1, RateLimit: 3})
	if c.base != "https://adminapijpn.im.qcloud.com" || c.maxRetries != 0 || c.CommandRate("account_check") != 3 {
		t.Fatalf("region/negative retries/rate: %+v", c)
	}
}

// TestRequestFormat checks the URL, query, method, headers and body, and that
// each attempt gets a fresh random and a valid UserSig.
func TestRequestFormat(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if n < 3 {
			writeJSON(w, fail(10002, "internal error"))
			return
		}
		writeJSON(w, ok(map[string]any{"GroupId": "g1"}))
	})
	c, log := newClient(t, f.URL+"/")
	var resp struct{ GroupId string }
	if err := c.Call(t.Context(), "group_open_http_svc", "create_group", map[string]string{"Name": "x"}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.GroupId != "g1" {
		t.Fatalf("decoded %+v", resp)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	randoms := map[string]bool{}
	for _, r := range reqs {
		if r.Method != http.MethodPost || r.Path != "/v4/group_open_http_svc/create_group" {
			t.Errorf("request %s %s", r.Method, r.Path)
		}
		q := r.Query
		if len(q) != 5 || q.Get("sdkappid") != strconv.Itoa(testAppID) || q.Get("identifier") != testIdentifier || q.Get("contenttype") != "json" {
			t.Errorf("query %v", q)
		}
		if _, err := usersig.Verify(q.Get("usersig"), testAppID, testKey, testIdentifier, time.Now()); err != nil {
			t.Errorf("usersig does not verify: %v", err)
		}
		rnd, err := strconv.ParseUint(q.Get("random"), 10, 32)
		if err != nil {
			t.Errorf("random %q is not a uint32", q.Get("random"))
		}
		randoms[strconv.FormatUint(rnd, 10)] = true
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if string(r.Body) != `{"Name":"x"}` {
			t.Errorf("body %s", r.Body)
		}
	}
	if len(randoms) != 3 {
		t.Errorf("random repeated across attempts: %v", randoms)
	}
	if got := c.Stats()["create_group"]; got != 3 {
		t.Errorf("Stats = %v", c.Stats())
	}
	var debug []string
	for _, l := range log.all() {
		if strings.HasPrefix(l, "DEBUG") {
			debug = append(debug, l)
		}
	}
	if len(debug) != 3 || !strings.Contains(debug[0], "api_code=10002 attempt=1 command=create_group duration_ms=") ||
		!strings.Contains(debug[2], "attempt=3 command=create_group duration_ms=") || !strings.HasSuffix(debug[2], "http_status=200") {
		t.Errorf("debug lines %q", debug)
	}

	// nil request sends {}.
	if err := c.Call(t.Context(), "group_open_http_svc", "destroy_group", nil, nil); err != nil {
		t.Fatal(err)
	}
	if last := f.requests()[3]; string(last.Body) != "{}" {
		t.Errorf("nil request body %q", last.Body)
	}
}

func TestFixedUserSig(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL, func(c *Config) {
		c.SecretKey, c.UserSig, c.Identifier = "", "pre-generated-sig*-_", "ops"
	})
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	q := f.requests()[0].Query
	if q.Get("usersig") != "pre-generated-sig*-_" || q.Get("identifier") != "ops" {
		t.Fatalf("query %v", q)
	}
}

func TestSignerRenewsBeforeExpiry(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	red := newRedactor()
	s := newSigner(Config{SDKAppID: testAppID, SecretKey: testKey, Identifier: "admin", UserSigTTL: 24 * time.Hour, Now: func() time.Time { return now }}, red)
	first, err := s.sig()
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(17 * time.Hour)
	if again, _ := s.sig(); again != first {
		t.Fatal("re-signed with three quarters of the validity left")
	}
	now = now.Add(2 * time.Hour) // 5h of 24h left
	renewed, _ := s.sig()
	if renewed == first {
		t.Fatal("did not re-sign with less than a quarter left")
	}
	sig, err := usersig.Verify(renewed, testAppID, testKey, "admin", now)
	if err != nil || sig.Expire != int64(24*time.Hour/time.Second) || sig.Time != now.Unix() {
		t.Fatalf("renewed sig %+v, %v", sig, err)
	}
	if got := red.scrub("a " + first + " b " + renewed); got != "a REDACTED b REDACTED" {
		t.Fatalf("redactor missed a generated sig: %q", got)
	}
}

func TestSignerConcurrent(t *testing.T) {
	s := newSigner(Config{SDKAppID: 1, SecretKey: testKey, Identifier: "a", UserSigTTL: time.Hour, Now: time.Now}, newRedactor())
	done := make(chan string)
	for range 16 {
		go func() {
			sig, _ := s.sig()
			done <- sig
		}()
	}
	first := <-done
	for range 15 {
		if sig := <-done; sig != first {
			t.Fatal("concurrent callers got different sigs")
		}
	}
}

func TestSignError(t *testing.T) {
	// An identifier Generate refuses cannot happen through New; force it.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) { writeJSON(w, ok(nil)) })
	c, _ := newClient(t, f.URL)
	c.signer.identifier = ""
	err := c.DestroyGroup(t.Context(), "g")
	if err == nil || !strings.Contains(err.Error(), "generating usersig") || f.count() != 0 {
		t.Fatalf("err = %v, %d requests", err, f.count())
	}
	if e := apiErr(t, err); e.Attempts != 0 {
		t.Fatalf("signing failure retried: %+v", e)
	}
}

func TestServerTime(t *testing.T) {
	ahead := time.Now().Add(time.Hour).Truncate(time.Second)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		w.Header().Set("Date", ahead.UTC().Format(http.TimeFormat))
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL)
	if d := time.Since(c.ServerTime()); d < -time.Second || d > time.Second {
		t.Fatalf("before any response ServerTime is %s off the local clock", d)
	}
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	if got := c.ServerTime(); got.Before(ahead) || got.After(ahead.Add(2*time.Second)) {
		t.Fatalf("ServerTime = %s, want about %s", got, ahead)
	}
}
