// Command tencentim-emulator serves a local emulator of the Tencent Cloud IM
// server REST API on a loopback address, for demos, manual testing and
// black-box tests. See internal/emulator/README.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/emulator"
	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "tencentim-emulator:", err)
		os.Exit(1)
	}
}

type config struct {
	listen, secretKey, admin, accountsFile, persist, portFile string
	showURL                                                   string
	sdkappid                                                  uint64
	accounts                                                  int
	seedDemo, genUserSig                                      bool
	sigExpire                                                 time.Duration
	settings                                                  emulator.Settings
}

// run is main without the process: it serves until ctx is done and sends the
// actual listen address on ready (if non-nil) once listening.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	var c config
	fs := flag.NewFlagSet("tencentim-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "loopback `address` to listen on (port 0 picks a free port)")
	fs.Uint64Var(&c.sdkappid, "sdkappid", 1400000000, "SDKAppID of the emulated app")
	fs.StringVar(&c.secretKey, "secret-key", "emulator-secret-key", "secret key of the emulated app (signs UserSigs)")
	fs.StringVar(&c.admin, "admin", "administrator", "app admin identifier")
	fs.IntVar(&c.accounts, "accounts", 0, "seed accounts user1..userN")
	fs.StringVar(&c.accountsFile, "accounts-file", "", "seed accounts from a `file` (one UserID per line, # comments)")
	fs.BoolVar(&c.seedDemo, "seed-demo", false, "seed demo accounts and groups (fixed IDs) and print them")
	fs.StringVar(&c.persist, "persist", "", "load state from and save it to this JSON `file`")
	s := &c.settings
	fs.IntVar(&s.ImportCap, "import-cap", 20, "max members per import_group_member/add_group_member (docs: 20 newest, 100, 300)")
	fs.IntVar(&s.DeleteCap, "delete-cap", 100, "max members per delete_group_member")
	fs.IntVar(&s.OversizedDeleteCode, "oversized-delete-code", 10004, "code answering a delete_group_member over -delete-cap: 10004 (its error list has no 10005) or 10005")
	fs.IntVar(&s.PageSize, "page-size", 200, "max members per get_group_member_info page when Limit is given")
	fs.StringVar(&s.MissingAccount, "missing-account", emulator.MissingAccountMember, "import of a non-existent account: member (Result 0), request (10019 naming them) or reject (generic 10004)")
	fs.StringVar(&s.NextType, "next-type", emulator.NextTypeString, "JSON type of the Community Next cursor, in answers and (strictly) in requests: string or integer")
	fs.DurationVar(&s.Latency, "latency", 0, "time from an API request's arrival to its answer, the emulator's own work included")
	fs.IntVar(&s.RateLimit, "rate-limit", 0, "requests/second per app over all commands (0 = unlimited); excess gets 10006")
	fs.Float64Var(&s.CommandRateScale, "command-rate-scale", 1, "multiplies the documented per-command rates (200/s, account APIs 100/s ...); negative turns them off")
	fs.IntVar(&s.GroupMemberLimit, "group-member-limit", 0, "default MaxMemberNum for new groups instead of the plan's (0 = the plan's; Community 100000)")
	fs.IntVar(&s.CommunityLimitMax, "community-limit-max", 0, "refuse a get_group_member_info Limit above this on Community groups with 10004 (0 = no such limit; the client SDKs' maximum is 100)")
	fs.StringVar(&s.Plan, "plan", emulator.PlanEnterprise, "app plan: trial, pro, ultimate or enterprise (default MaxMemberNum, trial quotas, Community, account_delete)")
	fs.BoolVar(&s.AcceptClientTypeNames, "accept-client-type-names", false, "accept the client-SDK group types Work and Meeting in create_group/import_group and as get_appid_group_list's GroupType (as Private and ChatRoom)")
	fs.BoolVar(&s.AccountDeleteEnabled, "account-delete-enabled", false, "allow account_delete on paid plans (the console switch); deleted IDs then cannot be imported again")
	fs.BoolVar(&s.GroupListFinalEmptyPage, "group-list-final-empty-page", false, "get_appid_group_list: keep Next non-zero on every page that lists a group (the docs' sample answer), so a listing ends with an empty page whose Next is 0")
	fs.BoolVar(&s.GroupListNonAdmin10007, "group-list-non-admin-10007", false, "get_appid_group_list: answer an identifier that is not an app admin with 10007 (that page's code) instead of 60010")
	fs.Func("member-defined-keys", "comma-separated custom member fields configured for the app (AppMemberDefinedData keys; at most 5; default none, so custom data is refused)", func(v string) error {
		s.MemberDefinedKeys = nil
		for k := range strings.SplitSeq(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				s.MemberDefinedKeys = append(s.MemberDefinedKeys, k)
			}
		}
		return nil
	})
	fs.StringVar(&s.MemberDataUnknownKey, "member-data-unknown-key", emulator.MemberDataUnknownKeyDrop, "AppMemberDefinedData naming keys that are not configured: drop (store the configured ones; 10004 only when none is) or refuse (10004)")
	fs.StringVar(&s.MemberDataUnset, "member-data-unset", emulator.MemberDataUnsetOmit, "how a read lists a requested custom member field without a value: omit or empty (Value \"\")")
	fs.BoolVar(&s.MemberDataOnlyNamed, "member-data-only-named", false, "get_group_member_info/get_group_info: custom member data only for the keys AppDefinedDataFilter_GroupMember names, not in the unfiltered (basic) form")
	fs.StringVar(&s.MemberDataFilterUnknownKey, "member-data-filter-unknown-key", emulator.MemberDataFilterIgnore, "AppDefinedDataFilter_GroupMember naming a key that is not configured: ignore or refuse (10007)")
	fs.StringVar(&c.portFile, "port-file", "", "write the actual listen address to this `file` once listening")
	fs.BoolVar(&c.genUserSig, "gen-usersig", false, "print a UserSig for -sdkappid/-secret-key/-admin and exit")
	fs.DurationVar(&c.sigExpire, "usersig-expire", 180*24*time.Hour, "validity of the UserSig printed by -gen-usersig")
	fs.StringVar(&c.showURL, "show", "", "print the membership held by the emulator running at this base `URL` and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.genUserSig {
		sig, err := usersig.Generate(c.sdkappid, c.secretKey, c.admin, c.sigExpire, time.Now())
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, sig)
		return err
	}
	if c.showURL != "" {
		return show(c.showURL, c.sdkappid, stdout)
	}
	if err := checkLoopback(c.listen); err != nil {
		return err
	}
	if err := c.settings.Validate(); err != nil {
		return fmt.Errorf("flags: %w", err)
	}

	logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	e := emulator.New(emulator.Options{
		PersistPath: c.persist,
		Settings:    c.settings,
		// Only these fields are logged: never the query string, which
		// carries the UserSig.
		OnRequest: func(r emulator.LoggedRequest) {
			logger.Printf("%s sdkappid=%d group=%q members=%d code=%d http=%d %dms",
				orDash(r.Command), r.SDKAppID, r.GroupID, r.Members, r.ErrorCode, r.HTTPStatus, r.Duration.Milliseconds())
		},
	})
	if err := e.PersistError(); err != nil {
		return err
	}
	if err := seed(e, c, stdout); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if c.portFile != "" {
		if err := emulator.WriteFileAtomic(c.portFile, []byte(addr+"\n")); err != nil {
			_ = ln.Close()
			return err
		}
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "tencentim-emulator listening on http://%s (sdkappid %d, admin %s)\n", addr, c.sdkappid, c.admin)
	if ready != nil {
		ready <- addr
	}

	select {
	case err = <-served:
	case <-ctx.Done():
		// Let in-flight calls finish, but not for long: calls parked in a
		// Delay fault would otherwise hold the shutdown.
		shutCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if srv.Shutdown(shutCtx) != nil {
			_ = srv.Close()
		}
		cancel()
		err = <-served
	}
	if ferr := e.Close(); ferr != nil && err == nil {
		err = ferr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkLoopback refuses anything but loopback: the emulator has no real
// authentication on its control endpoints.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", addr)
}

func seed(e *emulator.Emulator, c config, stdout io.Writer) error {
	e.AddApp(c.sdkappid, c.secretKey, c.admin)
	n := c.accounts
	var users []string
	for i := 1; i <= n; i++ {
		users = append(users, fmt.Sprintf("user%d", i))
	}
	if c.accountsFile != "" {
		f, err := os.Open(c.accountsFile)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				users = append(users, line)
			}
		}
		_ = f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	e.AddAccounts(c.sdkappid, users...)
	if !c.seedDemo {
		return nil
	}
	if err := e.SeedDemo(c.sdkappid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo app: sdkappid=%d admin=%s secret-key=%s accounts=user1..user%d\n", c.sdkappid, c.admin, c.secretKey, max(n, emulator.DemoAccounts))
	for _, g := range emulator.DemoGroups {
		// What the emulator holds, which may come from a persisted state.
		info, _ := e.GroupInfo(c.sdkappid, g.ID)
		fmt.Fprintf(stdout, "demo group: %-22s type=%-10s owner=%s\n", g.ID, info.Type, info.Owner)
	}
	return nil
}
