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
//	POST   /emulator/settings             partial Settings, e.g. {"ImportCap":20,"Latency":"20ms"}
//	POST   /emulator/seed                 {"sdkappid":..,"secret_key":..,"admins":[..],"accounts":[..],"groups":[{"id","type","name","owner","create_time","max_member_num","members":[{"account","role","join_time"}]}]}
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
		e.mu.RLock()
		sf := e.snapshot(only, false)
		e.mu.RUnlock()
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

type settingsJSON struct {
	ImportCap        int
	DeleteCap        int
	PageSize         int
	MissingAccount   string
	NextType         string
	Latency          string
	RateLimit        int
	GroupMemberLimit int
}

func settingsView(s Settings) settingsJSON {
	return settingsJSON{s.ImportCap, s.DeleteCap, s.PageSize, s.MissingAccount, s.NextType, s.Latency.String(), s.RateLimit, s.GroupMemberLimit}
}

// patchSettings applies a partial Settings object; keys match field names
// case-insensitively, unknown keys and invalid values are rejected.
func (e *Emulator) patchSettings(body io.Reader) error {
	var m map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return fmt.Errorf("invalid settings: %v", err)
	}
	var fns []func(*Settings)
	for k, raw := range m {
		var err error
		intField := func(dst func(*Settings) *int) {
			var n int
			if err = json.Unmarshal(raw, &n); err == nil {
				fns = append(fns, func(s *Settings) { *dst(s) = n })
			}
		}
		switch strings.ToLower(k) {
		case "importcap":
			intField(func(s *Settings) *int { return &s.ImportCap })
		case "deletecap":
			intField(func(s *Settings) *int { return &s.DeleteCap })
		case "pagesize":
			intField(func(s *Settings) *int { return &s.PageSize })
		case "ratelimit":
			intField(func(s *Settings) *int { return &s.RateLimit })
		case "groupmemberlimit":
			intField(func(s *Settings) *int { return &s.GroupMemberLimit })
		case "missingaccount":
			var v string
			if err = json.Unmarshal(raw, &v); err == nil {
				if v != "" && v != MissingAccountRequest && v != MissingAccountMember {
					err = fmt.Errorf("must be %q or %q", MissingAccountRequest, MissingAccountMember)
				}
				fns = append(fns, func(s *Settings) { s.MissingAccount = v })
			}
		case "nexttype":
			var v string
			if err = json.Unmarshal(raw, &v); err == nil {
				if v != "" && v != NextTypeString && v != NextTypeInteger {
					err = fmt.Errorf("must be %q or %q", NextTypeString, NextTypeInteger)
				}
				fns = append(fns, func(s *Settings) { s.NextType = v })
			}
		case "latency":
			var d time.Duration
			if d, err = parseDuration(raw); err == nil {
				fns = append(fns, func(s *Settings) { s.Latency = d })
			}
		default:
			err = errors.New("unknown setting")
		}
		if err != nil {
			return fmt.Errorf("setting %s: %v", k, err)
		}
	}
	e.UpdateSettings(func(s *Settings) {
		for _, f := range fns {
			f(s)
		}
	})
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
			Account  string `json:"account"`
			Role     string `json:"role"`
			JoinTime int64  `json:"join_time"`
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
	e.mu.RLock()
	exists := e.apps[req.SDKAppID] != nil
	e.mu.RUnlock()
	switch {
	case req.SecretKey != "":
		e.AddApp(req.SDKAppID, req.SecretKey, req.Admins...)
	case !exists:
		return nil, http.StatusBadRequest, errors.New("secret_key is required for a new app")
	default:
		e.mu.Lock()
		for _, ad := range req.Admins {
			e.apps[req.SDKAppID].admins[ad] = true
		}
		e.mu.Unlock()
		e.changed()
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
			if err := e.PutMember(req.SDKAppID, id, Member{Account: m.Account, Role: m.Role, JoinTime: m.JoinTime}); err != nil {
				return nil, http.StatusBadRequest, err
			}
		}
		out = append(out, seededGroup{ID: id, Type: g.Type, Name: g.Name})
	}
	return map[string]any{"sdkappid": req.SDKAppID, "groups": out}, http.StatusOK, nil
}
