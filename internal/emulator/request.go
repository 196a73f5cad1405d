package emulator

import (
	"bytes"
	"encoding/json"
	"io"
)

// obj is a decoded JSON object whose fields are typed on access, so wrong
// types can be reported with the documented codes.
type obj map[string]json.RawMessage

func parseObject(body []byte) (obj, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var o obj
	if err := dec.Decode(&o); err != nil || o == nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data after the object
	}
	return o, true
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// reader reads the fields of a request. The first error sticks: later reads
// return zero values and later checks do nothing, so a handler reads and
// checks in its documented order and looks at err once, and the answer is
// the first thing wrong with the request.
type reader struct {
	o    obj
	code int     // a field of the wrong JSON type: 10004 (group service) or 70402 (login service)
	top  *reader // the request's reader, which holds the error for its sub-objects too
	aerr *apiError
}

func newReader(o obj, typeCode int) *reader {
	r := &reader{o: o, code: typeCode}
	r.top = r
	return r
}

// at reads a sub-object of the request (nil reads as empty).
func (r *reader) at(o obj) *reader { return &reader{o: o, code: r.code, top: r.top} }

func (r *reader) err() *apiError { return r.top.aerr }

// fail records aerr (if any) unless an earlier error is recorded.
func (r *reader) fail(aerr *apiError) {
	if r.top.aerr == nil {
		r.top.aerr = aerr
	}
}

// check fails with errf(code, format, args...) unless ok.
func (r *reader) check(ok bool, code int, format string, args ...any) {
	if !ok && r.top.aerr == nil {
		r.top.aerr = errf(code, format, args...)
	}
}

// has reports whether key is present and not null.
func (r *reader) has(key string) bool {
	raw, ok := r.o[key]
	return ok && !isNull(raw)
}

// readField reads key as a T; absent or null is the zero value, and so is
// everything once an error is recorded.
func readField[T any](r *reader, key string, typeCode int, what string) T {
	var v, zero T
	if r.err() != nil || !r.has(key) {
		return zero
	}
	if json.Unmarshal(r.o[key], &v) != nil {
		r.fail(errf(typeCode, "%s must be %s", key, what))
		return zero
	}
	return v
}

func (r *reader) str(key string) string    { return readField[string](r, key, r.code, "a string") }
func (r *reader) integer(key string) int64 { return readField[int64](r, key, r.code, "an integer") }
func (r *reader) object(key string) obj    { return readField[obj](r, key, r.code, "an object") }

// account reads an account ID: a wrong type is 60015 on both services.
func (r *reader) account(key string) string { return readField[string](r, key, 60015, "a string") }

// strs reads an array of strings.
func (r *reader) strs(key string) []string { return r.stringList(key, r.code) }

// accounts reads an array of account IDs (elements of another type: 60015).
func (r *reader) accounts(key string) []string { return r.stringList(key, 60015) }

func (r *reader) stringList(key string, elemCode int) []string {
	a := readField[[]json.RawMessage](r, key, r.code, "an array")
	out := make([]string, len(a))
	for i, raw := range a {
		if json.Unmarshal(raw, &out[i]) != nil || isNull(raw) {
			r.fail(errf(elemCode, "%s[%d] must be a string", key, i))
			return nil
		}
	}
	return out
}

// objects reads an array of objects. An element that is not an object (or
// is null) comes back nil, so the caller reports it in its own order of
// checks. The common case, every element an object, is decoded in one pass.
func (r *reader) objects(key string) []obj {
	var list []obj
	if r.err() != nil || !r.has(key) || json.Unmarshal(r.o[key], &list) == nil {
		return list
	}
	a := readField[[]json.RawMessage](r, key, r.code, "an array")
	list = make([]obj, len(a))
	for i, raw := range a {
		if json.Unmarshal(raw, &list[i]) != nil {
			list[i] = nil
		}
	}
	return list
}

// groupID reads the GroupId that most group commands require.
func (r *reader) groupID() string {
	id := r.str("GroupId")
	r.check(id != "", 10004, "GroupId is required")
	return id
}

// aliased reads a field that Tencent renamed (ShutUp* -> Mute*) under either
// name; both given with different values is 10004. key is the name used.
func aliased[T comparable](r *reader, name, old string, get func(string) T) (v T, key string, ok bool) {
	v, ov := get(name), get(old)
	ok, oldOK := r.has(name), r.has(old)
	switch {
	case ok && oldOK && v != ov:
		r.fail(errf(10004, "%s and its old name %s disagree", name, old))
	case !ok && oldOK:
		return ov, old, true
	}
	return v, name, ok
}

// definedData type-checks a custom-data list ([{"Key","Value"}], both
// strings); the emulator does not store custom data.
func (r *reader) definedData(key string) {
	for i, m := range r.objects(key) {
		r.check(m != nil, 10004, "%s[%d] must be an object", key, i)
		r.check(isString(m["Key"]), 10004, "%s[%d].Key must be a string", key, i)
		r.check(isNull(m["Value"]) || isString(m["Value"]), 10004, "%s[%d].Value must be a string", key, i)
	}
}

// memberData reads the custom member fields of AppMemberDefinedData
// (type-checked as definedData, then each Value of at most 64 bytes) and
// keeps the configured ones, as Settings.MemberDataUnknownKey says; nil
// when absent. A later entry for a key replaces an earlier one (the docs say
// nothing of repeats).
func (r *reader) memberData(key string, st Settings) (data map[string]string) {
	r.definedData(key)
	if r.err() != nil || !r.has(key) {
		return nil
	}
	list := r.objects(key)
	var unknown []string
	for i, m := range list {
		var k, v string
		_ = json.Unmarshal(m["Key"], &k) // definedData checked both types
		if !isNull(m["Value"]) {
			_ = json.Unmarshal(m["Value"], &v)
		}
		r.check(len(v) <= maxMemberDataValueBytes, 10004, "%s[%d].Value exceeds %d bytes", key, i, maxMemberDataValueBytes)
		if !st.memberDataKey(k) {
			unknown = append(unknown, k)
			continue
		}
		if data == nil {
			data = map[string]string{}
		}
		data[k] = v
	}
	switch {
	case len(list) == 0:
	case data == nil:
		r.fail(errf(10004, "all defined key is invalid"))
	case len(unknown) > 0 && st.MemberDataUnknownKey == MemberDataUnknownKeyRefuse:
		r.fail(errf(10004, "defined key is invalid: %q is not a configured custom member field", unknown[0]))
	}
	return data
}

func isString(raw json.RawMessage) bool {
	var s string
	return !isNull(raw) && json.Unmarshal(raw, &s) == nil
}
