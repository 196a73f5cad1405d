package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// opts are the tool's flags, which it passes on to this test binary.
var opts options

// TestMain lets the test binary serve as the measuring wrapper and the
// trampoline (wrapper.go), as which BenchmarkCLI starts it.
func TestMain(m *testing.M) {
	measuring()
	opts.register(flag.CommandLine)
	os.Exit(m.Run())
}

const (
	appID     = 1400000000
	secretKey = "bench-secret-key-0123456789abcdef"
	owner     = "owner"
)

func check(b *testing.B, err error) {
	if err != nil {
		b.Helper()
		b.Fatal(err)
	}
}

// kinds lists each kind's targets, baselines first, and its scenarios.
var kinds = map[string]struct{ targets, scenarios []string }{
	kindMembers:  {[]string{tgPlain, tgTyped, tgOffset, tgCommunity}, []string{bound.Create, bound.Plan, bound.Churn, bound.NameCards, bound.Import}},
	kindAccounts: {[]string{tgTyped, tgResource}, []string{bound.Create, bound.Plan}},
	kindChunks:   {[]string{tgTyped, tgResource}, []string{bound.Create, bound.Plan}},
}

// runsAt: from 100,000 members on, only terraform_data's create and the
// groups' imports run through the CLI; the rest would take Terraform's own
// conversion far longer than the run (bench/README.md, notes 9 and 10).
func runsAt(kind string, n int, scenario, target string) bool {
	return kind != kindMembers || n < 100_000 || (scenario == bound.Create && target == tgPlain) ||
		(scenario == bound.Import && !isBaseline(target))
}

// BenchmarkCLI measures one Terraform CLI command per sub-benchmark, named
// <kind>/n=<N or RxM>/<scenario>/<target>, for each size of -sizes,
// -accounts-sizes, -accounts-chunks and -chunks, scenario by scenario with
// the baselines beside the provider's resources, so that the ratios compare
// commands run minutes apart at most. A scenario that needs a state gets it
// from a create first; the commands it does not run it names in a line
// "not run: ...". Each reports the command's wall time as ns/op, its API
// calls per command, and the provider's and Terraform's CPU time and peak
// RSS. The first command that fails stops the run, so that no figure comes
// from a wrong state. `make bench` runs it with -benchtime 1x; alone:
//
//	go test -run '^$' -bench 'BenchmarkCLI/members/n=1000/' -benchtime 1x ./cmd/tencentim-bench -args -sizes 1000
func BenchmarkCLI(b *testing.B) {
	e := newCLIEnv(b)
	for _, p := range []struct {
		kind  string
		sizes []string
	}{{kindMembers, opts.sizes}, {kindAccounts, append(opts.accountSizes, opts.accountChunks...)}, {kindChunks, opts.chunks}} {
		for _, size := range p.sizes {
			n, chunks := rxm(size)
			must(b, p.kind+"/n="+size, func(b *testing.B) {
				works, skipped := map[string]*work{}, []string(nil)
				for _, sc := range kinds[p.kind].scenarios {
					for _, t := range kinds[p.kind].targets {
						if !runsAt(p.kind, n, sc, t) {
							skipped = append(skipped, sc+"/"+t)
							continue
						}
						must(b, sc+"/"+t, func(b *testing.B) {
							if works[t] == nil {
								works[t] = e.newWork(b, p.kind, t, n, chunks)
							}
							e.command(b, works[t], sc)
						})
					}
				}
				if skipped != nil {
					fmt.Printf("not run: %s (through the CLI): %s\n", b.Name(), strings.Join(skipped, ", "))
				}
			})
		}
	}
}

// must runs a sub-benchmark and stops at its failure.
func must(b *testing.B, name string, f func(b *testing.B)) {
	if !b.Run(name, f) {
		b.FailNow()
	}
}

// cliEnv is the emulator, the CLI, and the CLI config whose dev_overrides
// point at this test binary under the provider's name (the wrapper).
type cliEnv struct {
	cli, dir, stats string
	env             []string
	emu             *emulator.Emulator
	rec             *emulator.Recorder
}

const cliConfig = `provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentim/tencentim" = %[1]q
    "registry.opentofu.org/tencentim/tencentim" = %[1]q
  }
  direct {}
}
`

func newCLIEnv(b *testing.B) *cliEnv {
	e := &cliEnv{rec: &emulator.Recorder{}, cli: opts.cli, dir: b.TempDir()}
	var err error
	if opts.keep {
		e.dir, err = os.MkdirTemp("", "tencentim-bench-") //nolint:usetesting // -keep keeps it
		check(b, err)
		logf("working directory: %s", e.dir)
	}
	self, err := os.Executable()
	check(b, err)
	provider, plugins := opts.provider, filepath.Join(e.dir, "plugins")
	if provider == "" {
		provider = filepath.Join(e.dir, "provider", providerBinName)
		cmd := exec.Command("go", "build", "-o", provider, "github.com/tencentim/terraform-provider-tencentim")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		check(b, cmd.Run())
	}
	check(b, os.MkdirAll(plugins, 0o755))
	check(b, os.Symlink(self, filepath.Join(plugins, providerBinName)))
	check(b, os.WriteFile(filepath.Join(e.dir, "cli.tfrc"), fmt.Appendf(nil, cliConfig, plugins), 0o644))
	// The per-command rate limits (200/s) are off: the rows measure the
	// provider and Terraform, not the server's quota. The rows run at the
	// oldest documented import cap.
	e.emu = emulator.New(emulator.Options{OnRequest: e.rec.Add, Settings: emulator.Settings{ImportCap: bound.ImportBatch, CommandRateScale: -1}})
	e.emu.AddApp(appID, secretKey, "administrator")
	e.emu.AddAccounts(appID, owner)
	url, stop := e.emu.Start()
	b.Cleanup(stop)
	for _, kv := range os.Environ() {
		// The machine's Terraform and provider settings stay out; TF_BENCH_*
		// passes through (e.g. to a CLI built with a profiling hook).
		if (!strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "TF_BENCH_")) && !strings.HasPrefix(kv, "TENCENTIM_") {
			e.env = append(e.env, kv)
		}
	}
	e.stats = filepath.Join(e.dir, "provider-stats.jsonl")
	e.env = append(e.env, "TF_CLI_CONFIG_FILE="+filepath.Join(e.dir, "cli.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TENCENTIM_ENDPOINT="+url, fmt.Sprintf("TENCENTIM_SDKAPPID=%d", appID), "TENCENTIM_SECRET_KEY="+secretKey,
		envRealProvider+"="+provider, envStatsFile+"="+e.stats)
	return e
}

// work is one target's working directory, and its group for members. Its
// configuration declares user[from, from+n) (each chunk its share), those
// below admins as Admin.
type work struct {
	kind, target    string
	n, chunks       int
	dir, group      string
	from, admins    int
	nameCards       int // user[from, from+nameCards) have a name card
	created, seeded bool
}

func (e *cliEnv) newWork(b *testing.B, kind, target string, n, chunks int) *work {
	w := &work{kind: kind, target: target, n: n, chunks: chunks, dir: filepath.Join(e.dir, fmt.Sprintf("%s-%dx%d-%s", kind, chunks, n, target))}
	if kind != kindAccounts && !isBaseline(target) {
		typ, users := "Public", make([]string, n+bound.ChurnSize(n))
		if target == tgCommunity {
			typ = "Community"
		}
		for i := range users {
			users[i] = fmt.Sprintf("user%06d", i)
		}
		e.emu.AddAccounts(appID, users...)
		var err error
		w.group, err = e.emu.AddGroup(appID, emulator.Group{Type: typ, Name: "bench", Owner: owner,
			CreateTime: time.Now().Unix() - 86400, MaxMemberNum: n + 2*bound.ChurnSize(n) + 10})
		check(b, err)
	}
	e.write(b, w)
	if target == tgTyped { // a local module is installed; nothing is downloaded
		cmd := exec.Command(e.cli, "init", "-input=false", "-no-color")
		cmd.Dir, cmd.Env = w.dir, e.env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s init in %s: %v\n%s", e.cli, w.dir, err, out)
		}
	}
	return w
}

const providerBlock = `terraform {
  required_providers {
    tencentim = { source = "tencentim/tencentim" }
  }
}

provider "tencentim" {
  rate_limit            = %d
  max_parallel_requests = %d
}

`

// write writes w's root module and, for the typed baseline, ./typed/main.tf:
// a variable of the resource attribute's type, so that Terraform converts
// the value as it converts the resource's configuration (bench/README.md,
// note 7).
func (e *cliEnv) write(b *testing.B, w *work) {
	// Every member attribute is written out, as the typed baseline's type
	// has them all.
	attr, res, typ := "members", "tencentim_group_members", "object({ role = string, join_time = number, unread_msg_num = number, name_card = string, custom_data = map(string) })"
	nameCard := "null"
	if w.nameCards > 0 {
		nameCard = fmt.Sprintf(`i < %d ? format("Card %%06d", i) : null`, w.from+w.nameCards)
	}
	key, elem := `format("user%06d", i)`, fmt.Sprintf(`{ role = i < %d ? "Admin" : "Member", join_time = null, unread_msg_num = null, name_card = %s, custom_data = null }`,
		w.admins, nameCard)
	if w.kind == kindAccounts {
		attr, res, typ = "accounts", "tencentim_accounts", "object({ nick = optional(string), face_url = optional(string) })"
		key, elem = fmt.Sprintf(`format("%s%%06d", i)`, w.accountPrefix()), "{ nick = null, face_url = null }"
	}
	// The keys come from range() calls of at most 1,000 values (range()
	// makes at most 1,024), flattened: written out for one resource (the
	// form the typed baseline's figures were first taken with; how the list
	// is written moves that baseline by up to a fifth), and for chunk c of a
	// for_each, user[c×M, (c+1)×M), as a for expression.
	var ranges []string
	for a := w.from; a < w.from+w.n; a += 1000 {
		ranges = append(ranges, fmt.Sprintf("range(%d, %d)", a, min(a+1000, w.from+w.n)))
	}
	list, head := "["+strings.Join(ranges, ", ")+"]", ""
	if w.chunks > 0 {
		m := w.n / w.chunks
		list = fmt.Sprintf("[for j in range(%d) : range(each.value * %d + j * 1000, each.value * %d + min((j + 1) * 1000, %d))]", bound.CeilDiv(m, 1000), m, m, m)
		head = fmt.Sprintf("  for_each = { for c in range(%d) : tostring(c) => c }\n", w.chunks)
	}
	value := fmt.Sprintf("{ for i in flatten(%s) : %s => %s }", list, key, elem)
	files := map[string]string{}
	switch w.target {
	case tgPlain:
		files["main.tf"] = fmt.Sprintf("resource \"terraform_data\" \"x\" {\n%s  input = %s\n}\n", head, value)
	case tgTyped:
		files["main.tf"] = fmt.Sprintf("module \"m\" {\n%s  source = \"./typed\"\n  v = %s\n}\n", head, value)
		files["typed/main.tf"] = fmt.Sprintf("variable \"v\" {\n  type = map(%s)\n}\n\nresource \"terraform_data\" \"x\" {\n  input = var.v\n}\n", typ)
	default:
		if w.group != "" {
			head += fmt.Sprintf("  group_id = %q\n", w.group)
		}
		if w.kind == kindChunks {
			head += "  exclusive = false\n"
		}
		files["main.tf"] = fmt.Sprintf(providerBlock, opts.rateLimit, opts.parallel) + fmt.Sprintf("resource %q \"x\" {\n%s  %s = %s\n}\n", res, head, attr, value)
	}
	for name, text := range files {
		check(b, os.MkdirAll(filepath.Dir(filepath.Join(w.dir, name)), 0o755))
		check(b, os.WriteFile(filepath.Join(w.dir, name), []byte(text), 0o644))
	}
}

// accountPrefix names each pass's accounts apart, so that each create
// starts from accounts the emulator does not have.
func (w *work) accountPrefix() string { return fmt.Sprintf("a%dx%d_", w.chunks, w.n) }

// command runs scenario sc on w (after a create, if it needs a state) and
// reports what it measured.
func (e *cliEnv) command(b *testing.B, w *work, sc string) {
	if b.N != 1 {
		b.Fatal("each command runs once: -benchtime 1x")
	}
	if !w.created && (sc == bound.Plan || sc == bound.Churn || sc == bound.NameCards || (sc == bound.Import && isBaseline(w.target))) {
		e.run(b, w, bound.Create)
	}
	cli, provider, reqs := e.run(b, w, sc)
	var cpu time.Duration
	var rss int64
	for _, p := range provider {
		cpu, rss = cpu+p.cpu(), max(rss, p.MaxRSSKB)
	}
	calls := map[string]int{} // failed requests too: a retry is an extra request
	for _, r := range reqs {
		calls[cmp.Or(bound.Short[r.Command], r.Command)]++
	}
	for c, k := range calls {
		b.ReportMetric(float64(k), c+"-calls/op")
	}
	b.ReportMetric(float64(cli.WallNS), "ns/op")
	b.ReportMetric(float64(cli.cpu()-cpu)/1e6, "terraform-cpu-ms/op") // the CLI's rusage includes its providers'
	b.ReportMetric(float64(cli.MaxRSSKB), "terraform-rss-kB/op")
	if len(provider) > 0 {
		b.ReportMetric(float64(cpu)/1e6, "provider-cpu-ms/op")
		b.ReportMetric(float64(rss), "provider-rss-kB/op")
	}
	if sc == bound.Import && w.seeded {
		b.ReportMetric(1, "seeded/op")
	}
}

// run runs sc's CLI command in w.dir through the trampoline and returns the
// CLI's and every provider process's rusage and the API requests made. A
// failed command (a plan with changes exits 2), or an apply after which the
// emulator does not hold what the configuration declares, fails b.
func (e *cliEnv) run(b *testing.B, w *work, sc string) (providerRun, []providerRun, []emulator.LoggedRequest) {
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-compact-warnings"}
	switch {
	case sc == bound.Plan:
		args = []string{"plan", "-input=false", "-no-color", "-compact-warnings", "-detailed-exitcode"}
	case sc == bound.Churn: // the first k removed, the next k made Admin, k new ones
		k := bound.ChurnSize(w.n)
		w.from, w.admins = k, 2*k
		e.write(b, w)
	case sc == bound.NameCards:
		w.nameCards = bound.NameCardSize(w.n)
		e.write(b, w)
	case sc == bound.Import && isBaseline(w.target):
		// terraform_data imports as a null input; the nearest equivalent is a
		// refresh-only apply (bench/README.md, note 3).
		args = append(args, "-refresh-only")
	case sc == bound.Import:
		for i := 0; !w.created && i < w.n; i++ { // into a group no create filled (bench/README.md, note 4)
			m := emulator.Member{Account: fmt.Sprintf("user%06d", i), Role: emulator.RoleMember, JoinTime: time.Now().Unix() - 3600}
			check(b, e.emu.PutMember(appID, w.group, m))
			w.seeded = true
		}
		w.dir += "-import" // the same configuration, no state
		e.write(b, w)
		args = []string{"import", "-input=false", "-no-color", "tencentim_group_members.x", w.group}
	}
	logf("%s: %s %s", b.Name(), filepath.Base(e.cli), args[0])
	log, err := os.Create(filepath.Join(w.dir, sc+".log"))
	check(b, err)
	defer log.Close()
	_ = os.Remove(e.stats)
	e.rec.Take()
	cmd := exec.Command(e.cli, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = w.dir, e.env, log, log
	if opts.verbose {
		cmd.Stdout = io.MultiWriter(log, os.Stderr)
		cmd.Stderr = cmd.Stdout
	}
	cli, err := measure(cmd)
	// The CLI waits for its plugins, so the wrapper's lines are complete.
	reqs, provider := e.rec.Take(), readRuns(e.stats)
	if err != nil {
		out, _ := os.ReadFile(log.Name())
		b.Fatalf("%s %s: %v; the end of %s:\n%s", e.cli, strings.Join(args, " "), err, log.Name(), out[max(0, len(out)-3000):])
	}
	w.created = w.created || sc == bound.Create
	got, want := 0, w.n
	if w.kind == kindAccounts {
		for _, a := range e.emu.Accounts(appID) {
			if strings.HasPrefix(a, w.accountPrefix()) {
				got++
			}
		}
	} else {
		ms, _ := e.emu.Members(appID, w.group)
		got, want = len(ms), w.n+1 // and the owner
	}
	if got != want && !isBaseline(w.target) && sc != bound.Import {
		b.Fatalf("after %s the emulator holds %d, want %d", sc, got, want)
	}
	return cli, provider, reqs
}
