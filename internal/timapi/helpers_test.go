package timapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAppID      = 1400000001
	testKey        = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	testIdentifier = "administrator"
)

// recorded is one request as the fake server saw it.
type recorded struct {
	Method  string
	Path    string
	Command string
	Query   url.Values
	Header  http.Header
	Body    []byte
}

// handlerFunc answers the n-th (1-based) request for the command.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rec recorded, n int)

// fakeServer is a tiny httptest server that records every request and hands
// it to a handler with the per-command request count.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	counts map[string]int
	handle handlerFunc
}

func newFake(t *testing.T, h handlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{counts: map[string]int{}, handle: h}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{
			Method:  r.Method,
			Path:    r.URL.Path,
			Command: path.Base(r.URL.Path),
			Query:   r.URL.Query(),
			Header:  r.Header.Clone(),
			Body:    body,
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.counts[rec.Command]++
		n := f.counts[rec.Command]
		f.mu.Unlock()
		f.handle(w, r, rec, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeServer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func ok(extra map[string]any) map[string]any {
	m := map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func fail(code int, info string) map[string]any {
	return map[string]any{"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}
}

// captureLogger records every log line as text for secret scans.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) log(level, msg string, fields map[string]any) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", level, msg)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, fields[k])
	}
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.log("DEBUG", msg, fields)
}

func (l *captureLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.log("WARN", msg, fields)
}

func (l *captureLogger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// testConfig is fast: tiny backoff, no rate limit, short timeout.
func testConfig(endpoint string) Config {
	return Config{
		SDKAppID:       testAppID,
		SecretKey:      testKey,
		Endpoint:       endpoint,
		MaxRetries:     DefaultConfig().MaxRetries,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
		RateLimit:      -1,
		RequestTimeout: 2 * time.Second,
	}
}

func newClient(t *testing.T, endpoint string, mutate ...func(*Config)) (*Client, *captureLogger) {
	t.Helper()
	cfg := testConfig(endpoint)
	log := &captureLogger{}
	cfg.Logger = log
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, log
}

func apiErr(t *testing.T, err error) *APIError {
	t.Helper()
	e, isAPI := err.(*APIError)
	if !isAPI {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return e
}
