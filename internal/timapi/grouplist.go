package timapi

import (
	"context"
	"fmt"
)

const (
	getAppGroupListCommand = "get_appid_group_list"
	// appGroupListLimit is the documented maximum (and default) Limit, so
	// that a listing takes the fewest calls of a command allowed 1 call/s.
	appGroupListLimit = 10000
)

type appGroupListRequest struct {
	Limit     int
	Next      int64
	GroupType string `json:",omitempty"`
}

type appGroupListResponse struct {
	TotalCount  int
	GroupIDList []struct {
		GroupID string `json:"GroupId"`
	} `json:"GroupIdList"`
	Next int64
}

// ListAppGroups returns the IDs of the app's groups of groupType (a REST or
// client-SDK type name, sent as its REST name; "" lists every type), in the
// server's order. It pages through get_appid_group_list at the documented
// maximum of 10000 IDs per call, from Next 0 until the answer's Next is 0,
// so it makes ceil(G/10000) calls (one for an empty app), or one more
// against a server that ends a listing with an empty page. The command is
// limited to 1 call/s; the client's limiter for it paces the pages.
func (c *Client) ListAppGroups(ctx context.Context, groupType string) ([]string, error) {
	req := appGroupListRequest{Limit: appGroupListLimit, GroupType: RESTGroupType(groupType)}
	var ids []string
	seen := map[string]bool{}
	cursors := map[int64]bool{0: true}
	for page := 1; ; page++ {
		var resp appGroupListResponse
		if err := c.Call(ctx, groupService, getAppGroupListCommand, req, &resp); err != nil {
			return nil, err
		}
		for i, g := range resp.GroupIDList {
			if g.GroupID == "" {
				return nil, fmt.Errorf("%s: page %d lists a group without a GroupId (element %d)", getAppGroupListCommand, page, i)
			}
			// A group listed twice (groups created while paging, on a server
			// whose cursor is an offset) is one group.
			if !seen[g.GroupID] {
				seen[g.GroupID] = true
				ids = append(ids, g.GroupID)
			}
		}
		if resp.Next == 0 {
			return ids, nil
		}
		// A cursor seen before would loop forever.
		if cursors[resp.Next] {
			return nil, fmt.Errorf("%s: Next cursor %d repeated after %d pages (%d group IDs so far)", getAppGroupListCommand, resp.Next, page, len(ids))
		}
		cursors[resp.Next] = true
		req.Next = resp.Next
	}
}
