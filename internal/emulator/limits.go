package emulator

// Documented limits. The switchable ones (ImportCap, DeleteCap, PageSize)
// are Settings, with their defaults in withDefaults.
const (
	// maxResponseBytes is the documented cap on an answer: "响应超过 1 MB"
	// fails with 10018 (get_group_info, get_group_member_info error lists).
	maxResponseBytes = 1 << 20

	maxGroupMembers      = 6000   // explicit MaxMemberCount/MaxMemberNum maximum, non-Community
	maxCommunityMembers  = 100000 // Community maximum and default ("常规为10万人")
	importDefaultMembers = 2000   // import_group: "不填默认为2000"
	maxInitialMembers    = 100    // create_group/import_group MemberList
	trialGroups          = 100
	trialAccounts        = 100

	maxGroupInfoIDs       = 50 // get_group_info GroupIdList
	maxGroupIDBytes       = 48 // custom GroupId
	maxNameBytes          = 30 // group Name
	maxNameCardBytes      = 50
	maxUserIDBytes        = 32
	maxAccountsPerRequest = 100 // multiaccount_import, account_check, account_delete

	// Custom member fields (QD 群组系统 "自定义字段" @01e4cc2f): "群成员维度最多
	// 支持5个字段", a Key "长度不超过16字节，其命名仅支持英文大小写字母、数字、下划线",
	// a member Value "长度不超过64字节".
	maxMemberDataKeys       = 5
	maxMemberDataKeyBytes   = 16
	maxMemberDataValueBytes = 64
)

// validMemberDataKey reports whether k can name a custom member field.
func validMemberDataKey(k string) bool {
	if k == "" || len(k) > maxMemberDataKeyBytes {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// groupTexts are the free-text group fields and their byte limits, in the
// order create_group and modify_group_base_info check them; group.texts
// lists the same fields.
var groupTexts = [...]struct {
	key string
	max int
}{{"Introduction", 240}, {"Notification", 300}, {"FaceUrl", 100}}

// plan holds what an edition changes (api-fidelity.md #5 and section 3;
// tencent-im-api.md 4.1; CN 使用限制 269/9346, 群组系统).
type plan struct {
	groupMembers int  // create_group's default MaxMemberNum for non-Community groups
	community    bool // Community groups are available
	// trial: at most trialGroups groups (10058) and trialAccounts accounts
	// (70398); account_delete is allowed without the console switch, and a
	// deleted ID may be imported again (paid plans block it).
	trial bool
}

var plans = map[string]plan{
	PlanTrial:      {groupMembers: 20, trial: true},
	PlanPro:        {groupMembers: 200},
	PlanUltimate:   {groupMembers: 2000, community: true},
	PlanEnterprise: {groupMembers: 6000, community: true},
}

// The texts of plan refusals.
const (
	communityUnavailable  = "Community groups are not available on this plan"
	accountDeleteDisabled = "account deletion is not enabled: on paid plans it must be switched on in the console"
)

func (s Settings) plan() plan { return plans[s.Plan] }

// defaultMaxMembers is the MaxMemberNum of a new group whose request does not
// give MaxMemberCount: the plan's default (import_group: at most 2000),
// Community 100000, or GroupMemberLimit when set.
func (s Settings) defaultMaxMembers(k kind, isImport bool) int {
	switch {
	case k == kindAVChatRoom:
		return 0 // no member list, so no limit
	case s.GroupMemberLimit > 0:
		return s.GroupMemberLimit
	case k == kindCommunity:
		return maxCommunityMembers
	}
	n := s.plan().groupMembers
	if isImport {
		n = min(n, importDefaultMembers)
	}
	return n
}

// maxMembersAllowed is the largest MaxMemberCount/MaxMemberNum a request may
// ask for.
func (s Settings) maxMembersAllowed(k kind) int {
	limit := maxGroupMembers
	if k == kindCommunity {
		limit = maxCommunityMembers
	}
	return max(limit, s.GroupMemberLimit)
}
