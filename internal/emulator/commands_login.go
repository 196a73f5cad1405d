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
// Re-importing an existing account succeeds and updates Nick/FaceUrl.
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
	e.mu.Lock()
	a := e.apps[appID]
	p := a.accounts[id]
	if hasNick {
		p.Nick = nick
	}
	if hasFace {
		p.FaceURL = face
	}
	a.accounts[id] = p
	e.mu.Unlock()
	e.changed()
	return &result{members: 1}, nil
}

// multiaccountImport implements multiaccount_import with either AccountList
// [{UserID,Nick,FaceUrl}] (current) or Accounts [string] (legacy). Invalid
// IDs are reported in FailAccounts; the rest are imported.
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
	fail := []string{}
	e.mu.Lock()
	a := e.apps[appID]
	for _, it := range items {
		if !validUserID(it.id) {
			fail = append(fail, it.id)
			continue
		}
		p := a.accounts[it.id]
		if it.hasNick {
			p.Nick = it.nick
		}
		if it.hasFace {
			p.FaceURL = it.face
		}
		a.accounts[it.id] = p
	}
	e.mu.Unlock()
	e.changed()
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

// accountDelete implements account_delete. Deleting an account also removes
// it from every group of the app (a deleted owner leaves the group ownerless).
func (e *Emulator) accountDelete(appID uint64, o obj) (*result, *apiError) {
	ids, aerr := userItems(o, "DeleteItem")
	if aerr != nil {
		return nil, aerr
	}
	e.mu.Lock()
	a := e.apps[appID]
	out := make([]deleteItem, len(ids))
	changed := false
	for i, id := range ids {
		if _, ok := a.accounts[id]; !ok {
			out[i] = deleteItem{UserID: id, ResultCode: 70107, ResultInfo: "Err_TLS_PT_Open_Login_Account_Not_Exist"}
			continue
		}
		delete(a.accounts, id)
		for _, g := range a.groups {
			g.removeMember(id)
		}
		out[i] = deleteItem{UserID: id}
		changed = true
	}
	e.mu.Unlock()
	if changed {
		e.changed()
	}
	return &result{fields: struct{ ResultItem []deleteItem }{out}, members: len(ids)}, nil
}
