package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Control endpoints (not part of the Tencent API). They do no
// authentication: the emulator is meant to listen on loopback only, which
// the command enforces and Start does by construction.
//
//	GET    /emulator/healthz
//	GET    /emulator/state[?sdkappid=N]   accounts, groups, members (no secret keys)
//	GET    /emulator/stats                Stats()
//	GET    /emulator/log                  Log()
//	POST   /emulator/faults               one Fault as JSON; Delay is a Go duration string ("150ms") or a number of milliseconds
//	DELETE /emulator/faults               ClearFaults()
//	GET    /emulator/settings             effective Settings (Latency as a duration string)
//	POST   /emulator/settings             partial Settings, e.g. {"ImportCap":100,"Latency":"20ms","Plan":"trial"}
//	POST   /emulator/seed                 {"sdkappid":..,"secret_key":..,"admins":[..],"accounts":[..],"groups":[{"id","type","name","owner","create_time","max_member_num","members":[{"account","role","join_time","name_card","app_member_defined_data"}]}]}
//	POST   /emulator/reset-stats          ResetStats()
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimSuffix(r.URL.Path, "/")
	switch route {
	case "GET /emulator/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "GET /emulator/state":
		var only *uint64
		if s := r.URL.Query().Get("sdkappid"); s != "" {
			id, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				controlError(w, http.StatusBadRequest, "sdkappid must be a number")
				return
			}
			only = &id
		}
		var sf stateFile
		e.readLocked(func() { sf = e.snapshot(only, false) })
		writeJSON(w, http.StatusOK, sf)
	case "GET /emulator/stats":
		writeJSON(w, http.StatusOK, e.Stats())
	case "GET /emulator/log":
		writeJSON(w, http.StatusOK, e.Log())
	case "POST /emulator/reset-stats":
		e.ResetStats()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case "POST /emulator/faults":
		f, err := decodeFault(r.Body)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		e.InjectFault(f)
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case "DELETE /emulator/faults":
		e.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case "GET /emulator/settings":
		writeJSON(w, http.StatusOK, settingsView(e.Settings()))
	case "POST /emulator/settings":
		if err := e.patchSettings(r.Body); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, settingsView(e.Settings()))
	case "POST /emulator/seed":
		out, status, err := e.seed(r.Body)
		if err != nil {
			controlError(w, status, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, out)
	default:
		controlError(w, http.StatusNotFound, "no such control endpoint: "+route)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(raw, '\n'))
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// parseDuration accepts a Go duration string or a number of milliseconds.
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return time.ParseDuration(s)
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, errors.New("duration must be a string like \"20ms\" or a number of milliseconds")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func decodeFault(body io.Reader) (Fault, error) {
	var f struct {
		Fault
		Delay json.RawMessage
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Fault{}, fmt.Errorf("invalid fault: %v", err)
	}
	if len(f.Delay) > 0 && string(f.Delay) != "null" {
		d, err := parseDuration(f.Delay)
		if err != nil {
			return Fault{}, fmt.Errorf("invalid fault Delay: %v", err)
		}
		f.Fault.Delay = d
	}
	return f.Fault, nil
}

// settingsJSON is Settings on the wire: Latency as a duration string.
type settingsJSON struct {
	ImportCap               int
	DeleteCap               int
	PageSize                int
	MissingAccount          string
	NextType                string
	Latency                 string
	RateLimit               int
	CommandRateScale        float64
	GroupMemberLimit        int
	CommunityLimitMax       int
	OversizedDeleteCode     int
	Plan                    string
	AcceptClientTypeNames   bool
	AccountDeleteEnabled    bool
	GroupListFinalEmptyPage bool
	GroupListNonAdmin10007  bool
	// The custom member fields configured ([] when none), and the readings
	// of how they behave.
	MemberDefinedKeys          []string
	MemberDataUnknownKey       string
	MemberDataUnset            string
	MemberDataOnlyNamed        bool
	MemberDataFilterUnknownKey string
}

func settingsView(s Settings) settingsJSON {
	return settingsJSON{
		ImportCap: s.ImportCap, DeleteCap: s.DeleteCap, PageSize: s.PageSize,
		MissingAccount: s.MissingAccount, NextType: s.NextType, Latency: s.Latency.String(),
		RateLimit: s.RateLimit, CommandRateScale: s.CommandRateScale, GroupMemberLimit: s.GroupMemberLimit,
		CommunityLimitMax: s.CommunityLimitMax, OversizedDeleteCode: s.OversizedDeleteCode, Plan: s.Plan, AcceptClientTypeNames: s.AcceptClientTypeNames, AccountDeleteEnabled: s.AccountDeleteEnabled,
		GroupListFinalEmptyPage: s.GroupListFinalEmptyPage, GroupListNonAdmin10007: s.GroupListNonAdmin10007,
		MemberDefinedKeys: append([]string{}, s.MemberDefinedKeys...), MemberDataUnknownKey: s.MemberDataUnknownKey,
		MemberDataUnset: s.MemberDataUnset, MemberDataOnlyNamed: s.MemberDataOnlyNamed, MemberDataFilterUnknownKey: s.MemberDataFilterUnknownKey,
	}
}

// settingFields are the keys /emulator/settings takes (lower-cased: keys
// match field names case-insensitively) and where each value goes.
var settingFields = map[string]func(*Settings) any{
	"importcap":                  func(s *Settings) any { return &s.ImportCap },
	"deletecap":                  func(s *Settings) any { return &s.DeleteCap },
	"pagesize":                   func(s *Settings) any { return &s.PageSize },
	"missingaccount":             func(s *Settings) any { return &s.MissingAccount },
	"nexttype":                   func(s *Settings) any { return &s.NextType },
	"latency":                    func(s *Settings) any { return &s.Latency },
	"ratelimit":                  func(s *Settings) any { return &s.RateLimit },
	"commandratescale":           func(s *Settings) any { return &s.CommandRateScale },
	"groupmemberlimit":           func(s *Settings) any { return &s.GroupMemberLimit },
	"communitylimitmax":          func(s *Settings) any { return &s.CommunityLimitMax },
	"oversizeddeletecode":        func(s *Settings) any { return &s.OversizedDeleteCode },
	"plan":                       func(s *Settings) any { return &s.Plan },
	"acceptclienttypenames":      func(s *Settings) any { return &s.AcceptClientTypeNames },
	"accountdeleteenabled":       func(s *Settings) any { return &s.AccountDeleteEnabled },
	"grouplistfinalemptypage":    func(s *Settings) any { return &s.GroupListFinalEmptyPage },
	"grouplistnonadmin10007":     func(s *Settings) any { return &s.GroupListNonAdmin10007 },
	"memberdefinedkeys":          func(s *Settings) any { return &s.MemberDefinedKeys },
	"memberdataunknownkey":       func(s *Settings) any { return &s.MemberDataUnknownKey },
	"memberdataunset":            func(s *Settings) any { return &s.MemberDataUnset },
	"memberdataonlynamed":        func(s *Settings) any { return &s.MemberDataOnlyNamed },
	"memberdatafilterunknownkey": func(s *Settings) any { return &s.MemberDataFilterUnknownKey },
}

// patchSettings applies a partial Settings object; keys match field names
// case-insensitively, unknown keys and invalid values are rejected and then
// nothing changes.
func (e *Emulator) patchSettings(body io.Reader) error {
	var m map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return fmt.Errorf("invalid settings: %v", err)
	}
	apply := func(s *Settings) error {
		for k, raw := range m {
			field, ok := settingFields[strings.ToLower(k)]
			if !ok {
				return fmt.Errorf("setting %s: unknown setting", k)
			}
			var err error
			switch dst := field(s).(type) {
			case *time.Duration:
				*dst, err = parseDuration(raw)
			case *[]string:
				// A new slice: decoding into the old one would write into
				// the array the current settings share.
				var v []string
				err = json.Unmarshal(raw, &v)
				*dst = v
			default:
				err = json.Unmarshal(raw, dst)
			}
			if err != nil {
				return fmt.Errorf("setting %s: %v", k, err)
			}
		}
		return s.Validate()
	}
	// Check on a copy first, so a bad patch changes nothing.
	trial := e.Settings()
	if err := apply(&trial); err != nil {
		return err
	}
	e.UpdateSettings(func(s *Settings) { _ = apply(s) })
	return nil
}

type seedRequest struct {
	SDKAppID  uint64   `json:"sdkappid"`
	SecretKey string   `json:"secret_key"`
	Admins    []string `json:"admins"`
	Accounts  []string `json:"accounts"`
	Groups    []struct {
		ID           string `json:"id"`
		Type         string `json:"type"`
		Name         string `json:"name"`
		Owner        string `json:"owner"`
		CreateTime   int64  `json:"create_time"`
		MaxMemberNum int    `json:"max_member_num"`
		Members      []struct {
			Account    string            `json:"account"`
			Role       string            `json:"role"`
			JoinTime   int64             `json:"join_time"`
			NameCard   string            `json:"name_card"`
			CustomData map[string]string `json:"app_member_defined_data"`
		} `json:"members"`
	} `json:"groups"`
}

type seededGroup struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

func (e *Emulator) seed(body io.Reader) (any, int, error) {
	var req seedRequest
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("invalid seed: %v", err)
	}
	if req.SDKAppID == 0 {
		return nil, http.StatusBadRequest, errors.New("sdkappid is required")
	}
	if req.SecretKey != "" {
		e.AddApp(req.SDKAppID, req.SecretKey, req.Admins...)
	} else if err := e.mutateOutOfBand(func() error {
		a := e.apps[req.SDKAppID]
		if a == nil {
			return errors.New("secret_key is required for a new app")
		}
		for _, ad := range req.Admins {
			a.admins[ad] = true
		}
		return nil
	}); err != nil {
		return nil, http.StatusBadRequest, err
	}
	e.AddAccounts(req.SDKAppID, req.Accounts...)
	out := []seededGroup{}
	for _, g := range req.Groups {
		id, err := e.AddGroup(req.SDKAppID, Group{ID: g.ID, Type: g.Type, Name: g.Name, Owner: g.Owner, CreateTime: g.CreateTime, MaxMemberNum: g.MaxMemberNum})
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrGroupExists) {
				status = http.StatusConflict
			}
			return nil, status, err
		}
		for _, m := range g.Members {
			if err := e.PutMember(req.SDKAppID, id, Member{Account: m.Account, Role: m.Role, JoinTime: m.JoinTime, NameCard: m.NameCard, CustomData: m.CustomData}); err != nil {
				return nil, http.StatusBadRequest, err
			}
		}
		info, _ := e.GroupInfo(req.SDKAppID, id)
		out = append(out, seededGroup{ID: id, Type: info.Type, Name: g.Name})
	}
	return map[string]any{"sdkappid": req.SDKAppID, "groups": out}, http.StatusOK, nil
}
