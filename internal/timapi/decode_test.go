package timapi

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeEnvelope(t *testing.T) {
	type payload struct {
		MemberNum  int
		MemberList []struct{ Member_Account string }
	}
	cases := []struct {
		name     string
		body     string
		wantErr  string // substring; "" means success
		wantCode int
	}{
		{"ok", `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MemberNum":1,"MemberList":[{"Member_Account":"a"}]}`, "", 0},
		{"ok without ErrorCode", `{"ActionStatus":"OK","MemberNum":0}`, "", 0},
		{"ok lowercase, whitespace", " \n{\"ActionStatus\":\"ok\"}\n", "", 0},
		{"ErrorCode only", `{"ErrorCode":0}`, "", 0},
		{"fail", `{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"this group does not exist"}`, "error 10010: this group does not exist", 10010},
		{"code with OK", `{"ActionStatus":"OK","ErrorCode":10004,"ErrorInfo":"bad"}`, "error 10004", 10004},
		{"fail without code", `{"ActionStatus":"FAIL"}`, "ActionStatus FAIL", 0},
		{"fail with bad payload", `{"ActionStatus":"FAIL","ErrorCode":10007,"MemberNum":"x"}`, "error 10007", 10007},
		{"empty", ``, "empty response body", 0},
		{"blank", "  \n", "empty response body", 0},
		{"html", `<html><body>502 Bad Gateway</body></html>`, "not a JSON object", 0},
		{"array", `[1,2]`, "not a JSON object", 0},
		{"null", `null`, "not a JSON object", 0},
		{"empty object", `{}`, "no ActionStatus", 0},
		{"truncated", `{"ActionStatus":"OK","MemberList":[`, "malformed response", 0},
		{"trailing garbage", `{"ActionStatus":"OK"} x`, "malformed response", 0},
		{"ErrorCode as string", `{"ActionStatus":"FAIL","ErrorCode":"10010"}`, "malformed response", 0},
		{"ActionStatus as number", `{"ActionStatus":1}`, "malformed response", 0},
		{"unknown status", `{"ActionStatus":"MAYBE"}`, "unknown ActionStatus", 0},
		{"wrong payload type", `{"ActionStatus":"OK","MemberNum":"3"}`, "malformed response", 0},
		{"MemberList as object", `{"ActionStatus":"OK","MemberList":{"a":1}}`, "malformed response", 0},
		{"float MemberNum", `{"ActionStatus":"OK","MemberNum":1.5}`, "malformed response", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p payload
			err := DecodeEnvelope("get_group_member_info", []byte(tc.body), &p)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeEnvelope = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "get_group_member_info") {
				t.Fatalf("DecodeEnvelope = %v, want error containing %q", err, tc.wantErr)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) != (tc.wantCode != 0 || tc.name == "fail without code") || (apiErr != nil && apiErr.Code != tc.wantCode) {
				t.Fatalf("error %#v, want code %d", err, tc.wantCode)
			}
		})
	}

	var p payload
	err := DecodeEnvelope("c", []byte(`{"ActionStatus":"FAIL","ErrorCode":10002,"MemberNum":4}`), &p)
	if p.MemberNum != 4 || err == nil {
		t.Fatalf("payload not filled next to an API error: %+v, %v", p, err)
	}
	if err := DecodeEnvelope("c", []byte(`{"ActionStatus":"OK"}`), nil); err != nil {
		t.Fatalf("nil into: %v", err)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MemberNum":2,"MemberList":[{"Member_Account":"bob","Role":"Owner","JoinTime":1425976500}],"Next":""}`,
		`{"ActionStatus":"OK","MemberList":[{"Member_Account":"tommy","Result":1}]}`,
		`{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"this group does not exist"}`,
		`{"ActionStatus":"OK","MemberNum":1,"MemberList":[],"Next":12}`,
		`{"ActionStatus":"OK","GroupInfo":[{"GroupId":"g","ErrorCode":10010}]}`,
		`{"ActionStatus":"OK","MemberList":[`,
		`{"ActionStatus":"OK","MemberNum":"3"}`,
		`<html>502 Bad Gateway</html>`,
		`{}`, `null`, ``, `[]`, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page memberPage
		err := DecodeEnvelope("get_group_member_info", body, &page)
		if err != nil {
			if !strings.Contains(err.Error(), "get_group_member_info") {
				t.Fatalf("error does not name the command: %v", err)
			}
			return
		}
		// A decoded page must be safe to walk.
		if _, err := page.members(getMembersCommand); err != nil && !strings.Contains(err.Error(), getMembersCommand) {
			t.Fatalf("error does not name the command: %v", err)
		}
		_, _, _ = cursor(page.Next)
	})
}
