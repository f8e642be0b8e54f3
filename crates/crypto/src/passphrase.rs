//! Deriving a key from a passphrase with Argon2id, for devices without an OS keyring.
//!
//! The parameters are stored beside the data they protect:
//!
//! ```text
//! version u8 (= 1) | m_cost_kib u32 BE | t_cost u32 BE | p_cost u32 BE | salt (16)   = 29 bytes
//! ```

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::keys::KEY_LEN;
use crate::{CryptoError, SymmetricKey};

/// Format version of encoded passphrase parameters.
pub const PASSPHRASE_PARAMS_VERSION: u8 = 1;
/// Length of encoded passphrase parameters.
pub const PASSPHRASE_PARAMS_LEN: usize = 29;

/// Argon2id (version 0x13) parameters and salt for deriving a 32-byte key from a passphrase.
///
/// The salt is not secret, so this type is `Copy` and prints its contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassphraseParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism (lanes).
    pub p_cost: u32,
    /// Random salt, fresh for every passphrase.
    pub salt: [u8; 16],
}

impl PassphraseParams {
    /// OWASP's minimum memory cost for Argon2id (19 MiB).
    pub const MIN_M_COST_KIB: u32 = 19456;
    /// OWASP's minimum number of passes for Argon2id at the minimum memory cost.
    pub const MIN_T_COST: u32 = 2;
    /// Upper bound on memory (4 GiB), so stored parameters cannot exhaust a device's memory.
    pub const MAX_M_COST_KIB: u32 = 4 * 1024 * 1024;
    /// Upper bound on passes, so stored parameters cannot make unlocking hang.
    pub const MAX_T_COST: u32 = 64;
    /// Upper bound on parallelism.
    pub const MAX_P_COST: u32 = 64;

    /// Memory cost of [`PassphraseParams::recommended`]: 256 MiB.
    pub const RECOMMENDED_M_COST_KIB: u32 = 256 * 1024;
    /// Passes of [`PassphraseParams::recommended`].
    pub const RECOMMENDED_T_COST: u32 = 3;
    /// Lanes of [`PassphraseParams::recommended`]: two, computed on two threads, so a two-core
    /// machine waits half as long; an attacker's cost (memory × passes) is the same.
    pub const RECOMMENDED_P_COST: u32 = 2;

    /// Stint's setting for new passphrases (m = 256 MiB, t = 3, p = 2) with a fresh random salt:
    /// 13 times OWASP's minimum in memory and 1.5 times its passes, so each guess costs an
    /// offline attacker about 20 times as much. About 0.5 s on a two-core laptop (BENCHMARKS.md, B1).
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn recommended() -> Self {
        PassphraseParams {
            m_cost_kib: Self::RECOMMENDED_M_COST_KIB,
            t_cost: Self::RECOMMENDED_T_COST,
            p_cost: Self::RECOMMENDED_P_COST,
            salt: crate::random_array(),
        }
    }

    /// OWASP's minimum (m = 19456 KiB, t = 2, p = 1) with a fresh random salt: the weakest setting
    /// [`PassphraseParams::from_bytes`] accepts, for machines that cannot spare 256 MiB and for
    /// test vaults that are unlocked hundreds of times.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn minimum() -> Self {
        PassphraseParams {
            m_cost_kib: Self::MIN_M_COST_KIB,
            t_cost: Self::MIN_T_COST,
            p_cost: 1,
            salt: crate::random_array(),
        }
    }

    /// Whether these parameters cost at least as much memory and as many passes as `other`
    /// (lanes and salt aside).
    pub fn at_least(&self, other: &PassphraseParams) -> bool {
        self.m_cost_kib >= other.m_cost_kib && self.t_cost >= other.t_cost
    }

    /// Encodes the parameters in their 29-byte layout (version [`PASSPHRASE_PARAMS_VERSION`]).
    pub fn to_bytes(&self) -> [u8; PASSPHRASE_PARAMS_LEN] {
        let mut b = [0u8; PASSPHRASE_PARAMS_LEN];
        b[0] = PASSPHRASE_PARAMS_VERSION;
        b[1..5].copy_from_slice(&self.m_cost_kib.to_be_bytes());
        b[5..9].copy_from_slice(&self.t_cost.to_be_bytes());
        b[9..13].copy_from_slice(&self.p_cost.to_be_bytes());
        b[13..29].copy_from_slice(&self.salt);
        b
    }

    /// Decodes and checks stored parameters.
    ///
    /// # Errors
    /// - [`CryptoError::Malformed`] if the input is not 29 bytes or a cost is out of range;
    /// - [`CryptoError::UnsupportedVersion`] for an unknown version byte;
    /// - [`CryptoError::WeakParameters`] if memory or passes are below the minimum.
    pub fn from_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        let Some(&version) = b.first() else {
            return Err(CryptoError::Malformed("the passphrase settings are empty"));
        };
        if version != PASSPHRASE_PARAMS_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let b: &[u8; PASSPHRASE_PARAMS_LEN] = b.try_into().map_err(|_| {
            CryptoError::Malformed("the passphrase settings must be exactly 29 bytes")
        })?;
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let params = PassphraseParams {
            m_cost_kib: u32_at(1),
            t_cost: u32_at(5),
            p_cost: u32_at(9),
            salt: b[13..29].try_into().expect("fixed layout"),
        };
        params.check()?;
        Ok(params)
    }

    /// Derives the 32-byte key from `passphrase` with Argon2id v0x13.
    ///
    /// # Errors
    /// [`CryptoError::WeakParameters`] or [`CryptoError::Malformed`] if the parameters are out of
    /// range (the same checks as [`PassphraseParams::from_bytes`]).
    pub fn derive(&self, passphrase: &[u8]) -> Result<SymmetricKey, CryptoError> {
        self.check()?;
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(|_| CryptoError::Malformed("the passphrase settings are out of range"))?;
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase, &self.salt, out.as_mut_slice())
            .map_err(|_| CryptoError::Malformed("the passphrase could not be processed"))?;
        Ok(SymmetricKey::from_array_ref(&out))
    }

    fn check(&self) -> Result<(), CryptoError> {
        if self.m_cost_kib < Self::MIN_M_COST_KIB || self.t_cost < Self::MIN_T_COST {
            return Err(CryptoError::WeakParameters);
        }
        if self.p_cost == 0 {
            return Err(CryptoError::Malformed(
                "the passphrase settings need at least one lane",
            ));
        }
        if self.m_cost_kib > Self::MAX_M_COST_KIB
            || self.t_cost > Self::MAX_T_COST
            || self.p_cost > Self::MAX_P_COST
        {
            return Err(CryptoError::Malformed(
                "the passphrase settings ask for more work than Stint allows",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(salt: u8) -> PassphraseParams {
        PassphraseParams {
            m_cost_kib: PassphraseParams::MIN_M_COST_KIB,
            t_cost: PassphraseParams::MIN_T_COST,
            p_cost: 1,
            salt: [salt; 16],
        }
    }

    #[test]
    fn same_inputs_same_key_different_inputs_different_key() {
        let p = params(1);
        let a = p.derive(b"correct horse").unwrap();
        assert_eq!(a, p.derive(b"correct horse").unwrap());
        assert_ne!(a, p.derive(b"correct horsf").unwrap());
        assert_ne!(a, params(2).derive(b"correct horse").unwrap());
    }

    #[test]
    fn encoding_round_trips() {
        let p = PassphraseParams::minimum();
        let b = p.to_bytes();
        assert_eq!(b[0], 1);
        assert_eq!(&b[1..5], &19456u32.to_be_bytes());
        assert_eq!(&b[5..9], &2u32.to_be_bytes());
        assert_eq!(&b[9..13], &1u32.to_be_bytes());
        assert_eq!(PassphraseParams::from_bytes(&b), Ok(p));
        assert_ne!(
            PassphraseParams::minimum().salt,
            PassphraseParams::minimum().salt
        );
    }

    #[test]
    fn new_passphrases_get_256_mib_and_three_passes() {
        let p = PassphraseParams::recommended();
        assert_eq!((p.m_cost_kib, p.t_cost, p.p_cost), (262_144, 3, 2));
        assert_eq!(PassphraseParams::from_bytes(&p.to_bytes()), Ok(p));
        assert!(p.at_least(&PassphraseParams::minimum()));
        assert!(!PassphraseParams::minimum().at_least(&p));
        assert_ne!(p.salt, PassphraseParams::recommended().salt);
    }

    #[test]
    fn parameters_below_the_minimum_are_rejected() {
        let weak_memory = PassphraseParams {
            m_cost_kib: PassphraseParams::MIN_M_COST_KIB - 1,
            ..params(1)
        };
        let weak_time = PassphraseParams {
            t_cost: 1,
            ..params(1)
        };
        for weak in [weak_memory, weak_time] {
            assert_eq!(
                PassphraseParams::from_bytes(&weak.to_bytes()),
                Err(CryptoError::WeakParameters)
            );
            assert!(matches!(
                weak.derive(b"pass"),
                Err(CryptoError::WeakParameters)
            ));
        }
    }

    #[test]
    fn out_of_range_and_malformed_parameters_are_rejected() {
        let greedy = PassphraseParams {
            m_cost_kib: u32::MAX,
            ..params(1)
        };
        let no_lanes = PassphraseParams {
            p_cost: 0,
            ..params(1)
        };
        for bad in [greedy, no_lanes] {
            assert!(matches!(
                PassphraseParams::from_bytes(&bad.to_bytes()),
                Err(CryptoError::Malformed(_))
            ));
        }
        let good = params(1).to_bytes();
        assert!(PassphraseParams::from_bytes(&good[..28]).is_err());
        assert!(PassphraseParams::from_bytes(&[]).is_err());
        let mut v2 = good;
        v2[0] = 2;
        assert_eq!(
            PassphraseParams::from_bytes(&v2),
            Err(CryptoError::UnsupportedVersion(2))
        );
    }
}
