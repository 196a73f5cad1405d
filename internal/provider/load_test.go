package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// Twenty resources on twenty groups of one app, applied with
// -parallelism=20 against a server that allows 50 requests/s per app: all
// succeed, no 10006 reaches anyone, and the server never sees more than the
// shared limiter lets through.
func TestAccLoadSharedRateLimit(t *testing.T) {
	const groups, members, limit = 20, 600, 50
	env := newTestEnv(t, members)
	h := newCLIHarness(t, env)
	var config strings.Builder
	fmt.Fprintf(&config, "provider \"tencentim\" {\n  total_rate_limit = %d\n}\n", limit)
	for i := range groups {
		gid := env.group("Public")
		fmt.Fprintf(&config, `
resource "tencentim_group_members" "g%02d" {
  group_id = %q
  members  = %s
}
`, i, gid, rangeMembers(members))
	}
	h.writeConfig(config.String())
	env.emu.UpdateSettings(func(s *emulator.Settings) { s.RateLimit = limit })
	env.emu.ResetStats()

	start := time.Now()
	h.mustRun("apply", "-auto-approve", "-parallelism=20")
	if out := h.mustRun("plan", "-detailed-exitcode", "-parallelism=20"); !strings.Contains(out, "No changes") {
		t.Fatalf("the plan after the apply is not empty:\n%s", out)
	}
	took := time.Since(start)

	log := env.emu.Log()
	var limited int
	times := make([]time.Time, 0, len(log))
	for _, r := range log {
		if r.ErrorCode == 10006 {
			limited++
		}
		times = append(times, r.Time)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	// Three provider processes make calls (the apply's plan walk, its apply
	// walk, and the plan), and each starts with the limiter's full burst of
	// 10; after those bursts the limiter allows no more than the rate. The
	// busiest one-second window is logged, not judged: bursts from two
	// processes and scheduling jitter on a loaded machine can meet in one
	// window, and the emulator's own bucket (one second's worth) absorbs that.
	const processes, burst = 3, 10
	busiest := 0
	for i, lo := 0, 0; i < len(times); i++ {
		for times[i].Sub(times[lo]) >= time.Second {
			lo++
		}
		busiest = max(busiest, i-lo+1)
	}
	span := times[len(times)-1].Sub(times[0]).Seconds()
	sustained := float64(len(times)-processes*burst) / span
	t.Logf("%d requests in %.1fs (%.1f/s sustained after the start-up bursts, busiest second %d), %d answered 10006, wall time %v",
		len(times), span, sustained, busiest, limited, took.Round(time.Millisecond))
	if limited != 0 {
		t.Errorf("%d requests were answered 10006: the shared limiter let too many through", limited)
	}
	if sustained > limit*1.02 {
		t.Errorf("the server saw %.1f requests/s sustained; the limit is %d/s", sustained, limit)
	}
	for _, g := range env.emu.Groups(testAppID) {
		if n := len(env.serverMembers(g.ID)); n != members {
			t.Errorf("group %s has %d members, want %d", g.ID, n, members)
		}
	}
}
