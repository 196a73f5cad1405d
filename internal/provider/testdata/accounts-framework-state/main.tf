resource "tencentim_accounts" "seed" {
  accounts = {
    alice = { nick = "Alice", face_url = "https://example.com/a.png" }
    bob   = { nick = "Bob" }
    carol = {}
  }
  delete_on_remove = true
}
resource "tencentim_accounts" "plain" {
  accounts = {
    dave = {}
  }
}
