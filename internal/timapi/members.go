package timapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

const (
	groupService   = "group_open_http_svc"
	accountService = "im_open_login_svc"

	defaultPageSize = 200
	// maxMemberNum rejects an implausible MemberNum (Community groups hold at
	// most 100 000) before it can plan a flood of page requests.
	maxMemberNum = 1_000_000
)

var defaultMemberFields = []string{"Role", "JoinTime"}

// ImportMember is one member for import_group_member.
type ImportMember struct {
	Account      string
	Role         string // "Admin" or "" (ordinary member)
	JoinTime     int64  // Unix seconds; 0 = omit
	UnreadMsgNum int64  // 0 = omit
}

// ImportResult is the server's verdict on one imported member.
type ImportResult struct {
	Account string
	Result  int // 0 failed, 1 imported, 2 already a member
}

type importMemberJSON struct {
	MemberAccount string `json:"Member_Account"`
	Role          string `json:"Role,omitempty"`
	JoinTime      int64  `json:"JoinTime,omitempty"`
	UnreadMsgNum  int64  `json:"UnreadMsgNum,omitempty"`
}

// ImportGroupMembers imports members without notifications. It sends one
// request; batching to the server's cap is the caller's job. The results are
// in the order of members; a member the response does not mention failed.
func (c *Client) ImportGroupMembers(ctx context.Context, groupID string, ms []ImportMember) ([]ImportResult, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	req := struct {
		GroupID    string             `json:"GroupId"`
		MemberList []importMemberJSON `json:"MemberList"`
	}{GroupID: groupID, MemberList: make([]importMemberJSON, len(ms))}
	for i, m := range ms {
		j := importMemberJSON{MemberAccount: m.Account, JoinTime: m.JoinTime, UnreadMsgNum: m.UnreadMsgNum}
		if m.Role == "Admin" {
			j.Role = m.Role
		}
		req.MemberList[i] = j
	}
	var resp struct {
		MemberList []struct {
			MemberAccount string `json:"Member_Account"`
			Result        int
		}
	}
	if err := c.Call(ctx, groupService, "import_group_member", req, &resp); err != nil {
		return nil, err
	}
	byAccount := make(map[string]int, len(resp.MemberList))
	for _, r := range resp.MemberList {
		byAccount[r.MemberAccount] = r.Result
	}
	out := make([]ImportResult, len(ms))
	for i, m := range ms {
		out[i] = ImportResult{Account: m.Account, Result: byAccount[m.Account]}
	}
	return out, nil
}

// Member is one group member as the server reports it. NameCard and
// CustomData are only read when ListOptions asks for them.
type Member struct {
	Account  string
	Role     string // Owner, Admin or Member
	JoinTime int64
	NameCard string
	// CustomData holds the custom member fields (AppMemberDefinedData) read
	// that have a value; nil when none. A field answered with Value "" is
	// left out: it is the same as a field never set.
	CustomData map[string]string
}

// GroupMembers is a complete member list.
type GroupMembers struct {
	MemberNum int      // as reported by the first page
	Members   []Member // each account once, owner included
	Pages     int      // requests made
}

// ListOptions controls GetGroupMembers.
type ListOptions struct {
	Community bool     // page with the Next cursor instead of Offset/Limit
	PageSize  int      // Limit per request; default 200
	Fields    []string // MemberInfoFilter; default Role and JoinTime
	// NameCard adds "NameCard" to Fields, so that members carry it.
	NameCard bool
	// CustomDataKeys are the custom member fields to read, sent as
	// AppDefinedDataFilter_GroupMember; none by default, and then the
	// request does not carry the filter at all.
	CustomDataKeys []string
	// AllCustomData reads in the documented basic form instead: no
	// MemberInfoFilter and no AppDefinedDataFilter_GroupMember, which lists
	// every member field and every custom member field the app configured
	// (QD 获取群组成员详细资料 @07c9b6f1), for a reader that does not know the
	// keys (an import). Fields, NameCard and CustomDataKeys are then ignored.
	// The answers are larger; the calls are the same.
	AllCustomData bool
}

type memberJSON struct {
	Account              string `json:"Member_Account"`
	Role                 string
	JoinTime             int64
	NameCard             string
	AppMemberDefinedData []definedDataJSON
}

type memberPage struct {
	MemberNum  int
	MemberList *[]memberJSON // nil when absent, to tell it from an empty list
	Next       json.RawMessage
}

// members returns the page's members, checking what a well-formed page has.
func (p *memberPage) members(command string) ([]Member, error) {
	if p.MemberNum < 0 || p.MemberNum > maxMemberNum {
		return nil, fmt.Errorf("%s: implausible MemberNum %d", command, p.MemberNum)
	}
	if p.MemberList == nil {
		if p.MemberNum == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: response has no MemberList although MemberNum is %d", command, p.MemberNum)
	}
	out := make([]Member, len(*p.MemberList))
	for i, m := range *p.MemberList {
		if m.Account == "" {
			return nil, fmt.Errorf("%s: response has a member without Member_Account", command)
		}
		// One documented sample has "Member " with a trailing space.
		out[i] = Member{Account: m.Account, Role: strings.TrimSpace(m.Role), JoinTime: m.JoinTime, NameCard: m.NameCard, CustomData: customData(m.AppMemberDefinedData)}
	}
	return out, nil
}

// GetGroupMembers reads the whole member list. Offset groups are read with
// the first page sequentially and the rest in parallel (at most MaxParallel
// requests in flight), Community groups by following the Next cursor.
func (c *Client) GetGroupMembers(ctx context.Context, groupID string, opt ListOptions) (*GroupMembers, error) {
	if opt.PageSize <= 0 {
		opt.PageSize = defaultPageSize
	}
	if opt.AllCustomData {
		opt.Fields, opt.NameCard, opt.CustomDataKeys = nil, false, nil
	} else if opt.Fields == nil {
		opt.Fields = defaultMemberFields
	}
	if opt.NameCard && !slices.Contains(opt.Fields, "NameCard") {
		opt.Fields = append(slices.Clip(opt.Fields), "NameCard")
	}
	if opt.Community {
		return c.membersByCursor(ctx, groupID, opt)
	}
	return c.membersByOffset(ctx, groupID, opt)
}

// memberSet collects members in order, each account once (a member can shift
// between pages when membership changes during a read).
type memberSet struct {
	seen map[string]bool
	list []Member
}

func (s *memberSet) add(ms []Member) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for _, m := range ms {
		if !s.seen[m.Account] {
			s.seen[m.Account] = true
			s.list = append(s.list, m)
		}
	}
}

const getMembersCommand = "get_group_member_info"

type offsetPage struct {
	offset  int
	members []Member
	total   int
}

func (c *Client) offsetPage(ctx context.Context, groupID string, opt ListOptions, offset int) (offsetPage, error) {
	req := struct {
		GroupID          string `json:"GroupId"`
		Limit            int
		Offset           int
		MemberInfoFilter []string `json:",omitempty"` // none only with AllCustomData
		DataFilter       []string `json:"AppDefinedDataFilter_GroupMember,omitempty"`
	}{groupID, opt.PageSize, offset, opt.Fields, opt.CustomDataKeys}
	var resp memberPage
	if err := c.Call(ctx, groupService, getMembersCommand, req, &resp); err != nil {
		return offsetPage{}, err
	}
	ms, err := resp.members(getMembersCommand)
	return offsetPage{offset: offset, members: ms, total: resp.MemberNum}, err
}

// membersByOffset advances the offset by the members each page actually
// returned, since the server may return fewer than Limit. The first page
// gives MemberNum and the server's page length L; offsets L, 2L, ... are then
// fetched in parallel, and any gap a short page left is read sequentially.
func (c *Client) membersByOffset(ctx context.Context, groupID string, opt ListOptions) (*GroupMembers, error) {
	first, err := c.offsetPage(ctx, groupID, opt, 0)
	if err != nil {
		return nil, err
	}
	out := &GroupMembers{MemberNum: first.total, Pages: 1}
	var set memberSet
	set.add(first.members)
	pageLen, total := len(first.members), first.total
	if pageLen == 0 || pageLen == total {
		out.Members = set.list
		return out, nil
	}

	var pages []offsetPage
	if pageLen < total {
		pages, err = c.parallelPages(ctx, groupID, opt, pageLen, total)
		out.Pages += len(pages)
		if err != nil {
			return nil, err
		}
	} else {
		// MemberNum is below what one page returned, so it cannot be
		// trusted: read on until an empty page.
		total = maxMemberNum
	}

	covered, ended := pageLen, false
	// extend moves covered over the fetched pages that continue it.
	next := 0
	extend := func() {
		for ; next < len(pages) && pages[next].offset <= covered; next++ {
			p := pages[next]
			if len(p.members) == 0 {
				ended = ended || p.offset == covered
				continue
			}
			covered = max(covered, p.offset+len(p.members))
		}
	}
	extend()
	var gapPages []offsetPage
	for !ended && covered < total {
		p, err := c.offsetPage(ctx, groupID, opt, covered)
		out.Pages++
		if err != nil {
			return nil, err
		}
		if len(p.members) == 0 {
			break
		}
		gapPages = append(gapPages, p)
		covered += len(p.members)
		extend()
	}
	pages = append(pages, gapPages...)
	slices.SortStableFunc(pages, func(a, b offsetPage) int { return cmp.Compare(a.offset, b.offset) })
	for _, p := range pages {
		set.add(p.members)
	}
	out.Members = set.list
	return out, nil
}

// parallelPages fetches offsets step, 2·step, ... below total with at most
// MaxParallel requests in flight, and returns the pages fetched in offset
// order. Once a page comes back empty no larger offset is started, which
// bounds the waste when MemberNum overstates the group.
func (c *Client) parallelPages(ctx context.Context, groupID string, opt ListOptions, step, total int) ([]offsetPage, error) {
	n := (total - 1) / step // offsets step .. n·step
	results := make([]offsetPage, n)
	fetched := make([]bool, n)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		nextIdx  int
		stopAt   = n // no index at or above this is started
		firstErr error
		wg       sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || nextIdx >= stopAt {
			return 0, false
		}
		nextIdx++
		return nextIdx - 1, true
	}
	for range min(c.maxParallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				p, err := c.offsetPage(ctx, groupID, opt, (i+1)*step)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				default:
					results[i], fetched[i] = p, true
					if len(p.members) == 0 {
						stopAt = min(stopAt, i+1)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	out := make([]offsetPage, 0, n)
	for i, ok := range fetched {
		if ok {
			out = append(out, results[i])
		}
	}
	return out, firstErr
}

type communityRequest struct {
	GroupID          string `json:"GroupId"`
	Limit            int
	Next             json.RawMessage
	MemberInfoFilter []string `json:",omitempty"` // none only with AllCustomData
	DataFilter       []string `json:"AppDefinedDataFilter_GroupMember,omitempty"`
}

// membersByCursor follows Next, echoing it back with the JSON type the server
// used (string in newer documentation, integer in older), until it comes back
// empty or a page is empty.
func (c *Client) membersByCursor(ctx context.Context, groupID string, opt ListOptions) (*GroupMembers, error) {
	req := c.communityReading().first(communityRequest{GroupID: groupID, Limit: opt.PageSize, MemberInfoFilter: opt.Fields, DataFilter: opt.CustomDataKeys})
	out := &GroupMembers{}
	var set memberSet
	sent := map[string]bool{}
	for {
		var resp memberPage
		err := c.Call(ctx, groupService, getMembersCommand, req, &resp)
		out.Pages++
		if Code(err) == 10004 && out.Pages == 1 {
			// The two points the docs leave open for a first Community page:
			// the cursor's JSON type, and whether Limit may exceed 100.
			var pages int
			req, resp, pages, err = c.firstCommunityPage(ctx, req, err)
			out.Pages += pages
		}
		if err != nil {
			return nil, err
		}
		ms, err := resp.members(getMembersCommand)
		if err != nil {
			return nil, err
		}
		if out.Pages == 1 {
			out.MemberNum = resp.MemberNum
		}
		set.add(ms)
		next, done, err := cursor(resp.Next)
		if err != nil {
			return nil, err
		}
		c.noteCursorType(next)
		if done || len(ms) == 0 {
			break
		}
		if out.Pages >= maxMemberNum {
			return nil, fmt.Errorf("%s: paging did not end after %d pages", getMembersCommand, out.Pages)
		}
		// A cursor seen before would loop forever.
		if sent[string(next)] {
			return nil, fmt.Errorf("%s: Next cursor %s repeated after %d pages", getMembersCommand, next, out.Pages)
		}
		sent[string(next)] = true
		req.Next = next
	}
	out.Members = set.list
	return out, nil
}

// communityLimitMax is the client SDKs' maximum page for Community groups;
// the REST docs give none, so a server may refuse a larger Limit.
const communityLimitMax = 100

// communityReading is how this server takes a Community cursor request: the
// cursor's JSON type (string in the newer docs, integer in the older), and
// whether Limit must stay within communityLimitMax.
type communityReading struct{ integer, small bool }

func (c *Client) communityReading() communityReading {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.community
}

func (c *Client) setCommunityReading(r communityReading) {
	c.mu.Lock()
	c.community = r
	c.mu.Unlock()
}

// first is the first request of a read under this reading.
func (r communityReading) first(req communityRequest) communityRequest {
	req.Next = json.RawMessage(`""`)
	if r.integer {
		req.Next = json.RawMessage(`0`)
	}
	if r.small {
		req.Limit = min(req.Limit, communityLimitMax)
	}
	return req
}

// firstCommunityPage sends a first page refused with refusal (10004) again
// under each other reading, and keeps the one that works for later reads.
// It returns the request that worked, its page and the number of requests
// made; when no other reading changes the request, refusal stands.
func (c *Client) firstCommunityPage(ctx context.Context, req communityRequest, refusal error) (communityRequest, memberPage, int, error) {
	cur := c.communityReading()
	sent := []communityRequest{req}
	lastErr := refusal
	made := 0
	for _, alt := range []communityReading{{!cur.integer, cur.small}, {cur.integer, true}, {!cur.integer, true}} {
		try := alt.first(req)
		if slices.ContainsFunc(sent, func(r communityRequest) bool { return r.Limit == try.Limit && bytes.Equal(r.Next, try.Next) }) {
			continue
		}
		sent = append(sent, try)
		var resp memberPage
		err := c.Call(ctx, groupService, getMembersCommand, try, &resp)
		made++
		if err == nil {
			c.setCommunityReading(alt)
			return try, resp, made, nil
		}
		if lastErr = err; Code(err) != 10004 {
			break
		}
	}
	return req, memberPage{}, made, lastErr
}

// noteCursorType records the JSON type of a cursor the server sent.
func (c *Client) noteCursorType(next json.RawMessage) {
	if len(next) == 0 {
		return
	}
	c.mu.Lock()
	c.community.integer = next[0] != '"'
	c.mu.Unlock()
}

// cursor validates a returned Next value. Empty means "", 0, null or absent.
func cursor(raw json.RawMessage) (next json.RawMessage, done bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, fmt.Errorf("%s: malformed Next cursor: %v", getMembersCommand, err)
	}
	switch v := v.(type) {
	case string:
		return raw, v == "", nil
	case json.Number:
		f, err := v.Float64()
		return raw, err == nil && f == 0, nil
	}
	return nil, false, fmt.Errorf("%s: Next cursor must be a string or a number, got %s", getMembersCommand, raw)
}

// DeleteGroupMembers removes accounts silently (only they are notified) in
// one request; batching to the server's cap (documented as 100) is the
// caller's job. Removing a non-member succeeds.
func (c *Client) DeleteGroupMembers(ctx context.Context, groupID string, accounts []string) error {
	if len(accounts) == 0 {
		return nil
	}
	req := struct {
		GroupID string   `json:"GroupId"`
		Silence int      `json:"Silence"`
		Members []string `json:"MemberToDel_Account"`
	}{groupID, 1, accounts}
	return c.Call(ctx, groupService, "delete_group_member", req, nil)
}

// ModifyGroupMemberRole sets a member's role to "Admin" or "Member".
func (c *Client) ModifyGroupMemberRole(ctx context.Context, groupID, account, role string) error {
	req := struct {
		GroupID string `json:"GroupId"`
		Account string `json:"Member_Account"`
		Role    string
	}{groupID, account, role}
	return c.Call(ctx, groupService, modifyMemberCommand, req, nil)
}
