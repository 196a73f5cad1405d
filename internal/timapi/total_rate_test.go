package timapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TotalRateLimit caps all commands together, on top of the per-command limit.
func TestTotalRateLimitSharedAcrossCommands(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ recorded, _ int) { writeJSON(w, ok(nil)) })
	c, _ := newClient(t, f.URL, func(cfg *Config) { cfg.RateLimit = 1000; cfg.TotalRateLimit = 40 })
	commands := []string{"get_group_info", "get_group_member_info", "import_group_member"}
	const perCommand = 20
	start := time.Now()
	var wg sync.WaitGroup
	for _, cmd := range commands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perCommand {
				if err := c.Call(context.Background(), "group_open_http_svc", cmd, nil, nil); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// 60 calls at 40/s with a burst of 10 take at least 50/40 s. Only a lower
	// bound is asserted: a busy machine may be slower.
	if took, floor := time.Since(start), 1200*time.Millisecond; took < floor {
		t.Fatalf("60 calls took %v; a shared limit of 40/s needs at least %v", took, floor)
	}
}
