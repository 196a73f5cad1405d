package timapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// GroupInfo is one element of get_group_info. ErrorCode/ErrorInfo are that
// group's own result (e.g. 10010 when it does not exist).
type GroupInfo struct {
	GroupID      string `json:"GroupId"`
	Type         string
	Name         string
	OwnerAccount string `json:"Owner_Account"`
	CreateTime   int64
	MemberNum    int
	MaxMemberNum int
	ErrorCode    int
	ErrorInfo    string

	Introduction    string
	Notification    string
	FaceURL         string `json:"FaceUrl"`
	ApplyJoinOption string
}

const getGroupInfoCommand = "get_group_info"

// groupBaseInfoFilter names exactly the fields GroupInfo decodes. Without a
// filter get_group_info returns every member with every field too, which is
// answered with 10018 once it passes 1 MB (about 7,000 members).
var groupBaseInfoFilter = []string{
	"Type", "Name", "Introduction", "Notification", "FaceUrl", "Owner_Account",
	"CreateTime", "MemberNum", "MaxMemberNum", "ApplyJoinOption",
}

type groupInfoRequest struct {
	GroupIdList    []string
	ResponseFilter struct{ GroupBaseInfoFilter []string }
}

// GetGroupInfo returns the base information of groups, in requests of at
// most 50, never their members. The top-level error code only counts when
// no element came back.
func (c *Client) GetGroupInfo(ctx context.Context, groupIDs []string) ([]GroupInfo, error) {
	var out []GroupInfo
	for batch := range slices.Chunk(groupIDs, maxGroupInfoPerCall) {
		req := groupInfoRequest{GroupIdList: batch}
		req.ResponseFilter.GroupBaseInfoFilter = groupBaseInfoFilter
		var resp struct{ GroupInfo []GroupInfo }
		err := c.Call(ctx, groupService, getGroupInfoCommand, req, &resp)
		var apiErr *APIError
		elementsCame := errors.As(err, &apiErr) && apiErr.HTTPStatus == 0 && len(resp.GroupInfo) > 0
		if err != nil && !elementsCame {
			return nil, err
		}
		for _, g := range resp.GroupInfo {
			g.ErrorInfo = c.redact.scrub(g.ErrorInfo)
			out = append(out, g)
		}
	}
	return out, nil
}

// GetGroup returns one group; its element error becomes an *APIError, so
// IsNotFound works on it.
func (c *Client) GetGroup(ctx context.Context, groupID string) (*GroupInfo, error) {
	infos, err := c.GetGroupInfo(ctx, []string{groupID})
	if err != nil {
		return nil, err
	}
	for _, g := range infos {
		// Tolerate a lone element that omits GroupId.
		if g.GroupID != groupID && (len(infos) != 1 || g.GroupID != "") {
			continue
		}
		if g.ErrorCode != 0 {
			return nil, &APIError{Command: getGroupInfoCommand, Code: g.ErrorCode, Info: g.ErrorInfo, Attempts: 1}
		}
		return &g, nil
	}
	return nil, fmt.Errorf("%s: response has no entry for group %q", getGroupInfoCommand, groupID)
}

// CreateGroupRequest describes a group for CreateGroup and ImportGroup. Type
// may use the client SDK names; the REST name is sent.
type CreateGroupRequest struct {
	GroupID         string
	Type            string
	Name            string
	OwnerAccount    string
	Introduction    string
	Notification    string
	FaceURL         string
	ApplyJoinOption string
	MaxMemberCount  int
	CreateTime      int64 // Unix seconds; ImportGroup only
}

type createGroupJSON struct {
	OwnerAccount    string `json:"Owner_Account,omitempty"`
	Type            string `json:"Type"`
	GroupID         string `json:"GroupId,omitempty"`
	Name            string `json:"Name"`
	Introduction    string `json:"Introduction,omitempty"`
	Notification    string `json:"Notification,omitempty"`
	FaceURL         string `json:"FaceUrl,omitempty"`
	MaxMemberCount  int    `json:"MaxMemberCount,omitempty"`
	ApplyJoinOption string `json:"ApplyJoinOption,omitempty"`
	CreateTime      int64  `json:"CreateTime,omitempty"`
}

func (r CreateGroupRequest) json(withCreateTime bool) createGroupJSON {
	j := createGroupJSON{
		OwnerAccount:    r.OwnerAccount,
		Type:            RESTGroupType(r.Type),
		GroupID:         r.GroupID,
		Name:            r.Name,
		Introduction:    r.Introduction,
		Notification:    r.Notification,
		FaceURL:         r.FaceURL,
		MaxMemberCount:  r.MaxMemberCount,
		ApplyJoinOption: r.ApplyJoinOption,
	}
	if withCreateTime {
		j.CreateTime = r.CreateTime
	}
	return j
}

// CreateGroup creates a group and returns its ID.
func (c *Client) CreateGroup(ctx context.Context, r CreateGroupRequest) (string, error) {
	return c.createGroup(ctx, "create_group", r.json(false))
}

// ImportGroup creates a group without notifications or callbacks, optionally
// back-dated with CreateTime, and returns its ID.
func (c *Client) ImportGroup(ctx context.Context, r CreateGroupRequest) (string, error) {
	return c.createGroup(ctx, "import_group", r.json(true))
}

func (c *Client) createGroup(ctx context.Context, command string, req createGroupJSON) (string, error) {
	var resp struct {
		GroupID string `json:"GroupId"`
	}
	if err := c.Call(ctx, groupService, command, req, &resp); err != nil {
		return "", err
	}
	if resp.GroupID == "" {
		return "", fmt.Errorf("%s: response has no GroupId", command)
	}
	return resp.GroupID, nil
}

// DestroyGroup dismisses a group.
func (c *Client) DestroyGroup(ctx context.Context, groupID string) error {
	req := struct {
		GroupID string `json:"GroupId"`
	}{groupID}
	return c.Call(ctx, groupService, "destroy_group", req, nil)
}
