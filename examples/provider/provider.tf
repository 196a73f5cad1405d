# Sign requests with the app's secret key; the provider generates and renews
# the UserSig for the admin account itself.
provider "tencentim" {
  sdkappid   = 1400000000
  identifier = "administrator"
  secret_key = var.tencentim_secret_key
  region     = "singapore"
}

variable "tencentim_secret_key" {
  type      = string
  sensitive = true
}
