package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/provider"
)

// BenchmarkProtocol plays Terraform's RPC sequence for one CLI command of a
// tencentim_group_members resource against an in-process emulator, without
// Terraform: validate, plan and apply for a create; validate,
// UpgradeResourceState of the saved JSON state, ReadResource and plan for a
// plan (and plan again and apply for a churn); ImportResourceState and
// ReadResource for an import. Only the measured command is timed; its state
// comes from a create at no latency. Each sub-benchmark reports the calls
// made per command and their lower bound (package bound), and the API time
// against the critical path. `make bench` runs it with -benchtime 1x and
// judges the metrics; see bench/README.md.
//
// Names: n=<members>/lat=<latency>/<Public|Community>/<scenario>[-cap<import cap>].
func BenchmarkProtocol(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
			for _, typ := range []string{"Public", "Community"} {
				for _, sc := range []string{bound.Create, bound.Plan, bound.Churn, bound.Import} {
					b.Run(fmt.Sprintf("n=%d/lat=%s/%s/%s", n, lat, typ, sc), func(b *testing.B) {
						benchCommand(b, n, lat, typ, sc, bound.ImportBatch)
					})
				}
			}
		}
		// Creates against the other documented import caps.
		for _, c := range []int{100, 20} {
			b.Run(fmt.Sprintf("n=%d/lat=0s/Public/create-cap%d", n, c), func(b *testing.B) {
				benchCommand(b, n, 0, "Public", bound.Create, c)
			})
		}
	}
}

const (
	pbApp      = 1400000000
	pbKey      = "bench-secret-key-0123456789abcdef"
	pbParallel = 8
	pbRate     = 1000
	pbMembers  = "tencentim_group_members"
)

// pbEnv is one emulator and a configured provider server.
type pbEnv struct {
	emu   *emulator.Emulator
	rec   *emulator.Recorder
	s     tfprotov6.ProviderServer
	types pbTypes
	// The requests of the RPCs done so far, and their API time.
	reqs []emulator.LoggedRequest
	span time.Duration
}

// rpcDone collects the requests of the RPC that just returned. API time is
// summed per RPC: between RPCs, Terraform takes the time, not the API.
func (e *pbEnv) rpcDone() {
	reqs := e.rec.Take()
	e.reqs = append(e.reqs, reqs...)
	e.span += pbSpan(reqs)
}

type pbTypes struct{ resource, member tftypes.Object }

func newPBEnv(b *testing.B, accounts, importCap int) *pbEnv {
	rec := &emulator.Recorder{}
	emu := emulator.New(emulator.Options{OnRequest: rec.Add, Settings: emulator.Settings{ImportCap: importCap, CommandRateScale: -1}})
	emu.AddApp(pbApp, pbKey, "administrator")
	ids := []string{"owner"}
	for i := range accounts {
		ids = append(ids, fmt.Sprintf("user%06d", i))
	}
	emu.AddAccounts(pbApp, ids...)
	url, stop := emu.Start()
	b.Cleanup(stop)
	s, err := provider.NewServer("bench")()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	env := &pbEnv{emu: emu, rec: rec, s: s}
	env.types.resource = sch.ResourceSchemas[pbMembers].ValueType().(tftypes.Object)
	env.types.member = env.types.resource.AttributeTypes["members"].(tftypes.Map).ElementType.(tftypes.Object)
	ptype := sch.Provider.ValueType().(tftypes.Object)
	pcfg := pbObject(ptype, map[string]tftypes.Value{
		"sdkappid":              tftypes.NewValue(tftypes.Number, int64(pbApp)),
		"secret_key":            tftypes.NewValue(tftypes.String, pbKey),
		"endpoint":              tftypes.NewValue(tftypes.String, url),
		"rate_limit":            tftypes.NewValue(tftypes.Number, int64(pbRate)),
		"max_parallel_requests": tftypes.NewValue(tftypes.Number, int64(pbParallel)),
	})
	dv, err := tfprotov6.NewDynamicValue(ptype, pcfg)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "bench", Config: &dv})
	if err != nil {
		b.Fatal(err)
	}
	if err := pbDiags("ConfigureProvider", resp.Diagnostics); err != nil {
		b.Fatal(err)
	}
	return env
}

func pbObject(t tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	attrs := make(map[string]tftypes.Value, len(t.AttributeTypes))
	for name, at := range t.AttributeTypes {
		if v, ok := set[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(t, attrs)
}

func pbDiags(what string, ds []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", what, strings.Join(msgs, "; "))
}

// config is the resource configuration the CLI sends for user[from, to),
// role Member, join_time and unread_msg_num null.
func (e *pbEnv) config(groupID string, from, to, adminBelow int) *tfprotov6.DynamicValue {
	elems := make(map[string]tftypes.Value, to-from)
	for i := from; i < to; i++ {
		role := "Member"
		if i < adminBelow {
			role = "Admin"
		}
		elems[fmt.Sprintf("user%06d", i)] = pbObject(e.types.member, map[string]tftypes.Value{"role": tftypes.NewValue(tftypes.String, role)})
	}
	v := pbObject(e.types.resource, map[string]tftypes.Value{
		"group_id": tftypes.NewValue(tftypes.String, groupID),
		"members":  tftypes.NewValue(e.types.resource.AttributeTypes["members"], elems),
	})
	dv, err := tfprotov6.NewDynamicValue(e.types.resource, v)
	if err != nil {
		panic(err)
	}
	return &dv
}

// apply is `terraform apply` (or `plan` when planOnly): validate, refresh
// of the saved state (JSON) if any, plan, and plan again and apply. It
// returns the new state.
func (e *pbEnv) apply(cfg *tfprotov6.DynamicValue, js []byte, planOnly bool) ([]byte, error) {
	return e.applyType(pbMembers, cfg, js, planOnly)
}

func (e *pbEnv) applyType(typeName string, cfg *tfprotov6.DynamicValue, js []byte, planOnly bool) ([]byte, error) {
	ctx := context.Background()
	v, err := e.s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: cfg})
	if err != nil {
		return nil, err
	}
	if err := pbDiags("ValidateResourceConfig", v.Diagnostics); err != nil {
		return nil, err
	}
	prior := &tfprotov6.DynamicValue{MsgPack: []byte{0xc0}}
	if js != nil {
		up, err := e.s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, RawState: &tfprotov6.RawState{JSON: js}})
		if err != nil {
			return nil, err
		}
		if err := pbDiags("UpgradeResourceState", up.Diagnostics); err != nil {
			return nil, err
		}
		rd, err := e.s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: up.UpgradedState})
		e.rpcDone()
		if err != nil {
			return nil, err
		}
		if err := pbDiags("ReadResource", rd.Diagnostics); err != nil {
			return nil, err
		}
		prior = rd.NewState
	}
	plan := func() (*tfprotov6.DynamicValue, error) {
		provider.ForgetPlanChecks(e.s)
		p, err := e.s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, PriorState: prior, ProposedNewState: cfg, Config: cfg})
		e.rpcDone()
		if err != nil {
			return nil, err
		}
		return p.PlannedState, pbDiags("PlanResourceChange", p.Diagnostics)
	}
	if _, err := plan(); err != nil || planOnly {
		return prior.MsgPack, err
	}
	planned, err := plan()
	if err != nil {
		return nil, err
	}
	a, err := e.s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName, PriorState: prior, PlannedState: planned, Config: cfg})
	e.rpcDone()
	if err != nil {
		return nil, err
	}
	return a.NewState.MsgPack, pbDiags("ApplyResourceChange", a.Diagnostics)
}

// importGroup is `terraform import`: ImportResourceState, then ReadResource.
func (e *pbEnv) importGroup(groupID string) error {
	ctx := context.Background()
	im, err := e.s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: pbMembers, ID: groupID})
	if err != nil {
		return err
	}
	if err := pbDiags("ImportResourceState", im.Diagnostics); err != nil {
		return err
	}
	rd, err := e.s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: pbMembers, CurrentState: im.ImportedResources[0].State})
	if err != nil {
		return err
	}
	return pbDiags("ReadResource", rd.Diagnostics)
}

// stateJSON is a state as Terraform saves it: the attributes as JSON.
func (e *pbEnv) stateJSON(msgpack []byte) ([]byte, error) {
	v, err := (&tfprotov6.DynamicValue{MsgPack: msgpack}).Unmarshal(e.types.resource)
	if err != nil {
		return nil, err
	}
	var conv func(v tftypes.Value) (any, error)
	conv = func(v tftypes.Value) (any, error) {
		switch {
		case v.IsNull():
			return nil, nil
		case !v.IsKnown():
			return nil, errors.New("unknown value in a state")
		case v.Type().Is(tftypes.String):
			var s string
			return s, v.As(&s)
		case v.Type().Is(tftypes.Bool):
			var x bool
			return x, v.As(&x)
		case v.Type().Is(tftypes.Number):
			var f big.Float
			err := v.As(&f)
			return json.RawMessage(f.Text('f', -1)), err
		}
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			c, err := conv(x)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	top, err := conv(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

func benchCommand(b *testing.B, n int, lat time.Duration, typ, sc string, importCap int) {
	k := bound.ChurnSize(n)
	env := newPBEnv(b, n+k, bound.ImportBatch)
	lb := bound.Members(sc, n, importCap)
	made := map[string]float64{}
	var span, answer time.Duration
	answered := 0
	for range b.N {
		b.StopTimer()
		env.emu.UpdateSettings(func(s *emulator.Settings) { s.Latency, s.ImportCap = 0, bound.ImportBatch })
		id, err := env.emu.AddGroup(pbApp, emulator.Group{Type: typ, Name: "bench", Owner: "owner",
			CreateTime: time.Now().Add(-24 * time.Hour).Unix(), MaxMemberNum: n + 2*k + 10})
		if err != nil {
			b.Fatal(err)
		}
		var state []byte
		switch sc {
		case bound.Import:
			jt := time.Now().Add(-time.Hour).Unix()
			for i := range n {
				if err := env.emu.PutMember(pbApp, id, emulator.Member{Account: fmt.Sprintf("user%06d", i), Role: emulator.RoleMember, JoinTime: jt}); err != nil {
					b.Fatal(err)
				}
			}
		case bound.Plan, bound.Churn:
			if state, err = env.apply(env.config(id, 0, n, 0), nil, false); err == nil {
				state, err = env.stateJSON(state)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		cfg := env.config(id, 0, n, 0)
		if sc == bound.Churn {
			cfg = env.config(id, k, n+k, 2*k)
		}
		env.emu.UpdateSettings(func(s *emulator.Settings) { s.Latency, s.ImportCap = lat, importCap })
		env.rec.Take()
		env.reqs, env.span = nil, 0
		b.StartTimer()
		if sc == bound.Import {
			err = env.importGroup(id)
		} else {
			_, err = env.apply(cfg, state, sc == bound.Plan)
		}
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		env.rpcDone() // the import's
		for _, r := range env.reqs {
			made[r.Command]++
			answer += r.Duration
		}
		span += env.span
		answered += len(env.reqs)
	}
	per := float64(b.N)
	for _, c := range bound.Order {
		if made[c] > 0 || lb.Calls[c] > 0 {
			b.ReportMetric(made[c]/per, bound.Short[c]+"-calls/op")
			b.ReportMetric(float64(lb.Calls[c]), bound.Short[c]+"-lb/op")
		}
		delete(made, c)
	}
	for c, m := range made { // a command the bound does not expect
		b.ReportMetric(m/per, c+"-calls/op")
		b.ReportMetric(0, c+"-lb/op")
	}
	if lat > 0 {
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(span)/per, "api-ms/op")
		b.ReportMetric(ms(lb.CriticalPath(lat, pbParallel, typ == "Community")), "critical-path-ms/op")
		b.ReportMetric(ms(lb.Literal(lat, pbParallel)), "literal-ms/op")
		b.ReportMetric(ms(answer)/float64(max(answered, 1)), "answer-ms/op")
	}
}

// pbSpan is the time during which at least one request was being answered,
// gaps under 50 ms (the provider's turnaround) counted as busy.
func pbSpan(reqs []emulator.LoggedRequest) time.Duration {
	if len(reqs) == 0 {
		return 0
	}
	type iv struct{ a, b time.Time }
	ivs := make([]iv, len(reqs))
	for i, r := range reqs {
		ivs[i] = iv{r.Time, r.Time.Add(r.Duration)}
	}
	slices.SortFunc(ivs, func(x, y iv) int { return x.a.Compare(y.a) })
	var total time.Duration
	cur := ivs[0]
	for _, v := range ivs[1:] {
		if v.a.Sub(cur.b) <= 50*time.Millisecond {
			if v.b.After(cur.b) {
				cur.b = v.b
			}
			continue
		}
		total += cur.b.Sub(cur.a)
		cur = v
	}
	return total + cur.b.Sub(cur.a)
}

// BenchmarkAccountsProtocol is the same for tencentim_accounts without
// Terraform: a create (validate, plan twice, apply) and a plan with no
// changes (validate, UpgradeResourceState, ReadResource, plan) of n
// accounts, each reporting its calls and their bound. At 100,000 it shows
// the provider's side of the CLI rows that Terraform's own conversion makes
// too slow to run by default (bench/README.md, note 10).
//
// Names: n=<accounts>/<create|plan>.
func BenchmarkAccountsProtocol(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, sc := range []string{bound.Create, bound.Plan} {
			b.Run(fmt.Sprintf("n=%d/%s", n, sc), func(b *testing.B) { benchAccounts(b, n, sc) })
		}
	}
}

func benchAccounts(b *testing.B, n int, sc string) {
	env := newPBEnv(b, 0, bound.ImportBatch)
	sch, err := env.s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	ty := sch.ResourceSchemas["tencentim_accounts"].ValueType().(tftypes.Object)
	acct := ty.AttributeTypes["accounts"].(tftypes.Map)
	made := map[string]float64{}
	for iter := range b.N {
		b.StopTimer()
		elems := make(map[string]tftypes.Value, n)
		for i := range n {
			elems[fmt.Sprintf("b%d_%d_%06d", n, iter, i)] = pbObject(acct.ElementType.(tftypes.Object), nil)
		}
		dv, err := tfprotov6.NewDynamicValue(ty, pbObject(ty, map[string]tftypes.Value{"accounts": tftypes.NewValue(acct, elems)}))
		if err != nil {
			b.Fatal(err)
		}
		e := *env
		e.types.resource = ty
		var state []byte
		if sc == bound.Plan {
			if state, err = e.applyType("tencentim_accounts", &dv, nil, false); err == nil {
				state, err = e.stateJSON(state)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		env.rec.Take()
		e.reqs = nil
		b.StartTimer()
		_, err = e.applyType("tencentim_accounts", &dv, state, sc == bound.Plan)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range append(e.reqs, env.rec.Take()...) {
			made[r.Command]++
		}
	}
	lb := bound.Accounts(sc, n)
	for c, m := range made {
		b.ReportMetric(m/float64(b.N), bound.Short[c]+"-calls/op")
	}
	for c, l := range lb.Calls {
		b.ReportMetric(float64(l), bound.Short[c]+"-lb/op")
	}
}
