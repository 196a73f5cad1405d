package timapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSecretsNeverLeak drives every failure path against a server that
// echoes the full request URL (query included) and the secret key back, then
// scans every error text and log line for the key and every UserSig the
// server received, raw and URL-escaped.
func TestSecretsNeverLeak(t *testing.T) {
	var mu sync.Mutex
	sigs := map[string]bool{}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		mu.Lock()
		sigs[rec.Query.Get("usersig")] = true
		mu.Unlock()
		echo := r.URL.String() + " key=" + testKey + " sig=" + rec.Query.Get("usersig")
		switch rec.Command {
		case "api_error":
			writeJSON(w, fail(70009, "bad sig for "+echo))
		case "retryable":
			writeJSON(w, fail(10002, "busy "+echo))
		case "html":
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body>502 for %s</body></html>", echo)
		case "notfound":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"ActionStatus":"FAIL","ErrorCode":60009,"ErrorInfo":%q}`, echo)
		case "non_json":
			fmt.Fprint(w, echo)
		case "bad_json":
			fmt.Fprintf(w, `{"ActionStatus":"OK","MemberList":[%q`, echo)
		case "drop":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case "garbage_status":
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "HTTP/1.1 2x0 %s\r\n\r\n", echo)
			buf.Flush()
			conn.Close()
		case "slow":
			<-r.Context().Done()
		case "get_group_info":
			writeJSON(w, ok(map[string]any{"GroupInfo": []map[string]any{{"GroupId": "g", "ErrorCode": 10010, "ErrorInfo": echo}}}))
		default:
			writeJSON(w, ok(nil))
		}
	})

	// run returns every error text and log line of one client.
	run := func(cfg func(*Config)) (errs []error, texts []string) {
		c, log := newClient(t, f.URL, func(c *Config) {
			c.MaxRetries = 2
			c.RequestTimeout = 50 * time.Millisecond
		}, cfg)
		for _, cmd := range []string{"api_error", "retryable", "html", "notfound", "non_json", "bad_json", "drop", "garbage_status", "slow"} {
			var into struct{ MemberList []string }
			errs = append(errs, c.Call(t.Context(), "svc", cmd, nil, &into))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		errs = append(errs, c.Call(ctx, "svc", "slow", nil, nil))
		// The deadline passes while waiting to retry: the message quotes the
		// last failure, which echoes the secrets.
		slowRetry, _ := newClient(t, f.URL, func(c *Config) { c.RetryWaitMin, c.RetryWaitMax, c.Logger = time.Second, time.Second, log }, cfg)
		ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		errs = append(errs, slowRetry.Call(ctx, "svc", "retryable", nil, nil))
		_, err := c.GetGroup(t.Context(), "g")
		errs = append(errs, err)
		for _, err := range errs {
			if err == nil {
				t.Fatal("a failure path returned no error")
			}
			for e := err; e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
			}
		}
		return errs, append(texts, log.all()...)
	}
	check := func(texts []string, secrets []string) {
		t.Helper()
		mu.Lock()
		for sig := range sigs {
			secrets = append(secrets, sig, url.QueryEscape(sig), url.PathEscape(sig))
		}
		mu.Unlock()
		leaks := 0
		for _, text := range texts {
			for _, s := range secrets {
				leaks += strings.Count(text, s)
			}
			if strings.Contains(text, "random=") || strings.Contains(text, "sdkappid=") {
				leaks++
				t.Errorf("query string leaked in %q", text)
			}
		}
		if leaks != 0 {
			t.Fatalf("%d leaks in %q", leaks, texts)
		}
	}

	errs, texts := run(func(*Config) {})
	if len(sigs) == 0 {
		t.Fatalf("server saw %d usersigs", len(sigs))
	}
	check(texts, []string{testKey})
	if testing.Verbose() {
		for _, err := range errs {
			t.Log(err)
		}
	}

	// A configured UserSig; this client does not know the key the server echoes.
	const fixed = "fixed-usersig+/=value-long"
	_, texts = run(func(c *Config) { c.SecretKey, c.UserSig = "", fixed })
	if !sigs[fixed] {
		t.Fatal("server never saw the configured usersig")
	}
	check(texts, []string{fixed, url.QueryEscape(fixed)})
}

func TestRedactor(t *testing.T) {
	r := newRedactor("secret-key-123", "", "abc")
	r.addSig("sig+/=x*y-_z")
	in := "k=secret-key-123 raw=sig+/=x*y-_z esc=" + url.QueryEscape("sig+/=x*y-_z") + " url=http://h/p?a=1&usersig=zzz&random=1 tail usersig=q abc"
	want := "k=REDACTED raw=REDACTED esc=REDACTED url=http://h/p?REDACTED tail usersig=REDACTED abc"
	if got := r.scrub(in); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	plain := errors.New("nothing secret")
	if r.scrubErr(plain) != plain {
		t.Fatal("clean error replaced")
	}
	for i := range maxRecentSigs + 5 {
		r.addSig(fmt.Sprintf("generated-sig-%02d", i))
	}
	if got := r.scrub("generated-sig-00 generated-sig-12"); got != "generated-sig-00 REDACTED" {
		t.Fatalf("recent sigs not bounded as expected: %q", got)
	}
}
