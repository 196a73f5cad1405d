package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A saved state is read as tftypes reads it with IgnoreUndefinedAttributes:
// attributes no longer in the schema are dropped, missing ones are null, a
// repeated key replaces the earlier value, keys match exactly. Like tftypes,
// the reader walks tokens. Input beyond the plain JSON Terraform writes
// (say a number for a string) goes to tftypes instead, which reads it or
// says where it fails.

var errJSONFallback = errors.New("not plain state JSON")

// jsonReader scans JSON from memory: encoding/json's Decoder.Token costs
// about a microsecond a token, seconds for a large state. Anything it does
// not take is left to tftypes, so it need not be general, only strict.
type jsonReader struct {
	b []byte
	i int
}

func (d *jsonReader) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
	}
}

// peek is the next byte after white space, or 0 at the end.
func (d *jsonReader) peek() byte {
	d.space()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// literal consumes word, such as null.
func (d *jsonReader) literal(word string) bool {
	if d.peek() != word[0] || !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return false
	}
	d.i += len(word)
	return true
}

// rawString reads a string; only one with escapes is copied.
func (d *jsonReader) rawString() (string, error) {
	if d.peek() != '"' {
		return "", errJSONFallback
	}
	start, escaped := d.i, false
	for d.i++; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '\\':
			escaped = true
			d.i++
		case c < 0x20:
			return "", errJSONFallback
		case c == '"':
			d.i++
			raw := d.b[start:d.i]
			if !escaped {
				return intern(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", errJSONFallback
			}
			return s, nil
		}
	}
	return "", errJSONFallback
}

// number reads a number literal's text.
func (d *jsonReader) number() (string, error) {
	d.space()
	start := d.i
	for d.i < len(d.b) && strings.IndexByte("+-.0123456789eE", d.b[d.i]) >= 0 {
		d.i++
	}
	n := string(d.b[start:d.i])
	if !json.Valid([]byte(n)) || n == "" || n[0] == '+' {
		return "", errJSONFallback
	}
	return n, nil
}

func (d *jsonReader) stringValue() (wireString, error) {
	if d.literal("null") {
		return wireString{}, nil
	}
	s, err := d.rawString()
	return known(s), err
}

func (d *jsonReader) boolValue() (wireBool, error) {
	switch {
	case d.literal("null"):
		return wireBool{}, nil
	case d.literal("true"):
		return wireBool{p: isKnown, b: true}, nil
	case d.literal("false"):
		return wireBool{p: isKnown}, nil
	}
	return wireBool{}, errJSONFallback
}

// numberValue takes a JSON number, or a number in a string as tftypes does;
// integers stay int64, like the wire's.
func (d *jsonReader) numberValue() (wireNumber, error) {
	var s string
	var err error
	switch d.peek() {
	case 'n':
		if d.literal("null") {
			return wireNumber{}, nil
		}
		return wireNumber{}, errJSONFallback
	case '"':
		s, err = d.rawString()
	default:
		s, err = d.number()
	}
	if err != nil {
		return wireNumber{}, err
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return knownInt(i), nil
	}
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		return wireNumber{}, errJSONFallback
	}
	return numberFromFloat(f), nil
}

// open reads null or the opening brace of an object.
func (d *jsonReader) open() (presence, error) {
	switch {
	case d.literal("null"):
		return isNull, nil
	case d.peek() == '{':
		d.i++
		return isKnown, nil
	}
	return isNull, errJSONFallback
}

// key reads the next key of an open object and its colon, or reports the
// end of the object after consuming its closing brace. first says whether
// no key has been read yet.
func (d *jsonReader) key(first bool) (string, bool, error) {
	switch c := d.peek(); {
	case c == '}':
		d.i++
		return "", false, nil
	case !first && c != ',':
		return "", false, errJSONFallback
	case !first:
		d.i++
	}
	key, err := d.rawString()
	if err != nil || d.peek() != ':' {
		return "", false, errJSONFallback
	}
	d.i++
	return key, true, nil
}

// skip consumes any one value, for attributes no longer in the schema.
func (d *jsonReader) skip() error {
	switch c := d.peek(); {
	case c == '{':
		d.i++
		for first := true; ; first = false {
			_, more, err := d.key(first)
			if !more || err != nil {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
		}
	case c == '[':
		d.i++
		for first := true; ; first = false {
			switch c := d.peek(); {
			case c == ']':
				d.i++
				return nil
			case !first && c != ',':
				return errJSONFallback
			case !first:
				d.i++
			}
			if err := d.skip(); err != nil {
				return err
			}
		}
	case c == '"':
		_, err := d.rawString()
		return err
	case d.literal("null"), d.literal("true"), d.literal("false"):
		return nil
	}
	_, err := d.number()
	return err
}

func (o *object[T]) decodeJSON(d *jsonReader, t *T) error {
	p, err := d.open()
	var zero T
	*t = zero // a repeated key replaces the whole object
	*o.presence(t) = p
	if p != isKnown || err != nil {
		return err
	}
	for first := true; ; first = false {
		key, more, err := d.key(first)
		if !more || err != nil {
			return err
		}
		if i := o.index([]byte(key)); i >= 0 {
			err = o.attrs[i].kind.decodeJSON(d, t)
		} else {
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
}

func (k mapKind[T, E]) decodeJSON(d *jsonReader, t *T) error {
	m := k.get(t)
	p, err := d.open()
	*m = wireMap[E]{p: p}
	if p != isKnown || err != nil {
		return err
	}
	m.elems = map[string]E{}
	e := new(E) // one for the map: a pointer passed through kind escapes
	for first := true; ; first = false {
		key, more, err := d.key(first)
		if !more || err != nil {
			return err
		}
		if err := k.elem.decodeJSON(d, e); err != nil {
			return err
		}
		m.elems[key] = *e
	}
}

func (k stringMapKind[T]) decodeJSON(d *jsonReader, t *T) error {
	m := k.get(t)
	p, err := d.open()
	*m = wireStrings{p: p}
	if p != isKnown || err != nil {
		return err
	}
	m.elems = map[string]wireString{}
	for first := true; ; first = false {
		key, more, err := d.key(first)
		if !more || err != nil {
			return err
		}
		v, err := d.stringValue()
		if err != nil {
			return err
		}
		m.elems[key] = v
	}
}

// decodeStateJSON reads a saved state, or returns errJSONFallback for
// input it leaves to tftypes.
func decodeStateJSON[T any](o *object[T], b []byte) (T, error) {
	d := &jsonReader{b: b}
	var v T
	if err := o.decodeJSON(d, &v); err == nil && d.peek() == 0 && d.i == len(b) {
		return v, nil
	}
	var zero T
	return zero, errJSONFallback
}

// ------------------------------------------------------------ protocol glue

// codec reads and writes one resource type's values on the protocol.
type codec[T any] struct {
	typeName string
	obj      *object[T]
	typ      tftypes.Type
}

func newCodec[T any](typeName string, obj *object[T]) codec[T] {
	return codec[T]{typeName, obj, obj.tfType()}
}

// read decodes a DynamicValue; a nil one is null. The JSON form, which
// Terraform does not send, goes through tftypes.
func (c codec[T]) read(dv *tfprotov6.DynamicValue, diags *diagnostics, what string) (T, bool) {
	var v T
	if dv == nil {
		return v, true
	}
	var err error
	switch {
	case dv.MsgPack != nil:
		v, err = decodeMsgpack(c.obj, dv.MsgPack)
	case dv.JSON != nil:
		var tv tftypes.Value
		if tv, err = dv.Unmarshal(c.typ); err == nil {
			v, err = c.fromTF(tv)
		}
	default:
		err = tfprotov6.ErrUnknownDynamicValueType
	}
	if err != nil {
		diags.errorAt(nil, "Unable to read "+what, fmt.Sprintf("The %s of %s could not be decoded: %v. This is a bug in the provider; please report it.", what, c.typeName, err))
		var zero T
		return zero, false
	}
	return v, true
}

func (c codec[T]) write(v T) *tfprotov6.DynamicValue {
	return &tfprotov6.DynamicValue{MsgPack: encodeMsgpack(c.obj, &v)}
}

// fromTF converts a tftypes value by way of its msgpack.
func (c codec[T]) fromTF(tv tftypes.Value) (T, error) {
	dv, err := tfprotov6.NewDynamicValue(c.typ, tv)
	if err != nil {
		var zero T
		return zero, err
	}
	return decodeMsgpack(c.obj, dv.MsgPack)
}

// upgrade reads a saved state, dropping attributes no longer in the
// schema: plain JSON as Terraform writes it directly, anything else through
// tftypes.
func (c codec[T]) upgrade(raw *tfprotov6.RawState) (T, error) {
	if raw.JSON != nil {
		if v, err := decodeStateJSON(c.obj, raw.JSON); err == nil {
			return v, nil
		}
	}
	tv, err := raw.UnmarshalWithOpts(c.typ, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		var zero T
		return zero, err
	}
	return c.fromTF(tv)
}

// upgradeResponse answers UpgradeResourceState for schema version 0, the
// only one so far.
func (c codec[T]) upgradeResponse(req *tfprotov6.UpgradeResourceStateRequest, advice string) *tfprotov6.UpgradeResourceStateResponse {
	resp := &tfprotov6.UpgradeResourceStateResponse{}
	if req.RawState == nil {
		return resp
	}
	v, err := c.upgrade(req.RawState)
	if err != nil {
		var diags diagnostics
		diags.errorAt(nil, "Unable to read the saved state", fmt.Sprintf("The state of %s (schema version %d) could not be decoded: %v. %s", c.typeName, req.Version, err, advice))
		resp.Diagnostics = diags
		return resp
	}
	resp.UpgradedState = c.write(v)
	return resp
}
