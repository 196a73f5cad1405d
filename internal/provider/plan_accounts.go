package provider

import (
	"context"
	"slices"
	"sync"
)

// planAccounts answers, for one provider process, the plan's question "do
// these accounts exist?". Resources often share accounts (the same staff in
// many groups) and plan at once, so each account is checked once per
// process and every other plan waits for that answer instead of sending its
// own account_check: ten groups of the same 200 people cost 2 calls, not 20.
// The apply never uses it; it keeps its own checks as the last guard.
type planAccounts struct {
	mu sync.Mutex
	// planned holds the accounts a tencentim_accounts plan in this process
	// creates, which a later plan must not call missing.
	planned map[string]bool
	checked map[string]*accountLookup
}

// accountLookup is one account's answer, ready when done is closed.
type accountLookup struct {
	done     chan struct{}
	imported bool
	failed   bool // the check failed: whoever needs the answer asks again
}

// plan records accounts a tencentim_accounts plan creates.
func (p *planAccounts) plan(ids []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.planned == nil {
		p.planned = map[string]bool{}
	}
	for _, id := range ids {
		p.planned[id] = true
	}
}

// forget drops what is known of accounts this process just imported or
// deleted, so a plan after that asks the server again.
func (p *planAccounts) forget(ids []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		delete(p.checked, id)
	}
}

// missing returns, sorted, the accounts among ids that neither exist nor
// are planned, checking only those no other plan in this process has asked
// about.
func (p *planAccounts) missing(ctx context.Context, data *providerData, ids []string) ([]string, []applyFailure) {
	var mine []string
	lookups := map[string]*accountLookup{}
	theirs := map[string]*accountLookup{}
	p.mu.Lock()
	if p.checked == nil {
		p.checked = map[string]*accountLookup{}
	}
	for _, id := range ids {
		switch l, asked := p.checked[id]; {
		case p.planned[id]:
		case asked:
			theirs[id] = l
		default:
			lookups[id] = &accountLookup{done: make(chan struct{})}
			p.checked[id] = lookups[id]
			mine = append(mine, id)
		}
	}
	p.mu.Unlock()

	missing, failures := checkAccounts(ctx, data, mine)
	p.settle(lookups, missing, len(failures) > 0)
	var again []string
	for id, l := range theirs {
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, append(failures, accountsFailure("account_check", ctx.Err(), nil))
		}
		switch {
		case l.failed:
			again = append(again, id)
		case !l.imported:
			missing = append(missing, id)
		}
	}
	if len(again) > 0 {
		slices.Sort(again)
		m, f := checkAccounts(ctx, data, again)
		missing, failures = append(missing, m...), append(failures, f...)
	}
	slices.Sort(missing)
	return missing, failures
}

// settle publishes the answers for the accounts this plan checked.
func (p *planAccounts) settle(lookups map[string]*accountLookup, missing []string, failed bool) {
	absent := make(map[string]bool, len(missing))
	for _, id := range missing {
		absent[id] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, l := range lookups {
		if failed {
			if p.checked[id] == l {
				delete(p.checked, id)
			}
			l.failed = true
		} else {
			l.imported = !absent[id]
		}
		close(l.done)
	}
}
