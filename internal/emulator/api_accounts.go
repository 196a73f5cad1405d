package emulator

import "unicode/utf8"

// validUserID applies the documented UserID rules: 1..32 bytes, and no
// control characters (the docs only say "avoid special characters").
func validUserID(id string) bool {
	if id == "" || len(id) > maxUserIDBytes || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// accountImport implements account_import (UserID, or the older Identifier).
// Re-importing an existing account succeeds and updates Nick/FaceUrl. A new
// account beyond the trial quota is 70398; an ID deleted on a paid plan is
// 70399.
func (e *Emulator) accountImport(appID uint64, r *reader) (*result, *apiError) {
	id := r.account("UserID")
	if !r.has("UserID") {
		id = r.account("Identifier")
	}
	r.check(id != "", 70402, "UserID is required")
	r.check(validUserID(id), 70402, "UserID %q is invalid: at most 32 bytes without control characters", id)
	p := profileUpdate{nick: r.str("Nick"), face: r.str("FaceUrl"), hasNick: r.has("Nick"), hasFace: r.has("FaceUrl")}
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	aerr := e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		if _, exists := a.accounts[id]; !exists {
			if a.deleted[id] {
				return false, reimportBlocked(id)
			}
			if over := accountQuotaExceeded(st, a, 1); over != nil {
				return false, over
			}
		}
		p.apply(a, id)
		return true, nil
	})
	return &result{members: 1}, aerr
}

// profileUpdate is the Nick and FaceUrl of an import; only the fields given
// change.
type profileUpdate struct {
	nick, face       string
	hasNick, hasFace bool
}

// apply imports account id (if new) with the update. Callers hold e.mu.
func (u profileUpdate) apply(a *app, id string) {
	p := a.accounts[id]
	if u.hasNick {
		p.Nick = u.nick
	}
	if u.hasFace {
		p.FaceURL = u.face
	}
	a.accounts[id] = p
}

func reimportBlocked(id string) *apiError {
	return errf(70399, "UserID %s was deleted and cannot be imported again (paid plans block deleted IDs)", id)
}

// accountQuotaExceeded is the trial quota of 100 accounts (70398) for
// adding n new ones; nil on other plans. Callers hold e.mu.
func accountQuotaExceeded(st Settings, a *app, n int) *apiError {
	if st.plan().trial && len(a.accounts)+n > trialAccounts {
		return errf(70398, "the trial edition allows at most %d accounts: %d exist, %d more asked for", trialAccounts, len(a.accounts), n)
	}
	return nil
}

// multiaccountImport implements multiaccount_import with either AccountList
// [{UserID,Nick,FaceUrl}] (current) or Accounts [string] (legacy). Invalid
// IDs, and IDs deleted on a paid plan, are reported in FailAccounts; the
// rest are imported. A batch whose new accounts would exceed the trial
// quota fails as a whole with 70398.
func (e *Emulator) multiaccountImport(appID uint64, r *reader) (*result, *apiError) {
	type item struct {
		id string
		profileUpdate
	}
	var items []item
	list := r.objects("AccountList")
	if r.has("AccountList") {
		for i, m := range list {
			r.check(m != nil, 70402, "AccountList[%d] must be an object", i)
			mr := r.at(m)
			items = append(items, item{mr.account("UserID"), profileUpdate{nick: mr.str("Nick"), face: mr.str("FaceUrl"), hasNick: mr.has("Nick"), hasFace: mr.has("FaceUrl")}})
		}
	} else {
		for _, id := range r.accounts("Accounts") {
			items = append(items, item{id: id})
		}
	}
	r.check(len(items) > 0, 70402, "AccountList (or Accounts) is required and must not be empty")
	r.check(len(items) <= maxAccountsPerRequest, 70402, "at most %d accounts per request, got %d", maxAccountsPerRequest, len(items))
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	fail := []string{}
	aerr := e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		var ok []item
		fresh := map[string]bool{}
		for _, it := range items {
			_, exists := a.accounts[it.id]
			if !validUserID(it.id) || (!exists && a.deleted[it.id]) {
				fail = append(fail, it.id)
				continue
			}
			if !exists {
				fresh[it.id] = true
			}
			ok = append(ok, it)
		}
		if over := accountQuotaExceeded(st, a, len(fresh)); over != nil {
			return false, over
		}
		for _, it := range ok {
			it.apply(a, it.id)
		}
		return len(ok) > 0, nil
	})
	return &result{fields: struct{ FailAccounts []string }{fail}, members: len(items)}, aerr
}

// userItems reads [{UserID}] lists (CheckItem, DeleteItem): 1..100 entries.
func userItems(r *reader, key string) []string {
	list := r.objects(key)
	r.check(len(list) > 0 && len(list) <= maxAccountsPerRequest, 70402, "%s must contain 1 to %d items", key, maxAccountsPerRequest)
	ids := make([]string, len(list))
	for i, m := range list {
		r.check(m != nil, 70402, "%s[%d] must be an object", key, i)
		ids[i] = r.at(m).account("UserID")
		r.check(ids[i] != "", 70402, "%s[%d].UserID is required", key, i)
	}
	return ids
}

type checkItem struct {
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string
}

// accountCheck implements account_check.
func (e *Emulator) accountCheck(appID uint64, r *reader) (*result, *apiError) {
	ids := userItems(r, "CheckItem")
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	out := make([]checkItem, len(ids))
	e.readLocked(func() {
		a := e.apps[appID]
		for i, id := range ids {
			st := "NotImported"
			if _, ok := a.accounts[id]; ok {
				st = "Imported"
			}
			out[i] = checkItem{UserID: id, AccountStatus: st}
		}
	})
	return &result{fields: struct{ ResultItem []checkItem }{out}, members: len(ids)}, nil
}

type deleteItem struct {
	UserID     string
	ResultCode int
	ResultInfo string
}

// accountDelete implements account_delete. It is allowed on the trial plan,
// and on paid plans only with Settings.AccountDeleteEnabled (the console
// switch); otherwise the whole request is 71000. Deleting an account also
// removes it from every group of the app (a deleted owner leaves the group
// ownerless). On a paid plan the ID is remembered and cannot be imported
// again ("3 months"; here: for good).
func (e *Emulator) accountDelete(appID uint64, r *reader) (*result, *apiError) {
	ids := userItems(r, "DeleteItem")
	st := e.Settings()
	trial := st.plan().trial
	r.check(trial || st.AccountDeleteEnabled, 71000, accountDeleteDisabled)
	if aerr := r.err(); aerr != nil {
		return nil, aerr
	}
	out := make([]deleteItem, len(ids))
	aerr := e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		changed := false
		for i, id := range ids {
			if _, ok := a.accounts[id]; !ok {
				out[i] = deleteItem{UserID: id, ResultCode: 70107, ResultInfo: infoFor(70107)}
				continue
			}
			delete(a.accounts, id)
			if !trial {
				a.deleted[id] = true
			}
			for _, g := range a.groups {
				g.removeMember(id)
			}
			out[i] = deleteItem{UserID: id}
			changed = true
		}
		return changed, nil
	})
	return &result{fields: struct{ ResultItem []deleteItem }{out}, members: len(ids)}, aerr
}
