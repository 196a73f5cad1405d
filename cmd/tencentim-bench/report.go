package main

import (
	"cmp"
	"debug/buildinfo"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
)

// The report prints figures and ✓/✗; every marker and footnote number
// refers to bench/README.md, which says why.

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func fmtDurFine(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

func fmtMB(kb int64) string {
	if kb == 0 {
		return "—"
	}
	return fmt.Sprintf("%d MB", (kb+512)/1024)
}

func fmtN(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
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

// ------------------------------------------------------------ Go benchmarks

// goBench is one benchmark line: ns/op and every other metric by unit.
type goBench struct {
	pkg, name string
	ns        float64
	metrics   map[string]float64
	rssKB     int64 // the peak RSS of the test process, every benchmark of its run
}

var benchName = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?$`)

// parseBenchLine reads `BenchmarkX-8  1  123 ns/op  4.0 unit/op ...`.
func parseBenchLine(line string) (goBench, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || f[3] != "ns/op" {
		return goBench{}, false
	}
	m := benchName.FindStringSubmatch(f[0])
	ns, err := strconv.ParseFloat(f[2], 64)
	if m == nil || err != nil {
		return goBench{}, false
	}
	g := goBench{name: m[1], ns: ns, metrics: map[string]float64{}}
	for i := 4; i+1 < len(f); i += 2 {
		if v, err := strconv.ParseFloat(f[i], 64); err == nil {
			g.metrics[f[i+1]] = v
		}
	}
	return g, true
}

// goTest runs the benchmarks of pkg matching pattern; a failure is
// reported in the results, not fatal.
func (b *bench) goTest(pkg, pattern, benchtime, timeout string) error {
	logf("go test %s -bench %s -benchtime %s -timeout %s", pkg, pattern, benchtime, timeout)
	// The test binary runs through the trampoline, for its peak RSS.
	bin := filepath.Join(b.work, "bench.test")
	out, err := exec.Command("go", "test", "-c", "-o", bin, filepath.Join(b.root, pkg)).CombinedOutput()
	var rss int64
	if err == nil {
		self, _ := os.Executable()
		stats := filepath.Join(b.work, "gotest-stats.jsonl")
		_ = os.Remove(stats)
		cmd := exec.Command(self, measureFlag, stats, bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchmem",
			"-test.benchtime", benchtime, "-test.count", "1", "-test.timeout", timeout)
		cmd.Dir = filepath.Join(b.root, pkg)
		out, err = cmd.CombinedOutput()
		if runs := readProviderRuns(stats); len(runs) == 1 {
			rss = runs[0].MaxRSSKB
		}
	}
	if err != nil {
		logf("go benchmarks in %s failed: %v\n%s", pkg, err, out)
		b.skipped = append(b.skipped, fmt.Sprintf("`go test %s -bench '%s'` failed: %v", pkg, pattern, err))
	}
	for _, line := range strings.Split(string(out), "\n") {
		if g, ok := parseBenchLine(line); ok {
			g.pkg, g.rssKB = strings.TrimPrefix(pkg, "./"), rss
			b.goBenchs = append(b.goBenchs, g)
			logf("    %s", strings.TrimSpace(line))
		}
	}
	return nil
}

func (b *bench) runGoBenchmarks() error {
	if err := b.goTest("./internal/members", "^(BenchmarkDiff100k|BenchmarkDiffCreate100k|BenchmarkBatches100k)$", "5x", "30m"); err != nil {
		return err
	}
	return b.goTest("./internal/provider", "^(BenchmarkPlanResourceChange|BenchmarkStateEncode|BenchmarkStateDecode|BenchmarkUpgradeResourceState|BenchmarkValidateResourceConfig)$/^([a-z]+-)?(10k|100k|10k-tftypes)$", "5x", "30m")
}

// protocolRow is one BenchmarkProtocol sub-benchmark and its verdicts.
type protocolRow struct {
	g                  goBench
	n, importCap       int
	latency            time.Duration
	community          bool
	scenario, calls    string
	group              string
	callsOK            bool
	api, crit, literal time.Duration
	latMark            string // "" without latency
}

var (
	protocolName = regexp.MustCompile(`^BenchmarkProtocol/n=(\d+)/lat=([^/]+)/(Public|Community)/([a-z]+)(?:-cap(\d+))?$`)
	accountsName = regexp.MustCompile(`^BenchmarkAccountsProtocol/n=(\d+)/([a-z]+)$`)
)

// protocolVerdict judges a protocol benchmark from its measured metrics,
// against the bound computed here from its name.
func protocolVerdict(g goBench) (protocolRow, bool) {
	r := protocolRow{g: g, importCap: bound.ImportBatch, group: "Offset (Public)"}
	var lb bound.Bound
	if m := protocolName.FindStringSubmatch(g.name); m != nil {
		r.scenario, r.community = m[4], m[3] == "Community"
		r.n, _ = strconv.Atoi(m[1])
		r.latency, _ = time.ParseDuration(m[2])
		if m[5] != "" {
			r.importCap, _ = strconv.Atoi(m[5])
		}
		if r.community {
			r.group = "Community"
		}
		lb = bound.Members(r.scenario, r.n, r.importCap)
	} else if m := accountsName.FindStringSubmatch(g.name); m != nil {
		r.scenario, r.group = m[2], "tencentim_accounts"
		r.n, _ = strconv.Atoi(m[1])
		lb = bound.Accounts(r.scenario, r.n)
	} else {
		return r, false
	}
	made := map[string]int{}
	for unit, v := range g.metrics {
		if short, ok := strings.CutSuffix(unit, "-calls/op"); ok {
			cmd := short
			for c, s := range bound.Short {
				if s == short {
					cmd = c
				}
			}
			made[cmd] = int(math.Round(v))
		}
	}
	r.calls, r.callsOK = bound.Calls(made, lb)
	r.calls = fmt.Sprintf("%s %d/%d: %s", mark(r.callsOK), sumCalls(made), lb.Total(), r.calls)
	if r.latency > 0 {
		r.api = time.Duration(g.metrics["api-ms/op"] * float64(time.Millisecond))
		r.crit, r.literal = lb.CriticalPath(r.latency, 8, r.community), lb.Literal(r.latency, 8)
		r.latMark = bound.Latency(r.api, lb, r.latency, 8, r.community)
	}
	return r, true
}

func (b *bench) protocolRows() (rows []protocolRow) {
	for _, g := range b.goBenchs {
		if r, ok := protocolVerdict(g); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

func sumCalls(m map[string]int) (t int) {
	for _, n := range m {
		t += n
	}
	return t
}

// ------------------------------------------------------------------ report

func (b *bench) find(target string, r *result) *result {
	for _, x := range b.results {
		if x.target == target && x.kind == r.kind && x.n == r.n && x.chunks == r.chunks && x.scenario == r.scenario && x.latency == r.latency {
			return x
		}
	}
	return nil
}

func ratioCell(r, base *result) string {
	if base == nil || isBaseline(r.target) {
		return "—"
	}
	q, ok := bound.WithinRatio(r.wall, base.wall)
	if r.scenario == scValidate { // not a target (note 8)
		return fmt.Sprintf("%.2f", q)
	}
	return fmt.Sprintf("%.2f %s", q, mark(ok))
}

func sizeLabel(r *result) string {
	switch r.kind {
	case kindAccounts:
		if r.chunks > 0 {
			return fmt.Sprintf("%d × %s accounts", r.chunks, fmtN(r.n/r.chunks))
		}
		return fmtN(r.n) + " accounts"
	case kindChunks:
		return fmt.Sprintf("%d × %s", r.chunks, fmtN(r.n/r.chunks))
	}
	return fmtN(r.n)
}

func targetLabel(r *result) string {
	prefix := ""
	if r.chunks > 0 {
		prefix = fmt.Sprintf("%d × ", r.chunks)
	}
	switch r.target {
	case tgOffset:
		return "Offset group (Public)"
	case tgCommunity:
		return "Community group"
	case tgTyped:
		return prefix + "terraform_data, typed⁷"
	case tgBaseline:
		return "terraform_data"
	}
	if r.kind == kindAccounts {
		return prefix + "tencentim_accounts"
	}
	return prefix + "tencentim_group_members, additive⁹"
}

func scenarioLabel(r *result) string {
	switch {
	case r.scenario == scCreate:
		return "create from empty"
	case r.scenario == scPlan:
		return "plan, no changes"
	case r.scenario == scChurn:
		k := fmtN(churnSize(r.n))
		return fmt.Sprintf("1%% churn (+%s −%s ~%s)", k, k, k)
	case r.scenario == scValidate:
		return "validate⁸"
	case isBaseline(r.target):
		return "import ≈ refresh-only apply³"
	case r.seeded:
		return "import⁴"
	}
	return "import"
}

func (b *bench) sorted() []*result {
	out := slices.Clone(b.results)
	kinds := []string{kindMembers, kindAccounts, kindChunks}
	section := func(r *result) int {
		return map[bool]int{true: 1}[r.latency > 0] + map[bool]int{true: 2}[r.scenario == scValidate]
	}
	slices.SortStableFunc(out, func(x, y *result) int {
		return cmp.Or(cmp.Compare(order(kinds, x.kind), order(kinds, y.kind)), cmp.Compare(x.n, y.n),
			cmp.Compare(section(x), section(y)), cmp.Compare(order(append(memberScenarios, scValidate), x.scenario), order(append(memberScenarios, scValidate), y.scenario)),
			cmp.Compare(order(allTargets, x.target), order(allTargets, y.target)))
	})
	return out
}

func (b *bench) report() string {
	var s strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&s, format, args...) }
	w("# terraform-provider-tencentim at scale\n\n")
	w("Generated by `make bench` (`go run ./cmd/tencentim-bench`) on %s: %s, %d CPUs, %s/%s, %s. Whole run: %s. Load average at the start: %s; at the end: %s. What is measured and what each mark and note means: [bench/README.md](README.md).\n\n",
		time.Now().UTC().Format("2006-01-02"), cmp.Or(b.cliVer, "no CLI"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, goVersion(), fmtDur(time.Since(b.started)), b.loadStart, loadAvg())
	w("Provider: `max_parallel_requests = %d`, `rate_limit = %d`; emulator import cap %d, delete batches of %d, pages of %d.\n\n", b.o.parallel, b.o.rateLimit, bound.ImportBatch, bound.DeleteBatch, bound.PageSize)
	if len(b.results) > 0 {
		w("| N | target | scenario | latency | API calls: made/lower bound¹ | wall | × terraform_data | × typed⁷ | API time² | provider CPU⁵ | provider peak RSS⁵ | Terraform CPU⁵ | Terraform peak RSS⁵ |\n")
		w("|---:|---|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|\n")
		for _, r := range b.sorted() {
			calls, api, pCPU, pRSS, tCPU := "—", "—", "—", "—", fmtDur(r.cliCPU)
			if !isBaseline(r.target) {
				c, ok := bound.Calls(r.calls, r.lb)
				calls = fmt.Sprintf("%s %d/%d", mark(ok), sumCalls(r.calls), r.lb.Total())
				if c != "" {
					calls += ": " + c
				}
				if r.failed > 0 {
					calls += fmt.Sprintf(" (%d failed)", r.failed)
				}
				if r.latency > 0 {
					community := r.target == tgCommunity
					api = fmt.Sprintf("%s %s (calls×L/P %s; critical path %s; answers %.1f ms)", bound.Latency(r.span, r.lb, r.latency, b.o.parallel, community), fmtDur(r.span),
						fmtDur(r.lb.Literal(r.latency, b.o.parallel)), fmtDur(r.lb.CriticalPath(r.latency, b.o.parallel, community)), float64(r.meanAnswer)/1e6)
				}
				pCPU, pRSS, tCPU = fmtDur(r.providerCPU()), fmtMB(r.providerRSSKB()), fmtDur(r.cliCPU-r.providerCPU())
			}
			w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sizeLabel(r), targetLabel(r), scenarioLabel(r), cmp.Or(map[bool]string{true: r.latency.String()}[r.latency > 0], "0"),
				calls, fmtDur(r.wall), ratioCell(r, b.find(tgBaseline, r)), ratioCell(r, b.find(tgTyped, r)), api, pCPU, pRSS, tCPU, fmtMB(r.cliRSSKB))
		}
		w("\n")
	}
	if rows := b.protocolRows(); len(rows) > 0 {
		w("### The provider alone: `BenchmarkProtocol`, `BenchmarkAccountsProtocol`⁶\n\n| N | resource | scenario | latency | API calls: made/lower bound¹ | command | API time² | calls×L/P | critical path | memory/op | process peak RSS⁶ |\n|---:|---|---|---:|---|---:|---|---:|---:|---:|---:|\n")
		for _, r := range rows {
			api, lit, crit := "—", "—", "—"
			if r.latency > 0 {
				api, lit, crit = r.latMark+" "+fmtDur(r.api), fmtDur(r.literal), fmtDur(r.crit)
			}
			sc := r.scenario
			if r.importCap != bound.ImportBatch {
				sc += fmt.Sprintf(", server import cap %d", r.importCap)
			}
			w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f MB | %s |\n", fmtN(r.n), r.group, sc, r.latency,
				r.calls, fmtDur(time.Duration(r.g.ns)), api, lit, crit, r.g.metrics["B/op"]/1e6, fmtMB(r.g.rssKB))
		}
		w("\n")
	}
	b.writeTargets(w)
	var rest []goBench
	for _, g := range b.goBenchs {
		if _, ok := protocolVerdict(g); !ok && !strings.HasPrefix(g.name, "BenchmarkCtyUnify/") {
			rest = append(rest, g)
		}
	}
	if len(rest) > 0 {
		w("Go benchmarks (`-benchtime 5x`; `-tftypes` rows are the previous implementation, kept as a test oracle):\n\n| package | benchmark | time/op | memory/op | allocs/op |\n|---|---|---:|---:|---:|\n")
		for _, g := range rest {
			w("| %s | %s | %s | %.1f MB | %s |\n", g.pkg, g.name, fmtDurFine(time.Duration(g.ns)), g.metrics["B/op"]/1e6, fmtN(int(g.metrics["allocs/op"])))
		}
		w("\n")
	}
	return s.String()
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func (b *bench) writeTargets(w func(string, ...any)) {
	w("## Targets\n\n")
	// Calls: every provider command, CLI and protocol.
	var bad []string
	total := 0
	for _, r := range b.results {
		if isBaseline(r.target) || r.scenario == scValidate {
			continue
		}
		total++
		if _, ok := bound.Calls(r.calls, r.lb); !ok {
			bad = append(bad, fmt.Sprintf("%s %s %s %s", sizeLabel(r), r.target, r.scenario, r.latency))
		}
	}
	protocol := b.protocolRows()
	for _, r := range protocol {
		total++
		if !r.callsOK {
			bad = append(bad, r.g.name)
		}
	}
	if total > 0 {
		w("- %s **API calls equal the lower bound¹** in %d of %d provider commands.%s\n", mark(len(bad) == 0), total-len(bad), total, list(" Not:", bad))
	}
	// Wall time with latency, judged on the provider alone.
	var lat, missed []string
	for _, r := range protocol {
		if r.latency > 0 {
			lat = append(lat, r.g.name)
			if r.latMark == "✗" {
				missed = append(missed, fmt.Sprintf("%s: %s > 1.3 × %s", strings.TrimPrefix(r.g.name, "BenchmarkProtocol/"), fmtDur(r.api), fmtDur(r.crit)))
			}
		}
	}
	if len(lat) > 0 {
		w("- %s **Parallel API time²** (provider alone, `BenchmarkProtocol`): %d of %d commands within 1.3 × their critical path.%s\n", mark(len(missed) == 0), len(lat)-len(missed), len(lat), list(" Missed:", missed))
	}
	b.ratioTarget(w, kindMembers, 10000, "**Members at N = 10,000 within 1.5×**")
	for _, n := range b.o.accountSizes {
		b.ratioTarget(w, kindAccounts, n, fmt.Sprintf("**tencentim_accounts at %s within 1.5× the typed baseline**", fmtN(n)))
	}
	if b.o.accountChunks > 0 {
		b.ratioTarget(w, kindAccounts, b.o.accountChunks*b.o.accountChunkSize, fmt.Sprintf("**%d tencentim_accounts of %s accounts within 1.5× the typed baseline**", b.o.accountChunks, fmtN(b.o.accountChunkSize)))
	}
	if b.o.chunks > 0 {
		b.ratioTarget(w, kindChunks, b.o.chunks*b.o.chunkSize, fmt.Sprintf("**%d additive resources of %s members within 1.5× the typed baseline⁹**", b.o.chunks, fmtN(b.o.chunkSize)))
	}
	// Peak RSS over every CLI command with 100,000 or more in one provider.
	var peak int64
	var at string
	for _, r := range b.results {
		if r.n >= 100000 && !isBaseline(r.target) && r.providerRSSKB() > peak {
			peak, at = r.providerRSSKB(), fmt.Sprintf("%s %s %s", sizeLabel(r), targetLabel(r), r.scenario)
		}
	}
	for _, r := range protocol {
		if r.group == "tencentim_accounts" && r.n >= 100000 && r.g.rssKB > peak {
			peak, at = r.g.rssKB, r.g.name+", provider and emulator in one process"
		}
	}
	if peak > 0 {
		w("- %s **Provider peak RSS at 100,000 below 300 MB⁵**: highest %s (%s).\n", mark(bound.RSSWithin(peak)), fmtMB(peak), at)
	}
	for _, g := range b.goBenchs {
		if g.name == "BenchmarkDiff100k" {
			w("- %s **Pure diff of 100,000 members under 100 ms**: %s.\n", mark(g.ns < 1e8), fmtDurFine(time.Duration(g.ns)))
		}
	}
	b.ctyTarget(w)
	b.validateLine(w)
	if len(b.skipped) > 0 {
		w("- **Not run**¹⁰: %s.\n", strings.Join(b.skipped, "; "))
	}
	w("\n")
}

func list(prefix string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return prefix + " " + strings.Join(items, "; ") + "."
}

// ratioTarget judges the CLI rows of kind at size n against the typed
// baseline, and for members against plain terraform_data as well.
func (b *bench) ratioTarget(w func(string, ...any), kind string, n int, title string) {
	var items []string
	plainOK, typedOK, seen := true, true, false
	for _, r := range b.sorted() {
		if r.kind != kind || r.n != n || isBaseline(r.target) || r.latency > 0 || r.scenario == scValidate {
			continue
		}
		item := fmt.Sprintf("%s %s", r.target, r.scenario)
		if base := b.find(tgBaseline, r); base != nil {
			q, ok := bound.WithinRatio(r.wall, base.wall)
			plainOK = plainOK && ok
			item += fmt.Sprintf(" %.2f× %s", q, mark(ok))
		}
		if typed := b.find(tgTyped, r); typed != nil {
			q, ok := bound.WithinRatio(r.wall, typed.wall)
			typedOK, seen = typedOK && ok, true
			item += fmt.Sprintf(" (typed %.2f× %s)", q, mark(ok))
		}
		items = append(items, item)
	}
	if len(items) == 0 || !seen {
		return
	}
	if kind == kindMembers {
		w("- %s %s terraform_data; %s within 1.5× the typed baseline⁷: %s.\n", mark(plainOK), title, mark(typedOK), strings.Join(items, ", "))
		return
	}
	w("- %s %s: %s.\n", mark(typedOK), title, strings.Join(items, ", "))
}

// ctyTarget: go-cty's conversion alone, and whether it is still quadratic.
func (b *bench) ctyTarget(w func(string, ...any)) {
	var ns []float64
	var sizes []int
	for _, g := range b.goBenchs {
		if s, ok := strings.CutPrefix(g.name, "BenchmarkCtyUnify/"); ok {
			n, _ := strconv.Atoi(s)
			sizes, ns = append(sizes, n), append(ns, g.ns)
		}
	}
	if len(ns) < 2 {
		return
	}
	k := bound.Exponent(sizes[0], ns[0], sizes[len(sizes)-1], ns[len(ns)-1])
	mine, cli := "?", "?"
	if bi, err := buildinfo.ReadFile(b.cli); err == nil {
		cli = depVersion(bi.Deps)
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/zclconf/go-cty").Output(); err == nil {
		mine = strings.TrimSpace(string(out))
	}
	var parts []string
	for i := range ns {
		parts = append(parts, fmt.Sprintf("%s: %s (%.0f ns/op)", fmtN(sizes[i]), fmtDur(time.Duration(ns[i])), ns[i]))
	}
	w("- %s **go-cty's conversion is linear¹¹** (`BenchmarkCtyUnify`, go-cty %s; the CLI has %s): %s; exponent %.2f.\n", mark(k < 1.5), mine, cli, strings.Join(parts, ", "), k)
}

func depVersion(deps []*debug.Module) string {
	for _, d := range deps {
		if d.Path == "github.com/zclconf/go-cty" {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "?"
}

// validateLine: Terraform's extra CPU for the resource's validate, and its
// growth (note 8).
func (b *bench) validateLine(w func(string, ...any)) {
	var parts []string
	var ns []int
	var extra []float64
	for _, r := range b.sorted() {
		if r.scenario != scValidate || r.target != tgOffset {
			continue
		}
		if plain := b.find(tgBaseline, r); plain != nil {
			d := r.cliCPU - r.providerCPU() - plain.cliCPU
			parts = append(parts, fmt.Sprintf("%s: %s", fmtN(r.n), fmtDur(d)))
			ns, extra = append(ns, r.n), append(extra, d.Seconds())
		}
	}
	if len(parts) == 0 {
		return
	}
	s := ""
	if len(ns) >= 2 {
		s = fmt.Sprintf("; exponent %.2f", bound.Exponent(ns[0], extra[0], ns[len(ns)-1], extra[len(extra)-1]))
	}
	w("- Terraform's extra CPU to validate the resource's members map beside terraform_data⁸: %s%s.\n", strings.Join(parts, ", "), s)
}
