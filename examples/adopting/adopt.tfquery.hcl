# Every group of the app, and the member list of every group that keeps one
# (all but AVChatRoom groups).
list "tencentim_group" "all" {
  provider = tencentim
  limit    = 1000 # Terraform's default is 100 results per list block
}

list "tencentim_group_members" "all" {
  provider = tencentim
  limit    = 1000
}
