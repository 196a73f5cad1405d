package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/cmd/tencentim-bench/bound"
	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
)

const (
	benchAppID = 1400000000
	benchKey   = "bench-secret-key-0123456789abcdef"
	benchAdmin = "administrator"
	benchOwner = "owner"
)

// callCounts counts requests per command; failed ones are counted too (a
// retry is an extra request).
func callCounts(reqs []emulator.LoggedRequest) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Command]++
	}
	return out
}

func failedCount(reqs []emulator.LoggedRequest) int {
	n := 0
	for _, r := range reqs {
		if r.ErrorCode != 0 || r.HTTPStatus != 200 {
			n++
		}
	}
	return n
}

func meanDuration(reqs []emulator.LoggedRequest) time.Duration {
	if len(reqs) == 0 {
		return 0
	}
	var t time.Duration
	for _, r := range reqs {
		t += r.Duration
	}
	return t / time.Duration(len(reqs))
}

// turnaround is the longest gap between one request's answer and the next
// request that is still counted as API time: the provider decoding a page and
// sending the next one, or diffing before the writes. Gaps between RPCs
// (Terraform planning between the refresh and the apply) take Terraform far
// longer at these sizes.
const turnaround = 50 * time.Millisecond

// apiSpan is the time during which at least one request was being answered,
// gaps shorter than turnaround included (client turnaround between dependent
// requests).
func apiSpan(reqs []emulator.LoggedRequest) time.Duration {
	if len(reqs) == 0 {
		return 0
	}
	type iv struct{ a, b time.Time }
	ivs := make([]iv, len(reqs))
	for i, r := range reqs {
		ivs[i] = iv{r.Time, r.Time.Add(r.Duration)}
	}
	slices.SortFunc(ivs, func(x, y iv) int { return x.a.Compare(y.a) })
	var total time.Duration
	cur := ivs[0]
	for _, v := range ivs[1:] {
		if v.a.Sub(cur.b) <= turnaround {
			if v.b.After(cur.b) {
				cur.b = v.b
			}
			continue
		}
		total += cur.b.Sub(cur.a)
		cur = v
	}
	return total + cur.b.Sub(cur.a)
}

// benchEmulator is the in-process emulator with one app and enough accounts.
type benchEmulator struct {
	emu  *emulator.Emulator
	url  string
	stop func()
	rec  *emulator.Recorder
}

func startEmulator(accounts int) *benchEmulator {
	rec := &emulator.Recorder{}
	// The per-command rate limits (200/s) are off: the rows measure the
	// provider and Terraform, not the server's quota. The rows run at the
	// oldest documented import cap.
	emu := emulator.New(emulator.Options{OnRequest: rec.Add, Settings: emulator.Settings{ImportCap: bound.ImportBatch, CommandRateScale: -1}})
	emu.AddApp(benchAppID, benchKey, benchAdmin)
	ids := make([]string, 0, accounts+1)
	ids = append(ids, benchOwner)
	for i := range accounts {
		ids = append(ids, accountName(i))
	}
	emu.AddAccounts(benchAppID, ids...)
	url, stop := emu.Start()
	return &benchEmulator{emu: emu, url: url, stop: stop, rec: rec}
}

func accountName(i int) string { return fmt.Sprintf("user%06d", i) }

// newGroup creates an empty group owned by benchOwner, big enough for the
// benchmark (the emulator's default caps are 6,000 and 100,000).
func (b *benchEmulator) newGroup(typ string, capacity int) (string, error) {
	return b.emu.AddGroup(benchAppID, emulator.Group{Type: typ, Name: "bench " + typ, Owner: benchOwner,
		CreateTime: time.Now().Add(-24 * time.Hour).Unix(), MaxMemberNum: capacity})
}

// seed puts members user[from..to) into a group out of band, for scenarios
// that need a populated group without a Terraform apply first.
func (b *benchEmulator) seed(groupID string, from, to int) error {
	jt := time.Now().Add(-time.Hour).Unix()
	for i := from; i < to; i++ {
		if err := b.emu.PutMember(benchAppID, groupID, emulator.Member{Account: accountName(i), Role: emulator.RoleMember, JoinTime: jt}); err != nil {
			return err
		}
	}
	return nil
}

func (b *benchEmulator) setLatency(d time.Duration) {
	b.emu.UpdateSettings(func(s *emulator.Settings) { s.Latency = d })
}

func (b *benchEmulator) memberCount(groupID string) int {
	ms, _ := b.emu.Members(benchAppID, groupID)
	return len(ms)
}

// accountCount is how many of the app's accounts start with prefix.
func (b *benchEmulator) accountCount(prefix string) (n int) {
	for _, a := range b.emu.Accounts(benchAppID) {
		if strings.HasPrefix(a, prefix) {
			n++
		}
	}
	return n
}
