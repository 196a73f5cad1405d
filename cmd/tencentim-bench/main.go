// Command tencentim-bench runs the benchmarks of `make bench` and writes
// their figures and verdicts as Markdown: BenchmarkCLI (cli_test.go), which
// measures the provider through a real Terraform (or OpenTofu) CLI against
// the in-process emulator, beside terraform_data holding the same value; the
// protocol benchmarks of internal/provider, which play Terraform's RPCs
// without it; the other Go benchmarks of the provider; and go-cty's
// conversion (cty_test.go). Every verdict is computed by package bound from
// the figures of the same run; bench/README.md explains what is measured
// and why.
//
//	go run ./cmd/tencentim-bench -out bench/RESULTS.md
//	go run ./cmd/tencentim-bench -only accounts -accounts-sizes 100000 -out ''
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// BenchmarkCLI's kinds of configuration and its targets: terraform_data,
// plain and through a typed module variable (bench/README.md, note 7), and
// the provider's resources.
const (
	kindMembers  = "members"  // one tencentim_group_members of N members
	kindAccounts = "accounts" // one tencentim_accounts of N accounts, or R of M
	kindChunks   = "chunks"   // R additive tencentim_group_members of M members on one group

	tgPlain, tgTyped, tgResource = "terraform_data", "typed", "resource"
	tgOffset, tgCommunity        = "offset", "community" // the members' groups
)

// parts of a run, selected with -only: BenchmarkCLI's kinds, then the Go
// benchmarks.
var parts = []string{kindMembers, kindAccounts, kindChunks, "protocol", "go", "cty"}

func isBaseline(target string) bool { return target == tgPlain || target == tgTyped }

// options are the tool's flags. BenchmarkCLI's test binary registers the
// same flags, and the tool passes its arguments on to it.
type options struct {
	only                                       []string
	sizes, accountSizes, chunks, accountChunks []string // each "N", or "RxM": R resources of M
	protocol, accountsProtocol                 string
	cli, provider, out                         string
	parallel, rateLimit                        int
	keep, verbose                              bool
}

// Sizes are N, or for -chunks and -accounts-chunks RxM.
var sizeFlag, rxmFlag = regexp.MustCompile(`^[1-9]\d*$`), regexp.MustCompile(`^[1-9]\d*x[1-9]\d*$`)

func (o *options) register(fs *flag.FlagSet) {
	list := func(p *[]string, form *regexp.Regexp, name, def, usage string) {
		*p = strings.Split(def, ",")
		fs.Func(name, fmt.Sprintf("%s (default %q; \"none\" skips)", usage, def), func(s string) error {
			if *p = strings.Split(s, ","); s == "none" {
				*p = nil
			}
			for _, size := range *p {
				if !form.MatchString(size) {
					return fmt.Errorf("%q: want the form %s", size, form)
				}
			}
			return nil
		})
	}
	list(&o.sizes, sizeFlag, "sizes", "1000,10000,100000", "tencentim_group_members sizes through the CLI (at 100,000 and above only terraform_data's create and the imports)")
	list(&o.accountSizes, sizeFlag, "accounts-sizes", "10000", "tencentim_accounts sizes (100000 takes Terraform's conversion tens of minutes)")
	list(&o.chunks, rxmFlag, "chunks", "10x10000", "RxM: R additive tencentim_group_members of M members each on one group")
	list(&o.accountChunks, rxmFlag, "accounts-chunks", "10x10000", "RxM: R tencentim_accounts of M accounts each, the layout for 100,000 accounts")
	o.only = parts
	fs.Func("only", "comma-separated parts to run, of "+strings.Join(parts, ",")+" (default all)", func(s string) error {
		o.only = strings.Split(s, ",")
		for _, p := range o.only {
			if !slices.Contains(parts, p) {
				return fmt.Errorf("%q is not one of %v", p, parts)
			}
		}
		return nil
	})
	fs.StringVar(&o.protocol, "protocol", "n=10000$/lat=20ms n=100000$", "space-separated -bench patterns below BenchmarkProtocol/, one go test each")
	fs.StringVar(&o.accountsProtocol, "accounts-protocol", "n=10000$ n=100000$", "the same for BenchmarkAccountsProtocol")
	fs.StringVar(&o.cli, "cli", "terraform", "terraform or tofu binary (OpenTofu: -cli $(tools/ensure-tofu.sh))")
	fs.StringVar(&o.provider, "provider", "", "provider binary (default: go build of the module)")
	fs.StringVar(&o.out, "out", "bench/RESULTS.md", "Markdown results file ('' prints only)")
	fs.IntVar(&o.parallel, "parallel", 8, "the provider's max_parallel_requests in the CLI rows")
	fs.IntVar(&o.rateLimit, "rate-limit", 1000, "the provider's rate_limit, above parallel/latency so that it does not bind")
	fs.BoolVar(&o.keep, "keep", false, "keep BenchmarkCLI's working directory")
	fs.BoolVar(&o.verbose, "v", false, "print every CLI command's output")
}

// rxm reads a size, "N" or "RxM", as the elements in all and the resources
// (0 for one).
func rxm(size string) (n, chunks int) {
	if r, m, ok := strings.Cut(size, "x"); ok {
		return atoi(r) * atoi(m), atoi(r)
	}
	return atoi(size), 0
}

func main() {
	measuring()
	var o options
	o.register(flag.CommandLine)
	flag.Parse()
	if err := run(&o); err != nil {
		fmt.Fprintf(os.Stderr, "tencentim-bench: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// bench is one run of the tool.
type bench struct {
	o                      *options
	root, tmp, cli, cliVer string
	lines                  []goBench
	notRun                 []string // what BenchmarkCLI did not run, and the go tests that failed
	started                time.Time
	loadStart              string
}

// test is one go test: the benchmarks of pkg matching pattern.
type test struct {
	pkg, pattern, benchtime, timeout string
	args                             []string
}

func run(o *options) error {
	b := &bench{o: o, started: time.Now(), loadStart: loadAvg()}
	var err error
	if b.root, err = moduleRoot(); err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "tencentim-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.tmp)
	if b.cli, err = exec.LookPath(o.cli); err == nil { // without one, BenchmarkCLI fails and says why
		b.cli, _ = filepath.Abs(b.cli)
	}
	ver, _ := exec.Command(b.cli, "version").Output()
	b.cliVer, _, _ = strings.Cut(string(ver), "\n")
	// BenchmarkCLI reads the tool's flags; its binary runs in its package's
	// directory, so the paths are absolute.
	args := append(slices.Clone(os.Args[1:]), "-cli="+b.cli)
	if o.provider != "" {
		o.provider, _ = filepath.Abs(o.provider)
		args = append(args, "-provider="+o.provider)
	}
	tests := map[string][]test{
		"go": {{"./internal/members", "^(BenchmarkDiff100k|BenchmarkDiffCreate100k|BenchmarkBatches100k)$", "5x", "30m", nil},
			{"./internal/provider", "^(BenchmarkPlanResourceChange|BenchmarkStateEncode|BenchmarkStateDecode|BenchmarkUpgradeResourceState|" +
				"BenchmarkValidateResourceConfig)$/^([a-z]+-)?(10k|100k|10k-tftypes)$", "5x", "30m", nil}},
		"cty": {{"./cmd/tencentim-bench", "^BenchmarkCtyUnify$", "1x", "30m", nil}},
	}
	for _, k := range parts[:3] {
		tests[k] = []test{{"./cmd/tencentim-bench", "^BenchmarkCLI$/" + k + "/", "1x", "3h", args}}
	}
	for _, p := range strings.Fields(o.protocol) {
		tests["protocol"] = append(tests["protocol"], test{"./internal/provider", "^BenchmarkProtocol$/" + p, "1x", "30m", nil})
	}
	// A provider quadratic in the accounts fails here after 15 minutes
	// rather than holding up the run.
	for _, p := range strings.Fields(o.accountsProtocol) {
		tests["protocol"] = append(tests["protocol"], test{"./internal/provider", "^BenchmarkAccountsProtocol$/" + p, "1x", "15m", nil})
	}
	for _, part := range parts {
		for _, t := range tests[part] {
			if !slices.Contains(o.only, part) {
				break
			}
			if err := b.goTest(t); err != nil && t.args != nil { // a failed CLI command fails the run: its figures would be wrong
				return err
			} else if err != nil {
				logf("%v", err)
				b.notRun = append(b.notRun, err.Error())
			}
		}
	}
	md := b.report()
	fmt.Print("\n" + md)
	if path := o.out; path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(b.root, path)
		}
		logf("writing %s", path)
		return os.WriteFile(path, []byte(md), 0o644)
	}
	return nil
}

// goTest runs t and keeps the benchmark lines; the test binary runs through
// the trampoline, for its peak RSS, and its output is shown as it runs.
func (b *bench) goTest(t test) error {
	logf("go test %s -bench '%s' -benchtime %s", t.pkg, t.pattern, t.benchtime)
	bin := filepath.Join(b.tmp, "bench.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, t.pkg)
	cmd.Dir, cmd.Stdout, cmd.Stderr = b.root, os.Stderr, os.Stderr
	err := cmd.Run()
	var out bytes.Buffer
	var p providerRun
	if err == nil {
		cmd = exec.Command(bin, append([]string{"-test.run=^$", "-test.bench=" + t.pattern, "-test.benchmem",
			"-test.benchtime=" + t.benchtime, "-test.timeout=" + t.timeout}, t.args...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = filepath.Join(b.root, t.pkg), io.MultiWriter(&out, os.Stderr), os.Stderr
		p, err = measure(cmd)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if g, ok := parseBenchLine(line); ok {
			g.pkg, g.rssKB = strings.TrimPrefix(t.pkg, "./"), p.MaxRSSKB
			b.lines = append(b.lines, g)
		} else if name, ok := strings.CutPrefix(line, "not run: "); ok {
			b.notRun = append(b.notRun, name)
		}
	}
	if err != nil {
		return fmt.Errorf("`go test %s -bench '%s'` failed: %v", t.pkg, t.pattern, err)
	}
	return nil
}

// moduleRoot is the module's directory, which the tool runs inside.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tencentim/terraform-provider-tencentim").Output()
	if err != nil {
		return "", errors.New("run from inside the terraform-provider-tencentim module")
	}
	return strings.TrimSpace(string(out)), nil
}
