package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
)

// show prints the accounts and membership a running emulator holds, read from its
// /emulator/state endpoint, so a demo can show what an apply did.
func show(baseURL string, sdkappid uint64, stdout io.Writer) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(fmt.Sprintf("%s/emulator/state?sdkappid=%d", strings.TrimSuffix(baseURL, "/"), sdkappid))
	if err != nil {
		return fmt.Errorf("reading the emulator's state: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reading the emulator's state: HTTP %d", resp.StatusCode)
	}
	var state struct {
		Apps []struct {
			Accounts []string `json:"accounts"`
			Groups   []struct {
				ID, Type, Owner string
				Members         []struct {
					Account  string `json:"account"`
					Role     string `json:"role"`
					JoinTime int64  `json:"join_time"`
				}
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		return fmt.Errorf("decoding the emulator's state: %w", err)
	}
	for _, app := range state.Apps {
		shown := app.Accounts
		more := ""
		if len(shown) > 20 {
			shown, more = shown[:20], fmt.Sprintf(" and %d more", len(app.Accounts)-20)
		}
		fmt.Fprintf(stdout, "%d accounts: %s%s\n", len(app.Accounts), strings.Join(shown, ", "), more)
		for _, g := range app.Groups {
			fmt.Fprintf(stdout, "\n%s (%s, owner %s): %d members\n", g.ID, g.Type, g.Owner, len(g.Members))
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			for _, m := range g.Members {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.Account, m.Role, time.Unix(m.JoinTime, 0).UTC().Format(time.DateTime))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}
