//! Signed cookies in cookie-rs's own format, `base64(HMAC-SHA256(value)) + value` under the signing
//! half of a [`Key`], with each key's HMAC state prepared once.
//!
//! Hand-written for speed only: cookie-rs keys a fresh HMAC on every call, which is two of the four
//! SHA-256 blocks a short cookie costs, on every request that reads a session. The format is
//! cookie-rs's, so cookies signed by either verify with the other (tested below), and cookie-rs still
//! does the parsing, the private (encrypted) cookies and the key derivation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cookie::Key;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Length of the base64 digest in front of a signed value (32 bytes, padded).
const DIGEST_LEN: usize = 44;

/// One key's signing state: HMAC-SHA256 already keyed, cloned for each cookie.
#[derive(Clone)]
pub(super) struct Signer {
    keyed: Hmac<Sha256>,
}

impl Signer {
    pub(super) fn new(key: &Key) -> Self {
        Signer {
            keyed: Hmac::new_from_slice(key.signing()).expect("HMAC accepts keys of any length"),
        }
    }

    /// `value` with its signature in front.
    pub(super) fn sign(&self, value: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(value.as_bytes());
        let mut signed = STANDARD.encode(mac.finalize().into_bytes());
        signed.push_str(value);
        signed
    }

    /// The value under a signature made with this key; `None` for anything else (no digest, bad
    /// base64, another key, a changed value). The comparison is constant-time (`verify_slice`).
    pub(super) fn verify<'a>(&self, signed: &'a str) -> Option<&'a str> {
        if !signed.is_char_boundary(DIGEST_LEN) {
            return None;
        }
        let (digest, value) = signed.split_at(DIGEST_LEN);
        let mut decoded = [0u8; 48];
        let len = STANDARD.decode_slice(digest, &mut decoded).ok()?;
        let mut mac = self.keyed.clone();
        mac.update(value.as_bytes());
        mac.verify_slice(&decoded[..len]).ok()?;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cookie::{Cookie, CookieJar};

    #[test]
    fn agrees_with_cookie_rs_both_ways() {
        let key = Key::generate();
        let signer = Signer::new(&key);

        let mut jar = CookieJar::new();
        jar.signed_mut(&key).add(Cookie::new("session", "abc=; ö"));
        let theirs = jar.get("session").unwrap().value().to_string();
        assert_eq!(signer.verify(&theirs), Some("abc=; ö"));

        let ours = signer.sign("abc=; ö");
        let mut jar = CookieJar::new();
        jar.add_original(Cookie::new("session", ours));
        assert_eq!(jar.signed(&key).get("session").unwrap().value(), "abc=; ö");
    }

    #[test]
    fn refuses_what_it_did_not_sign() {
        let signer = Signer::new(&Key::generate());
        let signed = signer.sign("ada");
        assert_eq!(signer.verify(&signed), Some("ada"));
        assert_eq!(Signer::new(&Key::generate()).verify(&signed), None);
        assert_eq!(signer.verify(&signed.replace("ada", "bob")), None);
        assert_eq!(signer.verify("ada"), None);
        assert_eq!(signer.verify(""), None);
        assert_eq!(
            signer.verify(&format!("{}ada", "!".repeat(DIGEST_LEN))),
            None
        );
        // A multi-byte character across the digest boundary is refused, not a panic.
        assert_eq!(signer.verify(&"é".repeat(30)), None);
    }
}
