# Import the app's accounts (UserIDs) in batches of 100. Groups and members
# that name them should depend on this resource.
resource "tencentim_accounts" "staff" {
  accounts = {
    tommy = { nick = "Tommy", face_url = "https://example.com/avatars/tommy.png" }
    jared = { nick = "Jared" }
    alice = {}
  }

  # The default: an account removed from the map is only forgotten. On paid
  # plans a deleted UserID cannot be imported again for 3 months.
  delete_on_remove = false
}
