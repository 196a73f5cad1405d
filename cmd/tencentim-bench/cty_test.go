package main

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// BenchmarkCtyUnify reproduces, without Terraform, the step Terraform core
// repeats each time it evaluates a configuration: converting the members
// value as the configuration's `for` expression builds it (an object of N
// objects { role = "Member", join_time = null, unread_msg_num = null,
// name_card = null, custom_data = null }) to the attribute's type,
// map(object) with optional attributes. go-cty's
// unify compares every pair of the N element types (convert.unify →
// sortTypes), so the time grows as N²; a fixed go-cty shows an exponent
// near 1. `make bench` runs it and prints the exponent (bench/README.md).
func BenchmarkCtyUnify(b *testing.B) {
	elem := cty.ObjectWithOptionalAttrs(map[string]cty.Type{
		"role": cty.String, "join_time": cty.Number, "unread_msg_num": cty.Number, "name_card": cty.String, "custom_data": cty.Map(cty.String),
	}, []string{"role", "join_time", "unread_msg_num", "name_card", "custom_data"})
	null := cty.NullVal(cty.DynamicPseudoType) // `null` in a configuration is untyped
	for _, n := range []int{10_000, 20_000} {
		members := make(map[string]cty.Value, n)
		for i := range n {
			members[fmt.Sprintf("user%06d", i)] = cty.ObjectVal(map[string]cty.Value{
				"role": cty.StringVal("Member"), "join_time": null, "unread_msg_num": null, "name_card": null, "custom_data": null,
			})
		}
		value := cty.ObjectVal(members)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				if _, err := convert.Convert(value, cty.Map(elem)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
