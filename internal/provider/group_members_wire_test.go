package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The wire codec is checked against the tftypes implementation it replaces
// (group_members_oracle_test.go) on random values that cover every null,
// unknown and number form.

type valueGen struct{ r *rand.Rand }

func (g valueGen) pick(n int) int { return g.r.IntN(n) }

func (g valueGen) str(choices ...string) tftypes.Value {
	switch g.pick(6) {
	case 0:
		return tftypes.NewValue(tftypes.String, nil)
	case 1:
		return tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	}
	return tftypes.NewValue(tftypes.String, choices[g.pick(len(choices))])
}

func (g valueGen) num() tftypes.Value {
	switch g.pick(12) {
	case 0, 1:
		return tftypes.NewValue(tftypes.Number, nil)
	case 2:
		return tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)
	case 3:
		return tftypes.NewValue(tftypes.Number, 1.5)
	case 4:
		return tftypes.NewValue(tftypes.Number, new(big.Float).SetUint64(math.MaxUint64))
	case 5:
		f, _, _ := big.ParseFloat("123456789012345678901234567890.25", 10, 512, big.ToNearestEven)
		return tftypes.NewValue(tftypes.Number, f)
	case 6:
		return tftypes.NewValue(tftypes.Number, int64(-g.pick(100000)))
	case 7:
		return tftypes.NewValue(tftypes.Number, float64(1_600_000_000+g.pick(10)))
	case 8:
		return tftypes.NewValue(tftypes.Number, new(big.Float).SetInf(g.pick(2) == 0))
	}
	return tftypes.NewValue(tftypes.Number, int64(1_600_000_000+g.pick(10)))
}

var genAccounts = []string{"a", "b", "c", "owner", "user0001", "user0002", "", " x", strings.Repeat("k", 40), "é", "user0003"}

func (g valueGen) member() tftypes.Value {
	switch g.pick(10) {
	case 0:
		return tftypes.NewValue(memberObjectType, nil)
	case 1:
		return tftypes.NewValue(memberObjectType, tftypes.UnknownValue)
	}
	return tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
		attrRole:         g.str("Admin", "Member", "Owner", "admin"),
		attrJoinTime:     g.num(),
		attrUnreadMsgNum: g.num(),
		attrNameCard:     g.str("", "Lead", "名片", strings.Repeat("n", 51)),
		attrCustomData:   g.strMap(),
	})
}

// strMap is a map(string) value: null, unknown, or known with keys that may
// be invalid and elements that may be null or unknown.
func (g valueGen) strMap() tftypes.Value {
	switch g.pick(6) {
	case 0, 1:
		return tftypes.NewValue(stringMapType, nil)
	case 2:
		return tftypes.NewValue(stringMapType, tftypes.UnknownValue)
	}
	elems := map[string]tftypes.Value{}
	for range g.pick(4) {
		elems[[]string{"dept", "tier", "", "bad-key", "é"}[g.pick(5)]] = g.str("", "sre", strings.Repeat("v", 65))
	}
	return tftypes.NewValue(stringMapType, elems)
}

func (g valueGen) members() tftypes.Value {
	switch g.pick(8) {
	case 0:
		return tftypes.NewValue(membersMapType, nil)
	case 1:
		return tftypes.NewValue(membersMapType, tftypes.UnknownValue)
	}
	elems := map[string]tftypes.Value{}
	for range g.pick(8) {
		elems[genAccounts[g.pick(len(genAccounts))]] = g.member()
	}
	return tftypes.NewValue(membersMapType, elems)
}

func (g valueGen) timeouts() tftypes.Value {
	switch g.pick(4) {
	case 0, 1:
		return tftypes.NewValue(timeoutsType, nil)
	case 2:
		return tftypes.NewValue(timeoutsType, tftypes.UnknownValue)
	}
	t := map[string]tftypes.Value{}
	for _, op := range timeoutNames {
		t[op] = g.str("30m", "1h", "x", "-1s", "")
	}
	return tftypes.NewValue(timeoutsType, t)
}

func (g valueGen) value() tftypes.Value {
	switch g.pick(20) {
	case 0:
		return tftypes.NewValue(groupMembersType, nil)
	case 1:
		return tftypes.NewValue(groupMembersType, tftypes.UnknownValue)
	}
	excl := tftypes.NewValue(tftypes.Bool, nil)
	switch g.pick(4) {
	case 1:
		excl = tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
	case 2:
		excl = tftypes.NewValue(tftypes.Bool, true)
	case 3:
		excl = tftypes.NewValue(tftypes.Bool, false)
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           g.str("g1", "g2"),
		attrGroupID:      g.str("g1", "g2", "", strings.Repeat("g", 60), "g\x01"),
		attrExclusive:    excl,
		attrMembers:      g.members(),
		attrOwnerAccount: g.str("owner", "a", ""),
		attrGroupType:    g.str("Public", "Work", "Community"),
		attrTimeouts:     g.timeouts(),
	})
}

func tfMsgpack(t *testing.T, v tftypes.Value) []byte {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(groupMembersType, v)
	if err != nil {
		t.Fatal(err)
	}
	return dv.MsgPack
}

func TestWireCodecMatchesTFTypes(t *testing.T) {
	g := valueGen{rand.New(rand.NewPCG(1, 2))}
	for i := range 3000 {
		tv := g.value()
		// tftypes msgpack -> wire decoder: the same value.
		got, err := decodeMsgpack(groupMembersObject, tfMsgpack(t, tv))
		if err != nil {
			t.Fatalf("#%d: decode: %v\n%v", i, err, tv)
		}
		if back := valueToTF(got); !back.Equal(tv) {
			t.Fatalf("#%d: decoded\n%v\nwant\n%v", i, back, tv)
		}
		// wire encoder -> tftypes decoder: the same value.
		dec, err := tfprotov6.DynamicValue{MsgPack: encodeMsgpack(groupMembersObject, &got)}.Unmarshal(groupMembersType)
		if err != nil {
			t.Fatalf("#%d: tftypes cannot read the encoding: %v", i, err)
		}
		if !dec.Equal(tv) {
			t.Fatalf("#%d: encoded\n%v\nwant\n%v", i, dec, tv)
		}
		// The model, and the state written from it.
		wantModel, _ := refDecodeGroupMembers(tv)
		if m := got.model(); !reflect.DeepEqual(m, wantModel) {
			t.Fatalf("#%d: model %+v, want %+v", i, m, wantModel)
		}
		if enc := valueToTF(wantModel.value()); !enc.Equal(refEncodeGroupMembers(wantModel)) {
			t.Fatalf("#%d: state value %v, want %v", i, enc, refEncodeGroupMembers(wantModel))
		}
	}
}

// stateJSON writes a value as Terraform writes a state's attributes, plus
// attributes that are no longer in the schema.
func stateJSON(v tftypes.Value, extra bool) []byte {
	var conv func(v tftypes.Value) any
	conv = func(v tftypes.Value) any {
		if v.IsNull() {
			return nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			var s string
			_ = v.As(&s)
			return s
		case v.Type().Is(tftypes.Bool):
			var b bool
			_ = v.As(&b)
			return b
		case v.Type().Is(tftypes.Number):
			var f big.Float
			_ = v.As(&f)
			return json.RawMessage(f.Text('g', -1))
		}
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, x := range m {
			out[k] = conv(x)
		}
		if extra && v.Type().Is(memberObjectType) {
			out["removed_attr"] = []any{1, "x", map[string]any{"y": nil}}
		}
		return out
	}
	top := conv(v)
	if m, ok := top.(map[string]any); ok && extra {
		m["legacy"] = map[string]any{"a": []any{true, false, nil, 1.5e3}}
		delete(m, attrTimeouts) // missing attributes read as null
	}
	b, _ := json.Marshal(top)
	return b
}

// knownOnly replaces unknowns and infinities, which a saved state never
// holds, by nulls.
func knownOnly(v tftypes.Value) tftypes.Value {
	out, _ := tftypes.Transform(v, func(_ *tftypes.AttributePath, x tftypes.Value) (tftypes.Value, error) {
		if !x.IsKnown() {
			return tftypes.NewValue(x.Type(), nil), nil
		}
		if x.Type().Is(tftypes.Number) && !x.IsNull() {
			var f big.Float
			_ = x.As(&f)
			if f.IsInf() {
				return tftypes.NewValue(tftypes.Number, nil), nil
			}
		}
		return x, nil
	})
	return out
}

func TestStateJSONMatchesTFTypes(t *testing.T) {
	g := valueGen{rand.New(rand.NewPCG(5, 6))}
	opts := tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}}
	cases := [][]byte{
		[]byte(`{"id":"a\"b","members":{"x\\u00e9":{"role":"Member"}}}`), // escapes: read by tftypes
		[]byte(`{"group_id":"g","members":{"a":{"join_time":"12"}}}`),    // number as a string
		[]byte(`{"members":{"a":{"role":12}}}`),                          // string as a number
		[]byte(` null `),
		[]byte(`{"members":null,"timeouts":{"create":"1h","gone":1}}`),
		[]byte(`{"exclusive":true,"members":{}} `),
		// Keys match exactly: other cases are attributes no longer in the schema.
		[]byte(`{"ID":"x","Members":{"a":{"Role":"Admin","JOIN_TIME":1,"unread_msg_nuſ":2}},"members":{"b":{"role":"Admin","ROLE":"x"}}}`),
		// A repeated key replaces the earlier value, and is not merged into it.
		[]byte(`{"members":{"a":{"role":"Admin"},"a":{"join_time":1}},"members":{"b":null,"c":{"role":"Member","role":null}}}`),
		[]byte(`{"timeouts":{"create":"1h"},"timeouts":{"read":"2h"},"exclusive":true,"exclusive":null}`),
		[]byte(`{"members":{"a":{"join_time":1e400,"unread_msg_num":-0.5e-3}},"group_type":"\ud83d\ude00\u0000"}`),
		[]byte(`{"members":{"a":{"join_time":true}}}`),
		[]byte(`{"members":{"a":{"role":"Member"}}} x`),
		[]byte(`{"members":[]}`),
	}
	generated := len(cases)
	for range 2000 {
		v := knownOnly(g.value())
		cases = append(cases, stateJSON(v, g.pick(2) == 0))
	}
	for i, raw := range cases {
		want, wantErr := (&tfprotov6.RawState{JSON: raw}).UnmarshalWithOpts(groupMembersType, opts)
		got, err := groupMembers.upgrade(&tfprotov6.RawState{JSON: raw})
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("#%d %s: error %v, want %v", i, raw, err, wantErr)
		}
		if err != nil {
			continue
		}
		if back := valueToTF(got); !back.Equal(want) {
			t.Fatalf("#%d %s:\n%v\nwant\n%v", i, raw, back, want)
		}
		// The direct reader, without the fallback: the same value when it
		// reads the input, and it reads what Terraform writes.
		fast, err := decodeStateJSON(groupMembersObject, raw)
		if err == nil && !valueToTF(fast).Equal(want) {
			t.Fatalf("#%d %s: direct reader:\n%v\nwant\n%v", i, raw, valueToTF(fast), want)
		}
		if err != nil && i >= generated {
			t.Fatalf("#%d %s: direct reader: %v", i, raw, err)
		}
	}
}

func TestDecodeMsgpackRejectsMalformed(t *testing.T) {
	good := tfMsgpack(t, encodeGroupMembers(groupMembersModel{ID: "g", GroupID: "g", Members: map[string]memberModel{"a": {Role: "Member"}}}))
	for cut := range len(good) {
		if _, err := decodeMsgpack(groupMembersObject, good[:cut]); err == nil {
			t.Fatalf("truncated at %d of %d: no error", cut, len(good))
		}
	}
	if _, err := decodeMsgpack(groupMembersObject, append([]byte{0x81, 0xa1, 'x'}, good...)); err == nil {
		t.Fatal("wrong attribute count: no error")
	}
}

// FuzzDecodeMsgpack: the decoder never panics, and whenever tftypes reads
// the input the decoder reads the same value.
func FuzzDecodeMsgpack(f *testing.F) {
	g := valueGen{rand.New(rand.NewPCG(7, 8))}
	for range 20 {
		dv, _ := tfprotov6.NewDynamicValue(groupMembersType, g.value())
		f.Add(dv.MsgPack)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeMsgpack(groupMembersObject, b)
		var want tftypes.Value
		var wantErr error
		func() {
			defer func() {
				if recover() != nil {
					wantErr = fmt.Errorf("tftypes panicked")
				}
			}()
			want, wantErr = tftypes.ValueFromMsgPack(b, groupMembersType) //nolint:staticcheck
		}()
		if err == nil && wantErr == nil && !valueToTF(got).Equal(want) {
			t.Fatalf("decoded %v, tftypes %v", valueToTF(got), want)
		}
		if err == nil {
			if again, err := decodeMsgpack(groupMembersObject, encodeMsgpack(groupMembersObject, &got)); err != nil || !bytes.Equal(encodeMsgpack(groupMembersObject, &again), encodeMsgpack(groupMembersObject, &got)) {
				t.Fatalf("re-encoding changed the value: %v", err)
			}
		}
	})
}
