package emulator

import "unicode/utf8"

// validUserID applies the documented UserID rules: 1..32 bytes, and no
// control characters (the docs only say "avoid special characters").
func validUserID(id string) bool {
	if id == "" || len(id) > 32 || !utf8.ValidString(id) {
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
func (e *Emulator) accountImport(appID uint64, o obj) (*result, *apiError) {
	id, ok, aerr := o.str("UserID", 60015)
	if aerr != nil {
		return nil, aerr
	}
	if !ok {
		if id, ok, aerr = o.str("Identifier", 60015); aerr != nil {
			return nil, aerr
		}
	}
	if !ok || id == "" {
		return nil, errf(70402, "UserID is required")
	}
	if !validUserID(id) {
		return nil, errf(70402, "UserID %q is invalid: at most 32 bytes without control characters", id)
	}
	nick, hasNick, aerr := o.str("Nick", 70402)
	if aerr != nil {
		return nil, aerr
	}
	face, hasFace, aerr := o.str("FaceUrl", 70402)
	if aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	aerr = e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		p, exists := a.accounts[id]
		if !exists {
			if a.deleted[id] {
				return false, reimportBlocked(id)
			}
			if over := accountQuotaExceeded(st, a, 1); over != nil {
				return false, over
			}
		}
		if hasNick {
			p.Nick = nick
		}
		if hasFace {
			p.FaceURL = face
		}
		a.accounts[id] = p
		return true, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{members: 1}, nil
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
func (e *Emulator) multiaccountImport(appID uint64, o obj) (*result, *apiError) {
	type acct struct {
		id, nick, face   string
		hasNick, hasFace bool
	}
	var items []acct
	list, hasList, aerr := o.objects("AccountList", 70402)
	if aerr != nil {
		return nil, aerr
	}
	if hasList {
		for i, m := range list {
			if m == nil {
				return nil, errf(70402, "AccountList[%d] must be an object", i)
			}
			id, _, aerr := m.str("UserID", 60015)
			if aerr != nil {
				return nil, aerr
			}
			nick, hasNick, aerr := m.str("Nick", 70402)
			if aerr != nil {
				return nil, aerr
			}
			face, hasFace, aerr := m.str("FaceUrl", 70402)
			if aerr != nil {
				return nil, aerr
			}
			items = append(items, acct{id, nick, face, hasNick, hasFace})
		}
	} else {
		ids, _, aerr := o.strArray("Accounts", 70402, 60015)
		if aerr != nil {
			return nil, aerr
		}
		for _, id := range ids {
			items = append(items, acct{id: id})
		}
	}
	if len(items) == 0 {
		return nil, errf(70402, "AccountList (or Accounts) is required and must not be empty")
	}
	if len(items) > 100 {
		return nil, errf(70402, "at most 100 accounts per request, got %d", len(items))
	}
	st := e.Settings()
	fail := []string{}
	aerr = e.mutate(func() (bool, *apiError) {
		a := e.apps[appID]
		var ok []acct
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
			p := a.accounts[it.id]
			if it.hasNick {
				p.Nick = it.nick
			}
			if it.hasFace {
				p.FaceURL = it.face
			}
			a.accounts[it.id] = p
		}
		return len(ok) > 0, nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return &result{fields: struct{ FailAccounts []string }{fail}, members: len(items)}, nil
}

// userItems reads [{UserID}] lists (CheckItem, DeleteItem): 1..100 entries.
func userItems(o obj, key string) ([]string, *apiError) {
	list, _, aerr := o.objects(key, 70402)
	if aerr != nil {
		return nil, aerr
	}
	if len(list) == 0 || len(list) > 100 {
		return nil, errf(70402, "%s must contain 1 to 100 items", key)
	}
	ids := make([]string, len(list))
	for i, m := range list {
		if m == nil {
			return nil, errf(70402, "%s[%d] must be an object", key, i)
		}
		id, ok, aerr := m.str("UserID", 60015)
		if aerr != nil {
			return nil, aerr
		}
		if !ok || id == "" {
			return nil, errf(70402, "%s[%d].UserID is required", key, i)
		}
		ids[i] = id
	}
	return ids, nil
}

type checkItem struct {
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string
}

// accountCheck implements account_check.
func (e *Emulator) accountCheck(appID uint64, o obj) (*result, *apiError) {
	ids, aerr := userItems(o, "CheckItem")
	if aerr != nil {
		return nil, aerr
	}
	e.mu.RLock()
	a := e.apps[appID]
	out := make([]checkItem, len(ids))
	for i, id := range ids {
		st := "NotImported"
		if _, ok := a.accounts[id]; ok {
			st = "Imported"
		}
		out[i] = checkItem{UserID: id, AccountStatus: st}
	}
	e.mu.RUnlock()
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
func (e *Emulator) accountDelete(appID uint64, o obj) (*result, *apiError) {
	ids, aerr := userItems(o, "DeleteItem")
	if aerr != nil {
		return nil, aerr
	}
	st := e.Settings()
	trial := st.plan().trial
	if !trial && !st.AccountDeleteEnabled {
		return nil, errf(71000, accountDeleteDisabled)
	}
	out := make([]deleteItem, len(ids))
	aerr = e.mutate(func() (bool, *apiError) {
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
	if aerr != nil {
		return nil, aerr
	}
	return &result{fields: struct{ ResultItem []deleteItem }{out}, members: len(ids)}, nil
}
