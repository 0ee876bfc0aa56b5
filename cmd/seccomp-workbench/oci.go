package main

// The names and one-line texts of push and pull, which both builds list
// (the lean build hands the commands themselves to the full binary).
const (
	pushUse   = "push PROFILE oci://REGISTRY/REPO:TAG [--platform A]... [--layout runtime|spo]"
	pushShort = "Store a profile in an OCI registry, as the security-profiles-operator reads it"
	pullUse   = "pull oci://REGISTRY/REPO:TAG -o OUT [--platform A]"
	pullShort = "Fetch a profile from an OCI registry and write it, checked, to OUT"
)
