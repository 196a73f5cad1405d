package timapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

const (
	// maxResponseBytes bounds a response body; the API itself refuses to
	// produce more than 1 MB (error 10018).
	maxResponseBytes = 32 << 20
	// maxRetryAfter bounds how long a server's Retry-After can make us wait.
	maxRetryAfter = time.Minute
)

// errGaveUp is what the retryablehttp ErrorHandler returns; the real error is
// then built from the state of the last attempt.
var errGaveUp = errors.New("gave up")

// Call posts req (or {} when nil) as JSON to {base}/v4/{service}/{command},
// signs and rate-limits every attempt, retries transient failures, and decodes
// the response into resp. A failed call returns an *APIError, or an error
// wrapping the context's error when ctx ended first.
func (c *Client) Call(ctx context.Context, service, command string, req, resp any) error {
	if service == "" || command == "" {
		return errors.New("timapi: service and command are required")
	}
	body := []byte("{}")
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("%s: encoding request: %w", command, err)
		}
		if string(b) != "null" {
			body = b
		}
	}

	st := &attempts{c: c, ctx: ctx, command: command}
	// The URL handed to retryablehttp carries no query: the attempt transport
	// adds it, so errors that quote this URL cannot leak the UserSig.
	hreq, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v4/"+service+"/"+command, body)
	if err != nil {
		return fmt.Errorf("%s: building request: %w", command, c.redact.scrubErr(err))
	}
	hreq.Header.Set("Content-Type", "application/json")

	// A retryablehttp.Client is a plain struct; one per call lets its hooks
	// share this call's state. Connections are pooled in c.transport.
	rc := &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: st,
			// A redirect would carry the signed query to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RetryWaitMin: c.retryWaitMin,
		RetryWaitMax: c.retryWaitMax,
		// checkRetry keeps the budgets: max_retries for failures, the
		// context's deadline for rate-limit answers.
		RetryMax:   math.MaxInt32,
		CheckRetry: st.checkRetry,
		Backoff:    st.backoff,
		ErrorHandler: func(resp *http.Response, _ error, _ int) (*http.Response, error) {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, errGaveUp
		},
	}
	hresp, err := rc.Do(hreq)
	if hresp != nil {
		hresp.Body.Close()
	}
	if err != nil && !errors.Is(err, errGaveUp) {
		if ctx.Err() == nil {
			return fmt.Errorf("%s: %w", command, c.redact.scrubErr(err))
		}
		// The context ended while waiting to retry.
		st.outcome = st.contextEnded(ctx.Err())
	}
	return st.result(resp)
}

// attempts is the state of one Call across its attempts. Attempts run one at
// a time, so it needs no lock.
type attempts struct {
	c       *Client
	ctx     context.Context
	command string

	n         int // attempts sent
	retries   int // retries after failures other than rate-limit answers
	throttles int // rate-limit answers
	first     time.Time
	start     time.Time
	epoch     uint64  // the limiter's epoch when the latest attempt was sent
	outcome   outcome // of the latest attempt
}

// throttleBudget bounds rate-limit retries when the caller's context has no
// deadline of its own.
const throttleBudget = 10 * time.Minute

type outcome struct {
	ctxErr    error // the caller's context ended
	lastErr   error // then, the failure that was being retried
	transport error // redacted transport failure
	status    int   // HTTP status
	body      []byte
	envErr    error // DecodeEnvelope's verdict on body (without payload)
	throttled bool  // a rate-limit answer (API code or HTTP 429)
}

type limiterError struct{ err error }

func (e *limiterError) Error() string { return "waiting for the rate limiter: " + e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

// RoundTrip runs one attempt: wait for a rate-limiter token, sign a fresh
// query (new random, current UserSig), and bound the attempt, body included,
// by the request timeout.
func (a *attempts) RoundTrip(req *http.Request) (*http.Response, error) {
	a.start = time.Time{}
	if a.first.IsZero() {
		a.first = time.Now()
	}
	ctx := req.Context()
	var err error
	if l := a.c.limiter(a.command); l != nil {
		a.epoch, err = l.wait(ctx)
	}
	if err == nil && a.c.total != nil {
		err = a.c.total.Wait(ctx)
	}
	if err != nil {
		closeBody(req)
		if ctx.Err() == nil {
			// Wait refuses up front when the token would come after the deadline.
			err = fmt.Errorf("%v: %w", err, context.DeadlineExceeded)
		}
		return nil, &limiterError{err}
	}
	sig, err := a.c.signer.sig()
	if err != nil {
		closeBody(req)
		return nil, err
	}

	actx, cancel := context.WithTimeout(ctx, a.c.requestTimeout)
	r := req.Clone(actx)
	r.URL.RawQuery = "sdkappid=" + url.QueryEscape(a.c.sdkappid) +
		"&identifier=" + url.QueryEscape(a.c.identifier) +
		"&usersig=" + url.QueryEscape(sig) +
		"&random=" + strconv.FormatUint(uint64(rand.Uint32()), 10) +
		"&contenttype=json"

	a.n++
	a.start = time.Now()
	a.c.countAttempt(a.command)
	resp, err := a.c.transport.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// checkRetry reads the whole body (so that API codes, which come with HTTP
// 200, can decide), records the outcome and logs the attempt.
func (a *attempts) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	o := outcome{}
	if resp != nil {
		a.c.observeDate(resp.Header.Get("Date"))
		o.status = resp.StatusCode
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		switch {
		case rerr != nil:
			err = fmt.Errorf("reading response body: %w", rerr)
		case len(b) > maxResponseBytes:
			o.envErr = fmt.Errorf("%s: response exceeds %d bytes", a.command, maxResponseBytes)
		default:
			o.body = b
		}
	}

	var lerr *limiterError
	var serr *signError
	retry := false
	switch {
	case ctx.Err() != nil:
		o = a.contextEnded(ctx.Err())
	case errors.As(err, &lerr):
		o = a.contextEnded(err)
	case err != nil:
		o = outcome{transport: a.transportError(err)}
		if !errors.As(err, &serr) {
			// Reuse retryablehttp's judgement of which transport errors are
			// permanent (bad certificate, unsupported scheme, ...).
			retry, _ = retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err)
		}
	case o.envErr != nil:
	case o.status == http.StatusOK:
		o.envErr = checkEnvelope(a.command, o.body)
		var apiErr *APIError
		retry = errors.As(o.envErr, &apiErr) && IsRetryableCode(apiErr.Code)
		o.throttled = retry && IsRateLimited(o.envErr)
	default:
		retry = o.status == http.StatusTooManyRequests || (o.status >= 500 && o.status != http.StatusNotImplemented)
		o.throttled = o.status == http.StatusTooManyRequests
	}
	a.outcome = o
	a.logAttempt()
	if o.ctxErr != nil {
		return false, o.ctxErr
	}
	if resp != nil {
		if l := a.c.limiter(a.command); l != nil {
			if o.throttled {
				l.throttled(a.epoch)
			} else {
				l.succeeded()
			}
		}
	}
	if !retry {
		return false, nil
	}
	if o.throttled {
		// Rate-limit answers say nothing is wrong with the request: they are
		// retried, at the lowered rate, for as long as the operation may take.
		a.throttles++
		_, hasDeadline := ctx.Deadline()
		return hasDeadline || time.Since(a.first) < throttleBudget, nil
	}
	a.retries++
	return a.retries <= a.c.maxRetries, nil
}

// contextEnded is the outcome when the caller's context (or the rate
// limiter's view of its deadline) ends the call; it keeps the failure that
// was being retried, if any, for the message.
func (a *attempts) contextEnded(err error) outcome {
	o := outcome{ctxErr: err}
	if prev := a.outcome; prev.ctxErr == nil && (prev.transport != nil || prev.status != 0) {
		o.lastErr = a.result(nil)
	}
	return o
}

// transportError rebuilds a transport failure without the URL's query (the
// *url.Error holds none, but its wrapped text is scrubbed too) and explains a
// per-attempt timeout plainly.
func (a *attempts) transportError(err error) error {
	inner := err
	var uerr *url.Error
	if errors.As(err, &uerr) {
		inner = uerr.Err
	}
	if errors.Is(err, context.DeadlineExceeded) && a.ctx.Err() == nil {
		inner = fmt.Errorf("no complete response within the request timeout (%s)", a.c.requestTimeout)
	}
	if uerr != nil {
		redacted := "(url)"
		if u, perr := url.Parse(uerr.URL); perr == nil {
			redacted = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
		}
		inner = &url.Error{Op: uerr.Op, URL: redacted, Err: inner}
	}
	return a.c.redact.scrubErr(inner)
}

// backoff is exponential with equal jitter: a random wait between half and
// all of min·2^attempt, capped at max. A 429 or 503 with Retry-After waits as
// told, up to maxRetryAfter.
func (a *attempts) backoff(lo, hi time.Duration, _ int, resp *http.Response) time.Duration {
	var wait time.Duration
	switch {
	case !a.outcome.throttled:
		wait = expBackoff(lo, hi, a.retries-1)
	case a.c.limiter(a.command) == nil:
		wait = expBackoff(lo, hi, a.throttles-1)
	default:
		// The lowered rate paces the retry; a little jitter keeps the
		// requests that were throttled together from returning together.
		wait = rand.N(lo/4 + 1)
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), a.c.now()); ok {
			wait = min(d, maxRetryAfter)
		}
	}
	if a.c.logger != nil {
		fields := a.fields()
		fields["wait_ms"] = wait.Milliseconds()
		if a.outcome.throttled {
			fields["throttled"] = a.throttles
			if l := a.c.limiter(a.command); l != nil {
				fields["rate_per_s"] = l.Rate()
			}
		} else {
			fields["retries_left"] = a.c.maxRetries - a.retries
		}
		a.c.logger.Warn(a.ctx, "Tencent IM API call failed, retrying", fields)
	}
	return wait
}

func expBackoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func (a *attempts) fields() map[string]any {
	o := a.outcome
	f := map[string]any{"command": a.command, "attempt": a.n}
	if o.status != 0 {
		f["http_status"] = o.status
	}
	var apiErr *APIError
	if errors.As(o.envErr, &apiErr) {
		f["api_code"] = apiErr.Code
	}
	switch {
	case o.ctxErr != nil:
		f["error"] = a.c.redact.scrub(o.ctxErr.Error())
	case o.transport != nil:
		f["error"] = o.transport.Error()
	case o.envErr != nil && apiErr == nil:
		f["error"] = o.envErr.Error()
	}
	return f
}

func (a *attempts) logAttempt() {
	if a.c.logger == nil {
		return
	}
	f := a.fields()
	if !a.start.IsZero() {
		f["duration_ms"] = time.Since(a.start).Milliseconds()
	}
	a.c.logger.Debug(a.ctx, "Tencent IM API attempt", f)
}

// result turns the last attempt's outcome into Call's return value.
func (a *attempts) result(into any) error {
	o := a.outcome
	switch {
	case o.ctxErr != nil && o.lastErr != nil:
		// Both wrapped: callers can tell a deadline that ended rate-limit
		// retries (IsRateLimited) from one that ended anything else.
		return fmt.Errorf("%s: giving up after %d attempt(s): %w (last failure: %w)", a.command, a.n, o.ctxErr, o.lastErr)
	case o.ctxErr != nil:
		return fmt.Errorf("%s: giving up after %d attempt(s): %w", a.command, a.n, o.ctxErr)
	case o.transport != nil:
		return &APIError{Command: a.command, Info: o.transport.Error(), Attempts: a.n, err: o.transport}
	case o.status != http.StatusOK:
		e := &APIError{Command: a.command, HTTPStatus: o.status, Attempts: a.n}
		// Some gateways answer with an API envelope and an HTTP error status.
		var inner *APIError
		if errors.As(checkEnvelope(a.command, o.body), &inner) {
			e.Code, e.Info = inner.Code, a.c.redact.scrub(inner.Info)
		}
		return e
	}
	return a.finish(decodePayload(a.command, o.body, into, o.envErr))
}

func (a *attempts) finish(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = a.n
		apiErr.Info = a.c.redact.scrub(apiErr.Info)
		return apiErr
	}
	return a.c.redact.scrubErr(err)
}
