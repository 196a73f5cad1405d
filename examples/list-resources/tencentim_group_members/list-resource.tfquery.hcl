# The member lists of the app's Public and Community groups. With
# include_resource (or -generate-config-out) each result carries the members,
# at ceil(N/200) member pages per group.
list "tencentim_group_members" "chats" {
  provider         = tencentim
  include_resource = true
  limit            = 1000

  config {
    types = ["Public", "Community"]
  }
}
