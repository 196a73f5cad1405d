package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Benchmarks of the resource's per-RPC work on large member maps, driven
// through the protocol with msgpack DynamicValues as Terraform sends them.
// `make bench` runs them next to the CLI measurements.

func benchMembers(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%06d", i)
	}
	return out
}

// benchConfig is the configuration of n members declared as
// { role = "Member" } (join_time and unread_msg_num null).
func benchConfig(accounts []string) tftypes.Value {
	elems := make(map[string]tftypes.Value, len(accounts))
	for _, a := range accounts {
		elems[a] = tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
			attrRole:         tftypes.NewValue(tftypes.String, "Member"),
			attrJoinTime:     tftypes.NewValue(tftypes.Number, nil),
			attrUnreadMsgNum: tftypes.NewValue(tftypes.Number, nil),
			attrNameCard:     tftypes.NewValue(tftypes.String, nil),
			attrCustomData:   tftypes.NewValue(stringMapType, nil),
		})
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           tftypes.NewValue(tftypes.String, nil),
		attrGroupID:      tftypes.NewValue(tftypes.String, "@TGS#bench"),
		attrExclusive:    tftypes.NewValue(tftypes.Bool, nil),
		attrMembers:      tftypes.NewValue(membersMapType, elems),
		attrOwnerAccount: tftypes.NewValue(tftypes.String, nil),
		attrGroupType:    tftypes.NewValue(tftypes.String, nil),
		attrTimeouts:     tftypes.NewValue(timeoutsType, nil),
	})
}

// benchState is the saved state of the same members after an apply.
func benchState(accounts []string) groupMembersModel {
	m := groupMembersModel{ID: "@TGS#bench", GroupID: "@TGS#bench", OwnerAccount: "owner", GroupType: "Public",
		Members: make(map[string]memberModel, len(accounts))}
	for i, a := range accounts {
		jt := int64(1_700_000_000 + i)
		m.Members[a] = memberModel{Role: "Member", JoinTime: &jt}
	}
	return m
}

// proposedFrom is what Terraform proposes: the configuration with computed
// attributes taken from the prior state (or null when creating).
func proposedFrom(accounts []string, prior *groupMembersModel) tftypes.Value {
	elems := make(map[string]tftypes.Value, len(accounts))
	for _, a := range accounts {
		jt := tftypes.NewValue(tftypes.Number, nil)
		if prior != nil {
			jt = tftypes.NewValue(tftypes.Number, *prior.Members[a].JoinTime)
		}
		elems[a] = tftypes.NewValue(memberObjectType, map[string]tftypes.Value{
			attrRole:         tftypes.NewValue(tftypes.String, "Member"),
			attrJoinTime:     jt,
			attrUnreadMsgNum: tftypes.NewValue(tftypes.Number, nil),
			attrNameCard:     tftypes.NewValue(tftypes.String, nil),
			attrCustomData:   tftypes.NewValue(stringMapType, nil),
		})
	}
	str := func(s string) tftypes.Value {
		if prior == nil {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	excl := tftypes.NewValue(tftypes.Bool, nil)
	if prior != nil {
		excl = tftypes.NewValue(tftypes.Bool, false)
	}
	return tftypes.NewValue(groupMembersType, map[string]tftypes.Value{
		attrID:           str("@TGS#bench"),
		attrGroupID:      tftypes.NewValue(tftypes.String, "@TGS#bench"),
		attrExclusive:    excl,
		attrMembers:      tftypes.NewValue(membersMapType, elems),
		attrOwnerAccount: str("owner"),
		attrGroupType:    str("Public"),
		attrTimeouts:     tftypes.NewValue(timeoutsType, nil),
	})
}

func mustDV(tb testing.TB, v tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(groupMembersType, v)
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

func benchPlan(b *testing.B, n int, update bool) {
	accounts := benchMembers(n)
	r := &groupMembersResource{provider: &tencentimProvider{}, now: time.Now}
	req := &tfprotov6.PlanResourceChangeRequest{
		TypeName: groupMembersTypeName,
		Config:   mustDV(b, benchConfig(accounts)),
	}
	if update {
		prior := benchState(accounts)
		req.PriorState = writeValue(prior.value())
		req.ProposedNewState = mustDV(b, proposedFrom(accounts, &prior))
	} else {
		req.PriorState = mustDV(b, tftypes.NewValue(groupMembersType, nil))
		req.ProposedNewState = mustDV(b, proposedFrom(accounts, nil))
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := r.PlanResourceChange(ctx, req)
		if err != nil || len(resp.Diagnostics) > 0 || resp.PlannedState == nil {
			b.Fatalf("plan failed: %v %v", err, resp.Diagnostics)
		}
	}
}

// BenchmarkPlanResourceChange: create plans a new resource (join_time
// unknown for everyone); update plans an unchanged one against its state.
func BenchmarkPlanResourceChange(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("create-%dk", n/1000), func(b *testing.B) { benchPlan(b, n, false) })
		b.Run(fmt.Sprintf("update-%dk", n/1000), func(b *testing.B) { benchPlan(b, n, true) })
	}
}

func BenchmarkValidateResourceConfig(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			r := &groupMembersResource{provider: &tencentimProvider{}, now: time.Now}
			req := &tfprotov6.ValidateResourceConfigRequest{TypeName: groupMembersTypeName, Config: mustDV(b, benchConfig(benchMembers(n)))}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				resp, _ := r.ValidateResourceConfig(context.Background(), req)
				if len(resp.Diagnostics) > 0 {
					b.Fatal(resp.Diagnostics)
				}
			}
		})
	}
}

// BenchmarkStateEncode is the model to msgpack, as ReadResource and
// ApplyResourceChange return it.
func BenchmarkStateEncode(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			m := benchState(benchMembers(n))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if dv := writeValue(m.value()); dv == nil {
					b.Fatal("no state")
				}
			}
		})
		b.Run(fmt.Sprintf("%dk-tftypes", n/1000), func(b *testing.B) {
			m := benchState(benchMembers(n))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var diags diagnostics
				if dv := refMarshal(refEncodeGroupMembers(m), &diags); dv == nil {
					b.Fatal(diags)
				}
			}
		})
	}
}

// BenchmarkStateDecode is msgpack to the model, as every RPC that gets a
// prior state does it.
func BenchmarkStateDecode(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			dv := writeValue(benchState(benchMembers(n)).value())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var diags diagnostics
				v, ok := readValue(dv, &diags, "state")
				if !ok {
					b.Fatal(diags)
				}
				if m := v.model(); len(m.Members) != n {
					b.Fatal(len(m.Members))
				}
			}
		})
		b.Run(fmt.Sprintf("%dk-tftypes", n/1000), func(b *testing.B) {
			dv := writeValue(benchState(benchMembers(n)).value())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var diags diagnostics
				v, _ := refUnmarshal(dv, &diags, "state")
				if m, err := refDecodeGroupMembers(v); err != nil || len(m.Members) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpgradeResourceState reads the saved state's JSON, as Terraform
// sends it before every plan and refresh.
func BenchmarkUpgradeResourceState(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		raw := stateJSON(encodeGroupMembers(benchState(benchMembers(n))), false)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			r := &groupMembersResource{provider: &tencentimProvider{}, now: time.Now}
			req := &tfprotov6.UpgradeResourceStateRequest{TypeName: groupMembersTypeName, RawState: &tfprotov6.RawState{JSON: raw}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if resp, _ := r.UpgradeResourceState(context.Background(), req); len(resp.Diagnostics) > 0 {
					b.Fatal(resp.Diagnostics)
				}
			}
		})
		b.Run(fmt.Sprintf("%dk-tftypes", n/1000), func(b *testing.B) {
			opts := tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var diags diagnostics
				v, err := (&tfprotov6.RawState{JSON: raw}).UnmarshalWithOpts(groupMembersType, opts)
				if err != nil || refMarshal(v, &diags) == nil {
					b.Fatal(err, diags)
				}
			}
		})
	}
}
