package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// The vector from the wire-format reference, verified there with Tencent's
// official Go VerifyUserSig.
const (
	vectorKey        = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	vectorAppID      = 1400000000
	vectorIdentifier = "xiaojun"
	vectorSig        = "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4="
	vectorUserSig    = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMikVhRkFqUCxU1NTY3goiWZuSAxc1S1xZnpQJN9yhzNU-Q9y83Tg4vzirPLwqqcXAL8nZ1dkkr9nMtN3D3KQ5wNkjILtJ1MbJVqAa3HMfI_"
)

func TestVector(t *testing.T) {
	cases := []struct {
		name       string
		appID      uint64
		key, ident string
		now        int64
		want       error
	}{
		{"valid shortly after issue", vectorAppID, vectorKey, vectorIdentifier, 1700000010, nil},
		{"valid at exactly time+expire", vectorAppID, vectorKey, vectorIdentifier, 1715552000, nil},
		{"expired one second later", vectorAppID, vectorKey, vectorIdentifier, 1715552001, ErrExpired},
		{"other identifier", vectorAppID, vectorKey, "bob", 1700000010, ErrIdentifierMismatch},
		{"other app", vectorAppID + 1, vectorKey, vectorIdentifier, 1700000010, ErrSDKAppIDMismatch},
		{"other key", vectorAppID, strings.Repeat("0", 64), vectorIdentifier, 1700000010, ErrSignatureMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Verify(vectorUserSig, c.appID, c.key, c.ident, time.Unix(c.now, 0))
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if s.Signature != vectorSig {
				t.Fatalf("decoded TLS.sig = %q, want %q", s.Signature, vectorSig)
			}
		})
	}
}

func TestGenerateMatchesVectorSignature(t *testing.T) {
	us, err := Generate(vectorAppID, vectorKey, vectorIdentifier, 15552000*time.Second, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(us)
	if err != nil {
		t.Fatal(err)
	}
	if s.Signature != vectorSig {
		t.Fatalf("TLS.sig = %q, want %q", s.Signature, vectorSig)
	}
}

// independentVerify re-derives the check from the reference text alone
// (character mapping, inflate, generic JSON, HMAC over the four lines), sharing
// no code with the package, so a bug in Generate cannot hide behind the same bug
// in Verify.
func independentVerify(t *testing.T, usersig string, appID uint64, key, ident string) {
	t.Helper()
	b64 := strings.NewReplacer("_", "=", "-", "/", "*", "+").Replace(usersig)
	z, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatalf("zlib: %v", err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("json: %v", err)
	}
	if m["TLS.ver"] != "2.0" || m["TLS.identifier"] != ident || m["TLS.sdkappid"].(json.Number).String() != jsonUint(appID) {
		t.Fatalf("fields: %v", m)
	}
	msg := "TLS.identifier:" + ident + "\nTLS.sdkappid:" + jsonUint(appID) +
		"\nTLS.time:" + m["TLS.time"].(json.Number).String() +
		"\nTLS.expire:" + m["TLS.expire"].(json.Number).String() + "\n"
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(msg))
	if want := base64.StdEncoding.EncodeToString(h.Sum(nil)); m["TLS.sig"] != want {
		t.Fatalf("TLS.sig = %v, want %v", m["TLS.sig"], want)
	}
}

func jsonUint(v uint64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRoundTrip(t *testing.T) {
	now := time.Unix(1750000000, 0)
	us, err := Generate(1400123456, "secret-key", "administrator", 24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	independentVerify(t, us, 1400123456, "secret-key", "administrator")
	independentVerify(t, vectorUserSig, vectorAppID, vectorKey, vectorIdentifier)
	s, err := Verify(us, 1400123456, "secret-key", "administrator", now.Add(24*time.Hour))
	if err != nil {
		t.Fatalf("Verify at expiry: %v", err)
	}
	if !s.ExpiresAt().Equal(now.Add(24 * time.Hour)) {
		t.Fatalf("ExpiresAt = %v", s.ExpiresAt())
	}
	if strings.ContainsAny(us, "+/=") {
		t.Fatalf("UserSig %q keeps standard base64 characters", us)
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "abc", "eJw_", vectorUserSig[:40]} {
		if _, err := Decode(in); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		} else if in != "" && !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", in, err)
		}
	}
	if _, err := Decode(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("Decode(\"\") = %v, want ErrEmpty", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(vectorUserSig)
	f.Add("")
	f.Add("eJw_")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Decode(in)
		if err == nil && s.Signature == "" {
			t.Fatalf("Decode(%q) accepted a sig without TLS.sig", in)
		}
		if err == nil {
			// Anything that decodes must fail verification with a wrong key, never panic.
			if _, verr := Verify(in, s.SDKAppID, "k", s.Identifier, time.Unix(s.Time, 0)); verr == nil && s.Signature != "" {
				want := base64.StdEncoding.EncodeToString(mac("k", s))
				if s.Signature != want {
					t.Fatalf("Verify accepted a wrong signature")
				}
			}
		}
	})
}
