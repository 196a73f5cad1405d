package provider

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The resources served on the protocol (see DESIGN.md) each describe their
// type once, as a table of attributes. The table is the schema and the
// tftypes type, drives the msgpack and state-JSON codecs (wire_msgpack.go,
// wire_json.go) and the configuration checks, and through the schema the
// docs. An attribute's Go value lives in the resource's own struct; the
// table holds the accessor, so the codecs decode into plain fields with no
// per-value maps or interfaces.

// use says who sets an attribute: the configuration, the provider, or
// either.
type use uint8

const (
	required use = iota + 1
	optional
	optionalComputed
	computed
)

func (u use) setOn(a *tfprotov6.SchemaAttribute) {
	a.Required = u == required
	a.Optional = u == optional || u == optionalComputed
	a.Computed = u == computed || u == optionalComputed
}

// field is one attribute of an object that Go holds as a T.
type field[T any] struct {
	name string
	use  use
	desc string
	kind kind[T]
}

// kind is what an attribute's type does, for an object held as a T.
type kind[T any] interface {
	tfType() tftypes.Type
	schema(a *tfprotov6.SchemaAttribute) // sets Type or NestedType
	decode(r *mpReader, t *T) error
	encode(w mpWriter, t *T)
	decodeJSON(d *jsonReader, t *T) error
	check(t *T, c *checks)
}

// problem is a diagnostic's text: what is wrong and what to do.
type problem struct{ summary, detail string }

// checks collects configuration problems. It tracks where it is as steps,
// and builds an attribute path only for a problem, since most values have
// none.
type checks struct {
	diags *diagnostics
	now   time.Time
	key   string // the map key of the object being checked, "" outside maps
	at    []step
}

// step is an attribute name or, with isKey, a map key.
type step struct {
	name  string
	isKey bool
}

func (c *checks) report(p *problem) {
	if p == nil {
		return
	}
	var path *tftypes.AttributePath
	if len(c.at) > 0 {
		path = tftypes.NewAttributePath()
	}
	for _, s := range c.at {
		if s.isKey {
			path = path.WithElementKeyString(s.name)
		} else {
			path = path.WithAttributeName(s.name)
		}
	}
	c.diags.errorAt(path, p.summary, p.detail)
}

// object is an object type whose values Go holds as a T.
type object[T any] struct {
	presence func(*T) *presence
	attrs    []field[T] // in the schema's order
	sorted   []int      // indexes into attrs by name: the order tftypes writes
}

func newObject[T any](presence func(*T) *presence, attrs ...field[T]) *object[T] {
	o := &object[T]{presence: presence, attrs: attrs}
	for i := range attrs {
		o.sorted = append(o.sorted, i)
	}
	slices.SortFunc(o.sorted, func(a, b int) int {
		if attrs[a].name == attrs[b].name {
			panic("attribute " + attrs[a].name + " declared twice")
		}
		return strings.Compare(attrs[a].name, attrs[b].name)
	})
	if len(attrs) > 64 {
		panic("the decoders track attributes in a uint64")
	}
	return o
}

// index finds an attribute by name; comparing against string(name) does not
// allocate.
func (o *object[T]) index(name []byte) int {
	for i := range o.attrs {
		if o.attrs[i].name == string(name) {
			return i
		}
	}
	return -1
}

func (o *object[T]) tfType() tftypes.Type {
	types := make(map[string]tftypes.Type, len(o.attrs))
	for _, a := range o.attrs {
		types[a.name] = a.kind.tfType()
	}
	return tftypes.Object{AttributeTypes: types}
}

func (o *object[T]) schemaAttributes() []*tfprotov6.SchemaAttribute {
	out := make([]*tfprotov6.SchemaAttribute, len(o.attrs))
	for i, a := range o.attrs {
		s := &tfprotov6.SchemaAttribute{Name: a.name, Description: a.desc, DescriptionKind: tfprotov6.StringKindMarkdown}
		a.use.setOn(s)
		a.kind.schema(s)
		out[i] = s
	}
	return out
}

// check reports what is wrong with a known value's known attributes.
func (o *object[T]) check(t *T, c *checks) {
	if *o.presence(t) != isKnown {
		return
	}
	for _, a := range o.attrs {
		c.at = append(c.at, step{name: a.name})
		a.kind.check(t, c)
		c.at = c.at[:len(c.at)-1]
	}
}

// ------------------------------------------------------------- the kinds

// scalarKind is a primitive attribute held as a V (wireString, wireNumber
// or wireBool).
type scalarKind[T, V any] struct {
	typ      tftypes.Type
	get      func(*T) *V
	read     func(*mpReader) (V, error)
	write    func(mpWriter, V)
	readJSON func(*jsonReader) (V, error)
	validate func(V, *checks) // nil when any value is valid
}

func (k scalarKind[T, V]) tfType() tftypes.Type                { return k.typ }
func (k scalarKind[T, V]) schema(a *tfprotov6.SchemaAttribute) { a.Type = k.typ }
func (k scalarKind[T, V]) encode(w mpWriter, t *T)             { k.write(w, *k.get(t)) }

func (k scalarKind[T, V]) decode(r *mpReader, t *T) (err error) {
	*k.get(t), err = k.read(r)
	return err
}

func (k scalarKind[T, V]) decodeJSON(d *jsonReader, t *T) (err error) {
	*k.get(t), err = k.readJSON(d)
	return err
}

func (k scalarKind[T, V]) check(t *T, c *checks) {
	if k.validate != nil {
		k.validate(*k.get(t), c)
	}
}

// stringAttr is a string attribute; valid, if given, checks a known value.
func stringAttr[T any](name string, u use, desc string, get func(*T) *wireString, valid func(string, *checks) *problem) field[T] {
	k := scalarKind[T, wireString]{tftypes.String, get, (*mpReader).stringValue, mpWriter.stringValue, (*jsonReader).stringValue, nil}
	if valid != nil {
		k.validate = func(s wireString, c *checks) {
			if s.set() {
				c.report(valid(s.s, c))
			}
		}
	}
	return field[T]{name, u, desc, k}
}

// numberAttr is a number attribute that takes whole numbers only; valid,
// if given, checks a known value.
func numberAttr[T any](name string, u use, desc string, get func(*T) *wireNumber, valid func(int64, *checks) *problem) field[T] {
	check := func(n wireNumber, c *checks) {
		if !n.set() {
			return
		}
		i := n.i
		if n.f != nil {
			var acc big.Accuracy
			if i, acc = n.f.Int64(); !n.f.IsInt() || acc != big.Exact {
				c.report(&problem{"Invalid " + name, fmt.Sprintf("%s is %s; it must be a whole number.", name, n.f.Text('g', -1))})
				return
			}
		}
		if valid != nil {
			c.report(valid(i, c))
		}
	}
	return field[T]{name, u, desc, scalarKind[T, wireNumber]{tftypes.Number, get, (*mpReader).numberValue, mpWriter.numberValue, (*jsonReader).numberValue, check}}
}

func boolAttr[T any](name string, u use, desc string, get func(*T) *wireBool) field[T] {
	return field[T]{name, u, desc, scalarKind[T, wireBool]{tftypes.Bool, get, (*mpReader).boolValue, mpWriter.boolValue, (*jsonReader).boolValue, nil}}
}

// singleKind is a single nested object.
type singleKind[T, E any] struct {
	get  func(*T) *E
	elem *object[E]
}

func objectAttr[T, E any](name string, u use, desc string, get func(*T) *E, elem *object[E]) field[T] {
	return field[T]{name, u, desc, singleKind[T, E]{get, elem}}
}

func (k singleKind[T, E]) tfType() tftypes.Type { return k.elem.tfType() }
func (k singleKind[T, E]) schema(a *tfprotov6.SchemaAttribute) {
	a.NestedType = &tfprotov6.SchemaObject{Nesting: tfprotov6.SchemaObjectNestingModeSingle, Attributes: k.elem.schemaAttributes()}
}
func (k singleKind[T, E]) decode(r *mpReader, t *T) error { return k.elem.decode(r, k.get(t)) }
func (k singleKind[T, E]) encode(w mpWriter, t *T)        { k.elem.encode(w, k.get(t)) }
func (k singleKind[T, E]) decodeJSON(d *jsonReader, t *T) error {
	return k.elem.decodeJSON(d, k.get(t))
}
func (k singleKind[T, E]) check(t *T, c *checks) { k.elem.check(k.get(t), c) }

// wireMap is a map of objects held as Es.
type wireMap[E any] struct {
	p     presence
	elems map[string]E
}

// mapKind is a map of nested objects, keyed by a string that validKey, if
// given, checks.
type mapKind[T, E any] struct {
	get      func(*T) *wireMap[E]
	elem     *object[E]
	validKey func(key string) *problem
}

func mapAttr[T, E any](name string, u use, desc string, get func(*T) *wireMap[E], elem *object[E], validKey func(string) *problem) field[T] {
	return field[T]{name, u, desc, mapKind[T, E]{get, elem, validKey}}
}

func (k mapKind[T, E]) tfType() tftypes.Type { return tftypes.Map{ElementType: k.elem.tfType()} }
func (k mapKind[T, E]) schema(a *tfprotov6.SchemaAttribute) {
	a.NestedType = &tfprotov6.SchemaObject{Nesting: tfprotov6.SchemaObjectNestingModeMap, Attributes: k.elem.schemaAttributes()}
}

func (k mapKind[T, E]) check(t *T, c *checks) {
	m := k.get(t)
	if m.p != isKnown {
		return
	}
	outer := c.key
	e := new(E)
	for key, elem := range m.elems {
		c.at = append(c.at, step{key, true})
		if k.validKey != nil {
			c.report(k.validKey(key))
		}
		c.key, *e = key, elem
		k.elem.check(e, c)
		c.at = c.at[:len(c.at)-1]
	}
	c.key = outer
}

// wireStrings is a map of strings; each element keeps its own null or
// unknown.
type wireStrings struct {
	p     presence
	elems map[string]wireString
}

// stringMapKind is a map(string) attribute. validKey and validValue, if
// given, check each known key and known value, at that element's path;
// validMap, if given, checks the known map as a whole, at the attribute's.
type stringMapKind[T any] struct {
	get        func(*T) *wireStrings
	validKey   func(key string, c *checks) *problem
	validValue func(key, value string, c *checks) *problem
	validMap   func(m map[string]wireString, c *checks) *problem
}

func stringMapAttr[T any](name string, u use, desc string, get func(*T) *wireStrings, k stringMapKind[T]) field[T] {
	k.get = get
	return field[T]{name, u, desc, k}
}

var stringMapType = tftypes.Map{ElementType: tftypes.String}

func (k stringMapKind[T]) tfType() tftypes.Type                { return stringMapType }
func (k stringMapKind[T]) schema(a *tfprotov6.SchemaAttribute) { a.Type = stringMapType }

func (k stringMapKind[T]) check(t *T, c *checks) {
	m := k.get(t)
	if m.p != isKnown {
		return
	}
	if k.validMap != nil {
		c.report(k.validMap(m.elems, c))
	}
	if k.validKey == nil && k.validValue == nil {
		return
	}
	for _, key := range slices.Sorted(maps.Keys(m.elems)) { // one order for the diagnostics
		c.at = append(c.at, step{key, true})
		if k.validKey != nil {
			c.report(k.validKey(key, c))
		}
		if v := m.elems[key]; v.set() && k.validValue != nil {
			c.report(k.validValue(key, v.s, c))
		}
		c.at = c.at[:len(c.at)-1]
	}
}
