// Package timapi is a client for the Tencent Cloud Chat (IM) server REST API:
// signing, per-command rate limiting, retries and defensive decoding, plus the
// group, member and account calls the provider needs.
//
// It never puts the secret key, the UserSig or the request URL's query string
// into an error or a log line.
package timapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"golang.org/x/time/rate"
)

// Logger receives structured log lines; the provider implements it with tflog.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Zero values select DefaultConfig's values,
// except MaxRetries, which is taken as it is.
type Config struct {
	SDKAppID   uint64
	Identifier string // app admin account
	SecretKey  string // exactly one of SecretKey and UserSig must be set
	UserSig    string // pre-generated UserSig for Identifier
	Region     string // see Regions
	Endpoint   string // overrides Region, e.g. "http://127.0.0.1:8080"

	MaxRetries     int           // retries after the first attempt; 0 or negative means none
	RequestTimeout time.Duration // per attempt
	RateLimit      float64       // starting and highest rate per command, in requests per second; 0 means DocumentedRate, negative means unlimited
	TotalRateLimit float64       // requests per second for all commands together; 0 means no such limit
	MaxParallel    int           // concurrent member-page reads
	RetryWaitMin   time.Duration
	RetryWaitMax   time.Duration
	UserSigTTL     time.Duration // validity of generated UserSigs

	Logger     Logger           // may be nil
	Now        func() time.Time // default time.Now
	HTTPClient *http.Client     // its Transport is used; default a pooled cleanhttp transport
}

// DefaultConfig has the defaults of every setting (the provider documents
// them) and no app or credentials.
func DefaultConfig() Config {
	return Config{
		Identifier:     "administrator",
		Region:         "china",
		MaxRetries:     5,
		RequestTimeout: 30 * time.Second,
		MaxParallel:    8,
		RetryWaitMin:   200 * time.Millisecond,
		RetryWaitMax:   5 * time.Second,
		UserSigTTL:     24 * time.Hour,
	}
}

// Client calls the REST API. It is safe for concurrent use; the rate limiters,
// the UserSig cache and the request statistics are shared by all calls.
type Client struct {
	base           string // scheme://host[/path] without a trailing slash
	sdkappid       string
	identifier     string
	signer         *signer
	redact         *redactor
	transport      http.RoundTripper
	maxRetries     int
	requestTimeout time.Duration
	retryWaitMin   time.Duration
	retryWaitMax   time.Duration
	maxParallel    int
	logger         Logger
	now            func() time.Time

	rateLimit float64 // 0: each command's DocumentedRate; negative: unlimited

	mu          sync.Mutex
	limiters    map[string]*adaptiveLimiter
	total       *rate.Limiter // nil when there is no app-wide limit
	stats       map[string]int
	clockOffset time.Duration    // server clock minus local clock, from Date headers
	community   communityReading // how the server takes Community cursor requests
}

// New validates cfg, applies defaults and returns a Client. It does no I/O.
func New(cfg Config) (*Client, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("sdkappid is required")
	}
	switch {
	case cfg.SecretKey != "" && cfg.UserSig != "":
		return nil, errors.New("set either secret_key or usersig, not both")
	case cfg.SecretKey == "" && cfg.UserSig == "":
		return nil, errors.New("one of secret_key or usersig is required")
	}
	def := DefaultConfig()
	if cfg.Identifier == "" {
		cfg.Identifier = def.Identifier
	}

	base := strings.TrimSpace(cfg.Endpoint)
	if base != "" {
		if err := ValidateEndpoint(base); err != nil {
			return nil, err
		}
	} else {
		region := cfg.Region
		if region == "" {
			region = def.Region
		}
		var ok bool
		if base, ok = RegionEndpoint(region); !ok {
			return nil, fmt.Errorf("unknown region %q: use one of %s, or set endpoint", region, strings.Join(Regions(), ", "))
		}
	}

	cfg.MaxRetries = max(cfg.MaxRetries, 0)
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = def.RequestTimeout
	}
	if cfg.MaxParallel <= 0 {
		cfg.MaxParallel = def.MaxParallel
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = def.RetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = def.RetryWaitMax
	}
	if cfg.RetryWaitMin > cfg.RetryWaitMax {
		return nil, fmt.Errorf("retry wait minimum (%s) exceeds the maximum (%s)", cfg.RetryWaitMin, cfg.RetryWaitMax)
	}
	if cfg.UserSigTTL <= 0 {
		cfg.UserSigTTL = def.UserSigTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	// Tencent documents limits per API; some apps also have one for the
	// whole app, which a second limiter shared by every command respects.
	var total *rate.Limiter
	if cfg.TotalRateLimit > 0 {
		total = rate.NewLimiter(rate.Limit(cfg.TotalRateLimit), max(1, min(int(cfg.TotalRateLimit), 10)))
	}

	var transport http.RoundTripper
	if cfg.HTTPClient != nil {
		transport = cfg.HTTPClient.Transport
	}
	if transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		// Keep a connection for every request a resource may have in flight
		// (cleanhttp keeps GOMAXPROCS+1): otherwise each parallel round
		// closes the extra connections and opens (and TLS-handshakes) them
		// again.
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, cfg.MaxParallel)
		transport = t
	}

	red := newRedactor(cfg.SecretKey, cfg.UserSig)
	return &Client{
		base:           strings.TrimRight(base, "/"),
		sdkappid:       fmt.Sprint(cfg.SDKAppID),
		identifier:     cfg.Identifier,
		signer:         newSigner(cfg, red),
		redact:         red,
		transport:      transport,
		maxRetries:     cfg.MaxRetries,
		requestTimeout: cfg.RequestTimeout,
		retryWaitMin:   cfg.RetryWaitMin,
		retryWaitMax:   cfg.RetryWaitMax,
		maxParallel:    cfg.MaxParallel,
		logger:         cfg.Logger,
		now:            cfg.Now,
		rateLimit:      cfg.RateLimit,
		limiters:       map[string]*adaptiveLimiter{},
		total:          total,
		stats:          map[string]int{},
	}, nil
}

// limiter returns the command's adaptive limiter, creating it on first use,
// or nil when rate limiting is off. Every resource of the provider process
// shares it, so what one learns from the server paces all of them.
func (c *Client) limiter(command string) *adaptiveLimiter {
	if c.rateLimit < 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters[command]
	if !ok {
		ceiling := c.rateLimit
		if ceiling == 0 {
			ceiling = DocumentedRate(command)
		}
		l = newAdaptiveLimiter(ceiling)
		c.limiters[command] = l
	}
	return l
}

// CommandRate is the rate the client currently allows a command, in calls
// per second (0 when rate limiting is off).
func (c *Client) CommandRate(command string) float64 {
	if l := c.limiter(command); l != nil {
		return l.Rate()
	}
	return 0
}

func (c *Client) countAttempt(command string) {
	c.mu.Lock()
	c.stats[command]++
	c.mu.Unlock()
}

// Stats returns the number of HTTP attempts per command, retries included.
func (c *Client) Stats() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.stats))
	for k, v := range c.stats {
		out[k] = v
	}
	return out
}

// observeDate records the server's clock from a response's Date header.
func (c *Client) observeDate(date string) {
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	offset := t.Sub(c.now())
	c.mu.Lock()
	c.clockOffset = offset
	c.mu.Unlock()
}

// ServerTime estimates the API server's clock from the Date header of the
// latest response, or is the local clock before any response. The header has
// whole seconds, so the estimate runs up to a second early, never late.
func (c *Client) ServerTime() time.Time {
	c.mu.Lock()
	offset := c.clockOffset
	c.mu.Unlock()
	return c.now().Add(offset)
}

var regionEndpoints = map[string]string{
	"china":          "https://console.tim.qq.com",
	"singapore":      "https://adminapisgp.im.qcloud.com",
	"seoul":          "https://adminapikr.im.qcloud.com",
	"tokyo":          "https://adminapijpn.im.qcloud.com",
	"frankfurt":      "https://adminapiger.im.qcloud.com",
	"mumbai":         "https://adminapiind.im.qcloud.com",
	"silicon_valley": "https://adminapiusa.im.qcloud.com",
	"jakarta":        "https://adminapiidn.im.qcloud.com",
}

// RegionEndpoint returns the primary API domain of a data-centre region.
func RegionEndpoint(region string) (string, bool) {
	e, ok := regionEndpoints[region]
	return e, ok
}

// Regions lists the supported region names, sorted.
func Regions() []string {
	out := make([]string, 0, len(regionEndpoints))
	for r := range regionEndpoints {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// ValidateEndpoint checks an endpoint override: an http(s) URL with a host and
// no query, fragment or user info; plain http only for a loopback host.
func ValidateEndpoint(endpoint string) error {
	if endpoint == "" {
		return errors.New("endpoint is empty")
	}
	const example = "e.g. https://console.tim.qq.com or http://127.0.0.1:8080"
	scheme, _, found := strings.Cut(endpoint, "://")
	if !found {
		return fmt.Errorf("endpoint %q has no scheme: start it with https:// (or http:// for a loopback host), %s", endpoint, example)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "https" && scheme != "http" {
		return fmt.Errorf("endpoint %q has scheme %q: use https:// (or http:// for a loopback host)", endpoint, scheme)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q is not a valid URL (%s): %v", endpoint, example, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("endpoint %q has no host, %s", endpoint, example)
	}
	if u.User != nil {
		return fmt.Errorf("endpoint %q must not contain user info", endpoint)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("endpoint %q must not contain a query or fragment", endpoint)
	}
	if scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("endpoint %q uses plain http, which is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost): use https://", endpoint)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
