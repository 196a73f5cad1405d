package timapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

var retryableCodes = []int{10002, 10006, 60007, 60011, 60018, 60019, 70169, 70202, 70500}

func TestRetryableCodesRetriedUntilClear(t *testing.T) {
	for _, code := range retryableCodes {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			if !IsRetryableCode(code) {
				t.Fatalf("IsRetryableCode(%d) = false", code)
			}
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				if n <= 2 {
					writeJSON(w, fail(code, "transient"))
					return
				}
				writeJSON(w, ok(nil))
			})
			c, log := newClient(t, f.URL)
			if err := c.DestroyGroup(t.Context(), "g"); err != nil {
				t.Fatalf("DestroyGroup = %v", err)
			}
			if f.count() != 3 || c.Stats()["destroy_group"] != 3 {
				t.Fatalf("%d requests, stats %v; want 3", f.count(), c.Stats())
			}
			var warns int
			for _, l := range log.all() {
				if strings.HasPrefix(l, "WARN") && strings.Contains(l, fmt.Sprintf("api_code=%d", code)) {
					warns++
				}
			}
			if warns != 2 {
				t.Fatalf("%d retry warnings, want 2: %q", warns, log.all())
			}
		})
	}
}

func TestNonRetryableCodesSurfaceAtOnce(t *testing.T) {
	cases := []struct {
		code                                 int
		notFound, auth, rateLimited, tooMany bool
		hint                                 string
	}{
		{code: 10004},
		{code: 10005, tooMany: true},
		{code: 10007},
		{code: 10010, notFound: true},
		{code: 10015, notFound: true},
		{code: 10019},
		{code: 70001, auth: true, hint: "usersig has expired"},
		{code: 70009, auth: true, hint: "secret_key does not belong to sdkappid"},
		{code: 70005, auth: true, hint: "secret_key does not belong to sdkappid"},
		{code: 70013, auth: true, hint: "identifier"},
		{code: 70014, auth: true, hint: "sdkappid"},
		{code: 70016, auth: true, hint: "region/endpoint does not match"},
		{code: 60006, auth: true, hint: "sdkappid"},
		{code: 60010, auth: true, hint: "identifier must be an app admin"},
		{code: 70403, auth: true, hint: "identifier must be an app admin"},
		{code: 70050, auth: true, rateLimited: true, hint: "wait a minute"},
		{code: 80001},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				writeJSON(w, fail(tc.code, "reason text"))
			})
			c, _ := newClient(t, f.URL)
			_, err := c.ImportGroupMembers(t.Context(), "g", []ImportMember{{Account: "a"}})
			e := apiErr(t, err)
			if e.Code != tc.code || e.Attempts != 1 || e.HTTPStatus != 0 || e.Command != "import_group_member" || e.Info != "reason text" {
				t.Fatalf("APIError %+v", e)
			}
			if f.count() != 1 {
				t.Fatalf("%d requests, want 1", f.count())
			}
			want := fmt.Sprintf("import_group_member failed: error %d: reason text", tc.code)
			if err.Error() != want {
				t.Fatalf("Error() = %q, want %q", err, want)
			}
			wrapped := fmt.Errorf("reading: %w", err)
			if IsNotFound(wrapped) != tc.notFound || IsAuth(wrapped) != tc.auth ||
				IsRateLimited(wrapped) != tc.rateLimited || IsTooManyAccounts(wrapped) != tc.tooMany {
				t.Fatalf("helpers: notFound=%v auth=%v rateLimited=%v tooMany=%v", IsNotFound(wrapped), IsAuth(wrapped), IsRateLimited(wrapped), IsTooManyAccounts(wrapped))
			}
			if hint := AuthHint(wrapped); !strings.Contains(hint, tc.hint) || (tc.hint == "") != (hint == "") {
				t.Fatalf("AuthHint = %q, want it to contain %q", hint, tc.hint)
			}
		})
	}
}

func TestErrorHelpersOnOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), &APIError{HTTPStatus: 502}} {
		if IsNotFound(err) || IsAuth(err) || IsRateLimited(err) || IsTooManyAccounts(err) || AuthHint(err) != "" {
			t.Errorf("helpers true for %v", err)
		}
	}
	if !IsRateLimited(&APIError{HTTPStatus: 429}) {
		t.Error("HTTP 429 is not rate limited")
	}
	for _, code := range []int{60004, 60005, 60012, 60016, 60020, 60021, 70002, 70003, 70020, 70051, 70052} {
		if e := (&APIError{Code: code}); !IsAuth(e) || AuthHint(e) == "" {
			t.Errorf("code %d: IsAuth %v hint %q", code, IsAuth(e), AuthHint(e))
		}
	}
}

func TestHTTPErrorsRetried(t *testing.T) {
	for _, status := range []int{500, 502, 503, 429} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				if n == 1 {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(status)
					fmt.Fprint(w, "<html><body>Bad Gateway</body></html>")
					return
				}
				writeJSON(w, ok(nil))
			})
			c, _ := newClient(t, f.URL)
			if err := c.DestroyGroup(t.Context(), "g"); err != nil {
				t.Fatal(err)
			}
			if f.count() != 2 {
				t.Fatalf("%d requests", f.count())
			}
		})
	}
}

func TestHTTPStatusErrors(t *testing.T) {
	cases := []struct {
		status    int
		body      string
		wantCode  int
		wantTries int
	}{
		{502, "<html>Bad Gateway</html>", 0, 3},
		{404, "<html>Not Found</html>", 0, 1},
		{403, "", 0, 1},
		{302, "", 0, 1},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
				if tc.status == 302 {
					w.Header().Set("Location", "https://elsewhere.example/")
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c, _ := newClient(t, f.URL, func(c *Config) { c.MaxRetries = 2 })
			err := c.DestroyGroup(t.Context(), "g")
			e := apiErr(t, err)
			if e.HTTPStatus != tc.status || e.Code != tc.wantCode || e.Attempts != tc.wantTries || f.count() != tc.wantTries {
				t.Fatalf("APIError %+v after %d requests", e, f.count())
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", tc.status)) {
				t.Fatalf("Error() = %q", err)
			}
		})
	}
}

func TestDroppedConnectionRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if n == 2 {
			// Headers promise more body than arrives.
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err == nil {
				fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ActionStatus\":")
				buf.Flush()
				conn.Close()
			}
			return
		}
		writeJSON(w, ok(nil))
	})
	c, log := newClient(t, f.URL)
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	if f.count() != 3 {
		t.Fatalf("%d requests", f.count())
	}
	if lines := strings.Join(log.all(), "\n"); !strings.Contains(lines, "error=") {
		t.Fatalf("transport errors not logged: %s", lines)
	}
}

func TestSlowResponseRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if n == 1 {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		if n == 2 {
			// Headers in time, body too late.
			w.WriteHeader(200)
			fmt.Fprint(w, `{"ActionStatus":`)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, ok(nil))
	})
	c, log := newClient(t, f.URL, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
	start := time.Now()
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	if f.count() != 3 {
		t.Fatalf("%d requests", f.count())
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("took %s", d)
	}
	if lines := strings.Join(log.all(), "\n"); !strings.Contains(lines, "request timeout") {
		t.Fatalf("timeout not explained in logs: %s", lines)
	}
}

func TestRetriesExhausted(t *testing.T) {
	codes := []int{10002, 70169, 70202, 10006}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, fail(codes[(n-1)%len(codes)], fmt.Sprintf("attempt %d", n)))
	})
	c, _ := newClient(t, f.URL, func(c *Config) { c.MaxRetries = 3 })
	err := c.DestroyGroup(t.Context(), "g")
	e := apiErr(t, err)
	// The rate-limit answer (attempt 4) does not use up a retry, so the
	// fourth failure of another kind (attempt 5) ends the call.
	if e.Code != 10002 || e.Info != "attempt 5" || e.Attempts != 5 || f.count() != 5 {
		t.Fatalf("APIError %+v after %d requests", e, f.count())
	}
	if !strings.Contains(err.Error(), "after 5 attempts") || strings.Contains(err.Error(), "giving up") {
		t.Fatalf("Error() = %q", err)
	}

	// Transport failures that never clear.
	dead := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	c, _ = newClient(t, dead.URL, func(c *Config) { c.MaxRetries = 2 })
	err = c.DestroyGroup(t.Context(), "g")
	e = apiErr(t, err)
	if e.Code != 0 || e.HTTPStatus != 0 || e.Attempts != 3 || dead.count() != 3 || !strings.Contains(e.Info, "/v4/group_open_http_svc/destroy_group") {
		t.Fatalf("APIError %+v", e)
	}

	// MaxRetries < 0 disables retries.
	c, _ = newClient(t, f.URL, func(c *Config) { c.MaxRetries = -1 })
	if e := apiErr(t, c.DestroyGroup(t.Context(), "g")); e.Attempts != 1 {
		t.Fatalf("APIError %+v", e)
	}
}

func TestContextCancellationStopsRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, fail(10002, "busy"))
	})
	c, _ := newClient(t, f.URL, func(c *Config) {
		c.RetryWaitMin, c.RetryWaitMax, c.MaxRetries = 2*time.Second, 10*time.Second, 10
	})
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.DestroyGroup(ctx, "g")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s after the deadline", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "destroy_group: giving up after 1 attempt(s)") ||
		!strings.Contains(err.Error(), "last failure: destroy_group failed: error 10002: busy") {
		t.Fatalf("err = %v", err)
	}
	if f.count() != 1 {
		t.Fatalf("%d requests", f.count())
	}

	// Cancelled during a hanging request.
	hang := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		<-r.Context().Done()
	})
	c, _ = newClient(t, hang.URL)
	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	err = c.DestroyGroup(ctx, "g")
	if !errors.Is(err, context.Canceled) || hang.count() != 1 || strings.Contains(err.Error(), "last failure") {
		t.Fatalf("err = %v after %d requests", err, hang.count())
	}

	// Already cancelled: no request at all.
	err = c.DestroyGroup(ctx, "g")
	if !errors.Is(err, context.Canceled) || hang.count() != 1 {
		t.Fatalf("err = %v after %d requests", err, hang.count())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var times []time.Time
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL)
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	if gap := times[1].Sub(times[0]); gap < 900*time.Millisecond {
		t.Fatalf("retried after %s despite Retry-After: 1", gap)
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, time.Second
	for attempt, ms := range []int{100, 200, 400, 800, 1000, 1000, 1000} {
		want := time.Duration(ms) * time.Millisecond
		for range 50 {
			d := expBackoff(lo, hi, attempt)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
	if d := expBackoff(lo, hi, 1000); d > hi {
		t.Fatalf("no cap at a huge attempt: %s", d)
	}
	now := time.Unix(1_750_000_000, 0)
	for in, want := range map[string]time.Duration{
		"3": 3 * time.Second,
		now.Add(5 * time.Second).UTC().Format(http.TimeFormat): 5 * time.Second,
		now.Add(-time.Hour).UTC().Format(http.TimeFormat):      0,
	} {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %s, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-1", "soon"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) accepted", in)
		}
	}
}

// TestRateLimiterShared: 30 calls at 20/s with a burst of 10 need at least
// (30-10)/20 = 1s, whether sequential or concurrent, and a different command
// is not held up by them.
func TestRateLimiterShared(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL, func(c *Config) { c.RateLimit = 20 })
	start := time.Now()
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.DestroyGroup(t.Context(), "g"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("30 calls at 20/s took %s", d)
	}
	other := time.Now()
	if err := c.ModifyGroupMemberRole(t.Context(), "g", "a", "Admin"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(other); d > 300*time.Millisecond {
		t.Fatalf("another command waited %s", d)
	}
	if got := c.Stats(); got["destroy_group"] != 30 || got["modify_group_member_info"] != 1 {
		t.Fatalf("Stats = %v", got)
	}
}

// TestRateLimiterCoversRetries: retries take tokens too, so a burst of 1 at
// 10/s makes three attempts take at least 0.2s even with no backoff.
func TestRateLimiterCoversRetries(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if n < 3 {
			writeJSON(w, fail(10002, "busy"))
			return
		}
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL, func(c *Config) { c.RateLimit = 1 })
	c.limiter("destroy_group").set(10)
	start := time.Now()
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Fatalf("three attempts at 10/s took %s", d)
	}

	// A deadline the limiter cannot meet fails at once, as a context error:
	// at 0.1/s, the call after this one may go in 10s.
	c.limiter("destroy_group").set(0.1)
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	err := c.DestroyGroup(ctx, "g")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "rate limiter") {
		t.Fatalf("err = %v", err)
	}
}

// TestThrottledRetries: rate-limit answers (API codes and HTTP 429) are
// retried without using up max_retries, until the caller's deadline, and
// the last one is named when the deadline ends the call.
func TestThrottledRetries(t *testing.T) {
	t.Parallel()
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { writeJSON(w, fail(10006, "operation frequency limited")) },
		func(w http.ResponseWriter) { writeJSON(w, fail(60007, "REST call frequency exceeded")) },
		func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"slow down"}`)
		},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		if n <= 9 {
			answers[(n-1)%len(answers)](w)
			return
		}
		writeJSON(w, ok(nil))
	})
	c, _ := newClient(t, f.URL, func(c *Config) { c.MaxRetries = 1; c.RetryWaitMin = time.Millisecond })
	if err := c.DestroyGroup(t.Context(), "g"); err != nil {
		t.Fatalf("nine rate-limit answers with max_retries = 1: %v", err)
	}
	if f.count() != 10 {
		t.Fatalf("%d requests, want 10", f.count())
	}

	always := newFake(t, func(w http.ResponseWriter, r *http.Request, rec recorded, n int) {
		writeJSON(w, fail(10006, "operation frequency limited"))
	})
	c, _ = newClient(t, always.URL, func(c *Config) { c.MaxRetries = 1; c.RetryWaitMin = time.Millisecond })
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := c.DestroyGroup(ctx, "g")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "error 10006") {
		t.Fatalf("err = %v, want the deadline naming the last 10006", err)
	}
	if always.count() < 3 {
		t.Fatalf("only %d requests before the deadline", always.count())
	}
}

// TestAdaptiveLimiter: a rate-limit answer halves the rate once per epoch
// (answers to requests sent before the decrease do not count again), and
// successes bring it back additively, never above the ceiling.
func TestAdaptiveLimiter(t *testing.T) {
	l := newAdaptiveLimiter(200)
	e0, err := l.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	l.throttled(e0)
	l.throttled(e0) // sent in the same epoch: no second decrease
	if got := l.Rate(); got != 100 {
		t.Fatalf("rate after one epoch of throttles = %v, want 100", got)
	}
	e1, _ := l.wait(t.Context())
	l.throttled(e1)
	if got := l.Rate(); got != 50 {
		t.Fatalf("rate after the second epoch = %v, want 50", got)
	}
	for range 10 {
		l.succeeded()
	}
	if got := l.Rate(); math.Abs(got-51) > 1e-9 {
		t.Fatalf("rate after 10 successes = %v, want 51 (0.1 per success)", got)
	}
	for range 100_000 {
		l.succeeded()
	}
	if got := l.Rate(); got != 200 {
		t.Fatalf("rate = %v, want the ceiling 200", got)
	}
	for range 100 {
		l.throttled(l.epoch)
	}
	if got := l.Rate(); got != minThrottledRate {
		t.Fatalf("rate = %v, want the floor %v", got, minThrottledRate)
	}
}
