//! Postroom authentication: bearer tokens, signing keys, roles, behind one verifier seam.
