//! The seal of a signed report: the canonical payload, its SHA-256 digest
//! and one minisign signature per approver. minisign (Ed25519) was chosen so
//! anyone can check a signature with the stock `minisign` tool, without Signet:
//! `minisign -Vm payload.json -x ana.minisig -P <public key>`.
//!
//! Each signature's *trusted comment* (signed too) names the release,
//! revision, digest, approver, role and time, so none of those can be edited
//! in a report without breaking the signature.

use std::io::Cursor;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The seal version new exports carry. It also names the layout the file
/// was rendered with (verification re-renders): 1 is the frozen layout of
/// `report::v1`; 2, 4, 7, 8 and 11 are the current renderers, which draw
/// what a later layout added only for its version and up — layout 4 the
/// PDF's PNG logo and its note on characters the fonts lack, layout 7 the
/// branding in the PDF's running header (and `verify` compares a layout-7
/// PDF's streams inflated), layout 8 an SVG logo, drawn as paths, layout 11
/// one tagged span per run of a block's lines. Bump it whenever a
/// renderer's bytes change, to a number at least two changed bits away from
/// every known one (see [`KNOWN_VERSIONS`]).
pub const SEAL_VERSION: u32 = 11;

/// Every seal version `verify` knows. The number is not signed (a release's
/// exports always take the current layout), so a file whose number is set to
/// another known layout verifies only if it is exactly that layout's
/// rendering of the same signed content, and that layout is no older than
/// the one the signed payload was made at ([`crate::report::model::Report::oldest_layout`]).
/// Versions differ in at least two
/// bits of their digit, so a single flipped bit never names another known
/// layout: 3 ('3' is '2' with one bit flipped) was skipped, and so were 5
/// and 6 ('5' is '4' or '1' with one bit flipped, '6' is '4' or '2'); '8'
/// (0x38) is two bits from '1', '2' and '4' and four from '7'. No digit was
/// left ('9' is '8' with one bit flipped), so the next is 11: a flipped bit
/// keeps its length, and no other known version has two digits.
pub const KNOWN_VERSIONS: [u32; 6] = [1, 2, 4, 7, 8, 11];

/// One approver's signature over the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Signature {
    pub handle: String,
    pub name: String,
    pub role: String,
    pub signed_at: String,
    /// minisign key id, 16 hex digits as `minisign` prints it.
    pub key_id: String,
    /// minisign public key (base64, the second line of a `.pub` file).
    pub public_key: String,
    /// The complete `.minisig` file text.
    pub minisig: String,
}

/// Everything needed to check a signed report, embedded in each export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    pub signet_seal: u32,
    pub release: String,
    pub revision: u32,
    /// `sha256:` + hex of the payload bytes.
    pub digest: String,
    /// The canonical report JSON, embedded as raw JSON (not an escaped
    /// string) so its bytes come back exactly. Omitted in the JSON export,
    /// whose `report` member is the payload itself, and in the PDF, which
    /// attaches it as `payload.json`.
    #[serde(default, skip_serializing_if = "String::is_empty", with = "raw_json")]
    pub payload: String,
    pub signatures: Vec<Signature>,
}

mod raw_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::value::RawValue;

    pub fn serialize<S: Serializer>(json: &str, s: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(json.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let raw: &RawValue = Deserialize::deserialize(d)?;
        Ok(raw.get().to_string())
    }
}

pub fn digest(payload: &[u8]) -> String {
    format!("sha256:{}", crate::hex::encode(&Sha256::digest(payload)))
}

/// The trusted comment an approver's signature carries.
pub fn trusted_comment(
    release: &str,
    revision: u32,
    digest: &str,
    who: (&str, &str),
    role: &str,
    signed_at: &str,
) -> String {
    let (handle, name) = who;
    // Debug quoting keeps it one line whatever the name or role says.
    format!(
        "signet release={release:?} revision={revision} {digest} approver={handle} name={name:?} role={role:?} signed_at={signed_at}"
    )
}

fn untrusted_comment(handle: &str) -> String {
    format!("signet signature by {handle}")
}

/// A person's secret key, loaded for signing.
pub struct SigningKey {
    pub(crate) sk: minisign::SecretKey,
    pub(crate) pk: minisign::PublicKey,
}

fn crypto(e: minisign::PError) -> Error {
    Error::Invalid(format!("signature: {e}"))
}

pub fn key_id(pk: &minisign::PublicKey) -> String {
    let mut n = [0u8; 8];
    n.copy_from_slice(&pk.keynum()[..8]);
    format!("{:016X}", u64::from_le_bytes(n))
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey> {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().map_err(crypto)?;
        Ok(SigningKey {
            sk: kp.sk,
            pk: kp.pk,
        })
    }

    /// Reads a minisign secret key file's text (unencrypted keys only).
    pub fn from_text(secret: &str) -> Result<SigningKey> {
        let sk = minisign::SecretKeyBox::from_string(secret)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(crypto)?;
        let pk = minisign::PublicKey::from_secret_key(&sk).map_err(crypto)?;
        Ok(SigningKey { sk, pk })
    }

    pub fn secret_text(&self, comment: &str) -> Result<String> {
        Ok(self.sk.to_box(Some(comment)).map_err(crypto)?.to_string())
    }

    pub fn public_key(&self) -> String {
        self.pk.to_base64()
    }

    pub fn key_id(&self) -> String {
        key_id(&self.pk)
    }

    /// The `.pub` file text `minisign -p` accepts.
    pub fn public_text(&self, comment: &str) -> String {
        public_file_text(&self.public_key(), comment)
    }

    /// Signs bytes that are not a report (a sync batch, a device claim):
    /// `statement` says what they are, and is signed with them.
    pub fn sign_bytes(&self, data: &[u8], statement: &str) -> Result<String> {
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            Cursor::new(data),
            Some(statement),
            Some("signet"),
        )
        .map_err(crypto)?;
        Ok(sig.to_string())
    }

    /// Signs the payload for one approver.
    pub fn sign(
        &self,
        payload: &[u8],
        release: &str,
        revision: u32,
        who: (&str, &str),
        role: &str,
        signed_at: &str,
    ) -> Result<Signature> {
        let (handle, name) = who;
        let d = digest(payload);
        let comment = trusted_comment(release, revision, &d, (handle, name), role, signed_at);
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            Cursor::new(payload),
            Some(&comment),
            Some(&untrusted_comment(handle)),
        )
        .map_err(crypto)?;
        Ok(Signature {
            handle: handle.to_string(),
            name: name.to_string(),
            role: role.to_string(),
            signed_at: signed_at.to_string(),
            key_id: self.key_id(),
            public_key: self.public_key(),
            minisig: sig.to_string(),
        })
    }
}

/// A `.minisig` holds a 74-byte signature and a 64-byte global signature;
/// the minisign crate accepts longer ones and ignores the surplus.
fn exact_lengths(minisig: &str) -> bool {
    use base64::Engine;
    let lines: Vec<&str> = minisig.lines().collect();
    let len = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(|b| b.len())
            .ok()
    };
    lines.len() == 4 && len(lines[1]) == Some(74) && len(lines[3]) == Some(64)
}

pub fn public_file_text(public_key: &str, comment: &str) -> String {
    format!("untrusted comment: {comment}\n{public_key}\n")
}

/// Parses a public key given as the base64 line or a whole `.pub` file.
pub fn parse_public_key(text: &str) -> Result<String> {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or("");
    minisign::PublicKey::from_base64(line)
        .map(|pk| pk.to_base64())
        .map_err(|e| Error::Invalid(format!("not a minisign public key: {e}")))
}

impl Signature {
    /// Checks this signature over `payload` for the seal's digest, release
    /// and revision. The error says what exactly does not hold.
    pub fn check(
        &self,
        payload: &[u8],
        digest: &str,
        release: &str,
        revision: u32,
    ) -> Result<(), String> {
        let pk = minisign::PublicKey::from_base64(&self.public_key)
            .ok()
            .filter(|pk| pk.to_base64() == self.public_key && self.public_key.starts_with("RW"))
            .filter(|_| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(&self.public_key)
                    .is_ok_and(|b| b.starts_with(b"Ed"))
            })
            .ok_or("public key is malformed")?;
        if key_id(&pk) != self.key_id {
            return Err(format!(
                "key id {} does not belong to the public key given ({})",
                self.key_id,
                key_id(&pk)
            ));
        }
        let sig = minisign::SignatureBox::from_string(&self.minisig)
            .map_err(|e| format!("signature is malformed ({e})"))?;
        // Only the exact text we wrote: the untrusted comment and the
        // encoding are not covered by the signature, so pin them here.
        if sig.to_string() != self.minisig
            || sig.untrusted_comment().ok() != Some(untrusted_comment(&self.handle))
            || !exact_lengths(&self.minisig)
        {
            return Err("signature text was altered".into());
        }
        let expected = trusted_comment(
            release,
            revision,
            digest,
            (&self.handle, &self.name),
            &self.role,
            &self.signed_at,
        );
        let signed = sig
            .trusted_comment()
            .map_err(|e| format!("signature is malformed ({e})"))?;
        if signed != expected {
            return Err(format!(
                "the signed statement differs from the report: signed '{signed}', report says '{expected}'"
            ));
        }
        minisign::verify(&pk, &sig, Cursor::new(payload), true, false, false)
            .map_err(|e| format!("signature does not match the report content ({e})"))
    }
}

/// One signature as [`Seal::check`] found it: who signed, with which key,
/// whether the signature holds, and whether the key is one the caller trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignatureCheck {
    pub handle: String,
    pub name: String,
    pub role: String,
    pub signed_at: String,
    pub key_id: String,
    pub public_key: String,
    pub valid: bool,
    /// Whether the key is one the caller trusts (None: no keys were given).
    pub trusted: Option<bool>,
    /// Why the signature does not hold; None when it is valid.
    pub problem: Option<String>,
}

impl SignatureCheck {
    /// A signature that holds, made with a key outside the trusted ones.
    pub fn untrusted(&self) -> bool {
        self.valid && self.trusted == Some(false)
    }
}

/// A trusted key the caller gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TrustedKey {
    /// minisign key id; the key text itself when it is not a minisign key.
    pub key_id: String,
    pub public_key: String,
}

/// The digest-and-signature verdict on a seal, in structure: `verify`,
/// `gate`, `doctor` and the app each word it their own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealCheck {
    /// The payload's SHA-256 equals the seal's digest.
    pub digest_ok: bool,
    /// Each signature, in the seal's order.
    pub signatures: Vec<SignatureCheck>,
    /// Trusted keys given that made no valid signature.
    pub unsigned_keys: Vec<TrustedKey>,
}

impl SealCheck {
    /// The signatures that hold (trusted or not).
    pub fn valid(&self) -> impl Iterator<Item = &SignatureCheck> {
        self.signatures.iter().filter(|s| s.valid)
    }

    /// Digest holds, there is at least one signature, every signature holds
    /// and, when trusted keys were given, every signer's key is one of them
    /// and every one of them signed.
    pub fn passed(&self) -> bool {
        self.digest_ok
            && !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.valid && s.trusted != Some(false))
            && self.unsigned_keys.is_empty()
    }
}

impl Seal {
    /// Checks the payload against the digest and every signature over it.
    /// `trusted` are minisign public keys (base64): None trusts any key that
    /// signs validly; Some(keys) demands every signer's key be among them
    /// and each of them have signed (so Some(&[]) trusts nobody).
    pub fn check(&self, trusted: Option<&[String]>) -> SealCheck {
        let payload = self.payload.as_bytes();
        let signatures: Vec<SignatureCheck> = self
            .signatures
            .iter()
            .map(|s| {
                let result = s.check(payload, &self.digest, &self.release, self.revision);
                SignatureCheck {
                    handle: s.handle.clone(),
                    name: s.name.clone(),
                    role: s.role.clone(),
                    signed_at: s.signed_at.clone(),
                    key_id: s.key_id.clone(),
                    public_key: s.public_key.clone(),
                    valid: result.is_ok(),
                    trusted: trusted.map(|keys| keys.contains(&s.public_key)),
                    problem: result.err(),
                }
            })
            .collect();
        let unsigned_keys = trusted
            .unwrap_or_default()
            .iter()
            .filter(|key| !signatures.iter().any(|s| s.valid && s.public_key == **key))
            .map(|key| TrustedKey {
                key_id: minisign::PublicKey::from_base64(key)
                    .map(|pk| key_id(&pk))
                    .unwrap_or_else(|_| key.clone()),
                public_key: key.clone(),
            })
            .collect();
        SealCheck {
            digest_ok: digest(payload) == self.digest,
            signatures,
            unsigned_keys,
        }
    }
}

/// Checks a [`SigningKey::sign_bytes`] signature: by `public_key`, over
/// `data`, stating exactly `statement`.
pub fn verify_bytes(
    public_key: &str,
    data: &[u8],
    statement: &str,
    minisig: &str,
) -> Result<(), String> {
    let pk = minisign::PublicKey::from_base64(public_key).map_err(|_| "malformed public key")?;
    let sig = minisign::SignatureBox::from_string(minisig)
        .map_err(|e| format!("malformed signature ({e})"))?;
    if !exact_lengths(minisig) {
        return Err("signature text was altered".into());
    }
    let signed = sig
        .trusted_comment()
        .map_err(|e| format!("malformed signature ({e})"))?;
    if signed != statement {
        return Err(format!("it states '{signed}', expected '{statement}'"));
    }
    minisign::verify(&pk, &sig, Cursor::new(data), true, false, false)
        .map_err(|_| "the signature does not match the bytes".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &str = r#"{"report":1}"#;

    fn signed_by(keys: &[(&SigningKey, &str)]) -> Seal {
        let d = digest(PAYLOAD.as_bytes());
        Seal {
            signet_seal: SEAL_VERSION,
            release: "v1".into(),
            revision: 1,
            digest: d,
            payload: PAYLOAD.into(),
            signatures: keys
                .iter()
                .map(|(k, who)| {
                    k.sign(
                        PAYLOAD.as_bytes(),
                        "v1",
                        1,
                        (who, who),
                        "QA",
                        "2026-11-26T00:00:00Z",
                    )
                    .unwrap()
                })
                .collect(),
        }
    }

    #[test]
    fn without_trusted_keys_any_valid_signer_passes() {
        let (ana, cy) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let check = signed_by(&[(&ana, "ana"), (&cy, "cy")]).check(None);
        assert!(check.passed());
        assert!(check.digest_ok);
        assert_eq!(check.valid().count(), 2);
        assert!(check.signatures.iter().all(|s| s.trusted.is_none()));
    }

    #[test]
    fn with_trusted_keys_a_signer_outside_them_fails_the_seal() {
        let (ana, cy) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let seal = signed_by(&[(&ana, "ana"), (&cy, "cy")]);
        let check = seal.check(Some(&[ana.public_key()]));
        assert!(!check.passed());
        assert!(check.unsigned_keys.is_empty());
        let cy_check = &check.signatures[1];
        assert!(cy_check.valid, "the signature itself holds");
        assert_eq!(cy_check.trusted, Some(false));
        assert!(cy_check.untrusted());
        assert_eq!(cy_check.key_id, cy.key_id());
        assert!(seal
            .check(Some(&[ana.public_key(), cy.public_key()]))
            .passed());
    }

    #[test]
    fn a_trusted_key_that_did_not_sign_is_listed() {
        let (ana, bo) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let check = signed_by(&[(&ana, "ana")]).check(Some(&[ana.public_key(), bo.public_key()]));
        assert!(!check.passed());
        assert_eq!(
            check.unsigned_keys,
            [TrustedKey {
                key_id: bo.key_id(),
                public_key: bo.public_key()
            }]
        );
    }

    #[test]
    fn a_changed_payload_fails_the_digest_and_every_signature() {
        let ana = SigningKey::generate().unwrap();
        let mut seal = signed_by(&[(&ana, "ana")]);
        seal.payload = r#"{"report":2}"#.into();
        let check = seal.check(None);
        assert!(!check.digest_ok);
        assert!(!check.signatures[0].valid);
        assert!(check.signatures[0]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("does not match the report content")));
        assert!(!check.passed());
    }

    #[test]
    fn a_seal_without_signatures_does_not_pass() {
        let check = signed_by(&[]).check(None);
        assert!(check.digest_ok);
        assert!(!check.passed());
    }
}
