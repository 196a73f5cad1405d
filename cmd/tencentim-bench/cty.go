package main

import (
	"debug/buildinfo"
	"runtime/debug"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

const ctyModule = "github.com/zclconf/go-cty"

// ctyRun is go-cty alone converting an N-member value, in this process.
type ctyRun struct {
	n    int
	wall time.Duration
}

// ctyConversion times the step Terraform core repeats each time it evaluates
// the configuration: converting the members value, an object as the
// configuration's `for` expression builds it, to the attribute's type,
// map(object) with optional attributes. No Terraform is involved, so this
// is the conversion's own cost.
func ctyConversion(m membership) (time.Duration, error) {
	elem := cty.ObjectWithOptionalAttrs(map[string]cty.Type{
		"role": cty.String, "join_time": cty.Number, "unread_msg_num": cty.Number,
	}, []string{"role", "join_time", "unread_msg_num"})
	// `null` in the configuration is an untyped null.
	null := cty.NullVal(cty.DynamicPseudoType)
	members := make(map[string]cty.Value, m.to-m.from)
	for i := m.from; i < m.to; i++ {
		role := "Member"
		if i < m.adminBelow {
			role = "Admin"
		}
		members[accountName(i)] = cty.ObjectVal(map[string]cty.Value{
			"role": cty.StringVal(role), "join_time": null, "unread_msg_num": null,
		})
	}
	value := cty.ObjectVal(members)
	start := time.Now()
	_, err := convert.Convert(value, cty.Map(elem))
	return time.Since(start), err
}

// ctyVersions says which go-cty this measurement used and which the CLI
// binary was built with.
func ctyVersions(cliPath string) (bench, cli string) {
	bench, cli = "?", "?"
	if bi, ok := debug.ReadBuildInfo(); ok {
		bench = depVersion(bi, ctyModule)
	}
	if bi, err := buildinfo.ReadFile(cliPath); err == nil {
		cli = depVersion(bi, ctyModule)
	}
	return bench, cli
}

func depVersion(bi *debug.BuildInfo, path string) string {
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "?"
}
