# A UserSig for the support bot, signed with the provider's secret_key and
# valid for 60 days. It is never saved in the state or the plan.
ephemeral "tencentim_usersig" "support_bot" {
  identifier = "support_bot"
  expire     = "1440h"
}

resource "aws_secretsmanager_secret" "support_bot" {
  name = "chat/support_bot"
}

# secret_string_wo is write-only (Terraform 1.11+, OpenTofu 1.11+): the value
# goes to AWS and nowhere else. Write-only values are sent only when their
# version changes, so the version changes with the month: each month's first
# apply stores a new 60-day UserSig, and the stored one stays valid as long as
# an apply runs at least once a month.
resource "aws_secretsmanager_secret_version" "support_bot" {
  secret_id = aws_secretsmanager_secret.support_bot.id
  secret_string_wo = jsonencode({
    sdkappid   = 1400000000
    userid     = ephemeral.tencentim_usersig.support_bot.identifier
    usersig    = ephemeral.tencentim_usersig.support_bot.usersig
    expires_at = ephemeral.tencentim_usersig.support_bot.expires_at
  })
  secret_string_wo_version = parseint(formatdate("YYYYMM", plantimestamp()), 10)
}
