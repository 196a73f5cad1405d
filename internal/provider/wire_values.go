package provider

import (
	"math/big"
)

// The resources' values travel as msgpack, and the saved state as JSON. A
// general decoder such as tftypes builds a map per object and a *big.Float
// per number, which at 100,000 elements costs seconds per RPC and hundreds
// of megabytes. These types hold the same values in plain fields, with
// every null and unknown kept.

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
