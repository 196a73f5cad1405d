package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentim/terraform-provider-tencentim/internal/provider"
)

// The protocol driver measures the provider at sizes where Terraform itself
// cannot run in the time budget (its configuration decoding is quadratic in
// the map's size). A child process of this binary plays Terraform's part:
// it serves the provider in-process and makes the RPCs a CLI command makes,
// in the same order, with msgpack DynamicValues prepared by the parent (and
// the saved state as JSON, as Terraform sends it to UpgradeResourceState).
// The parent measures the child's CPU and peak RSS with wait4(2), as it does
// for the real provider process, and counts the requests at the emulator.

const membersTypeName = "tencentim_group_members"

// driveSpec is one child run.
type driveSpec struct {
	Scenario       string `json:"scenario"`
	GroupID        string `json:"group_id"`
	ProviderConfig string `json:"provider_config"` // msgpack file
	Config         string `json:"config"`          // msgpack file of the resource configuration
	StateJSON      string `json:"state_json"`      // the saved state, as Terraform stores it ("" = none)
	NewState       string `json:"new_state"`       // msgpack file written by the child
}

const driveFlag = "-drive"

// isDriver reports whether this process is a protocol driver child.
func isDriver() bool { return len(os.Args) == 3 && os.Args[1] == driveFlag }

func runDriver() (code int) {
	// BENCH_DRIVER_CPUPROFILE=file profiles the driver (for investigation).
	if path := os.Getenv("BENCH_DRIVER_CPUPROFILE"); path != "" {
		if f, err := os.Create(path + "." + filepath.Base(os.Args[2])); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
		}
	}
	if err := drive(os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "tencentim-bench driver: %v\n", err)
		return 1
	}
	return 0
}

func readFileOrNil(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return os.ReadFile(path)
}

func diagErr(what string, ds []*tfprotov6.Diagnostic) error {
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

func drive(specPath string) error {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var spec driveSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	pcfg, err := os.ReadFile(spec.ProviderConfig)
	if err != nil {
		return err
	}
	config, err := readFileOrNil(spec.Config)
	if err != nil {
		return err
	}
	stateJSON, err := readFileOrNil(spec.StateJSON)
	if err != nil {
		return err
	}

	ctx := context.Background()
	newServer := provider.NewServer("bench")
	s, err := newServer()
	if err != nil {
		return err
	}
	if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		return err
	}
	cresp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "bench", Config: &tfprotov6.DynamicValue{MsgPack: pcfg}})
	if err != nil {
		return err
	}
	if err := diagErr("ConfigureProvider", cresp.Diagnostics); err != nil {
		return err
	}
	nullDV := &tfprotov6.DynamicValue{MsgPack: []byte{0xc0}}
	cfgDV := &tfprotov6.DynamicValue{MsgPack: config}

	// upgrade and refresh a saved state, as every command that has one does.
	refresh := func() (*tfprotov6.DynamicValue, error) {
		up, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: membersTypeName, RawState: &tfprotov6.RawState{JSON: stateJSON}})
		if err != nil {
			return nil, err
		}
		if err := diagErr("UpgradeResourceState", up.Diagnostics); err != nil {
			return nil, err
		}
		rd, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: membersTypeName, CurrentState: up.UpgradedState})
		if err != nil {
			return nil, err
		}
		return rd.NewState, diagErr("ReadResource", rd.Diagnostics)
	}
	validate := func() error {
		v, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: membersTypeName, Config: cfgDV})
		if err != nil {
			return err
		}
		return diagErr("ValidateResourceConfig", v.Diagnostics)
	}
	plan := func(prior *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, error) {
		p, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: membersTypeName, PriorState: prior, ProposedNewState: cfgDV, Config: cfgDV})
		if err != nil {
			return nil, err
		}
		return p.PlannedState, diagErr("PlanResourceChange", p.Diagnostics)
	}
	apply := func(prior, planned *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, error) {
		a, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: membersTypeName, PriorState: prior, PlannedState: planned, Config: cfgDV})
		if err != nil {
			return nil, err
		}
		return a.NewState, diagErr("ApplyResourceChange", a.Diagnostics)
	}

	var out *tfprotov6.DynamicValue
	switch spec.Scenario {
	case scCreate, scPlan, scChurn:
		// `plan`: validate, refresh, plan. `apply` also plans again and
		// applies; a create has no state to refresh.
		if err := validate(); err != nil {
			return err
		}
		prior := nullDV
		if spec.Scenario != scCreate {
			var err error
			if prior, err = refresh(); err != nil {
				return err
			}
		}
		if _, err := plan(prior); err != nil {
			return err
		}
		if spec.Scenario == scPlan {
			out = prior
			break
		}
		planned, err := plan(prior)
		if err != nil {
			return err
		}
		if out, err = apply(prior, planned); err != nil {
			return err
		}
	case scImport:
		im, err := s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: membersTypeName, ID: spec.GroupID})
		if err != nil {
			return err
		}
		if err := diagErr("ImportResourceState", im.Diagnostics); err != nil {
			return err
		}
		rd, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: membersTypeName, CurrentState: im.ImportedResources[0].State})
		if err != nil {
			return err
		}
		if err := diagErr("ReadResource", rd.Diagnostics); err != nil {
			return err
		}
		out = rd.NewState
	default:
		return fmt.Errorf("unknown scenario %q", spec.Scenario)
	}
	if out == nil || out.MsgPack == nil {
		return errors.New("no state")
	}
	return os.WriteFile(spec.NewState, out.MsgPack, 0o600)
}

// ------------------------------------------------------------------ parent

// driverTypes are the schema types the parent builds values with.
type driverTypes struct {
	provider tftypes.Object
	resource tftypes.Object
	members  tftypes.Map
	member   tftypes.Object
}

func loadDriverTypes() (*driverTypes, error) {
	s, err := provider.NewServer("bench")()
	if err != nil {
		return nil, err
	}
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	rs := resp.ResourceSchemas[membersTypeName]
	if rs == nil || resp.Provider == nil {
		return nil, errors.New("provider schema without " + membersTypeName)
	}
	t := &driverTypes{}
	var ok bool
	if t.provider, ok = resp.Provider.ValueType().(tftypes.Object); !ok {
		return nil, errors.New("provider schema is not an object")
	}
	if t.resource, ok = rs.ValueType().(tftypes.Object); !ok {
		return nil, errors.New("resource schema is not an object")
	}
	if t.members, ok = t.resource.AttributeTypes["members"].(tftypes.Map); !ok {
		return nil, errors.New("members is not a map")
	}
	if t.member, ok = t.members.ElementType.(tftypes.Object); !ok {
		return nil, errors.New("members' elements are not objects")
	}
	return t, nil
}

// nullObject is an object of type t with every attribute null except set.
func nullObject(t tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
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

func msgpackOf(t tftypes.Type, v tftypes.Value) ([]byte, error) {
	dv, err := tfprotov6.NewDynamicValue(t, v)
	return dv.MsgPack, err
}

func (b *bench) driverProviderConfig(t *driverTypes) ([]byte, error) {
	v := nullObject(t.provider, map[string]tftypes.Value{
		"sdkappid":              tftypes.NewValue(tftypes.Number, int64(benchAppID)),
		"secret_key":            tftypes.NewValue(tftypes.String, benchKey),
		"endpoint":              tftypes.NewValue(tftypes.String, b.emu.url),
		"rate_limit":            tftypes.NewValue(tftypes.Number, int64(b.o.rateLimit)),
		"max_parallel_requests": tftypes.NewValue(tftypes.Number, int64(b.o.parallel)),
	})
	return msgpackOf(t.provider, v)
}

// driverConfig is the resource configuration the CLI would send for m: role
// set, join_time and unread_msg_num null.
func driverConfig(t *driverTypes, groupID string, m membership) ([]byte, error) {
	elems := make(map[string]tftypes.Value, m.to-m.from)
	for i := m.from; i < m.to; i++ {
		role := "Member"
		if i < m.adminBelow {
			role = "Admin"
		}
		elems[accountName(i)] = nullObject(t.member, map[string]tftypes.Value{"role": tftypes.NewValue(tftypes.String, role)})
	}
	v := nullObject(t.resource, map[string]tftypes.Value{
		"group_id": tftypes.NewValue(tftypes.String, groupID),
		"members":  tftypes.NewValue(t.members, elems),
	})
	return msgpackOf(t.resource, v)
}

// stateToJSON writes a state as Terraform saves it: the attributes as JSON.
func stateToJSON(t *driverTypes, msgpack []byte) ([]byte, error) {
	v, err := tfprotov6.DynamicValue{MsgPack: msgpack}.Unmarshal(t.resource)
	if err != nil {
		return nil, err
	}
	var conv func(v tftypes.Value) (any, error)
	conv = func(v tftypes.Value) (any, error) {
		if v.IsNull() {
			return nil, nil
		}
		if !v.IsKnown() {
			return nil, errors.New("unknown value in a state")
		}
		switch {
		case v.Type().Is(tftypes.String):
			var s string
			err := v.As(&s)
			return s, err
		case v.Type().Is(tftypes.Bool):
			var x bool
			err := v.As(&x)
			return x, err
		case v.Type().Is(tftypes.Number):
			var f big.Float
			if err := v.As(&f); err != nil {
				return nil, err
			}
			return json.RawMessage(f.Text('f', -1)), nil
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

// driverGroup is one group measured through the driver.
type driverGroup struct {
	target, groupID string
	n               int
	members         membership
	state           []byte // msgpack of the last state
	importCap       int    // the server's import cap, for cap rows (0: the default)
}

func (b *bench) runDriver(n int, latency time.Duration) error {
	t, err := loadDriverTypes()
	if err != nil {
		return err
	}
	pcfg, err := b.driverProviderConfig(t)
	if err != nil {
		return err
	}
	dir := filepath.Join(b.work, fmt.Sprintf("driver-%d-%s", n, latency))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pcfgPath := filepath.Join(dir, "provider.msgpack")
	if err := os.WriteFile(pcfgPath, pcfg, 0o600); err != nil {
		return err
	}
	b.emu.setLatency(latency)
	defer b.emu.setLatency(b.o.latency)
	for _, target := range []string{tgOffset, tgCommunity} {
		id, err := b.emu.newGroup(groupType(target), n+2*churnSize(n)+10)
		if err != nil {
			return err
		}
		g := &driverGroup{target: target, groupID: id, n: n, members: initialMembers(n)}
		for _, sc := range allScenarios {
			if err := b.driveScenario(t, g, dir, pcfgPath, sc, latency); err != nil {
				return err
			}
		}
	}
	if latency > 0 {
		return nil
	}
	// Creates against the lower documented import caps, on Offset groups.
	defer b.emu.setImportCap(importBatch)
	for _, c := range capRows {
		id, err := b.emu.newGroup(groupType(tgOffset), n+10)
		if err != nil {
			return err
		}
		b.emu.setImportCap(c)
		g := &driverGroup{target: tgOffset, groupID: id, n: n, members: initialMembers(n), importCap: c}
		if err := b.driveScenario(t, g, dir, pcfgPath, scCreate, latency); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) driveScenario(t *driverTypes, g *driverGroup, dir, pcfgPath, sc string, latency time.Duration) error {
	prefix := filepath.Join(dir, fmt.Sprintf("%s-%s-cap%d", g.target, sc, g.importCap))
	spec := driveSpec{Scenario: sc, GroupID: g.groupID, ProviderConfig: pcfgPath, NewState: prefix + ".state"}
	if sc == scChurn {
		g.members = churnedMembers(g.n)
	}
	if sc != scImport {
		cfg, err := driverConfig(t, g.groupID, g.members)
		if err != nil {
			return err
		}
		spec.Config = prefix + ".config"
		if err := os.WriteFile(spec.Config, cfg, 0o600); err != nil {
			return err
		}
	}
	if sc == scPlan || sc == scChurn {
		js, err := stateToJSON(t, g.state)
		if err != nil {
			return err
		}
		spec.StateJSON = prefix + ".json"
		if err := os.WriteFile(spec.StateJSON, js, 0o600); err != nil {
			return err
		}
	}
	specPath := prefix + ".spec.json"
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r := &result{n: g.n, target: g.target, scenario: sc, latency: latency, lb: lowerBound(sc, g.n), driver: true, command: "protocol driver"}
	if g.importCap > 0 {
		r.importCap, r.lb = g.importCap, lowerBoundAtCap(sc, g.n, g.importCap)
	}
	logf("N=%d %-14s %-6s latency=%s via the protocol driver", g.n, g.target, sc, latency)
	b.emu.rec.take()
	stats := prefix + ".rusage.jsonl"
	// Through the trampoline, so that this process's memory is not counted
	// into the driver's peak RSS (see measureFlag).
	cmd := exec.Command(self, measureFlag, stats, self, driveFlag, specPath)
	cmd.Env = b.driverEnv()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = os.Stderr, &stderr
	// BENCH_DEBUG_REQUESTS=1 prints every request and the driver's output.
	if os.Getenv("BENCH_DEBUG_REQUESTS") != "" {
		cmd.Stderr = io.MultiWriter(os.Stderr, &stderr)
	}
	start := time.Now()
	err = cmd.Run()
	r.wall = time.Since(start)
	reqs := b.emu.rec.take()
	if os.Getenv("BENCH_DEBUG_REQUESTS") != "" {
		for _, q := range reqs {
			fmt.Fprintf(os.Stderr, "    %s %-26s %6.1f ms\n", q.Time.Format("15:04:05.000000"), q.Command, float64(q.Duration)/1e6)
		}
	}
	r.calls, r.failed, r.span, r.meanAnswer = callCounts(reqs), failedCount(reqs), apiSpan(reqs), meanDuration(reqs)
	if runs := readProviderRuns(stats); len(runs) == 1 {
		r.provider = runs
		r.wall = time.Duration(runs[0].WallNS)
	}
	if err != nil {
		return fmt.Errorf("driver N=%d %s %s: %v\n%s", g.n, g.target, sc, err, stderr.String())
	}
	if g.state, err = os.ReadFile(spec.NewState); err != nil {
		return err
	}
	if sc != scImport {
		want := g.members.to - g.members.from + 1
		if got := b.emu.memberCount(g.groupID); got != want {
			return fmt.Errorf("driver N=%d %s %s: the group holds %d members, want %d", g.n, g.target, sc, got, want)
		}
	}
	b.results = append(b.results, r)
	logf("    wall %s, CPU %s, peak RSS %s, calls %v", fmtDur(r.wall), fmtDur(r.providerCPU()), fmtMB(r.providerRSSKB()), sortedCalls(r.calls))
	return nil
}

func sortedCalls(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Itoa(m[k]))
	}
	return strings.Join(parts, " ")
}

// driverEnv is this process's environment without the provider's settings,
// which would otherwise add to the driver's configuration.
func (b *bench) driverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENCENTIM_") && !strings.HasPrefix(kv, "TF_") {
			env = append(env, kv)
		}
	}
	return env
}
