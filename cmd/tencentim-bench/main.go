// Command tencentim-bench measures tencentim_group_members through a real
// Terraform (or OpenTofu) CLI against the in-process emulator, next to the
// same CLI applying a terraform_data resource whose input is the same members
// map, and writes the results as a Markdown table.
//
//	go run ./cmd/tencentim-bench -sizes 1000,10000,100000 -out bench/RESULTS.md
//
// For every size it runs, on an Offset-paged (Public) group and on a
// Community group: create from empty, plan with no changes, 1% churn (adds,
// removes, role changes) and import. It counts the emulator's requests per
// command against the lower bound, times each CLI command, and records the
// provider process's CPU time and peak RSS. A second pass with emulator
// latency (default 20ms), through the CLI and through the protocol driver,
// checks that the calls run in parallel.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type options struct {
	sizes       []int
	bigSize     int
	bigRuns     map[string][]string // target -> scenarios run at sizes >= bigSize
	latency     time.Duration
	latRun      time.Duration
	latSizes    []int
	driverSizes []int
	// latDriverSizes run the wall-time pass through the protocol driver
	// too: the provider's own scheduling, without Terraform beside it.
	latDriverSizes []int
	validSizes     []int
	cli            string
	providerBin    string
	out            string
	parallel       int
	rateLimit      int
	keep           bool
	verbose        bool
	goBench        bool
}

func main() {
	if isWrapper() {
		os.Exit(runWrapper())
	}
	if isDriver() {
		os.Exit(runDriver())
	}
	if isTrampoline() {
		os.Exit(runTrampoline())
	}
	var o options
	var bigRuns string
	sizesFlag(&o.sizes, "sizes", "BENCH_SIZES", "1000,10000,100000", "member counts to run")
	flag.IntVar(&o.bigSize, "big-size", 100000, "sizes at or above this run only the -big scenarios (Terraform itself takes minutes per command there)")
	flag.StringVar(&bigRuns, "big", envOr("BENCH_BIG", "terraform_data:create offset:import community:import"), "target:scenario pairs run at sizes >= -big-size (env BENCH_BIG); import without create seeds the group in the emulator directly")
	flag.DurationVar(&o.latency, "latency", 0, "emulator latency per request for the main pass")
	flag.DurationVar(&o.latRun, "latency-run", 20*time.Millisecond, "emulator latency of the wall-time pass (0 skips it)")
	sizesFlag(&o.latSizes, "latency-sizes", "BENCH_LATENCY_SIZES", "10000", "member counts of the wall-time pass")
	sizesFlag(&o.latDriverSizes, "latency-driver-sizes", "BENCH_LATENCY_DRIVER_SIZES", "10000,100000", "member counts of the wall-time pass through the protocol driver, without Terraform")
	sizesFlag(&o.driverSizes, "driver-sizes", "BENCH_DRIVER_SIZES", "100000", "member counts run through the protocol driver, without Terraform")
	sizesFlag(&o.validSizes, "validate-sizes", "BENCH_VALIDATE_SIZES", "10000,30000", "member counts at which `validate` times one evaluation of the configuration, for terraform_data and the resource")
	flag.StringVar(&o.cli, "cli", "", "terraform or tofu binary (default: terraform on PATH, else tools/ensure-tofu.sh)")
	flag.StringVar(&o.providerBin, "provider", "", "provider binary (default: go build of the module)")
	flag.StringVar(&o.out, "out", "bench/RESULTS.md", "Markdown results file")
	flag.IntVar(&o.parallel, "parallel", 8, "the provider's max_parallel_requests")
	flag.IntVar(&o.rateLimit, "rate-limit", 1000, "the provider's rate_limit (requests/s per command); above parallel/latency so the limiter does not bind")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory")
	flag.BoolVar(&o.verbose, "v", false, "print every CLI command's output")
	flag.BoolVar(&o.goBench, "go-bench", true, "also run the Go benchmarks of the diff and the plan path")
	flag.Parse()

	var err error
	if o.bigRuns, err = parseBig(bigRuns); err != nil {
		fatalf("-big: %v", err)
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tencentim-bench: "+format+"\n", args...)
	os.Exit(1)
}

// sizesFlag registers a list of member counts, defaulting to the environment
// variable env if set, else to def; "none" is the empty list.
func sizesFlag(p *[]int, name, env, def, usage string) {
	def = envOr(env, def)
	var err error
	if *p, err = parseSizes(def); err != nil {
		fatalf("%s: %v", env, err)
	}
	flag.Func(name, fmt.Sprintf("%s (env %s; \"none\" skips) (default %q)", usage, env, def), func(s string) (err error) {
		*p, err = parseSizes(s)
		return err
	})
}

func parseSizes(s string) ([]int, error) {
	var out []int
	if strings.TrimSpace(s) == "none" {
		return nil, nil
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive member count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseBig(s string) (map[string][]string, error) {
	out := map[string][]string{}
	if strings.TrimSpace(s) == "none" {
		return out, nil
	}
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		t, sc, ok := strings.Cut(f, ":")
		if !ok || !contains(allTargets, t) || !contains(allScenarios, sc) {
			return nil, fmt.Errorf("%q: want target:scenario with target in %v and scenario in %v", f, allTargets, allScenarios)
		}
		out[t] = append(out[t], sc)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bench is one run: the emulator, the CLI and the results so far.
type bench struct {
	o        options
	root     string // module root
	work     string
	cli      string
	cliVer   string
	emu      *benchEmulator
	stats    string // the wrapper's stats file
	env      []string
	results  []*result
	skipped  []string
	started  time.Time
	goBenchs []goBenchResult
	ctyRuns  []ctyRun

	loadStart string
}

// result is one measured CLI command.
type result struct {
	n        int
	target   string
	scenario string
	latency  time.Duration
	command  string

	wall     time.Duration
	cliCPU   time.Duration // the CLI process, its waited-for children included
	cliRSSKB int64
	provider []providerRun
	calls    map[string]int
	failed   int
	span     time.Duration
	lb       bound
	seeded   bool // the group was filled in the emulator, not by an apply
	// importCap is the server's import cap of a cap row (0: the main rows'
	// importBatch).
	importCap int
	driver    bool // measured through the protocol driver, without Terraform
	// meanAnswer is how long the emulator took per request, latency
	// included: above the latency, the time is CPU contention.
	meanAnswer time.Duration
}

func (r *result) providerCPU() time.Duration {
	var t time.Duration
	for _, p := range r.provider {
		t += p.cpu()
	}
	return t
}

func (r *result) providerRSSKB() int64 {
	var m int64
	for _, p := range r.provider {
		m = max(m, p.MaxRSSKB)
	}
	return m
}

func run(o options) error {
	b := &bench{o: o, started: time.Now(), loadStart: loadAvg()}
	var err error
	if b.root, err = moduleRoot(); err != nil {
		return err
	}
	if b.work, err = os.MkdirTemp("", "tencentim-bench-"); err != nil {
		return err
	}
	if o.keep {
		logf("working directory: %s", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}
	if err := b.setupCLI(); err != nil {
		return err
	}
	maxN := 0
	sizes := slices.Concat(o.sizes, o.driverSizes)
	if o.latRun > 0 {
		sizes = slices.Concat(sizes, o.latSizes, o.latDriverSizes)
	}
	for _, n := range sizes {
		maxN = max(maxN, n)
	}
	// Accounts for the largest group plus its churn.
	b.emu = startEmulator(maxN + churnSize(maxN))
	defer b.emu.stop()
	b.env = append(b.env, "TENCENTIM_ENDPOINT="+b.emu.url)

	for _, n := range o.sizes {
		if err := b.runSize(n, o.latency); err != nil {
			return err
		}
	}
	if o.latRun > 0 {
		for _, n := range o.latSizes {
			if err := b.runLatency(n); err != nil {
				return err
			}
		}
	}
	for _, n := range o.validSizes {
		if err := b.runValidate(n); err != nil {
			return err
		}
	}
	for _, n := range o.driverSizes {
		if err := b.runDriver(n, o.latency); err != nil {
			return err
		}
	}
	if o.latRun > 0 {
		for _, n := range o.latDriverSizes {
			if err := b.runDriver(n, o.latRun); err != nil {
				return err
			}
		}
	}
	if o.goBench {
		b.runGoBenchmarks()
	}
	md := b.report()
	fmt.Println()
	fmt.Print(md)
	if o.out != "" {
		path := o.out
		if !filepath.IsAbs(path) {
			path = filepath.Join(b.root, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			return err
		}
		logf("wrote %s", path)
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/tencentim/terraform-provider-tencentim") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the terraform-provider-tencentim module")
		}
		dir = parent
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// setupCLI finds the CLI, builds the provider, and writes a CLI config whose
// dev_overrides point at a directory holding this binary under the
// provider's name (the measuring wrapper, see wrapper.go).
func (b *bench) setupCLI() error {
	b.cli = b.o.cli
	if b.cli == "" {
		if p, err := exec.LookPath("terraform"); err == nil {
			b.cli = p
		} else {
			out, err := exec.Command(filepath.Join(b.root, "tools/ensure-tofu.sh")).Output()
			if err != nil {
				return fmt.Errorf("no terraform on PATH and tools/ensure-tofu.sh failed: %v", err)
			}
			b.cli = strings.TrimSpace(string(out))
		}
	}
	providerPath := b.o.providerBin
	if providerPath == "" {
		providerPath = filepath.Join(b.work, "provider-bin", providerBinName)
		logf("building the provider")
		cmd := exec.Command("go", "build", "-o", providerPath, ".")
		cmd.Dir, cmd.Stdout, cmd.Stderr = b.root, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the provider: %v", err)
		}
	} else if abs, err := filepath.Abs(providerPath); err == nil {
		providerPath = abs
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	plugins := filepath.Join(b.work, "plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(self, filepath.Join(plugins, providerBinName)); err != nil {
		return err
	}
	tfrc := filepath.Join(b.work, "cli.tfrc")
	cfg := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentim/tencentim" = %q
    "registry.opentofu.org/tencentim/tencentim" = %q
  }
  direct {}
}
`, plugins, plugins)
	if err := os.WriteFile(tfrc, []byte(cfg), 0o644); err != nil {
		return err
	}
	b.stats = filepath.Join(b.work, "provider-stats.jsonl")
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// The machine's Terraform and provider settings stay out; TF_BENCH_*
		// passes through (e.g. to a CLI built with a profiling hook).
		if (strings.HasPrefix(k, "TF_") && !strings.HasPrefix(k, "TF_BENCH_")) || strings.HasPrefix(k, "TENCENTIM_") {
			continue
		}
		b.env = append(b.env, kv)
	}
	b.env = append(b.env,
		"TF_CLI_CONFIG_FILE="+tfrc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		fmt.Sprintf("TENCENTIM_SDKAPPID=%d", benchAppID), "TENCENTIM_SECRET_KEY="+benchKey,
		envRealProvider+"="+providerPath, envStatsFile+"="+b.stats)
	ver, err := exec.Command(b.cli, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %v", b.cli, err)
	}
	b.cliVer = strings.SplitN(strings.TrimSpace(string(ver)), "\n", 2)[0]
	logf("CLI: %s (%s)", b.cli, b.cliVer)
	return nil
}

// groupRun is one target's working directory and group.
type groupRun struct {
	target  string
	n       int
	dir     string
	groupID string
	members membership // what the group holds and the configuration declares
	created bool
	seeded  bool
}

func (b *bench) newGroupRun(target string, n int, latency time.Duration) (*groupRun, error) {
	dir := filepath.Join(b.work, fmt.Sprintf("%s-%d-%s", target, n, latency))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	g := &groupRun{target: target, n: n, dir: dir, members: initialMembers(n)}
	if !isBaseline(target) {
		id, err := b.emu.newGroup(groupType(target), n+2*churnSize(n)+10)
		if err != nil {
			return nil, err
		}
		g.groupID = id
	}
	if err := g.writeConfig(b); err != nil {
		return nil, err
	}
	if target == tgTyped {
		// A local module has to be installed; nothing is downloaded.
		cmd := exec.Command(b.cli, "init", "-input=false", "-no-color")
		cmd.Dir, cmd.Env = dir, b.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s init in %s: %v\n%s", b.cli, dir, err, out)
		}
	}
	return g, nil
}

func (g *groupRun) writeConfig(b *bench) error {
	var cfg string
	switch g.target {
	case tgBaseline:
		cfg = baselineConfig(g.members)
	case tgTyped:
		root, module := typedBaselineConfig(g.members)
		if err := os.MkdirAll(filepath.Join(g.dir, "typed"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(g.dir, "typed", "main.tf"), []byte(module), 0o644); err != nil {
			return err
		}
		cfg = root
	default:
		cfg = providerConfig(g.groupID, g.members, b.o.rateLimit, b.o.parallel)
	}
	return os.WriteFile(filepath.Join(g.dir, "main.tf"), []byte(cfg), 0o644)
}

// scenariosFor lists what runs for a target at size n.
func (b *bench) scenariosFor(target string, n int) []string {
	if n >= b.o.bigSize {
		return b.o.bigRuns[target]
	}
	return allScenarios
}

func (b *bench) runSize(n int, latency time.Duration) error {
	b.emu.setLatency(latency)
	runs := map[string]*groupRun{}
	for _, t := range allTargets {
		if len(b.scenariosFor(t, n)) == 0 {
			b.skipped = append(b.skipped, fmt.Sprintf("N=%s %s (all)", fmtN(n), t))
			continue
		}
		g, err := b.newGroupRun(t, n, latency)
		if err != nil {
			return err
		}
		runs[t] = g
	}
	// Scenario by scenario, the baseline next to both groups, so that the
	// ratios compare commands measured minutes apart at most.
	for _, sc := range allScenarios {
		for _, t := range allTargets {
			g := runs[t]
			if g == nil {
				continue
			}
			if !contains(b.scenariosFor(t, n), sc) {
				if n >= b.o.bigSize {
					b.skipped = append(b.skipped, fmt.Sprintf("N=%s %s %s", fmtN(n), t, sc))
				}
				continue
			}
			if err := b.runScenario(g, sc, latency); err != nil {
				return err
			}
		}
	}
	return nil
}

// runLatency repeats the provider's scenarios with emulator latency; the
// baseline makes no API calls, so it is not repeated.
func (b *bench) runLatency(n int) error {
	b.emu.setLatency(b.o.latRun)
	defer b.emu.setLatency(b.o.latency)
	for _, t := range []string{tgOffset, tgCommunity} {
		g, err := b.newGroupRun(t, n, b.o.latRun)
		if err != nil {
			return err
		}
		for _, sc := range allScenarios {
			if err := b.runScenario(g, sc, b.o.latRun); err != nil {
				return err
			}
		}
	}
	return nil
}

// runValidate times `validate` of the same members map for terraform_data
// and for the resource: Terraform evaluates the configuration once and
// converts it to the attribute's type; no API call is made.
func (b *bench) runValidate(n int) error {
	for _, t := range []string{tgBaseline, tgOffset} {
		dir := filepath.Join(b.work, fmt.Sprintf("validate-%s-%d", t, n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		g := &groupRun{target: t, n: n, dir: dir, members: initialMembers(n), groupID: "@TGS#validate"}
		if err := g.writeConfig(b); err != nil {
			return err
		}
		if err := b.runScenario(g, scValidate, 0); err != nil {
			return err
		}
	}
	logf("N=%d go-cty alone: converting the members value to the attribute's type", n)
	d, err := ctyConversion(initialMembers(n))
	if err != nil {
		return fmt.Errorf("go-cty conversion at N=%d: %w", n, err)
	}
	logf("    %s", fmtDur(d))
	b.ctyRuns = append(b.ctyRuns, ctyRun{n: n, wall: d})
	return nil
}

func (b *bench) runScenario(g *groupRun, sc string, latency time.Duration) error {
	r := &result{n: g.n, target: g.target, scenario: sc, latency: latency, lb: lowerBound(sc, g.n)}
	var args []string
	wantExit := 0
	switch sc {
	case scValidate:
		args = []string{"validate", "-no-color"}
	case scCreate:
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color", "-compact-warnings"}
	case scPlan:
		if !g.created {
			return fmt.Errorf("at N=%d, %s: plan needs create first", g.n, g.target)
		}
		args = []string{"plan", "-input=false", "-no-color", "-compact-warnings", "-detailed-exitcode"}
	case scChurn:
		if !g.created {
			return fmt.Errorf("at N=%d, %s: churn needs create first", g.n, g.target)
		}
		g.members = churnedMembers(g.n)
		if err := g.writeConfig(b); err != nil {
			return err
		}
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color", "-compact-warnings"}
	case scImport:
		if isBaseline(g.target) {
			// terraform_data imports as a null input, so it cannot build an
			// N-member state; the nearest equivalent is a refresh-only apply,
			// which reads the N-member object and writes the state again.
			if !g.created {
				return fmt.Errorf("at N=%d, %s: import (refresh-only) needs create first", g.n, g.target)
			}
			args = []string{"apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color", "-compact-warnings"}
			break
		}
		// A fresh directory with the same configuration and no state.
		if !g.created {
			// Fill the group directly: this scenario measures the import.
			logf("N=%d %s: seeding %d members in the emulator", g.n, g.target, g.n)
			if err := b.emu.seed(g.groupID, 0, g.n); err != nil {
				return err
			}
			g.seeded, r.seeded = true, true
		}
		g.dir += "-import"
		if err := os.MkdirAll(g.dir, 0o755); err != nil {
			return err
		}
		if err := g.writeConfig(b); err != nil {
			return err
		}
		args = []string{"import", "-input=false", "-no-color", resourceAddr(g.target), g.groupID}
	}
	r.command = strings.Join(append([]string{filepath.Base(b.cli)}, args[:1]...), " ")
	if contains(args, "-refresh-only") {
		r.command += " -refresh-only"
	}
	if sc == scImport && !isBaseline(g.target) {
		r.lb = lowerBound(scImport, g.n)
	}
	logf("N=%d %-14s %-6s latency=%s: %s", g.n, g.target, sc, latency, strings.Join(args[:1], " "))
	if err := b.exec(g, r, args, wantExit, sc == scPlan); err != nil {
		return err
	}
	if sc == scCreate {
		g.created = true
	}
	b.results = append(b.results, r)
	logf("    wall %s, provider CPU %s, provider peak RSS %s, calls %v, API span %s, provider runs %d: %+v", fmtDur(r.wall), fmtDur(r.providerCPU()), fmtMB(r.providerRSSKB()), r.calls, fmtDur(r.span), len(r.provider), r.provider)
	return nil
}

func resourceAddr(target string) string {
	if isBaseline(target) {
		return "terraform_data.g"
	}
	return "tencentim_group_members.g"
}

// exec runs one CLI command in g.dir and fills r. A plan with
// -detailed-exitcode must exit 0 (no changes).
func (b *bench) exec(g *groupRun, r *result, args []string, _ int, detailed bool) error {
	_ = os.Remove(b.stats)
	b.emu.rec.take()
	logPath := filepath.Join(b.work, fmt.Sprintf("%s-%d-%s-%s.log", g.target, g.n, r.scenario, r.latency))
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cliStats := filepath.Join(b.work, "cli-stats.jsonl")
	_ = os.Remove(cliStats)
	cmd := exec.CommandContext(ctx, self, append([]string{measureFlag, cliStats, b.cli}, args...)...)
	cmd.Dir, cmd.Env = g.dir, b.env
	var out io.Writer = logFile
	if b.o.verbose {
		out = io.MultiWriter(logFile, os.Stderr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	r.wall = time.Since(start)
	if runs := readProviderRuns(cliStats); len(runs) == 1 {
		r.wall = time.Duration(runs[0].WallNS)
		r.cliCPU = runs[0].cpu()
		r.cliRSSKB = runs[0].MaxRSSKB
	}
	// The wrapper writes its line after the provider exits; the CLI waits
	// for its plugins, so the file is complete once the CLI has returned.
	reqs := b.emu.rec.take()
	if os.Getenv("BENCH_DEBUG_REQUESTS") != "" { // every request, for investigation
		for _, q := range reqs {
			fmt.Fprintf(os.Stderr, "    %s %-26s %6.1f ms\n", q.Time.Format("15:04:05.000000"), q.Command, float64(q.Duration)/1e6)
		}
	}
	r.meanAnswer = meanDuration(reqs)
	r.calls = callCounts(reqs)
	r.failed = failedCount(reqs)
	r.span = apiSpan(reqs)
	r.provider = readProviderRuns(b.stats)
	if err != nil {
		return fmt.Errorf("at N=%d, %s %s: %s %s: %v (exit %d); output in %s:\n%s", g.n, g.target, r.scenario, b.cli,
			strings.Join(args, " "), err, cmd.ProcessState.ExitCode(), logPath, tail(logPath, 30))
	}
	if detailed && cmd.ProcessState.ExitCode() != 0 {
		return fmt.Errorf("at N=%d, %s: plan was not empty; output in %s", g.n, g.target, logPath)
	}
	if !isBaseline(g.target) && r.scenario != scImport && r.scenario != scValidate {
		want := g.members.to - g.members.from + 1
		if got := b.emu.memberCount(g.groupID); got != want {
			return fmt.Errorf("at N=%d, %s %s: the group holds %d members, want %d", g.n, g.target, r.scenario, got, want)
		}
	}
	return nil
}

func readProviderRuns(path string) []providerRun {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []providerRun
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p providerRun
		if json.Unmarshal(sc.Bytes(), &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// goBenchResult is one Go benchmark line.
type goBenchResult struct {
	pkg, name string
	nsPerOp   float64
	bytesOp   float64
	allocsOp  float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)

func (b *bench) runGoBenchmarks() {
	for _, spec := range []struct{ pkg, pattern string }{
		{"./internal/members", "^(BenchmarkDiff100k|BenchmarkDiffCreate100k|BenchmarkBatches100k)$"},
		// The previous implementation (-tftypes) only at 10,000: at 100,000
		// it takes seconds per operation.
		{"./internal/provider", "^(BenchmarkPlanResourceChange|BenchmarkStateEncode|BenchmarkStateDecode|BenchmarkUpgradeResourceState|BenchmarkValidateResourceConfig)$/^([a-z]+-)?(10k|100k|10k-tftypes)$"},
	} {
		logf("go test %s -bench %s", spec.pkg, spec.pattern)
		cmd := exec.Command("go", "test", spec.pkg, "-run", "^$", "-bench", spec.pattern, "-benchmem", "-benchtime", "5x", "-count", "1")
		cmd.Dir = b.root
		out, err := cmd.CombinedOutput()
		if err != nil {
			logf("go benchmarks in %s failed: %v\n%s", spec.pkg, err, out)
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				continue
			}
			r := goBenchResult{pkg: strings.TrimPrefix(spec.pkg, "./"), name: m[1]}
			r.nsPerOp, _ = strconv.ParseFloat(m[2], 64)
			r.bytesOp, _ = strconv.ParseFloat(m[3], 64)
			r.allocsOp, _ = strconv.ParseFloat(m[4], 64)
			b.goBenchs = append(b.goBenchs, r)
		}
	}
}
