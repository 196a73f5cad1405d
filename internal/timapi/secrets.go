package timapi

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// signer hands out the UserSig for each attempt: the configured one, or one
// generated from the secret key, cached and re-signed well before it expires.
type signer struct {
	fixed      string
	key        string
	sdkappid   uint64
	identifier string
	ttl        time.Duration
	now        func() time.Time
	redact     *redactor

	mu      sync.Mutex
	current string
	renewAt time.Time
}

func newSigner(cfg Config, red *redactor) *signer {
	return &signer{
		fixed:      cfg.UserSig,
		key:        cfg.SecretKey,
		sdkappid:   cfg.SDKAppID,
		identifier: cfg.Identifier,
		ttl:        cfg.UserSigTTL,
		now:        cfg.Now,
		redact:     red,
	}
}

// sig returns a UserSig with at least a quarter of its validity left.
func (s *signer) sig() (string, error) {
	if s.fixed != "" {
		return s.fixed, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.current != "" && now.Before(s.renewAt) {
		return s.current, nil
	}
	sig, err := usersig.Generate(s.sdkappid, s.key, s.identifier, s.ttl, now)
	if err != nil {
		return "", &signError{err}
	}
	s.redact.addSig(sig)
	s.current = sig
	// Renewing with a quarter of the validity left keeps a sig from expiring
	// during a long apply and absorbs clock skew with the server.
	s.renewAt = now.Add(s.ttl - s.ttl/4)
	return sig, nil
}

// signError marks a local signing failure, which no retry can fix.
type signError struct{ err error }

func (e *signError) Error() string { return "generating usersig: " + e.err.Error() }
func (e *signError) Unwrap() error { return e.err }

// redactor removes secrets from text that may reach an error or a log line:
// the secret key, the configured UserSig and the UserSigs this client has
// generated, each raw and URL-escaped, plus any query string that carries a
// usersig parameter.
type redactor struct {
	mu     sync.Mutex
	fixed  []string
	recent [][]string // forms of recently generated UserSigs, oldest first
}

// An error can only quote a UserSig used by a request still in flight, so a
// few recent ones suffice.
const maxRecentSigs = 8

// Shorter strings cannot be removed without mangling ordinary text.
const minSecretLen = 6

var (
	signedQuery  = regexp.MustCompile(`(?i)\?[^\s"'<>]*usersig=[^\s"'<>]*`)
	usersigParam = regexp.MustCompile(`(?i)(usersig=)[^&\s"'<>]*`)
)

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.fixed = append(r.fixed, secretForms(s)...)
	}
	return r
}

func secretForms(s string) []string {
	if len(s) < minSecretLen {
		return nil
	}
	out := []string{s}
	for _, f := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func (r *redactor) addSig(sig string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recent = append(r.recent, secretForms(sig))
	if len(r.recent) > maxRecentSigs {
		r.recent = slices.Clone(r.recent[len(r.recent)-maxRecentSigs:])
	}
}

func (r *redactor) scrub(s string) string {
	s = signedQuery.ReplaceAllString(s, "?REDACTED")
	s = usersigParam.ReplaceAllString(s, "${1}REDACTED")
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range append([][]string{r.fixed}, r.recent...) {
		for _, secret := range list {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return s
}

// scrubErr returns err unchanged when its text holds no secret, otherwise a plain
// error with the secrets removed (the chain is dropped: its texts are unsafe).
func (r *redactor) scrubErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := r.scrub(msg); clean != msg {
		return errors.New(clean)
	}
	return err
}
