package main

import (
	"testing"
	"time"
)

func TestLowerBound(t *testing.T) {
	cases := []struct {
		name           string
		scenario       string
		n, importCap   int
		calls          map[string]int
		critical       time.Duration // at 20 ms latency, 8 in parallel, Offset group
		criticalCommun time.Duration // the same for a Community group
	}{
		{"create at 300", scCreate, 10_000, 300, map[string]int{cmdInfo: 1, cmdPages: 1, cmdImport: 34},
			// info, page, the probe batch, then 33 batches in 5 rounds
			8 * 20 * time.Millisecond, 8 * 20 * time.Millisecond},
		{"create at 100: one refusal", scCreate, 10_000, 100, map[string]int{cmdInfo: 1, cmdPages: 1, cmdImport: 101},
			// info, page, the refused 300, the probe, then 99 in 13 rounds
			17 * 20 * time.Millisecond, 17 * 20 * time.Millisecond},
		{"create at 20: two refusals", scCreate, 1_000, 20, map[string]int{cmdInfo: 1, cmdPages: 1, cmdImport: 52},
			// info, page, refused 300 and 100, the probe, then 49 in 7 rounds
			12 * 20 * time.Millisecond, 12 * 20 * time.Millisecond},
		{"plan", scPlan, 10_000, 300, map[string]int{cmdInfo: 1, cmdPages: 51},
			// info, first page, then 50 pages: 7 rounds of 8, or one by one
			9 * 20 * time.Millisecond, 52 * 20 * time.Millisecond},
		{"churn", scChurn, 10_000, 300, map[string]int{cmdInfo: 2, cmdPages: 102, cmdImport: 1, cmdDelete: 1, cmdModify: 100},
			// two reads of 9 rounds, then 102 writes in 13 rounds
			31 * 20 * time.Millisecond, 117 * 20 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := lowerBoundAtCap(tc.scenario, tc.n, tc.importCap)
			for cmd, want := range tc.calls {
				if b.calls[cmd] != want {
					t.Errorf("%s: %d calls, want %d", cmd, b.calls[cmd], want)
				}
			}
			if len(b.calls) != len(tc.calls) {
				t.Errorf("calls %v, want %v", b.calls, tc.calls)
			}
			if got := b.criticalPath(20*time.Millisecond, 8, false); got != tc.critical {
				t.Errorf("critical path (Offset) %v, want %v", got, tc.critical)
			}
			if got := b.criticalPath(20*time.Millisecond, 8, true); got != tc.criticalCommun {
				t.Errorf("critical path (Community) %v, want %v", got, tc.criticalCommun)
			}
		})
	}
}
