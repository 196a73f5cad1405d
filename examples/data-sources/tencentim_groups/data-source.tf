# Every group of the app: one get_appid_group_list call per 10,000 groups,
# at Tencent's 1 call per second.
data "tencentim_groups" "all" {}

output "group_count" {
  value = length(data.tencentim_groups.all.ids)
}

# The Community and Work groups with their names: one listing per type, plus
# one get_group_info call per 50 groups.
data "tencentim_groups" "teams" {
  types     = ["Community", "Work"]
  with_info = true
}

output "team_names" {
  value = { for g in data.tencentim_groups.teams.groups : g.group_id => g.name }
}
