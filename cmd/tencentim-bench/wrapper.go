package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// BenchmarkCLI puts a symlink to its own test binary into the dev_overrides
// directory under the provider's name. When Terraform starts "the provider",
// this process starts the real provider binary as its child with the same
// stdin, stdout, stderr and environment (go-plugin's handshake and sockets
// pass straight through), waits for it, and appends the child's rusage from
// wait4(2) to a stats file: utime+stime is the provider's CPU time and
// ru_maxrss its peak resident set (VmHWM) over its whole life, read by the
// kernel when it exits, so no sampling can miss a peak.
const (
	envRealProvider = "TENCENTIM_BENCH_REAL_PROVIDER"
	envStatsFile    = "TENCENTIM_BENCH_STATS_FILE"
	providerBinName = "terraform-provider-tencentim"
)

// providerRun is one measured process (a provider, a CLI command or a test
// binary), as the wrapper or the trampoline saw it.
type providerRun struct {
	UserNS, SysNS, WallNS int64
	MaxRSSKB              int64 // kilobytes on Linux
}

func (p providerRun) cpu() time.Duration { return time.Duration(p.UserNS + p.SysNS) }

// measuring runs this process as the wrapper, when Terraform started it as
// the provider plugin, or as the trampoline (measureFlag), and exits; else
// it returns.
func measuring() {
	if os.Getenv(envRealProvider) != "" && filepath.Base(os.Args[0]) == providerBinName {
		os.Exit(runMeasured(os.Getenv(envRealProvider), os.Args[1:], os.Getenv(envStatsFile)))
	}
	if len(os.Args) >= 4 && os.Args[1] == measureFlag {
		os.Exit(runMeasured(os.Args[3], os.Args[4:], os.Args[2]))
	}
}

// measureFlag starts a trampoline: `tencentim-bench -measure STATS CMD ARGS`
// runs CMD as its child and records its rusage. The trampoline matters for
// peak RSS: Go starts children with vfork (the child shares the parent's
// memory until exec), and Linux then counts the parent's resident high-water
// mark into the child's ru_maxrss. BenchmarkCLI's test binary, which holds
// the emulator's 100,000-member groups, must not start the CLI itself. The
// tool starts its test binaries the same way, for their peak RSS.
const measureFlag = "-measure"

// measure runs cmd through the trampoline and returns its rusage.
func measure(cmd *exec.Cmd) (providerRun, error) {
	f, err := os.CreateTemp("", "tencentim-bench-*.jsonl")
	if err != nil {
		return providerRun{}, err
	}
	_ = f.Close()
	defer os.Remove(f.Name())
	self, _ := os.Executable()
	cmd.Path, cmd.Args = self, append([]string{self, measureFlag, f.Name(), cmd.Path}, cmd.Args[1:]...)
	err = cmd.Run()
	runs := readRuns(f.Name())
	if len(runs) != 1 {
		return providerRun{}, cmp.Or(err, errors.New("the trampoline recorded no rusage"))
	}
	return runs[0], err
}

// readRuns reads the processes a stats file records.
func readRuns(path string) (out []providerRun) {
	data, _ := os.ReadFile(path)
	for d := json.NewDecoder(bytes.NewReader(data)); ; {
		var p providerRun
		if d.Decode(&p) != nil {
			return out
		}
		out = append(out, p)
	}
}

// runMeasured runs path with args as its child, with the same stdio and
// environment, and appends the child's rusage to statsFile.
func runMeasured(path string, args []string, statsFile string) int {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	// Plugins ignore interrupts (Terraform stops them through the protocol);
	// a termination is passed on.
	signal.Ignore(os.Interrupt)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "tencentim-bench: starting %s: %v\n", path, err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	run := providerRun{WallNS: int64(time.Since(start))}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.UserNS, run.SysNS, run.MaxRSSKB = syscall.TimevalToNsec(ru.Utime), syscall.TimevalToNsec(ru.Stime), ru.Maxrss
	}
	if f, ferr := os.OpenFile(statsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
		line, _ := json.Marshal(run)
		_, _ = f.Write(append(line, '\n'))
		_ = f.Close()
	}
	if code := cmd.ProcessState.ExitCode(); err == nil || code > 0 {
		return code
	}
	return 1
}
