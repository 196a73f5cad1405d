package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// The bench puts a symlink to its own binary into the dev_overrides
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

// providerRun is one provider process, as the wrapper saw it.
type providerRun struct {
	PID      int   `json:"pid"`
	UserNS   int64 `json:"user_ns"`
	SysNS    int64 `json:"sys_ns"`
	MaxRSSKB int64 `json:"maxrss_kb"`
	WallNS   int64 `json:"wall_ns"`
	Exit     int   `json:"exit"`
}

func (p providerRun) cpu() time.Duration { return time.Duration(p.UserNS + p.SysNS) }

// isWrapper reports whether this process was started by Terraform as the
// provider plugin.
func isWrapper() bool {
	return os.Getenv(envRealProvider) != "" && filepath.Base(os.Args[0]) == providerBinName
}

func runWrapper() int {
	return runMeasured(os.Getenv(envRealProvider), os.Args[1:], os.Getenv(envStatsFile))
}

// measureFlag starts a trampoline: `tencentim-bench -measure STATS CMD ARGS`
// runs CMD as its child and records its rusage. The trampoline matters for
// peak RSS: Go starts children with vfork (the child shares the parent's
// memory until exec), and Linux then counts the parent's resident high-water
// mark into the child's ru_maxrss. This binary, which holds the emulator's
// 100,000-member groups, must not start the measured process itself.
const measureFlag = "-measure"

func isTrampoline() bool { return len(os.Args) >= 4 && os.Args[1] == measureFlag }

func runTrampoline() int { return runMeasured(os.Args[3], os.Args[4:], os.Args[2]) }

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
	run := providerRun{PID: cmd.Process.Pid, WallNS: int64(time.Since(start))}
	if ps := cmd.ProcessState; ps != nil {
		run.Exit = ps.ExitCode()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			run.UserNS = syscall.TimevalToNsec(ru.Utime)
			run.SysNS = syscall.TimevalToNsec(ru.Stime)
			run.MaxRSSKB = ru.Maxrss // kilobytes on Linux
		}
	}
	if statsFile != "" {
		if f, ferr := os.OpenFile(statsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			line, _ := json.Marshal(run)
			_, _ = f.Write(append(line, '\n'))
			_ = f.Close()
		}
	}
	if err != nil && run.Exit == 0 {
		return 1
	}
	return run.Exit
}
