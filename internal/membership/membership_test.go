package membership

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/members"
	"github.com/tencentim/terraform-provider-tencentim/internal/timapi"
)

const (
	appID      = 1400000001
	key        = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	owner      = "owner"
	createTime = 1_600_000_000
)

// env is an emulator with one app and accounts user0001.., and an engine
// talking to it.
type env struct {
	t   *testing.T
	emu *emulator.Emulator
	eng Engine
}

func newEnv(t *testing.T, s emulator.Settings, accounts int, mutate ...func(*timapi.Config)) *env {
	t.Helper()
	s.CommandRateScale = -1
	emu := emulator.New(emulator.Options{Settings: s})
	emu.AddApp(appID, key, "administrator")
	ids := []string{owner}
	for i := 1; i <= accounts; i++ {
		ids = append(ids, account(i))
	}
	emu.AddAccounts(appID, ids...)
	url, stop := emu.Start()
	t.Cleanup(stop)
	cfg := timapi.Config{SDKAppID: appID, SecretKey: key, Endpoint: url, RateLimit: -1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := timapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, emu: emu, eng: Engine{
		Client:    c,
		ImportCap: timapi.NewBatchCap(timapi.ImportCaps[0], timapi.ImportCaps),
		DeleteCap: timapi.NewBatchCap(timapi.DeleteCaps[0], timapi.DeleteCaps),
		Parallel:  4,
	}}
}

func account(i int) string { return fmt.Sprintf("user%04d", i) }

// group creates a group owned by owner with members user0001..user<n>.
func (e *env) group(typ string, n int) string {
	e.t.Helper()
	id, err := e.emu.AddGroup(appID, emulator.Group{Type: typ, Name: "g", Owner: owner, CreateTime: createTime})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := e.emu.PutMember(appID, id, emulator.Member{Account: account(i), JoinTime: createTime + int64(i)}); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

// server is what the emulator holds, owner included.
func (e *env) server(groupID string) map[string]members.Live {
	e.t.Helper()
	ms, ok := e.emu.Members(appID, groupID)
	if !ok {
		e.t.Fatalf("group %s is gone", groupID)
	}
	out := make(map[string]members.Live, len(ms))
	for a, m := range ms {
		out[a] = members.Live{Role: m.Role, JoinTime: m.JoinTime}
	}
	return out
}

func (e *env) read(groupID string) *Group {
	e.t.Helper()
	g, err := ReadGroup(context.Background(), e.eng.Client, groupID)
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

// importing declares accounts 1..n as plain members with join times.
func importing(n int) members.Changes {
	var c members.Changes
	for i := 1; i <= n; i++ {
		c.Import = append(c.Import, members.Import{Account: account(i), Declared: members.Declared{Role: members.RoleMember, JoinTime: createTime + 10}})
	}
	return c
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestReadGroup(t *testing.T) {
	e := newEnv(t, emulator.Settings{PageSize: 100}, 450)
	for _, typ := range []string{timapi.GroupTypePublic, timapi.GroupTypeCommunity} {
		t.Run(typ, func(t *testing.T) {
			id := e.group(typ, 450)
			if err := e.emu.PutMember(appID, id, emulator.Member{Account: account(7), Role: emulator.RoleAdmin}); err != nil {
				t.Fatal(err)
			}
			e.emu.ResetStats()
			g := e.read(id)
			if g.Info.GroupID != id || g.Info.Type != typ || g.Info.OwnerAccount != owner || g.Info.CreateTime != createTime {
				t.Fatalf("info = %+v", g.Info)
			}
			if want := e.server(id); !maps.EqualFunc(g.Members, want, members.Live.Equal) {
				t.Fatalf("read %d members, server holds %d; they differ", len(g.Members), len(want))
			}
			if g.Members[owner].Role != members.RoleOwner || g.Members[account(7)].Role != members.RoleAdmin {
				t.Fatalf("roles: owner %q, user0007 %q", g.Members[owner].Role, g.Members[account(7)].Role)
			}
			st := e.emu.Stats()
			if st["get_group_info"].Calls != 1 {
				t.Errorf("get_group_info calls = %d, want 1", st["get_group_info"].Calls)
			}
			// 451 members at 100 a page: five pages, whether by offset or cursor.
			if got := st["get_group_member_info"].Calls; got < ceilDiv(451, 100) {
				t.Errorf("get_group_member_info calls = %d, want at least %d (pages of 100)", got, ceilDiv(451, 100))
			}
		})
	}
	t.Run("AVChatRoom", func(t *testing.T) {
		id, err := e.emu.AddGroup(appID, emulator.Group{Type: timapi.GroupTypeAVChatRoom, Name: "av", Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		e.emu.ResetStats()
		if g := e.read(id); g.Members != nil {
			t.Fatalf("AVChatRoom members = %v, want none", g.Members)
		}
		if n := e.emu.Stats()["get_group_member_info"].Calls; n != 0 {
			t.Fatalf("read an AVChatRoom's member list (%d calls)", n)
		}
	})
	t.Run("missing group", func(t *testing.T) {
		if _, err := ReadGroup(context.Background(), e.eng.Client, "@TGS#nothere"); !timapi.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
}

func TestPrecheck(t *testing.T) {
	now := time.Unix(createTime+1000, 0)
	group := func(typ string) *Group {
		return &Group{
			Info:    &timapi.GroupInfo{GroupID: "@TGS#1", Type: typ, OwnerAccount: owner, CreateTime: createTime},
			Members: map[string]members.Live{owner: {Role: members.RoleOwner, JoinTime: createTime}, "admin": {Role: members.RoleAdmin, JoinTime: createTime + 5}},
		}
	}
	member := members.Declared{Role: members.RoleMember}
	cases := []struct {
		name     string
		typ      string
		declared map[string]members.Declared
		summary  string   // "" = no failure
		accounts []string // the accounts the failure names
	}{
		{"valid", timapi.GroupTypePublic, map[string]members.Declared{"a": member, "b": {Role: members.RoleAdmin, JoinTime: createTime + 1}}, "", nil},
		{"owner declared", timapi.GroupTypePublic, map[string]members.Declared{owner: member, "a": member}, "The group owner is declared as a member", []string{owner}},
		{"admin in a Work group", timapi.GroupTypePrivate, map[string]members.Declared{"b": {Role: members.RoleAdmin}, "a": {Role: members.RoleAdmin}, "c": member}, "Admin role not supported by this group type", []string{"a", "b"}},
		{"an existing admin of a Work group stays", timapi.GroupTypePrivate, map[string]members.Declared{"admin": {Role: members.RoleAdmin}}, "", nil},
		{"AVChatRoom", timapi.GroupTypeAVChatRoom, map[string]members.Declared{"a": member}, "AVChatRoom groups have no member list", nil},
		{"join_time at creation", timapi.GroupTypePublic, map[string]members.Declared{"a": {Role: members.RoleMember, JoinTime: createTime}, "b": member}, "join_time before the group was created", []string{"a"}},
		{"join_time now", timapi.GroupTypePublic, map[string]members.Declared{"a": {Role: members.RoleMember, JoinTime: now.Unix()}}, "join_time in the future", []string{"a"}},
		{"join_time a member already has", timapi.GroupTypePublic, map[string]members.Declared{"admin": {Role: members.RoleAdmin, JoinTime: createTime + 5}}, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Precheck(group(tc.typ), tc.declared, now)
			if tc.summary == "" {
				if len(fs) > 0 {
					t.Fatalf("failures = %v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Summary != tc.summary || fs[0].Err != nil {
				t.Fatalf("failures = %v, want one %q", fs, tc.summary)
			}
			if !slices.Equal(fs[0].Accounts, tc.accounts) {
				t.Fatalf("accounts = %v, want %v", fs[0].Accounts, tc.accounts)
			}
			for _, a := range tc.accounts {
				if !strings.Contains(fs[0].Detail, a) {
					t.Fatalf("detail %q does not name %s", fs[0].Detail, a)
				}
			}
		})
	}
}

// TestApplyBatchesAtCap checks ceil(N/cap) import calls, none refused, when
// the engine starts at the server's cap.
func TestApplyBatchesAtCap(t *testing.T) {
	const n = 650
	for _, c := range timapi.ImportCaps {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			e := newEnv(t, emulator.Settings{ImportCap: c}, n)
			e.eng.ImportCap = timapi.NewBatchCap(c, timapi.ImportCaps)
			id := e.group(timapi.GroupTypePublic, 0)
			e.emu.ResetStats()
			got, fs := e.eng.Apply(context.Background(), e.read(id), importing(n))
			if len(fs) > 0 {
				t.Fatal(fs)
			}
			st := e.emu.Stats()["import_group_member"]
			if st.Calls != ceilDiv(n, c) || st.Failed != 0 {
				t.Fatalf("import calls = %d (%d failed), want %d", st.Calls, st.Failed, ceilDiv(n, c))
			}
			if want := e.server(id); len(want) != n+1 || !maps.EqualFunc(got, want, members.Live.Equal) {
				t.Fatalf("apply returned %d members, server holds %d", len(got), len(want))
			}
		})
	}
}

// TestApplyStepsDownCap starts at 300 against a server that takes 20: the
// cap steps down 300, 100, 20 and every batch after that is at most 20.
func TestApplyStepsDownCap(t *testing.T) {
	const n = 250
	e := newEnv(t, emulator.Settings{ImportCap: 20}, n)
	id := e.group(timapi.GroupTypePublic, 0)
	e.emu.ResetStats()
	got, fs := e.eng.Apply(context.Background(), e.read(id), importing(n))
	if len(fs) > 0 {
		t.Fatal(fs)
	}
	var sizes []int
	for _, r := range e.emu.Log() {
		if r.Command == "import_group_member" {
			sizes = append(sizes, r.Members)
		}
	}
	if len(sizes) < 2 || sizes[0] != 300 && sizes[0] != n || sizes[1] != 100 {
		t.Fatalf("batch sizes %v: want a refused 250 (all that was left of 300), then 100", sizes)
	}
	for _, s := range sizes[2:] {
		if s > 20 {
			t.Fatalf("batch of %d after the cap stepped down to 20: %v", s, sizes)
		}
	}
	st := e.emu.Stats()["import_group_member"]
	if st.Failed != 2 || st.Calls-st.Failed != ceilDiv(n, 20) {
		t.Fatalf("import calls %d, %d refused; want 2 refused and %d accepted", st.Calls, st.Failed, ceilDiv(n, 20))
	}
	if size, confirmed := e.eng.ImportCap.Size(); size != 20 || !confirmed {
		t.Fatalf("cap = %d (confirmed %v), want 20 confirmed", size, confirmed)
	}
	if want := e.server(id); !maps.EqualFunc(got, want, members.Live.Equal) || len(want) != n+1 {
		t.Fatalf("apply returned %d members, server holds %d", len(got), len(want))
	}
}

// TestApplyMissingAccounts checks each reading of a missing account: the
// failure names exactly the missing accounts and the others are imported.
func TestApplyMissingAccounts(t *testing.T) {
	missing := []string{"ghost1", "ghost2", "ghost3"}
	for _, reading := range []string{emulator.MissingAccountMember, emulator.MissingAccountRequest, emulator.MissingAccountReject} {
		t.Run(reading, func(t *testing.T) {
			e := newEnv(t, emulator.Settings{MissingAccount: reading, ImportCap: 20}, 30)
			e.eng.ImportCap = timapi.NewBatchCap(20, timapi.ImportCaps)
			id := e.group(timapi.GroupTypePublic, 0)
			changes := importing(30)
			for _, a := range missing {
				changes.Import = append(changes.Import, members.Import{Account: a, Declared: members.Declared{Role: members.RoleMember}})
			}
			got, fs := e.eng.Apply(context.Background(), e.read(id), changes)
			if len(fs) != 1 || fs[0].Err != nil || !strings.Contains(fs[0].Summary, "not exist in the app") {
				t.Fatalf("failures = %v, want one about missing accounts", fs)
			}
			if !slices.Equal(fs[0].Accounts, missing) {
				t.Fatalf("failure names %v, want %v", fs[0].Accounts, missing)
			}
			server := e.server(id)
			for i := 1; i <= 30; i++ {
				if _, ok := server[account(i)]; !ok {
					t.Fatalf("%s was not imported", account(i))
				}
			}
			if len(server) != 31 || !maps.EqualFunc(got, server, members.Live.Equal) {
				t.Fatalf("server holds %d members, apply returned %d", len(server), len(got))
			}
		})
	}
}

// TestApplyStopsAfterFailure: after a failed call no new call starts.
func TestApplyStopsAfterFailure(t *testing.T) {
	e := newEnv(t, emulator.Settings{ImportCap: 20}, 100)
	e.eng.ImportCap = timapi.NewBatchCap(20, timapi.ImportCaps)
	e.eng.Parallel = 1
	id := e.group(timapi.GroupTypePublic, 0)
	e.emu.InjectFault(emulator.Fault{Command: "import_group_member", Skip: 1, ErrorCode: 10007})
	e.emu.ResetStats()
	got, fs := e.eng.Apply(context.Background(), e.read(id), importing(100))
	if len(fs) != 1 || fs[0].Command != "import_group_member" || timapi.Code(fs[0].Err) != 10007 || len(fs[0].Accounts) != 20 {
		t.Fatalf("failures = %v, want the second batch's 10007", fs)
	}
	if n := e.emu.Stats()["import_group_member"].Calls; n != 2 {
		t.Fatalf("import calls = %d, want 2: none after the failure", n)
	}
	if want := e.server(id); !maps.EqualFunc(got, want, members.Live.Equal) || len(want) != 21 {
		t.Fatalf("apply returned %d members, server holds %d (want 21)", len(got), len(want))
	}
}

// TestApplyRejoin: a changed join time removes the member before importing
// it again.
func TestApplyRejoin(t *testing.T) {
	e := newEnv(t, emulator.Settings{}, 3)
	id := e.group(timapi.GroupTypePublic, 3)
	g := e.read(id)
	declared := map[string]members.Declared{
		account(1): {Role: members.RoleMember, JoinTime: createTime + 1},
		account(2): {Role: members.RoleMember, JoinTime: createTime + 100},
		account(3): {Role: members.RoleAdmin, JoinTime: createTime + 3},
	}
	changes := members.Diff(declared, g.Members, nil, false)
	if !slices.Equal(changes.Rejoin, []string{account(2)}) {
		t.Fatalf("rejoins = %v", changes.Rejoin)
	}
	e.emu.ResetStats()
	got, fs := e.eng.Apply(context.Background(), g, changes)
	if len(fs) > 0 {
		t.Fatal(fs)
	}
	var order []string
	for _, r := range e.emu.Log() {
		order = append(order, r.Command)
	}
	if d, i := slices.Index(order, "delete_group_member"), slices.Index(order, "import_group_member"); d < 0 || i < d {
		t.Fatalf("calls %v: want the removal before the import", order)
	}
	server := e.server(id)
	if server[account(2)].JoinTime != createTime+100 || server[account(3)].Role != members.RoleAdmin || !maps.EqualFunc(got, server, members.Live.Equal) {
		t.Fatalf("server %v, apply returned %v", server, got)
	}
}

// TestSettleAfterLostAnswer: an import the server carried out but whose
// answer came too late is missing from what Apply returns; Settle reads what
// the server holds.
func TestSettleAfterLostAnswer(t *testing.T) {
	e := newEnv(t, emulator.Settings{ImportCap: 20}, 40, func(c *timapi.Config) { c.RequestTimeout = 300 * time.Millisecond })
	e.eng.ImportCap = timapi.NewBatchCap(20, timapi.ImportCaps)
	e.eng.Parallel = 1
	id := e.group(timapi.GroupTypePublic, 0)
	e.emu.InjectFault(emulator.Fault{Command: "import_group_member", Skip: 1, Delay: time.Second})
	got, fs := e.eng.Apply(context.Background(), e.read(id), importing(40))
	if len(fs) != 1 || fs[0].Command != "import_group_member" {
		t.Fatalf("failures = %v, want the timed-out import", fs)
	}
	// The delayed call is carried out after its answer was given up on.
	var server map[string]members.Live
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if server = e.server(id); len(server) == 41 || time.Now().After(deadline) {
			break
		}
	}
	if len(server) != 41 {
		t.Fatalf("server holds %d members, want 41", len(server))
	}
	if maps.EqualFunc(got, server, members.Live.Equal) {
		t.Fatal("apply's answers already match the server: the fault did not lose an answer")
	}
	settled, err := e.eng.Settle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(settled, server, members.Live.Equal) {
		t.Fatalf("settled %d members, server holds %d", len(settled), len(server))
	}
	// Settle runs even after the apply's context has ended.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if settled, err := e.eng.Settle(ctx, id); err != nil || !maps.EqualFunc(settled, server, members.Live.Equal) {
		t.Fatalf("Settle after cancel: %v, %d members", err, len(settled))
	}
}

// TestSharedReads: reads of one group at the same time make one read, a
// read after it makes another, and a caller whose context ends does not
// fail the others.
func TestSharedReads(t *testing.T) {
	e := newEnv(t, emulator.Settings{Latency: 100 * time.Millisecond}, 450)
	id := e.group("Public", 450)
	var shared SharedReads
	readTogether := func(n int, ctxs ...context.Context) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			ctx := context.Background()
			if i < len(ctxs) {
				ctx = ctxs[i]
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				g, err := shared.ReadGroup(ctx, e.eng.Client, id)
				if err == nil && len(g.Members) != 451 {
					err = fmt.Errorf("%d members, want 451", len(g.Members))
				}
				errs[i] = err
			}()
			if i == 0 {
				time.Sleep(20 * time.Millisecond) // the others join the first's read
			}
		}
		wg.Wait()
		return errs
	}

	e.emu.ResetStats()
	for i, err := range readTogether(5) {
		if err != nil {
			t.Fatalf("reader %d: %v", i, err)
		}
	}
	if n := e.emu.Stats()["get_group_info"].Calls; n != 1 {
		t.Fatalf("5 readers at once made %d get_group_info calls, want 1", n)
	}
	readTogether(1)
	if n := e.emu.Stats()["get_group_info"].Calls; n != 2 {
		t.Fatalf("a later read made %d calls in all, want 2: finished reads are not reused", n)
	}

	// The first reader gives up; the one that joined its read still gets the group.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	errs := readTogether(2, ctx)
	if !errors.Is(errs[0], context.DeadlineExceeded) {
		t.Fatalf("the reader that gave up got %v, want its deadline", errs[0])
	}
	if errs[1] != nil {
		t.Fatalf("the other reader: %v", errs[1])
	}
}
