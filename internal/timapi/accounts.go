package timapi

import (
	"context"
	"slices"
)

// Account is an IM user account.
type Account struct {
	UserID  string
	Nick    string
	FaceURL string
}

type accountJSON struct {
	UserID  string
	Nick    string `json:",omitempty"`
	FaceURL string `json:"FaceUrl,omitempty"`
}

// AccountImport creates (or re-imports) one account.
func (c *Client) AccountImport(ctx context.Context, a Account) error {
	return c.Call(ctx, accountService, "account_import", accountJSON(a), nil)
}

// MultiAccountImport imports accounts in requests of at most 100 and returns
// the ones the server reported as failed.
func (c *Client) MultiAccountImport(ctx context.Context, accounts []Account) (failed []string, err error) {
	for batch := range slices.Chunk(accounts, MaxAccountsPerCall) {
		req := struct{ AccountList []accountJSON }{make([]accountJSON, len(batch))}
		for i, a := range batch {
			req.AccountList[i] = accountJSON(a)
		}
		var resp struct{ FailAccounts []string }
		if err := c.Call(ctx, accountService, "multiaccount_import", req, &resp); err != nil {
			return failed, err
		}
		failed = append(failed, resp.FailAccounts...)
	}
	return failed, nil
}

// AccountStatus is one account's result from AccountCheck or AccountDelete.
type AccountStatus struct {
	UserID     string
	Imported   bool // AccountCheck only
	ResultCode int
	ResultInfo string
}

// AccountCheck reports which accounts exist, in requests of at most 100.
func (c *Client) AccountCheck(ctx context.Context, userIDs []string) ([]AccountStatus, error) {
	return c.accountItems(ctx, "account_check", "CheckItem", userIDs)
}

// AccountDelete deletes accounts, in requests of at most 100. A ResultCode
// of 70107 means the account did not exist.
func (c *Client) AccountDelete(ctx context.Context, userIDs []string) ([]AccountStatus, error) {
	return c.accountItems(ctx, "account_delete", "DeleteItem", userIDs)
}

func (c *Client) accountItems(ctx context.Context, command, field string, userIDs []string) ([]AccountStatus, error) {
	var out []AccountStatus
	for batch := range slices.Chunk(userIDs, MaxAccountsPerCall) {
		items := make([]map[string]string, len(batch))
		for i, id := range batch {
			items[i] = map[string]string{"UserID": id}
		}
		var resp struct {
			ResultItem []struct {
				UserID        string
				ResultCode    int
				ResultInfo    string
				AccountStatus string
			}
		}
		if err := c.Call(ctx, accountService, command, map[string]any{field: items}, &resp); err != nil {
			return out, err
		}
		for _, r := range resp.ResultItem {
			out = append(out, AccountStatus{
				UserID:     r.UserID,
				Imported:   r.AccountStatus == "Imported",
				ResultCode: r.ResultCode,
				ResultInfo: r.ResultInfo,
			})
		}
	}
	return out, nil
}
