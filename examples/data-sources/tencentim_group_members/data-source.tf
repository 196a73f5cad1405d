data "tencentim_group_members" "engineering" {
  group_id = "@TGS#2J4SZEAEL"
}

output "engineering_admins" {
  value = [for account, m in data.tencentim_group_members.engineering.members : account if m.role == "Admin"]
}
