data "tencentim_group" "engineering" {
  group_id = "@TGS#2J4SZEAEL"
}

output "engineering_owner" {
  value = data.tencentim_group.engineering.owner_account
}

output "engineering_seats_left" {
  value = data.tencentim_group.engineering.max_member_count - data.tencentim_group.engineering.member_count
}
