# Every group of the app, with its name and type (terraform query).
list "tencentim_group" "all" {
  provider = tencentim
  limit    = 1000 # Terraform's default is 100 results
}
