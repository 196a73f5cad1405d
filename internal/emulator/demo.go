package emulator

import "fmt"

// DemoCreateTime is when the demo groups were created (2020-09-13), so that
// members can be imported with historical join times.
const DemoCreateTime = 1_600_000_000

// DemoAccounts is how many accounts (user1..userN) SeedDemo makes.
const DemoAccounts = 10

// DemoGroups are the fixed groups SeedDemo makes, so that demos, examples and
// READMEs can refer to them: one of each type, owned by user1. The IDs keep
// the client-SDK names of the types (Work, Meeting); Type is the documented
// REST name.
var DemoGroups = []Group{
	{ID: "demo-work", Type: "Private", Name: "Demo Work group", Owner: "user1", CreateTime: DemoCreateTime},
	{ID: "demo-public", Type: "Public", Name: "Demo Public group", Owner: "user1", CreateTime: DemoCreateTime},
	{ID: "demo-meeting", Type: "ChatRoom", Name: "Demo Meeting group", Owner: "user1", CreateTime: DemoCreateTime},
	{ID: "@TGS#_demo-community", Type: "Community", Name: "Demo Community group", Owner: "user1", CreateTime: DemoCreateTime},
	{ID: "demo-avchatroom", Type: "AVChatRoom", Name: "Demo AVChatRoom", Owner: "user1", CreateTime: DemoCreateTime},
}

// SeedDemo adds accounts user1..user10 and DemoGroups to an existing app,
// with user2 a member of every group that keeps a member list. Groups that
// already exist (kept from a persisted state) are left as they are.
func (e *Emulator) SeedDemo(sdkappid uint64) error {
	users := make([]string, DemoAccounts)
	for i := range users {
		users[i] = fmt.Sprintf("user%d", i+1)
	}
	e.AddAccounts(sdkappid, users...)
	for _, g := range DemoGroups {
		if _, ok := e.GroupInfo(sdkappid, g.ID); ok {
			continue
		}
		if _, err := e.AddGroup(sdkappid, g); err != nil {
			return fmt.Errorf("demo group %s: %w", g.ID, err)
		}
		if g.Type != "AVChatRoom" {
			if err := e.PutMember(sdkappid, g.ID, Member{Account: "user2"}); err != nil {
				return fmt.Errorf("demo group %s: %w", g.ID, err)
			}
		}
	}
	return nil
}
