package main

import (
	"cmp"
	"debug/buildinfo"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
)

// The report prints figures and ✓/✗; every marker and footnote number
// refers to bench/README.md, which says why.

// goBench is one benchmark line: ns/op and every other metric by unit.
type goBench struct {
	pkg, name string
	ns        float64
	metrics   map[string]float64
	rssKB     int64 // the peak RSS of the test process, every benchmark of its run
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(\S+) ns/op(.*)$`)

// parseBenchLine reads `BenchmarkX-8  1  123 ns/op  4.0 unit/op ...`.
func parseBenchLine(line string) (goBench, bool) {
	m := benchLine.FindStringSubmatch(line)
	if m == nil {
		return goBench{}, false
	}
	ns, err := strconv.ParseFloat(m[2], 64)
	g := goBench{name: m[1], ns: ns, metrics: map[string]float64{}}
	for f := strings.Fields(m[3]); len(f) >= 2; f = f[2:] {
		g.metrics[f[1]], _ = strconv.ParseFloat(f[0], 64)
	}
	return g, err == nil
}

// row is one command of BenchmarkCLI, or of BenchmarkProtocol or
// BenchmarkAccountsProtocol (the provider alone), with its lower bound.
type row struct {
	goBench
	protocol               bool
	kind, scenario, target string
	n, chunks, importCap   int // n counts every chunk's elements
	latency                time.Duration
	lb                     bound.Bound
	calls, latMark         string // made/lower bound per command ("—" for a baseline); API time² ("" without latency)
	callsOK                bool
}

var (
	cliName      = regexp.MustCompile(`^BenchmarkCLI/([a-z]+)/n=([\dx]+)/([a-z]+)/([a-z_]+)$`)
	protocolName = regexp.MustCompile(`^BenchmarkProtocol/n=(\d+)/lat=([^/]+)/(Public|Community)/([a-z]+)(?:-cap(\d+))?$`)
	accountsName = regexp.MustCompile(`^BenchmarkAccountsProtocol/n=(\d+)/([a-z]+)$`)
)

// protocolParallel is BenchmarkProtocol's max_parallel_requests.
const protocolParallel = 8

// readRow judges a command from its metrics, against the bound computed
// here from its name.
func readRow(g goBench) (row, bool) {
	r := row{goBench: g, importCap: bound.ImportBatch, calls: "—", callsOK: true}
	if m := cliName.FindStringSubmatch(g.name); m != nil {
		r.kind, r.scenario, r.target = m[1], m[3], m[4]
		r.n, r.chunks = rxm(m[2])
	} else if m := protocolName.FindStringSubmatch(g.name); m != nil {
		r.protocol, r.kind, r.n, r.scenario, r.target = true, kindMembers, atoi(m[1]), m[4], tgOffset
		if m[3] == "Community" {
			r.target = tgCommunity
		}
		r.latency, _ = time.ParseDuration(m[2])
		r.importCap = cmp.Or(atoi(m[5]), bound.ImportBatch)
	} else if m := accountsName.FindStringSubmatch(g.name); m != nil {
		r.protocol, r.kind, r.n, r.scenario, r.target = true, kindAccounts, atoi(m[1]), m[2], tgResource
	} else {
		return r, false
	}
	switch {
	case isBaseline(r.target):
		return r, true
	case r.kind == kindAccounts:
		r.lb = bound.Accounts(r.scenario, r.n)
	case r.kind == kindChunks:
		r.lb = bound.Chunked(r.scenario, r.chunks, r.n/r.chunks, r.importCap)
	default:
		r.lb = bound.Members(r.scenario, r.n, r.importCap)
	}
	made, total := map[string]int{}, 0
	for unit, v := range g.metrics {
		if short, ok := strings.CutSuffix(unit, "-calls/op"); ok {
			cmd := short // a command the bound does not know keeps its name
			for c, s := range bound.Short {
				if s == short {
					cmd = c
				}
			}
			made[cmd] = int(math.Round(v))
			total += made[cmd]
		}
	}
	text, ok := bound.Calls(made, r.lb)
	r.callsOK, r.calls = ok, strings.TrimSuffix(fmt.Sprintf("%s %d/%d: %s", mark(ok), total, r.lb.Total(), text), ": ")
	if r.latency > 0 {
		r.latMark = bound.Latency(r.api(), r.lb, r.latency, protocolParallel, r.target == tgCommunity)
	}
	return r, true
}

func (r row) api() time.Duration { return time.Duration(r.metrics["api-ms/op"] * 1e6) }

func (r row) critical() time.Duration {
	return r.lb.CriticalPath(r.latency, protocolParallel, r.target == tgCommunity)
}

var labels = map[string]string{tgPlain: "terraform_data", tgTyped: "terraform_data, typed⁷", tgOffset: "Offset group (Public)",
	tgCommunity: "Community group", kindAccounts: "tencentim_accounts", kindChunks: "tencentim_group_members, additive⁸",
	bound.Create: "create from empty", bound.Plan: "plan, no changes", bound.Import: "import"}

// labels are r's size, target and scenario as the tables write them.
func (r row) labels() (size, target, scenario string) {
	size, target, scenario = fmtN(r.n), cmp.Or(labels[r.target], labels[r.kind]), labels[r.scenario]
	if r.chunks > 0 {
		size, target = fmt.Sprintf("%d × %s", r.chunks, fmtN(r.n/r.chunks)), fmt.Sprintf("%d × %s", r.chunks, target)
	}
	if r.kind == kindAccounts && !r.protocol {
		size += " accounts"
	}
	switch k := fmtN(bound.ChurnSize(r.n)); {
	case r.scenario == bound.Churn:
		scenario = fmt.Sprintf("1%% churn (+%s −%s ~%s)", k, k, k)
	case r.scenario == bound.NameCards:
		scenario = fmt.Sprintf("%s name cards set¹¹", fmtN(bound.NameCardSize(r.n)))
	case r.importCap != bound.ImportBatch:
		scenario += fmt.Sprintf(", server import cap %d", r.importCap)
	case r.scenario == bound.Import && isBaseline(r.target):
		scenario = "import ≈ refresh-only apply³"
	case r.metrics["seeded/op"] > 0:
		scenario = "import⁴"
	}
	return size, target, scenario
}

// verdict counts the commands judged against one target and names those
// that missed it.
type verdict struct {
	of     int
	missed []string
}

func (v *verdict) add(ok bool, what string) {
	if v.of++; !ok {
		v.missed = append(v.missed, what)
	}
}

func (v verdict) ok() bool { return len(v.missed) == 0 }

func (v verdict) String() string {
	if v.ok() {
		return fmt.Sprintf("%d of %d commands", v.of, v.of)
	}
	return fmt.Sprintf("%d of %d commands (missed: %s)", v.of-len(v.missed), v.of, strings.Join(v.missed, "; "))
}

// group is the CLI rows of one kind and size: a resource's row, and the
// verdicts on the ratios to the baselines.
type group struct {
	name, size, target string
	plain, typed       verdict
}

func (b *bench) report() string {
	var cli, protocol []row
	var goCells [][]string
	var ctySizes []int
	var ctyNS []float64
	for _, g := range b.lines {
		switch r, ok := readRow(g); {
		case ok && r.protocol:
			protocol = append(protocol, r)
		case ok:
			cli = append(cli, r)
		case strings.HasPrefix(g.name, "BenchmarkCtyUnify/"):
			ctySizes, ctyNS = append(ctySizes, atoi(path.Base(g.name))), append(ctyNS, g.ns)
		default:
			goCells = append(goCells, []string{g.pkg, g.name, fmtDur(time.Duration(g.ns)), mb(g.metrics["B/op"]), fmtN(int(g.metrics["allocs/op"]))})
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "# terraform-provider-tencentim at scale\n\nGenerated by `make bench` (`go run ./cmd/tencentim-bench`) on %s: %s, %d CPUs, %s/%s, %s. "+
		"Whole run: %s. Load average at the start: %s; at the end: %s. What is measured and what each mark and note means: [bench/README.md](README.md).\n\n"+
		"Provider: `max_parallel_requests = %d`, `rate_limit = %d`; emulator import cap %d, delete batches of %d, pages of %d.\n\n",
		time.Now().UTC().Format("2006-01-02"), cmp.Or(b.cliVer, "no CLI"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(),
		fmtDur(time.Since(b.started)), b.loadStart, loadAvg(), b.o.parallel, b.o.rateLimit, bound.ImportBatch, bound.DeleteBatch, bound.PageSize)
	groups := cliTable(&s, cli)
	var latency verdict
	var cells [][]string
	for _, r := range protocol {
		api, lit, crit := "—", "—", "—"
		if r.latency > 0 {
			api, lit, crit = r.latMark+" "+fmtDur(r.api()), fmtDur(r.lb.Literal(r.latency, protocolParallel)), fmtDur(r.critical())
			latency.add(r.latMark != "✗", fmt.Sprintf("%s: %s > %g × %s", strings.TrimPrefix(r.name, "BenchmarkProtocol/"), fmtDur(r.api()), bound.Slack, crit))
		}
		_, target, scenario := r.labels()
		cells = append(cells, []string{fmtN(r.n), target, scenario, r.latency.String(), r.calls, fmtDur(time.Duration(r.ns)), api, lit, crit,
			mb(r.metrics["B/op"]), mb(float64(r.rssKB) * 1024)})
	}
	table(&s, "### The provider alone: `BenchmarkProtocol`, `BenchmarkAccountsProtocol`⁶", cells, "N:", "resource", "scenario", "latency:",
		"API calls: made/lower bound¹", "command:", "API time²", "calls×L/P:", "critical path:", "memory/op:", "process peak RSS⁶:")
	s.WriteString("## Targets\n\n")
	line := func(ok bool, format string, args ...any) {
		fmt.Fprintf(&s, "- %s "+format+"\n", append([]any{mark(ok)}, args...)...)
	}
	var calls verdict
	var peak float64
	var peakAt string
	for _, r := range append(cli, protocol...) {
		if !isBaseline(r.target) {
			calls.add(r.callsOK, strings.TrimPrefix(r.name, "Benchmark"))
		}
		// Peak RSS: every CLI command with 100,000 or more in one provider,
		// and BenchmarkAccountsProtocol at 100,000, which has a process of its
		// own (the members' protocol benchmarks share one).
		kb, at := r.metrics["provider-rss-kB/op"], r.name
		if r.protocol && r.kind == kindAccounts {
			kb, at = float64(r.rssKB), r.name+", provider and emulator in one process"
		}
		if r.n >= 100_000 && kb > peak {
			peak, peakAt = kb, at
		}
	}
	if calls.of > 0 {
		line(calls.ok(), "**API calls equal the lower bound¹** (every provider command): %v.", calls)
	}
	if latency.of > 0 {
		line(latency.ok(), "**Parallel API time²** (provider alone, `BenchmarkProtocol`) within %g × the critical path: %v.", bound.Slack, latency)
	}
	// Of the members only at 10,000: below it Terraform's start dominates,
	// above it only the imports run.
	for _, g := range groups {
		switch {
		case g.typed.of == 0 || (strings.Contains(g.name, "/"+kindMembers+"/") && !strings.HasSuffix(g.name, "/n=10000")):
		case strings.Contains(g.name, "/"+kindMembers+"/"):
			line(g.plain.ok(), "**Members at N = 10,000 within %g× terraform_data**: %v; %s within %g× the typed baseline⁷: %v.",
				bound.Ratio, g.plain, mark(g.typed.ok()), bound.Ratio, g.typed)
		default:
			line(g.typed.ok(), "**%s at %s within %g× the typed baseline**: %v.", g.target, g.size, bound.Ratio, g.typed)
		}
	}
	if peak > 0 {
		line(bound.RSSWithin(int64(peak)), "**Provider peak RSS at 100,000 below %d MB⁵**: highest %s (%s).", bound.RSSLimitKB/1024, mb(peak*1024), peakAt)
	}
	for _, g := range b.lines {
		if g.name == "BenchmarkDiff100k" {
			line(time.Duration(g.ns) < bound.DiffLimit, "**Pure diff of 100,000 members under %s**: %s.", fmtDur(bound.DiffLimit), fmtDur(time.Duration(g.ns)))
		}
	}
	if n := len(ctyNS); n >= 2 {
		var times []string
		for i, ns := range ctyNS {
			times = append(times, fmt.Sprintf("%s: %s (%.0f ns/op)", fmtN(ctySizes[i]), fmtDur(time.Duration(ns)), ns))
		}
		k := bound.Exponent(ctySizes[0], ctyNS[0], ctySizes[n-1], ctyNS[n-1])
		line(k < bound.Linear, "**go-cty's conversion is linear¹⁰** (`BenchmarkCtyUnify`, go-cty %s; the CLI has %s): %s; exponent %.2f.",
			goCty(""), goCty(b.cli), strings.Join(times, ", "), k)
	}
	if len(b.notRun) > 0 {
		fmt.Fprintf(&s, "- **Not run**⁹: %s.\n", strings.Join(b.notRun, "; "))
	}
	s.WriteString("\n")
	table(&s, "Go benchmarks (`-benchtime 5x`; `-tftypes` rows are the previous implementation, kept as a test oracle):", goCells,
		"package", "benchmark", "time/op:", "memory/op:", "allocs/op:")
	return s.String()
}

// cliTable writes BenchmarkCLI's rows, each beside the same command on the
// baselines, and returns the ratios' verdicts per kind and size.
func cliTable(s *strings.Builder, cli []row) (groups []*group) {
	var cells [][]string
	byName := map[string]row{}
	for _, r := range cli {
		byName[r.name] = r
		size, target, scenario := r.labels()
		if len(groups) == 0 || path.Dir(path.Dir(r.name)) != groups[len(groups)-1].name {
			groups = append(groups, &group{name: path.Dir(path.Dir(r.name))})
		}
		g, ratios := groups[len(groups)-1], []string{"—", "—"}
		if !isBaseline(r.target) {
			g.size, g.target = size, target
		}
		for i, v := range []*verdict{&g.plain, &g.typed} {
			if base, found := byName[path.Dir(r.name)+"/"+[]string{tgPlain, tgTyped}[i]]; found && !isBaseline(r.target) {
				q, ok := bound.WithinRatio(time.Duration(r.ns), time.Duration(base.ns))
				ratios[i] = fmt.Sprintf("%.2f %s", q, mark(ok))
				v.add(ok, fmt.Sprintf("%s %s %.2f×", r.target, r.scenario, q))
			}
		}
		pCPU, pRSS := "—", "—"
		if kb := r.metrics["provider-rss-kB/op"]; kb > 0 {
			pCPU, pRSS = fmtDur(time.Duration(r.metrics["provider-cpu-ms/op"]*1e6)), mb(kb*1024)
		}
		cells = append(cells, []string{size, target, scenario, r.calls, fmtDur(time.Duration(r.ns)), ratios[0], ratios[1], pCPU, pRSS,
			fmtDur(time.Duration(r.metrics["terraform-cpu-ms/op"] * 1e6)), mb(r.metrics["terraform-rss-kB/op"] * 1024)})
	}
	table(s, "", cells, "N:", "target", "scenario", "API calls: made/lower bound¹", "wall:", "× terraform_data:", "× typed⁷:",
		"provider CPU⁵:", "provider peak RSS⁵:", "Terraform CPU⁵:", "Terraform peak RSS⁵:")
	return groups
}

// goCty is the go-cty version the binary bin was built with, or, for "",
// this module's.
func goCty(bin string) string {
	if bin == "" {
		out, _ := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/zclconf/go-cty").Output()
		return cmp.Or(strings.TrimSpace(string(out)), "?")
	}
	if bi, err := buildinfo.ReadFile(bin); err == nil {
		for _, d := range bi.Deps {
			if d.Path == "github.com/zclconf/go-cty" {
				return cmp.Or(d.Replace, d).Version
			}
		}
	}
	return "?"
}

// table writes a Markdown table under title, unless it has no rows; a
// column whose header ends in ':' is right-aligned.
func table(s *strings.Builder, title string, rows [][]string, header ...string) {
	if len(rows) == 0 {
		return
	}
	sep := make([]string, len(header))
	for i, h := range header {
		sep[i] = "---"
		if name, ok := strings.CutSuffix(h, ":"); ok {
			header[i], sep[i] = name, "---:"
		}
	}
	if title != "" {
		s.WriteString(title + "\n\n")
	}
	for _, r := range append([][]string{header, sep}, rows...) {
		s.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	s.WriteString("\n")
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// sig3 writes v with three significant digits, or as a whole number from
// 100 on: 0.179, 2.00, 73.2, 1410.
func sig3(v float64, unit string) string {
	digits := 0
	if v > 0 {
		digits = max(0, 2-int(math.Floor(math.Log10(v))))
	}
	return strconv.FormatFloat(v, 'f', digits, 64) + " " + unit
}

func fmtDur(d time.Duration) string {
	if d >= time.Second {
		return sig3(d.Seconds(), "s")
	}
	return sig3(float64(d)/1e6, "ms")
}

func mb(bytes float64) string {
	if bytes == 0 {
		return "—"
	}
	return sig3(bytes/(1<<20), "MB")
}

func fmtN(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func loadAvg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
