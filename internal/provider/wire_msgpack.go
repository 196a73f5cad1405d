package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"slices"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Values are read from and written to msgpack in one pass, with the
// streaming API of the msgpack library tftypes uses. Decoding follows
// tftypes exactly (any msgpack extension is an unknown value, numbers arrive
// as integers, floats or decimal strings); the encoding is byte for byte
// what tftypes writes, object attributes and map keys sorted.

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

func (o *object[T]) decode(r *mpReader, t *T) error {
	p, err := r.object(len(o.attrs))
	*o.presence(t) = p
	if p != isKnown || err != nil {
		return err
	}
	var seen uint64
	for range o.attrs {
		key, err := r.rawString()
		if err != nil {
			return err
		}
		i := o.index(key)
		if i < 0 {
			return fmt.Errorf("unknown attribute %q", key)
		}
		name := o.attrs[i].name // not key: reading the value overwrites it
		if err := o.attrs[i].kind.decode(r, t); err != nil {
			return fmt.Errorf("%s%s", name, prefixColon(err))
		}
		if seen&(1<<i) != 0 {
			return fmt.Errorf("attribute %q repeated", name)
		}
		seen |= 1 << i
	}
	return nil
}

func (k mapKind[T, E]) decode(r *mpReader, t *T) error {
	m := k.get(t)
	*m = wireMap[E]{}
	p, done, err := r.nullOrUnknown()
	if done || err != nil {
		m.p = p
		return err
	}
	n, err := r.mapLen()
	if err != nil {
		return err
	}
	// Each entry takes at least two bytes: no larger map for a bogus count.
	m.p, m.elems = isKnown, make(map[string]E, min(n, r.r.Len()/2))
	e := new(E) // one for the map: a pointer passed through kind escapes
	for range n {
		raw, err := r.rawString()
		if err != nil {
			return err
		}
		key := string(raw)
		*e = *new(E)
		if err := k.elem.decode(r, e); err != nil {
			return fmt.Errorf("[%q]: %w", key, err)
		}
		m.elems[key] = *e
	}
	return nil
}

func (k stringMapKind[T]) decode(r *mpReader, t *T) error {
	m := k.get(t)
	*m = wireStrings{}
	p, done, err := r.nullOrUnknown()
	if done || err != nil {
		m.p = p
		return err
	}
	n, err := r.mapLen()
	if err != nil {
		return err
	}
	m.p, m.elems = isKnown, make(map[string]wireString, min(n, r.r.Len()/2))
	for range n {
		raw, err := r.rawString()
		if err != nil {
			return err
		}
		key := string(raw)
		v, err := r.stringValue()
		if err != nil {
			return fmt.Errorf("[%q]: %w", key, err)
		}
		m.elems[key] = v
	}
	return nil
}

func prefixColon(err error) string {
	s := err.Error()
	if len(s) > 0 && s[0] == '[' {
		return s
	}
	return ": " + s
}

// decodeMsgpack reads a whole value of the object type.
func decodeMsgpack[T any](o *object[T], b []byte) (T, error) {
	br := bytes.NewReader(b)
	r := &mpReader{Decoder: msgpack.NewDecoder(br), r: br, buf: make([]byte, 0, 64)}
	var v T
	err := o.decode(r, &v)
	return v, err
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

func (o *object[T]) encode(w mpWriter, t *T) {
	if w.absent(*o.presence(t)) {
		return
	}
	_ = w.EncodeMapLen(len(o.attrs))
	for _, i := range o.sorted {
		w.str(o.attrs[i].name)
		o.attrs[i].kind.encode(w, t)
	}
}

func (k mapKind[T, E]) encode(w mpWriter, t *T) {
	m := k.get(t)
	if w.absent(m.p) {
		return
	}
	_ = w.EncodeMapLen(len(m.elems))
	e := new(E)
	for _, key := range slices.Sorted(maps.Keys(m.elems)) {
		w.str(key)
		*e = m.elems[key]
		k.elem.encode(w, e)
	}
}

func (k stringMapKind[T]) encode(w mpWriter, t *T) {
	m := k.get(t)
	if w.absent(m.p) {
		return
	}
	_ = w.EncodeMapLen(len(m.elems))
	for _, key := range slices.Sorted(maps.Keys(m.elems)) {
		w.str(key)
		w.stringValue(m.elems[key])
	}
}

// encodeMsgpack writes a whole value of the object type; equal values
// encode to equal bytes.
func encodeMsgpack[T any](o *object[T], v *T) []byte {
	buf := bytes.NewBuffer(make([]byte, 0, 4096))
	o.encode(mpWriter{msgpack.NewEncoder(buf), buf}, v)
	return buf.Bytes()
}
