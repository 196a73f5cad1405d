// Package usersig implements Tencent Cloud IM's TLSSigAPIv2 UserSig: an
// HMAC-SHA256 signature over the admin identity, wrapped in zlib-compressed
// JSON and encoded with Tencent's URL-safe base64 variant.
//
// No registry serves Tencent's own Go library, so this is an implementation of
// the documented algorithm; the tests prove it against a fixed vector and an
// independent verifier.
package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Errors returned by Verify. Servers map them onto the 700xx codes.
var (
	ErrEmpty              = errors.New("usersig is empty")
	ErrMalformed          = errors.New("usersig cannot be decoded")
	ErrSDKAppIDMismatch   = errors.New("usersig was issued for another sdkappid")
	ErrIdentifierMismatch = errors.New("usersig was issued for another identifier")
	ErrExpired            = errors.New("usersig has expired")
	ErrSignatureMismatch  = errors.New("usersig signature does not match the secret key")
)

// maxDecodedSize bounds decompression so a hostile UserSig cannot exhaust memory.
const maxDecodedSize = 64 << 10

// Sig is the decoded content of a UserSig.
type Sig struct {
	Version    string `json:"TLS.ver"`
	Identifier string `json:"TLS.identifier"`
	SDKAppID   uint64 `json:"TLS.sdkappid"`
	Expire     int64  `json:"TLS.expire"`
	Time       int64  `json:"TLS.time"`
	Signature  string `json:"TLS.sig"`
}

// ExpiresAt is the last second at which the UserSig is still valid.
func (s Sig) ExpiresAt() time.Time { return time.Unix(s.Time+s.Expire, 0) }

// Generate signs a UserSig for identifier that is valid for expire from now.
func Generate(sdkappid uint64, key, identifier string, expire time.Duration, now time.Time) (string, error) {
	if key == "" {
		return "", errors.New("secret key is empty")
	}
	if identifier == "" {
		return "", errors.New("identifier is empty")
	}
	s := Sig{
		Version:    "2.0",
		Identifier: identifier,
		SDKAppID:   sdkappid,
		Expire:     int64(expire / time.Second),
		Time:       now.Unix(),
	}
	s.Signature = base64.StdEncoding.EncodeToString(mac(key, s))
	raw, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encoding usersig: %w", err)
	}
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(raw); err != nil {
		return "", fmt.Errorf("compressing usersig: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("compressing usersig: %w", err)
	}
	return toTencentBase64(base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// Decode parses a UserSig without checking its signature.
func Decode(usersig string) (Sig, error) {
	if usersig == "" {
		return Sig{}, ErrEmpty
	}
	compressed, err := base64.StdEncoding.DecodeString(fromTencentBase64(usersig))
	if err != nil {
		return Sig{}, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	r, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return Sig{}, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, maxDecodedSize+1))
	if err != nil {
		return Sig{}, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	if len(raw) > maxDecodedSize {
		return Sig{}, fmt.Errorf("%w: decoded content exceeds %d bytes", ErrMalformed, maxDecodedSize)
	}
	var s Sig
	if err := json.Unmarshal(raw, &s); err != nil {
		return Sig{}, fmt.Errorf("%w: json: %v", ErrMalformed, err)
	}
	if s.Signature == "" {
		return Sig{}, fmt.Errorf("%w: no TLS.sig field", ErrMalformed)
	}
	return s, nil
}

// Verify checks a UserSig the way Tencent's servers do: app, identifier,
// expiry (still valid at exactly time+expire), then the HMAC.
func Verify(usersig string, sdkappid uint64, key, identifier string, now time.Time) (Sig, error) {
	s, err := Decode(usersig)
	if err != nil {
		return s, err
	}
	if s.SDKAppID != sdkappid {
		return s, ErrSDKAppIDMismatch
	}
	if s.Identifier != identifier {
		return s, ErrIdentifierMismatch
	}
	if now.Unix() > s.Time+s.Expire {
		return s, ErrExpired
	}
	got, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || !hmac.Equal(got, mac(key, s)) {
		return s, ErrSignatureMismatch
	}
	return s, nil
}

// mac is HMAC-SHA256 keyed with the console's hex string as text (not hex-decoded).
func mac(key string, s Sig) []byte {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(ContentToSign(s)))
	return h.Sum(nil)
}

// ContentToSign is the exact text the HMAC covers.
func ContentToSign(s Sig) string {
	return "TLS.identifier:" + s.Identifier + "\n" +
		"TLS.sdkappid:" + strconv.FormatUint(s.SDKAppID, 10) + "\n" +
		"TLS.time:" + strconv.FormatInt(s.Time, 10) + "\n" +
		"TLS.expire:" + strconv.FormatInt(s.Expire, 10) + "\n"
}

var (
	toTencent   = strings.NewReplacer("+", "*", "/", "-", "=", "_")
	fromTencent = strings.NewReplacer("*", "+", "-", "/", "_", "=")
)

func toTencentBase64(s string) string   { return toTencent.Replace(s) }
func fromTencentBase64(s string) string { return fromTencent.Replace(s) }
