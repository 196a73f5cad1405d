package timapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// APIError is a failed call: an API error code, a non-200 HTTP status, or a
// transport failure that outlasted the retries.
type APIError struct {
	Command    string // e.g. "import_group_member"
	Code       int    // API ErrorCode; 0 when the failure was HTTP or transport level
	Info       string // ErrorInfo, or the transport failure
	HTTPStatus int    // non-200 HTTP status, if that was the failure
	Attempts   int    // attempts made

	err error // the transport failure, already redacted
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Command)
	b.WriteString(" failed")
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	switch {
	case e.Code != 0:
		fmt.Fprintf(&b, ": error %d", e.Code)
		if e.HTTPStatus != 0 {
			fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
		}
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, ": HTTP %d %s", e.HTTPStatus, http.StatusText(e.HTTPStatus))
	}
	if e.Info != "" {
		b.WriteString(": ")
		b.WriteString(e.Info)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.err }

// Code is err's API error code, or 0.
func Code(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// IsNotFound reports whether the group does not exist or its ID is invalid.
func IsNotFound(err error) bool {
	code := Code(err)
	return code == 10010 || code == 10015
}

// IsRateLimited reports whether the server refused the call for its rate.
func IsRateLimited(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case 10006, 60007, 60011, 60018, 60019, 70050:
		return true
	}
	return e.HTTPStatus == http.StatusTooManyRequests
}

// IsAuth reports whether the failure is about the credentials or the app.
func IsAuth(err error) bool {
	code := Code(err)
	switch code {
	case 60004, 60005, 60006, 60010, 60012, 60016, 60020, 60021,
		70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70050, 70051, 70052,
		70403:
		return true
	}
	return false
}

// IsTooManyAccounts reports whether the request carried too many accounts.
func IsTooManyAccounts(err error) bool {
	code := Code(err)
	return code == 10005
}

// IsRetryableCode reports whether an API error code is transient.
func IsRetryableCode(code int) bool {
	switch code {
	case 10002, 10006, 60007, 60011, 60018, 60019, 70169, 70202, 70500:
		return true
	}
	return false
}

// AuthHint names the provider setting to fix for an authentication failure,
// or returns "" when err is not one.
func AuthHint(err error) string {
	code := Code(err)
	switch code {
	case 70001:
		return "usersig has expired: generate a new one or set secret_key"
	case 70002:
		return "usersig is empty: set usersig or secret_key"
	case 70003, 70052:
		return "usersig is malformed or revoked: generate a new one or set secret_key"
	case 70005, 70009:
		return "secret_key does not belong to sdkappid: copy the key of this app from the console"
	case 70013:
		return "identifier does not match the identifier the usersig was generated for"
	case 60006, 70014, 70020:
		return "sdkappid is wrong or does not match the usersig: check sdkappid"
	case 60010, 70403:
		return "identifier must be an app admin account (set one in the console's app admin list)"
	case 70016:
		return "region/endpoint does not match the app's data centre: check region"
	case 60016, 60020:
		return "the app is disabled or its plan has expired: check the app in the console"
	case 60021:
		return "this machine's IP address is not allowed to call the API: check the app's IP allowlist"
	case 70050:
		return "too many failed usersig checks: fix secret_key or usersig and wait a minute"
	case 70051:
		return "identifier is blocklisted: use another app admin account"
	case 60004, 60005, 60012:
		return "identifier, usersig or sdkappid is wrong: check them"
	}
	return ""
}

// envelope is the status part of every response.
type envelope struct {
	ActionStatus *string
	ErrorCode    *int
	ErrorInfo    string
}

// DecodeEnvelope checks a response body: it must be a JSON object with
// ActionStatus or ErrorCode. A failure (ActionStatus "FAIL" or a non-zero
// ErrorCode) is an *APIError; otherwise the body is decoded into into (when
// non-nil). After an *APIError into is still filled as far as possible,
// because some calls carry per-element results next to a meaningless
// top-level code. Every error names command.
func DecodeEnvelope(command string, body []byte, into any) error {
	return decodePayload(command, body, into, checkEnvelope(command, body))
}

func checkEnvelope(command string, body []byte) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fmt.Errorf("%s: empty response body", command)
	}
	if trimmed[0] != '{' {
		r, _ := utf8.DecodeRune(trimmed)
		return fmt.Errorf("%s: response is not a JSON object (%d bytes starting with %q)", command, len(body), r)
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return fmt.Errorf("%s: malformed response: %v", command, err)
	}
	code := 0
	if env.ErrorCode != nil {
		code = *env.ErrorCode
	}
	switch {
	case env.ActionStatus == nil && env.ErrorCode == nil:
		return fmt.Errorf("%s: malformed response: no ActionStatus or ErrorCode", command)
	case code != 0:
		return &APIError{Command: command, Code: code, Info: env.ErrorInfo}
	case env.ActionStatus == nil || strings.EqualFold(*env.ActionStatus, "OK"):
		return nil
	case strings.EqualFold(*env.ActionStatus, "FAIL"):
		info := env.ErrorInfo
		if info == "" {
			info = "ActionStatus FAIL without an error code"
		}
		return &APIError{Command: command, Info: info}
	}
	return fmt.Errorf("%s: malformed response: unknown ActionStatus %q", command, *env.ActionStatus)
}

// decodePayload fills into from a body whose envelope verdict is envErr.
func decodePayload(command string, body []byte, into any, envErr error) error {
	var apiErr *APIError
	if into == nil || (envErr != nil && !errors.As(envErr, &apiErr)) {
		return envErr
	}
	if err := json.Unmarshal(body, into); err != nil && envErr == nil {
		return fmt.Errorf("%s: malformed response: %v", command, err)
	}
	return envErr
}
