package timapi

import "context"

// GroupBaseInfoChange lists the base-information fields to change with
// ModifyGroupBaseInfo; nil fields are left as they are, and a non-nil empty
// string clears a text field.
type GroupBaseInfoChange struct {
	Name            *string `json:"Name,omitempty"`
	Introduction    *string `json:"Introduction,omitempty"`
	Notification    *string `json:"Notification,omitempty"`
	FaceURL         *string `json:"FaceUrl,omitempty"`
	MaxMemberNum    *int    `json:"MaxMemberNum,omitempty"`
	ApplyJoinOption *string `json:"ApplyJoinOption,omitempty"`
}

// Empty reports whether the change sets nothing.
func (c GroupBaseInfoChange) Empty() bool {
	return c.Name == nil && c.Introduction == nil && c.Notification == nil && c.FaceURL == nil &&
		c.MaxMemberNum == nil && c.ApplyJoinOption == nil
}

// ModifyGroupBaseInfo changes a group's name, introduction, notification,
// face URL, member limit or join option with modify_group_base_info. An
// empty change makes no request.
func (c *Client) ModifyGroupBaseInfo(ctx context.Context, groupID string, change GroupBaseInfoChange) error {
	if change.Empty() {
		return nil
	}
	req := struct {
		GroupID string `json:"GroupId"`
		GroupBaseInfoChange
	}{groupID, change}
	return c.Call(ctx, groupService, "modify_group_base_info", req, nil)
}

// ChangeGroupOwner hands a group to newOwner, who must already be a member,
// with change_group_owner.
func (c *Client) ChangeGroupOwner(ctx context.Context, groupID, newOwner string) error {
	req := struct {
		GroupID  string `json:"GroupId"`
		NewOwner string `json:"NewOwner_Account"`
	}{groupID, newOwner}
	return c.Call(ctx, groupService, "change_group_owner", req, nil)
}
