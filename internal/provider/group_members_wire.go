package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The resource's values travel as msgpack (and the saved state as JSON). A
// general decoder such as tftypes builds a map per object and a *big.Float
// per number, which at 100,000 members costs seconds per RPC and hundreds of
// megabytes. groupMembersValue is the same value, specialised to this one
// schema type, with every null and unknown kept, and it is read from and
// written to the wire in one pass, with the streaming API of the msgpack
// library tftypes uses (and encoding/json). Decoding follows tftypes exactly
// (any msgpack extension is an unknown value, numbers arrive as integers,
// floats or decimal strings); the encoding is what tftypes writes.

// presence says whether a value is null, known or unknown.
type presence uint8

const (
	isNull presence = iota
	isKnown
	isUnknown
)

type wireString struct {
	p presence
	s string
}

// wireNumber holds an integer in i; f is set instead for any number that is
// not an int64 (a fraction, a huge number, an infinity).
type wireNumber struct {
	p presence
	i int64
	f *big.Float
}

type wireBool struct {
	p presence
	b bool
}

type wireMember struct {
	p                presence
	role             wireString
	joinTime, unread wireNumber
}

// groupMembersValue is a tencentim_group_members object value.
type groupMembersValue struct {
	p                                    presence
	id, groupID, ownerAccount, groupType wireString
	exclusive                            wireBool
	membersP                             presence
	members                              map[string]wireMember
	timeoutsP                            presence
	timeouts                             [4]wireString // in timeoutNames order
}

func known(s string) wireString    { return wireString{p: isKnown, s: s} }
func knownInt(i int64) wireNumber  { return wireNumber{p: isKnown, i: i} }
func unknownString() wireString    { return wireString{p: isUnknown} }
func (s wireString) value() string { return s.s } // "" when null or unknown
func (s wireString) set() bool     { return s.p == isKnown }
func (n wireNumber) set() bool     { return n.p == isKnown }
func (s wireString) equal(o wireString) bool {
	return s.p == o.p && (s.p != isKnown || s.s == o.s)
}

// int64Ptr is the number as an integer: nil for null, unknown and
// non-integral numbers (validation refuses the latter before they get here);
// a huge integer is clamped, as big.Float.Int64 does.
func (n wireNumber) int64Ptr() *int64 {
	if n.p != isKnown {
		return nil
	}
	if n.f == nil {
		i := n.i
		return &i
	}
	if !n.f.IsInt() {
		return nil
	}
	i, _ := n.f.Int64()
	return &i
}

// numberFromFloat keeps integers as int64, like the wire does.
func numberFromFloat(f *big.Float) wireNumber {
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			return knownInt(i)
		}
	}
	return wireNumber{p: isKnown, f: f}
}

func nullableInt(p *int64) wireNumber {
	if p == nil {
		return wireNumber{}
	}
	return knownInt(*p)
}

// ---------------------------------------------------------------- msgpack in

// mpReader reads the value with msgpack's streaming Decoder, one attribute
// at a time, in the order tftypes' msgpackUnmarshal does.
type mpReader struct {
	*msgpack.Decoder
	r   *bytes.Reader // the Decoder's input, for what is left of it
	buf []byte        // the last string read, to match without allocating
}

// rawString reads a str or bin value (nil reads as empty, as DecodeString
// does) into r.buf, valid until the next read.
func (r *mpReader) rawString() ([]byte, error) {
	n, err := r.DecodeBytesLen()
	switch {
	case err != nil:
		return nil, err
	case n > r.r.Len(): // before growing the buffer for a bogus length
		return nil, io.ErrUnexpectedEOF
	case n < 0:
		n = 0
	}
	r.buf = slices.Grow(r.buf[:0], n)[:n]
	return r.buf, r.ReadFull(r.buf)
}

func (r *mpReader) str() (string, error) {
	b, err := r.rawString()
	return intern(b), err
}

// intern returns the common role names without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "Member":
		return "Member"
	case "Admin":
		return "Admin"
	}
	return string(b)
}

// nullOrUnknown consumes a nil or an extension: tftypes (like cty) takes
// any extension for an unknown value.
func (r *mpReader) nullOrUnknown() (presence, bool, error) {
	c, err := r.PeekCode()
	switch {
	case err != nil:
		return 0, false, err
	case msgpcode.IsExt(c):
		return isUnknown, true, r.Skip()
	case c == msgpcode.Nil:
		return isNull, true, r.DecodeNil()
	}
	return isKnown, false, nil
}

func (r *mpReader) stringValue() (wireString, error) {
	if p, done, err := r.nullOrUnknown(); done || err != nil {
		return wireString{p: p}, err
	}
	s, err := r.str()
	return known(s), err
}

func (r *mpReader) boolValue() (wireBool, error) {
	if p, done, err := r.nullOrUnknown(); done || err != nil {
		return wireBool{p: p}, err
	}
	b, err := r.DecodeBool()
	return wireBool{p: isKnown, b: b}, err
}

// numberValue reads a number as tftypes does: an integer, a float, or a
// decimal string for a number too large or too precise for those.
func (r *mpReader) numberValue() (wireNumber, error) {
	if p, done, err := r.nullOrUnknown(); done || err != nil {
		return wireNumber{p: p}, err
	}
	c, err := r.PeekCode()
	if err != nil {
		return wireNumber{}, err
	}
	switch {
	case msgpcode.IsFixedNum(c), c >= msgpcode.Int8 && c <= msgpcode.Int64:
		i, err := r.DecodeInt64()
		return knownInt(i), err
	case c >= msgpcode.Uint8 && c <= msgpcode.Uint64:
		u, err := r.DecodeUint64()
		if u > math.MaxInt64 {
			return wireNumber{p: isKnown, f: new(big.Float).SetUint64(u)}, err
		}
		return knownInt(int64(u)), err
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := r.DecodeFloat64()
		if err != nil {
			return wireNumber{}, err
		}
		if math.IsNaN(f) { // big.NewFloat panics on it (so does tftypes)
			return wireNumber{}, errors.New("NaN is not a number")
		}
		return numberFromFloat(big.NewFloat(f)), nil
	}
	s, err := r.DecodeString()
	if err != nil {
		return wireNumber{}, err
	}
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		return wireNumber{}, fmt.Errorf("parsing %q as a number: %w", s, err)
	}
	return numberFromFloat(f), nil
}

// mapLen reads a map header; it is known, not null or unknown.
func (r *mpReader) mapLen() (int, error) {
	n, err := r.DecodeMapLen()
	if err == nil && n < 0 {
		err = errors.New("msgpack nil is not a map") // unreachable after nullOrUnknown
	}
	return n, err
}

// object reads an object header: the presence, and for a known object
// the attribute count, which must be want.
func (r *mpReader) object(want int) (presence, error) {
	p, done, err := r.nullOrUnknown()
	if done || err != nil {
		return p, err
	}
	n, err := r.mapLen()
	if err != nil {
		return 0, err
	}
	if n != want {
		return 0, fmt.Errorf("expected %d attributes, got %d", want, n)
	}
	return isKnown, nil
}

func (r *mpReader) member() (wireMember, error) {
	var m wireMember
	p, err := r.object(3)
	if p != isKnown || err != nil {
		return wireMember{p: p}, err
	}
	m.p = isKnown
	var seen uint8
	for range 3 {
		key, err := r.rawString()
		if err != nil {
			return m, err
		}
		var bit uint8
		var name string // not key: reading the value overwrites it
		switch string(key) {
		case attrRole:
			bit, name = 1, attrRole
			m.role, err = r.stringValue()
		case attrJoinTime:
			bit, name = 2, attrJoinTime
			m.joinTime, err = r.numberValue()
		case attrUnreadMsgNum:
			bit, name = 4, attrUnreadMsgNum
			m.unread, err = r.numberValue()
		default:
			return m, fmt.Errorf("unknown attribute %q", key)
		}
		if err != nil {
			return m, fmt.Errorf("%s: %w", name, err)
		}
		if seen&bit != 0 {
			return m, fmt.Errorf("attribute %q repeated", name)
		}
		seen |= bit
	}
	return m, nil
}

func (r *mpReader) membersMap() (presence, map[string]wireMember, error) {
	if p, done, err := r.nullOrUnknown(); done || err != nil {
		return p, nil, err
	}
	n, err := r.mapLen()
	if err != nil {
		return 0, nil, err
	}
	// Each entry takes at least two bytes: no larger map for a bogus count.
	out := make(map[string]wireMember, min(n, r.r.Len()/2))
	for range n {
		key, err := r.rawString()
		if err != nil {
			return 0, nil, err
		}
		account := string(key)
		m, err := r.member()
		if err != nil {
			return 0, nil, fmt.Errorf("[%q]: %w", account, err)
		}
		out[account] = m
	}
	return isKnown, out, nil
}

func timeoutIndex(name string) int { return slices.Index(timeoutNames, name) }

func (r *mpReader) timeoutsObject() (presence, [4]wireString, error) {
	var t [4]wireString
	p, err := r.object(len(timeoutNames))
	if p != isKnown || err != nil {
		return p, t, err
	}
	var seen uint8
	for range timeoutNames {
		key, err := r.rawString()
		if err != nil {
			return 0, t, err
		}
		i := timeoutIndex(string(key))
		if i < 0 {
			return 0, t, fmt.Errorf("unknown attribute %q", key)
		}
		if seen&(1<<i) != 0 {
			return 0, t, fmt.Errorf("attribute %q repeated", key)
		}
		seen |= 1 << i
		if t[i], err = r.stringValue(); err != nil {
			return 0, t, fmt.Errorf("%s: %w", timeoutNames[i], err)
		}
	}
	return isKnown, t, nil
}

const groupMembersAttrCount = 7

func decodeMsgpack(b []byte) (groupMembersValue, error) {
	br := bytes.NewReader(b)
	r := &mpReader{Decoder: msgpack.NewDecoder(br), r: br, buf: make([]byte, 0, 64)}
	var v groupMembersValue
	p, err := r.object(groupMembersAttrCount)
	if p != isKnown || err != nil {
		return groupMembersValue{p: p}, err
	}
	v.p = isKnown
	var seen uint8
	for range groupMembersAttrCount {
		raw, err := r.rawString()
		if err != nil {
			return v, err
		}
		key := string(raw) // r.buf is overwritten by the value
		var bit uint8
		switch key {
		case attrID:
			bit = 1 << 0
			v.id, err = r.stringValue()
		case attrGroupID:
			bit = 1 << 1
			v.groupID, err = r.stringValue()
		case attrExclusive:
			bit = 1 << 2
			v.exclusive, err = r.boolValue()
		case attrMembers:
			bit = 1 << 3
			v.membersP, v.members, err = r.membersMap()
		case attrOwnerAccount:
			bit = 1 << 4
			v.ownerAccount, err = r.stringValue()
		case attrGroupType:
			bit = 1 << 5
			v.groupType, err = r.stringValue()
		case attrTimeouts:
			bit = 1 << 6
			v.timeoutsP, v.timeouts, err = r.timeoutsObject()
		default:
			return v, fmt.Errorf("unknown attribute %q", key)
		}
		if err != nil {
			return v, fmt.Errorf("%s%s", key, prefixColon(err))
		}
		if seen&bit != 0 {
			return v, fmt.Errorf("attribute %q repeated", key)
		}
		seen |= bit
	}
	return v, nil
}

func prefixColon(err error) string {
	s := err.Error()
	if len(s) > 0 && s[0] == '[' {
		return s
	}
	return ": " + s
}

// --------------------------------------------------------------- msgpack out

// mpWriter writes with msgpack's Encoder into a bytes.Buffer, whose writes
// cannot fail: the Encoder's errors are dropped.
type mpWriter struct {
	*msgpack.Encoder
	buf *bytes.Buffer
}

// unknown writes what tftypes writes for an unknown value: an extension of
// type 0 holding one zero byte.
func (w mpWriter) unknown() {
	_ = w.EncodeExtHeader(0, 1)
	_ = w.buf.WriteByte(0)
}

// absent writes a null or unknown value and reports whether p was one.
func (w mpWriter) absent(p presence) bool {
	switch p {
	case isNull:
		_ = w.EncodeNil()
	case isUnknown:
		w.unknown()
	}
	return p != isKnown
}

func (w mpWriter) str(s string) { _ = w.EncodeString(s) }

func (w mpWriter) stringValue(s wireString) {
	if !w.absent(s.p) {
		w.str(s.s)
	}
}

func (w mpWriter) boolValue(b wireBool) {
	if !w.absent(b.p) {
		_ = w.EncodeBool(b.b)
	}
}

// numberValue writes a number as tftypes does: an integer if it is an
// int64, else a float64 if that is exact, else a decimal string.
func (w mpWriter) numberValue(n wireNumber) {
	switch {
	case w.absent(n.p):
	case n.f == nil:
		_ = w.EncodeInt(n.i)
	case n.f.IsInf():
		_ = w.EncodeFloat64(math.Inf(n.f.Sign()))
	default:
		if i, acc := n.f.Int64(); acc == big.Exact {
			_ = w.EncodeInt(i)
		} else if f, acc := n.f.Float64(); acc == big.Exact && !n.f.IsInt() {
			_ = w.EncodeFloat64(f)
		} else {
			w.str(n.f.Text('f', -1))
		}
	}
}

// The timeouts' attribute names in sorted order, the order tftypes writes
// object attributes in (the others are written in that order by hand).
var timeoutsAttrOrder = []string{"create", "delete", "read", "update"}

func (w mpWriter) member(m wireMember) {
	if w.absent(m.p) {
		return
	}
	_ = w.EncodeMapLen(3)
	w.str(attrJoinTime)
	w.numberValue(m.joinTime)
	w.str(attrRole)
	w.stringValue(m.role)
	w.str(attrUnreadMsgNum)
	w.numberValue(m.unread)
}

// encodeMsgpack writes the value; map keys are sorted so that equal values
// encode to equal bytes.
func encodeMsgpack(v groupMembersValue) []byte {
	keys := make([]string, 0, len(v.members))
	size := 160
	for k := range v.members {
		keys = append(keys, k)
		size += len(k) + 48
	}
	slices.Sort(keys)
	buf := bytes.NewBuffer(make([]byte, 0, size))
	w := mpWriter{msgpack.NewEncoder(buf), buf}
	if w.absent(v.p) {
		return buf.Bytes()
	}
	_ = w.EncodeMapLen(groupMembersAttrCount)
	w.str(attrExclusive)
	w.boolValue(v.exclusive)
	w.str(attrGroupID)
	w.stringValue(v.groupID)
	w.str(attrGroupType)
	w.stringValue(v.groupType)
	w.str(attrID)
	w.stringValue(v.id)
	w.str(attrMembers)
	if !w.absent(v.membersP) {
		_ = w.EncodeMapLen(len(keys))
		for _, k := range keys {
			w.str(k)
			w.member(v.members[k])
		}
	}
	w.str(attrOwnerAccount)
	w.stringValue(v.ownerAccount)
	w.str(attrTimeouts)
	if !w.absent(v.timeoutsP) {
		_ = w.EncodeMapLen(len(timeoutsAttrOrder))
		for _, name := range timeoutsAttrOrder {
			w.str(name)
			w.stringValue(v.timeouts[timeoutIndex(name)])
		}
	}
	return buf.Bytes()
}

// ------------------------------------------------------------------ JSON in

// errJSONFallback sends a saved state that this reader does not take to
// tftypes, which reads it or says where it fails. That is anything beyond
// the plain JSON Terraform writes, such as a number for a string.
var errJSONFallback = errors.New("not plain state JSON")

// memberJSON is a member object of a saved state. Null and absent read the
// same: a nil Role, a "" number (no JSON value reads as that; a number in
// a string does, as in tftypes).
//
// encoding/json also takes a key that differs from a field's only in case
// (say "Role"), for the first field that matches so; tftypes matches keys
// exactly and drops the others. The Fold fields come first and catch such
// keys, which are then dropped too.
type memberJSON struct {
	RoleFold     ignored `json:"ROLE"`
	JoinTimeFold ignored `json:"JOIN_TIME"`
	UnreadFold   ignored `json:"UNREAD_MSG_NUM"`

	Role     *string     `json:"role"`
	JoinTime json.Number `json:"join_time"`
	Unread   json.Number `json:"unread_msg_num"`
}

// ignored drops any value.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

func jsonString(s *string) wireString {
	if s == nil {
		return wireString{}
	}
	return known(*s)
}

// jsonNumber keeps integers as int64, like the wire does.
func jsonNumber(n json.Number) (wireNumber, error) {
	if n == "" {
		return wireNumber{}, nil
	}
	if i, err := n.Int64(); err == nil {
		return knownInt(i), nil
	}
	f, _, err := big.ParseFloat(n.String(), 10, 512, big.ToNearestEven)
	if err != nil {
		return wireNumber{}, err
	}
	return numberFromFloat(f), nil
}

// value is the member; m is nil for a null one.
func (m *memberJSON) value() (wireMember, error) {
	if m == nil {
		return wireMember{}, nil
	}
	joinTime, err1 := jsonNumber(m.JoinTime)
	unread, err2 := jsonNumber(m.Unread)
	return wireMember{p: isKnown, role: jsonString(m.Role), joinTime: joinTime, unread: unread}, errors.Join(err1, err2)
}

func decodeJSONString(dec *json.Decoder) (wireString, error) {
	var s *string
	err := dec.Decode(&s)
	return jsonString(s), err
}

// decodeStateJSON reads a saved state as tftypes does with
// IgnoreUndefinedAttributes: attributes no longer in the schema are
// dropped, missing ones are null, a repeated key replaces the earlier
// value. It returns errJSONFallback for input it leaves to tftypes.
//
// Like tftypes, it reads the outer object's keys as tokens and decodes each
// value on its own: into a struct, encoding/json would match keys
// regardless of case and merge a repeated object into the earlier one.
func decodeStateJSON(b []byte) (groupMembersValue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	v, err := decodeStateObject(dec)
	if err == nil {
		_, err = dec.Token()
		if err == io.EOF { // nothing after the value
			return v, nil
		}
	}
	return groupMembersValue{}, errJSONFallback
}

func decodeStateObject(dec *json.Decoder) (groupMembersValue, error) {
	v := groupMembersValue{p: isKnown}
	switch tok, err := dec.Token(); {
	case err != nil:
		return v, err
	case tok == nil:
		return groupMembersValue{}, nil
	case tok != json.Delim('{'):
		return v, errJSONFallback
	}
	for dec.More() {
		key, err := dec.Token() // a string: Token checks the syntax
		if err != nil {
			return v, err
		}
		switch key {
		case attrID:
			v.id, err = decodeJSONString(dec)
		case attrGroupID:
			v.groupID, err = decodeJSONString(dec)
		case attrOwnerAccount:
			v.ownerAccount, err = decodeJSONString(dec)
		case attrGroupType:
			v.groupType, err = decodeJSONString(dec)
		case attrExclusive:
			var b *bool
			err = dec.Decode(&b)
			v.exclusive = wireBool{}
			if b != nil {
				v.exclusive = wireBool{p: isKnown, b: *b}
			}
		case attrMembers:
			var members map[string]*memberJSON
			err = dec.Decode(&members)
			v.membersP, v.members = isNull, nil
			if err == nil && members != nil {
				v.membersP, v.members = isKnown, make(map[string]wireMember, len(members))
				for account, m := range members {
					if v.members[account], err = m.value(); err != nil {
						break
					}
				}
			}
		case attrTimeouts:
			var timeouts map[string]*string
			err = dec.Decode(&timeouts)
			v.timeoutsP, v.timeouts = isNull, [4]wireString{}
			if timeouts != nil {
				v.timeoutsP = isKnown
				for i, name := range timeoutNames {
					v.timeouts[i] = jsonString(timeouts[name])
				}
			}
		default:
			err = dec.Decode(&ignored{})
		}
		if err != nil {
			return v, err
		}
	}
	_, err := dec.Token() // the closing brace
	return v, err
}

// ---------------------------------------------------------- tftypes bridge

// valueFromTF converts a tftypes value of groupMembersType.
func valueFromTF(v tftypes.Value) (groupMembersValue, error) {
	var out groupMembersValue
	p, attrs, err := tfObject(v)
	if p != isKnown || err != nil {
		return groupMembersValue{p: p}, err
	}
	out.p = isKnown
	str := func(name string) wireString { return tfString(attrs[name]) }
	out.id, out.groupID = str(attrID), str(attrGroupID)
	out.ownerAccount, out.groupType = str(attrOwnerAccount), str(attrGroupType)
	if b := attrs[attrExclusive]; !b.IsKnown() {
		out.exclusive.p = isUnknown
	} else if !b.IsNull() {
		out.exclusive.p = isKnown
		_ = b.As(&out.exclusive.b)
	}
	mv := attrs[attrMembers]
	switch {
	case !mv.IsKnown():
		out.membersP = isUnknown
	case !mv.IsNull():
		var elems map[string]tftypes.Value
		if err := mv.As(&elems); err != nil {
			return out, err
		}
		out.membersP, out.members = isKnown, make(map[string]wireMember, len(elems))
		for account, ev := range elems {
			mp, ea, err := tfObject(ev)
			if err != nil {
				return out, err
			}
			m := wireMember{p: mp}
			if mp == isKnown {
				m.role, m.joinTime, m.unread = tfString(ea[attrRole]), tfNumber(ea[attrJoinTime]), tfNumber(ea[attrUnreadMsgNum])
			}
			out.members[account] = m
		}
	}
	tp, t, err := tfObject(attrs[attrTimeouts])
	if err != nil {
		return out, err
	}
	out.timeoutsP = tp
	if tp == isKnown {
		for i, name := range timeoutNames {
			out.timeouts[i] = tfString(t[name])
		}
	}
	return out, nil
}

func tfObject(v tftypes.Value) (presence, map[string]tftypes.Value, error) {
	switch {
	case !v.IsKnown():
		return isUnknown, nil, nil
	case v.IsNull():
		return isNull, nil, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return isNull, nil, err
	}
	return isKnown, attrs, nil
}

func tfString(v tftypes.Value) wireString {
	switch {
	case !v.IsKnown():
		return wireString{p: isUnknown}
	case v.IsNull():
		return wireString{}
	}
	var s string
	_ = v.As(&s)
	return known(s)
}

func tfNumber(v tftypes.Value) wireNumber {
	switch {
	case !v.IsKnown():
		return wireNumber{p: isUnknown}
	case v.IsNull():
		return wireNumber{}
	}
	var f big.Float
	if err := v.As(&f); err != nil {
		return wireNumber{}
	}
	return numberFromFloat(&f)
}

// ------------------------------------------------------------ protocol glue

// readValue decodes a DynamicValue of the resource. A nil one is null.
func readValue(dv *tfprotov6.DynamicValue, diags *diagnostics, what string) (groupMembersValue, bool) {
	if dv == nil {
		return groupMembersValue{}, true
	}
	var v groupMembersValue
	var err error
	switch {
	case dv.MsgPack != nil:
		v, err = decodeMsgpack(dv.MsgPack)
	case dv.JSON != nil:
		var tv tftypes.Value
		if tv, err = dv.Unmarshal(groupMembersType); err == nil {
			v, err = valueFromTF(tv)
		}
	default:
		err = tfprotov6.ErrUnknownDynamicValueType
	}
	if err != nil {
		diags.errorAt(nil, "Unable to read "+what, fmt.Sprintf("The %s of %s could not be decoded: %v. This is a bug in the provider; please report it.", what, groupMembersTypeName, err))
		return groupMembersValue{}, false
	}
	return v, true
}

func writeValue(v groupMembersValue) *tfprotov6.DynamicValue {
	return &tfprotov6.DynamicValue{MsgPack: encodeMsgpack(v)}
}
