package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// stateFile is both the persistence format and (without secret keys) the
// /emulator/state view.
type stateFile struct {
	Version int        `json:"version"`
	Apps    []appState `json:"apps"`
}

type appState struct {
	SDKAppID  uint64             `json:"sdkappid"`
	SecretKey string             `json:"secret_key,omitempty"`
	Admins    []string           `json:"admins"`
	Accounts  []string           `json:"accounts"`
	Profiles  map[string]profile `json:"profiles,omitempty"`
	Deleted   []string           `json:"deleted_accounts,omitempty"` // deleted on a paid plan: no re-import
	Groups    []groupState       `json:"groups"`
}

// groupState is a group on disk. Type is written with the documented name;
// older files may carry client-SDK names (Work, Meeting) and the ShutUp*
// keys of before the Mute* rename, which still load.
type groupState struct {
	ID              string        `json:"id"`
	Type            string        `json:"type"`
	Name            string        `json:"name"`
	Owner           string        `json:"owner"`
	CreateTime      int64         `json:"create_time"`
	MaxMemberNum    int           `json:"max_member_num"`
	Introduction    string        `json:"introduction,omitempty"`
	Notification    string        `json:"notification,omitempty"`
	FaceURL         string        `json:"face_url,omitempty"`
	ApplyJoinOption string        `json:"apply_join_option,omitempty"`
	MuteAllMember   bool          `json:"mute_all_member,omitempty"`
	OldShutUpAll    bool          `json:"shut_up_all_member,omitempty"` // read only
	MemberNum       int           `json:"member_num"`
	Members         []memberState `json:"members"` // read order: owner first, then join order
}

type memberState struct {
	Account        string `json:"account"`
	Role           string `json:"role"`
	JoinTime       int64  `json:"join_time"`
	UnreadMsgNum   int64  `json:"unread_msg_num,omitempty"`
	MsgFlag        string `json:"msg_flag,omitempty"`
	NameCard       string `json:"name_card,omitempty"`
	MuteUntil      int64  `json:"mute_until,omitempty"`
	OldShutUpUntil int64  `json:"shut_up_until,omitempty"` // read only
	// CustomData is the member's custom fields (AppMemberDefinedData).
	CustomData map[string]string `json:"app_member_defined_data,omitempty"`
}

// snapshot copies the state of one app (only != nil) or all apps. Callers
// hold at least the read lock.
func (e *Emulator) snapshot(only *uint64, withKeys bool) stateFile {
	ids := make([]uint64, 0, len(e.apps))
	for id := range e.apps {
		if only == nil || *only == id {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	sf := stateFile{Version: 1, Apps: []appState{}}
	for _, id := range ids {
		a := e.apps[id]
		as := appState{SDKAppID: id, Admins: []string{}, Accounts: []string{}, Groups: []groupState{}}
		if withKeys {
			as.SecretKey = a.key
		}
		for ad := range a.admins {
			as.Admins = append(as.Admins, ad)
		}
		sort.Strings(as.Admins)
		for u, p := range a.accounts {
			as.Accounts = append(as.Accounts, u)
			if p != (profile{}) {
				if as.Profiles == nil {
					as.Profiles = map[string]profile{}
				}
				as.Profiles[u] = p
			}
		}
		sort.Strings(as.Accounts)
		for u := range a.deleted {
			as.Deleted = append(as.Deleted, u)
		}
		sort.Strings(as.Deleted)
		gids := make([]string, 0, len(a.groups))
		for gid := range a.groups {
			gids = append(gids, gid)
		}
		sort.Strings(gids)
		for _, gid := range gids {
			g := a.groups[gid]
			gs := groupState{
				ID: g.id, Type: g.kind.String(), Name: g.name, Owner: g.owner, CreateTime: g.createTime,
				MaxMemberNum: g.maxMembers, Introduction: g.introduction, Notification: g.notification,
				FaceURL: g.faceURL, ApplyJoinOption: g.applyJoin, MuteAllMember: g.muteAll, MemberNum: len(g.members),
			}
			view := g.ordered()
			gs.Members = make([]memberState, len(view))
			for i, m := range view {
				gs.Members[i] = memberState{
					Account: m.account, Role: m.role, JoinTime: m.joinTime, UnreadMsgNum: m.unread,
					MsgFlag: m.msgFlag, NameCard: m.nameCard, MuteUntil: m.muteUntil, CustomData: maps.Clone(m.data),
				}
			}
			as.Groups = append(as.Groups, gs)
		}
		sf.Apps = append(sf.Apps, as)
	}
	return sf
}

// restore builds the state that sf describes.
func restore(sf stateFile) (map[uint64]*app, error) {
	apps := map[uint64]*app{}
	for _, as := range sf.Apps {
		a := newApp(as.SDKAppID)
		a.key = as.SecretKey
		for _, ad := range as.Admins {
			a.admins[ad] = true
		}
		for _, u := range as.Accounts {
			a.accounts[u] = as.Profiles[u]
		}
		for _, u := range as.Deleted {
			a.deleted[u] = true
		}
		for _, gs := range as.Groups {
			k, ok := kindOf(gs.Type)
			if !ok {
				return nil, fmt.Errorf("group %s: invalid type %q", gs.ID, gs.Type)
			}
			g := newGroup(Group{ID: gs.ID, Name: gs.Name, CreateTime: gs.CreateTime, MaxMemberNum: gs.MaxMemberNum}, k)
			g.introduction, g.notification, g.faceURL = gs.Introduction, gs.Notification, gs.FaceURL
			g.muteAll = gs.MuteAllMember || gs.OldShutUpAll
			if gs.ApplyJoinOption != "" {
				g.applyJoin = gs.ApplyJoinOption
			}
			for _, ms := range gs.Members {
				role := ms.Role
				if role == "" {
					role = RoleMember
				}
				m := &member{
					account: ms.Account, role: role, joinTime: ms.JoinTime, unread: ms.UnreadMsgNum,
					msgFlag: ms.MsgFlag, nameCard: ms.NameCard, muteUntil: max(ms.MuteUntil, ms.OldShutUpUntil),
				}
				for k, v := range ms.CustomData {
					m.setData(k, v)
				}
				g.addMember(m)
			}
			a.groups[gs.ID] = g
		}
		apps[as.SDKAppID] = a
	}
	return apps, nil
}

// persister writes the state after mutations. Saves are synchronous, so a
// mutation is normally on disk before its response is sent, and coalesced: a
// save that finds a newer save already covered its change does nothing. Once
// the encoded state exceeds bigState (e.g. a 100k-member group), rewriting
// it on every call would dominate, so saves are debounced by saveDelay
// instead; Flush/Close (and the command's shutdown) still write
// synchronously. Size, not save time, decides, so behaviour does not depend
// on disk speed.
type persister struct {
	mu       sync.Mutex
	gen      atomic.Uint64 // bumped by every mutation
	saved    uint64        // generation on disk; guarded by mu
	err      error         // last load/save error; guarded by mu
	lastSize int           // bytes written by the last save; guarded by mu
	timer    *time.Timer   // pending debounced save; guarded by mu
}

const (
	bigState  = 1 << 20
	saveDelay = 250 * time.Millisecond
)

// load reads the state saved at PersistPath (nil, nil: there is none yet).
func (e *Emulator) load() (map[uint64]*app, error) {
	raw, err := os.ReadFile(e.persistPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: loading state: %w", err)
	}
	var sf stateFile
	err = json.Unmarshal(raw, &sf)
	var apps map[uint64]*app
	if err == nil {
		apps, err = restore(sf)
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: loading state from %s: %w", e.persistPath, err)
	}
	return apps, nil
}

// changed is called after every mutation (outside e.mu).
func (e *Emulator) changed() {
	if e.persistPath == "" {
		return
	}
	p := &e.persist
	p.gen.Add(1)
	var later bool
	p.locked(func() {
		if later = p.lastSize > bigState; later && p.timer == nil {
			p.timer = time.AfterFunc(saveDelay, func() {
				p.locked(func() { p.timer = nil })
				_ = e.save()
			})
		}
	})
	if !later {
		_ = e.save()
	}
}

func (p *persister) locked(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

func (e *Emulator) save() error {
	p := &e.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	gen := p.gen.Load()
	if gen == p.saved {
		return p.err
	}
	var sf stateFile
	e.readLocked(func() { sf = e.snapshot(nil, true) })
	raw, err := json.MarshalIndent(sf, "", " ")
	p.lastSize = len(raw)
	if err == nil {
		err = WriteFileAtomic(e.persistPath, raw)
	}
	if err != nil {
		p.err = fmt.Errorf("emulator: saving state: %w", err)
		return p.err
	}
	p.saved, p.err = gen, nil
	return nil
}

// WriteFileAtomic replaces path with data (temporary file, fsync, rename),
// so a reader sees the old content or the new, never part of it.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// Flush writes any unsaved state to PersistPath (no-op without one).
func (e *Emulator) Flush() error {
	if e.persistPath == "" {
		return nil
	}
	p := &e.persist
	p.locked(func() {
		if p.timer != nil && p.timer.Stop() {
			p.timer = nil
		}
	})
	return e.save()
}

// Close flushes persistence; the emulator stays usable.
func (e *Emulator) Close() error { return e.Flush() }

// PersistError reports the last failure to load or save PersistPath.
func (e *Emulator) PersistError() error {
	e.persist.mu.Lock()
	defer e.persist.mu.Unlock()
	return e.persist.err
}
