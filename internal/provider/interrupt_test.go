package provider

import (
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

// A CLI killed (SIGKILL) or interrupted (SIGINT, as by Ctrl-C) in the middle
// of the import batches of 5,000 members leaves nothing that a fresh apply
// cannot finish: nobody is removed and nobody is imported twice.
func TestAccInterruptedApply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signal syscall.Signal
		update bool // interrupt an update of an existing resource, not its creation
	}{
		{"SIGKILL during create", syscall.SIGKILL, false},
		{"SIGINT during create", syscall.SIGINT, false},
		{"SIGINT during update", syscall.SIGINT, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 5000
			env := newTestEnv(t, n)
			gid := env.group("Public")
			h := newCLIHarness(t, env)
			config := func(count int) string {
				return fmt.Sprintf(`provider "tencentim" {
  max_parallel_requests = 2
}

resource "tencentim_group_members" "test" {
  group_id = %q
  members  = %s
}
`, gid, rangeMembers(count))
			}
			if tc.update {
				h.writeConfig(config(100))
				h.mustRun("apply", "-auto-approve")
			}
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.Latency = 100 * time.Millisecond })
			env.emu.ResetStats()
			h.writeConfig(config(n))
			cmd, out := h.start("apply", "-auto-approve")
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			waitFor(t, 2*time.Minute, "four import batches", func() bool {
				select {
				case err := <-exited:
					t.Fatalf("the apply ended before it could be interrupted (%v):\n%s", err, out)
				default:
				}
				return env.emu.Stats()["import_group_member"].Calls >= 4
			})
			must(t, syscall.Kill(-cmd.Process.Pid, tc.signal))
			err := <-exited
			if err == nil {
				t.Fatalf("the interrupted apply succeeded:\n%s", out)
			}
			// Requests in flight when the CLI stopped may still land.
			waitFor(t, 10*time.Second, "the emulator to settle", settled(env))
			server := env.serverMembers(gid)
			if len(server) == 0 || len(server) >= n {
				t.Fatalf("expected a partial import, the server has %d of %d members\n%s", len(server), n, out)
			}
			if tc.signal == syscall.SIGINT {
				// Terraform stops gracefully and saves what the provider
				// returned: for an update, exactly what the server holds.
				saved := h.stateMembers("tencentim_group_members.test")
				if tc.update {
					if diff := compareRoles(saved, server); diff != "" {
						t.Fatalf("after SIGINT the saved state differs from the server: %s\n%s", diff, out)
					}
				} else if len(saved) != 0 {
					t.Fatalf("a failed create saved %d members; it must save nothing (no taint)", len(saved))
				}
			}
			before := len(server)
			env.emu.UpdateSettings(func(s *emulator.Settings) { s.Latency = 0 })
			env.emu.ResetStats()
			h.mustRun("apply", "-auto-approve")
			imported, removed := acceptedMembers(env, "import_group_member"), acceptedMembers(env, "delete_group_member")
			if removed != 0 || imported != n-before {
				t.Fatalf("the fresh apply removed %d members and imported %d; want 0 and %d", removed, imported, n-before)
			}
			final := env.serverMembers(gid)
			if len(final) != n {
				t.Fatalf("the server has %d members, want %d", len(final), n)
			}
			if diff := compareRoles(h.stateMembers("tencentim_group_members.test"), final); diff != "" {
				t.Fatalf("state differs from the server after converging: %s", diff)
			}
			if out := h.mustRun("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
				t.Fatalf("the plan after converging is not empty:\n%s", out)
			}
			t.Logf("%s: %d of %d members imported before the interruption, %d by the fresh apply, 0 removed", tc.name, before, n, imported)
		})
	}
}

// settled reports true once the emulator's request log stops growing.
func settled(env *testEnv) func() bool {
	last, stableSince := -1, time.Now()
	return func() bool {
		n := len(env.emu.Log())
		if n != last {
			last, stableSince = n, time.Now()
			return false
		}
		return time.Since(stableSince) > 300*time.Millisecond
	}
}

// compareRoles describes the differences between saved roles and the server.
func compareRoles(saved map[string]string, server map[string]emulator.Member) string {
	var problems []string
	for a, role := range saved {
		if m, ok := server[a]; !ok {
			problems = append(problems, a+" saved, not on the server")
		} else if m.Role != role {
			problems = append(problems, fmt.Sprintf("%s saved as %s, server %s", a, role, m.Role))
		}
	}
	for a := range server {
		if _, ok := saved[a]; !ok {
			problems = append(problems, a+" on the server, not saved")
		}
	}
	sort.Strings(problems)
	return strings.Join(firstN(problems, 10), "; ")
}
