# Adopt existing accounts: a comma-separated list of UserIDs. nick and
# face_url cannot be read back, so the next plan sends the configured ones.
terraform import tencentim_accounts.staff 'tommy,jared,alice'
