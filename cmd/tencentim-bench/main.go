// Command tencentim-bench measures the provider through a real Terraform (or
// OpenTofu) CLI against the in-process emulator, beside terraform_data
// holding the same value, runs the Go benchmarks of the provider (among
// them the protocol benchmarks, which play Terraform's RPCs without it) and
// of go-cty's conversion, and writes the figures and verdicts as Markdown.
// bench/README.md explains what is measured and why.
//
//	go run ./cmd/tencentim-bench -out bench/RESULTS.md
//	go run ./cmd/tencentim-bench -only accounts -accounts-sizes 100000 -out ''
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
	"strconv"
	"strings"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
)

const (
	scCreate   = bound.Create
	scPlan     = bound.Plan
	scChurn    = bound.Churn
	scImport   = bound.Import
	scValidate = bound.Validate
)

func ceilDiv(a, b int) int { return bound.CeilDiv(a, b) }
func churnSize(n int) int  { return bound.ChurnSize(n) }

// Parts of a run, selected with -only.
var allParts = []string{"members", "latency", "validate", "accounts", "chunks", "protocol", "go", "cty"}

type options struct {
	sizes, latSizes, validSizes, accountSizes []int
	bigSize                                   int
	bigRuns                                   map[string][]string // target -> scenarios at sizes >= bigSize
	latRun                                    time.Duration
	chunks, chunkSize                         int
	accountChunks, accountChunkSize           int
	only                                      map[string]bool
	protocol, accountsProtocol                string
	cli, providerBin, out                     string
	parallel, rateLimit                       int
	keep, verbose                             bool
}

func main() {
	if isWrapper() {
		os.Exit(runWrapper())
	}
	if isTrampoline() {
		os.Exit(runTrampoline())
	}
	var o options
	var bigRuns, only, chunks, accountChunks string
	sizesFlag(&o.sizes, "sizes", "BENCH_SIZES", "1000,10000,100000", "tencentim_group_members sizes through the CLI")
	flag.IntVar(&o.bigSize, "big-size", 100000, "sizes at or above this run only the -big scenarios")
	flag.StringVar(&bigRuns, "big", envOr("BENCH_BIG", "terraform_data:create offset:import community:import"), "target:scenario pairs run at sizes >= -big-size (env BENCH_BIG)")
	flag.DurationVar(&o.latRun, "latency-run", 20*time.Millisecond, "emulator latency of the CLI wall-time pass")
	sizesFlag(&o.latSizes, "latency-sizes", "BENCH_LATENCY_SIZES", "10000", "sizes of the CLI wall-time pass")
	sizesFlag(&o.validSizes, "validate-sizes", "BENCH_VALIDATE_SIZES", "10000,30000", "sizes of the `validate` rows")
	sizesFlag(&o.accountSizes, "accounts-sizes", "BENCH_ACCOUNTS_SIZES", "10000", "tencentim_accounts sizes (100000 takes Terraform's conversion tens of minutes, see bench/README.md)")
	flag.StringVar(&chunks, "chunks", envOr("BENCH_CHUNKS", "10x10000"), "RxM: R additive tencentim_group_members of M members each on one group (env BENCH_CHUNKS)")
	flag.StringVar(&accountChunks, "accounts-chunks", envOr("BENCH_ACCOUNTS_CHUNKS", "10x10000"), "RxM: R tencentim_accounts of M accounts each, the layout for 100,000 accounts (env BENCH_ACCOUNTS_CHUNKS; \"none\" skips)")
	flag.StringVar(&only, "only", envOr("BENCH_ONLY", strings.Join(allParts, ",")), "parts to run (env BENCH_ONLY), of "+strings.Join(allParts, ","))
	flag.StringVar(&o.protocol, "protocol", envOr("BENCH_PROTOCOL", "n=10000$/lat=20ms n=100000$"), "space-separated -bench patterns below BenchmarkProtocol/, one go test each (env BENCH_PROTOCOL)")
	flag.StringVar(&o.accountsProtocol, "accounts-protocol", envOr("BENCH_ACCOUNTS_PROTOCOL", "n=10000$ n=100000$"), "the same for BenchmarkAccountsProtocol (env BENCH_ACCOUNTS_PROTOCOL)")
	flag.StringVar(&o.cli, "cli", "", "terraform or tofu binary (default: terraform on PATH, else tools/ensure-tofu.sh)")
	flag.StringVar(&o.providerBin, "provider", "", "provider binary (default: go build of the module)")
	flag.StringVar(&o.out, "out", "bench/RESULTS.md", "Markdown results file ('' prints only)")
	flag.IntVar(&o.parallel, "parallel", 8, "the provider's max_parallel_requests")
	flag.IntVar(&o.rateLimit, "rate-limit", 1000, "the provider's rate_limit, above parallel/latency so that it does not bind")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory")
	flag.BoolVar(&o.verbose, "v", false, "print every CLI command's output")
	flag.Parse()

	var err error
	if o.bigRuns, err = parseBig(bigRuns); err != nil {
		fatalf("-big: %v", err)
	}
	o.only = map[string]bool{}
	for _, p := range strings.Split(only, ",") {
		if p = strings.TrimSpace(p); p != "" && order(allParts, p) < 0 {
			fatalf("-only: %q is not one of %v", p, allParts)
		}
		o.only[strings.TrimSpace(p)] = true
	}
	if chunks != "none" {
		o.chunks, o.chunkSize = parseRxM("-chunks", chunks)
	} else {
		delete(o.only, "chunks")
	}
	if accountChunks != "none" {
		o.accountChunks, o.accountChunkSize = parseRxM("-accounts-chunks", accountChunks)
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

// parseRxM reads "RxM", R resources of M elements each.
func parseRxM(flagName, s string) (r, m int) {
	rs, ms, ok := strings.Cut(s, "x")
	r, err1 := strconv.Atoi(rs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || r < 1 || m < 1 {
		fatalf("%s %q: want RxM", flagName, s)
	}
	return r, m
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

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// sizesFlag registers a list of sizes defaulting to $env, else def; "none"
// is the empty list.
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
			return nil, fmt.Errorf("%q is not a positive size", f)
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
		if !ok || order(targetsOf(kindMembers), t) < 0 || order(memberScenarios, sc) < 0 {
			return nil, fmt.Errorf("%q: want target:scenario with target in %v and scenario in %v", f, targetsOf(kindMembers), memberScenarios)
		}
		out[t] = append(out[t], sc)
	}
	return out, nil
}

// bench is one run: the emulator, the CLI and the results so far.
type bench struct {
	o                              options
	root, work, cli, cliVer, stats string
	emu                            *benchEmulator
	env                            []string
	results                        []*result
	goBenchs                       []goBench
	skipped                        []string
	started                        time.Time
	loadStart                      string
}

// result is one measured CLI command.
type result struct {
	kind, target, scenario string
	n, chunks              int
	latency                time.Duration
	wall, cliCPU           time.Duration // the CLI's rusage includes its providers
	cliRSSKB               int64
	provider               []providerRun
	calls                  map[string]int
	failed                 int
	span, meanAnswer       time.Duration
	lb                     bound.Bound
	seeded                 bool // the group was filled in the emulator, not by an apply
}

func (r *result) providerCPU() (t time.Duration) {
	for _, p := range r.provider {
		t += p.cpu()
	}
	return t
}

func (r *result) providerRSSKB() (m int64) {
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
	cliParts := []string{"members", "latency", "validate", "accounts", "chunks"}
	if anyPart(cliParts, o.only) {
		if err := b.setupCLI(); err != nil {
			return err
		}
		maxN := o.chunks * o.chunkSize
		for _, n := range append(append([]int{}, o.sizes...), o.latSizes...) {
			maxN = max(maxN, n+churnSize(n))
		}
		b.emu = startEmulator(maxN)
		defer b.emu.stop()
		b.env = append(b.env, "TENCENTIM_ENDPOINT="+b.emu.url)
	}
	steps := []struct {
		part string
		f    func() error
	}{
		{"members", b.runMembers},
		{"latency", b.runLatency},
		{"validate", b.runValidate},
		{"accounts", b.runAccounts},
		{"chunks", b.runChunks},
		{"protocol", b.runProtocol},
		{"go", b.runGoBenchmarks},
		{"cty", func() error { return b.goTest("./cmd/tencentim-bench", "^BenchmarkCtyUnify$", "1x", "30m") }},
	}
	for _, s := range steps {
		if o.only[s.part] {
			if err := s.f(); err != nil {
				return err
			}
		}
	}
	md := b.report()
	fmt.Print("\n" + md)
	if o.out == "" {
		return nil
	}
	path := o.out
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.root, path)
	}
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		return err
	}
	logf("wrote %s", path)
	return nil
}

// runProtocol runs BenchmarkProtocol once per pattern of -protocol.
func (b *bench) runProtocol() error {
	for _, p := range strings.Fields(strings.ReplaceAll(b.o.protocol, "none", "")) {
		if err := b.goTest("./internal/provider", "^BenchmarkProtocol$/"+p, "1x", "30m"); err != nil {
			return err
		}
	}
	// A provider quadratic in the accounts fails here after 15 minutes
	// rather than holding up the run.
	for _, p := range strings.Fields(strings.ReplaceAll(b.o.accountsProtocol, "none", "")) {
		if err := b.goTest("./internal/provider", "^BenchmarkAccountsProtocol$/"+p, "1x", "15m"); err != nil {
			return err
		}
	}
	return nil
}

func anyPart(parts []string, only map[string]bool) bool {
	for _, p := range parts {
		if only[p] {
			return true
		}
	}
	return false
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

// setupCLI finds the CLI, builds the provider, and writes a CLI config whose
// dev_overrides point at this binary under the provider's name (the
// measuring wrapper, wrapper.go).
func (b *bench) setupCLI() error {
	if b.cli = b.o.cli; b.cli == "" {
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
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/tencentim/tencentim\" = %q\n    \"registry.opentofu.org/tencentim/tencentim\" = %q\n  }\n  direct {}\n}\n", plugins, plugins)
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

// work is one target's working directory (and group, for members).
type work struct {
	kind, target    string
	n, chunks       int
	dir, groupID    string
	members         membership
	created, seeded bool
}

func (b *bench) newWork(kind, target string, n, chunks int, tag string) (*work, error) {
	w := &work{kind: kind, target: target, n: n, chunks: chunks, members: initialMembers(n),
		dir: filepath.Join(b.work, fmt.Sprintf("%s-%s-%d-%s", kind, target, n, tag))}
	if kind != kindAccounts && !isBaseline(target) {
		id, err := b.emu.newGroup(groupType(target), n+2*churnSize(n)+10)
		if err != nil {
			return nil, err
		}
		w.groupID = id
	}
	if err := b.writeConfig(w); err != nil {
		return nil, err
	}
	if target == tgTyped { // a local module is installed; nothing is downloaded
		cmd := exec.Command(b.cli, "init", "-input=false", "-no-color")
		cmd.Dir, cmd.Env = w.dir, b.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s init in %s: %v\n%s", b.cli, w.dir, err, out)
		}
	}
	return w, nil
}

func (b *bench) writeConfig(w *work) error {
	root, module := w.config(b.o.rateLimit, b.o.parallel)
	if module != "" {
		if err := os.MkdirAll(filepath.Join(w.dir, "typed"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(w.dir, "typed", "main.tf"), []byte(module), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(root), 0o644)
}

// runMembers runs every scenario at every size, scenario by scenario with
// the baselines beside the groups, so that ratios compare commands run
// minutes apart at most.
func (b *bench) runMembers() error {
	for _, n := range b.o.sizes {
		scenarios := func(t string) []string {
			if n >= b.o.bigSize {
				return b.o.bigRuns[t]
			}
			return memberScenarios
		}
		runs := map[string]*work{}
		for _, t := range targetsOf(kindMembers) {
			if len(scenarios(t)) == 0 {
				b.skipped = append(b.skipped, fmt.Sprintf("N=%s %s (all)", fmtN(n), t))
				continue
			}
			w, err := b.newWork(kindMembers, t, n, 0, "0")
			if err != nil {
				return err
			}
			runs[t] = w
		}
		for _, sc := range memberScenarios {
			for _, t := range targetsOf(kindMembers) {
				switch w := runs[t]; {
				case w == nil:
				case order(scenarios(t), sc) < 0:
					b.skipped = append(b.skipped, fmt.Sprintf("N=%s %s %s", fmtN(n), t, sc))
				default:
					if err := b.runScenario(w, sc, 0); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// runLatency repeats the groups' scenarios with emulator latency; the
// baselines make no API calls.
func (b *bench) runLatency() error {
	b.emu.setLatency(b.o.latRun)
	defer b.emu.setLatency(0)
	for _, n := range b.o.latSizes {
		for _, t := range []string{tgOffset, tgCommunity} {
			w, err := b.newWork(kindMembers, t, n, 0, b.o.latRun.String())
			if err != nil {
				return err
			}
			for _, sc := range memberScenarios {
				if err := b.runScenario(w, sc, b.o.latRun); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// runValidate: one evaluation of the configuration, no API calls.
func (b *bench) runValidate() error {
	for _, n := range b.o.validSizes {
		for _, t := range []string{tgBaseline, tgOffset} {
			w := &work{kind: kindMembers, target: t, n: n, members: initialMembers(n), groupID: "@TGS#validate",
				dir: filepath.Join(b.work, fmt.Sprintf("validate-%s-%d", t, n))}
			if err := b.writeConfig(w); err != nil {
				return err
			}
			if err := b.runScenario(w, scValidate, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// runAccounts: tencentim_accounts beside the typed baseline, create then
// plan, at each size, then as R resources of M accounts.
func (b *bench) runAccounts() error {
	for _, n := range b.o.accountSizes {
		if err := b.runPair(kindAccounts, n, 0); err != nil {
			return err
		}
	}
	if b.o.accountChunks > 0 {
		return b.runPair(kindAccounts, b.o.accountChunks*b.o.accountChunkSize, b.o.accountChunks)
	}
	return nil
}

// runChunks: R additive tencentim_group_members on one group beside R
// typed terraform_data, create then plan.
func (b *bench) runChunks() error { return b.runPair(kindChunks, b.o.chunks*b.o.chunkSize, b.o.chunks) }

func (b *bench) runPair(kind string, n, chunks int) error {
	var ws []*work
	for _, t := range targetsOf(kind) {
		w, err := b.newWork(kind, t, n, chunks, "0")
		if err != nil {
			return err
		}
		ws = append(ws, w)
	}
	for _, sc := range []string{scCreate, scPlan} {
		for _, w := range ws {
			if err := b.runScenario(w, sc, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *bench) bound(w *work, sc string) bound.Bound {
	switch {
	case isBaseline(w.target):
		return bound.Bound{}
	case w.kind == kindAccounts:
		return bound.Accounts(sc, w.n)
	case w.kind == kindChunks:
		return bound.Chunked(sc, w.chunks, w.n/w.chunks, bound.ImportBatch)
	}
	return bound.Members(sc, w.n, bound.ImportBatch)
}

func (b *bench) runScenario(w *work, sc string, latency time.Duration) error {
	r := &result{kind: w.kind, target: w.target, scenario: sc, n: w.n, chunks: w.chunks, latency: latency, lb: b.bound(w, sc)}
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-compact-warnings"}
	var args []string
	switch sc {
	case scValidate:
		args = []string{"validate", "-no-color"}
	case scCreate:
		args = apply
	case scPlan:
		args = []string{"plan", "-input=false", "-no-color", "-compact-warnings", "-detailed-exitcode"}
	case scChurn:
		w.members = churnedMembers(w.n)
		if err := b.writeConfig(w); err != nil {
			return err
		}
		args = apply
	case scImport:
		if isBaseline(w.target) {
			// terraform_data imports as a null input; the nearest equivalent
			// is a refresh-only apply (bench/README.md, note 3).
			args = append(apply, "-refresh-only")
			break
		}
		if !w.created {
			logf("N=%d %s: seeding %d members in the emulator", w.n, w.target, w.n)
			if err := b.emu.seed(w.groupID, 0, w.n); err != nil {
				return err
			}
			w.seeded, r.seeded = true, true
		}
		w.dir += "-import" // the same configuration, no state
		if err := b.writeConfig(w); err != nil {
			return err
		}
		args = []string{"import", "-input=false", "-no-color", "tencentim_group_members.g", w.groupID}
	}
	if (sc == scPlan || sc == scChurn || (sc == scImport && isBaseline(w.target))) && !w.created {
		return fmt.Errorf("%s N=%d %s: %s needs create first", w.kind, w.n, w.target, sc)
	}
	logf("%s N=%d %-14s %-8s latency=%s: %s", w.kind, w.n, w.target, sc, latency, args[0])
	if err := b.exec(w, r, args); err != nil {
		return err
	}
	w.created = w.created || sc == scCreate
	b.results = append(b.results, r)
	logf("    wall %s, provider CPU %s, peak RSS %s, Terraform CPU %s, calls %v", fmtDur(r.wall), fmtDur(r.providerCPU()), fmtMB(r.providerRSSKB()), fmtDur(r.cliCPU-r.providerCPU()), r.calls)
	return nil
}

// exec runs one CLI command in w.dir through the trampoline and fills r;
// `plan -detailed-exitcode` must find no changes.
func (b *bench) exec(w *work, r *result, args []string) error {
	_ = os.Remove(b.stats)
	b.emu.rec.Take()
	logPath := filepath.Join(b.work, fmt.Sprintf("%s-%s-%d-%s-%s.log", w.kind, w.target, w.n, r.scenario, r.latency))
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
	cmd.Dir, cmd.Env = w.dir, b.env
	var out io.Writer = logFile
	if b.o.verbose {
		out = io.MultiWriter(logFile, os.Stderr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	r.wall = time.Since(start)
	if runs := readProviderRuns(cliStats); len(runs) == 1 {
		r.wall, r.cliCPU, r.cliRSSKB = time.Duration(runs[0].WallNS), runs[0].cpu(), runs[0].MaxRSSKB
	}
	// The CLI waits for its plugins, so the wrapper's lines are complete.
	reqs := b.emu.rec.Take()
	r.calls, r.failed, r.span, r.meanAnswer = callCounts(reqs), failedCount(reqs), apiSpan(reqs), meanDuration(reqs)
	r.provider = readProviderRuns(b.stats)
	if err != nil {
		return fmt.Errorf("%s N=%d %s %s: %s %s: %v; output in %s:\n%s", w.kind, w.n, w.target, r.scenario, b.cli,
			strings.Join(args, " "), err, logPath, tail(logPath, 30))
	}
	if r.scenario == scPlan && cmd.ProcessState.ExitCode() != 0 {
		return fmt.Errorf("%s N=%d %s: plan was not empty; output in %s", w.kind, w.n, w.target, logPath)
	}
	if isBaseline(w.target) || r.scenario == scImport || r.scenario == scValidate {
		return nil
	}
	want, got := w.members.to-w.members.from+1, 0
	switch w.kind {
	case kindAccounts:
		want, got = w.n, b.emu.accountCount(fmt.Sprintf("u%d_", w.n))
	default:
		got = b.emu.memberCount(w.groupID)
	}
	if got != want {
		return fmt.Errorf("%s N=%d %s %s: the emulator holds %d, want %d", w.kind, w.n, w.target, r.scenario, got, want)
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
	data, _ := os.ReadFile(path)
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
