//! Rounding of tracked time for billing. Raw seconds are always kept; rounding applies when amounts
//! are computed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// Which way to round.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum RoundingMode {
    /// Always to the next step (a started quarter hour counts whole).
    Up,
    /// Always to the previous step.
    Down,
    /// To the nearest step, half way rounds up.
    Nearest,
}

/// Round durations to a multiple of `minutes`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Rounding {
    /// Direction.
    pub mode: RoundingMode,
    /// Step in minutes, 1 to 1440.
    pub minutes: u32,
}

impl Rounding {
    /// A rounding rule, validated.
    pub fn new(mode: RoundingMode, minutes: u32) -> Result<Self, ValidationError> {
        if !(1..=1440).contains(&minutes) {
            return Err(ValidationError::new(format!(
                "rounding step must be between 1 and 1440 minutes, not {minutes}"
            )));
        }
        Ok(Self { mode, minutes })
    }

    /// `seconds` rounded to the step. Zero stays zero; negative input is treated as zero.
    pub fn apply(self, seconds: i64) -> i64 {
        let seconds = seconds.max(0);
        let step = i64::from(self.minutes) * 60;
        let below = seconds - seconds % step;
        match self.mode {
            RoundingMode::Down => below,
            RoundingMode::Up if seconds % step == 0 => seconds,
            RoundingMode::Up => below + step,
            RoundingMode::Nearest if (seconds % step) * 2 >= step => below + step,
            RoundingMode::Nearest => below,
        }
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            RoundingMode::Up => "up",
            RoundingMode::Down => "down",
            RoundingMode::Nearest => "nearest",
        };
        write!(f, "{mode}:{}", self.minutes)
    }
}

impl FromStr for Rounding {
    type Err = ValidationError;
    /// `up:15`, `down:6`, `nearest:30`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ValidationError::new(format!(
                "{s:?} is not a rounding rule (use up:15, down:6 or nearest:30)"
            ))
        };
        let (mode, minutes) = s.trim().split_once(':').ok_or_else(bad)?;
        let mode = match mode.trim().to_ascii_lowercase().as_str() {
            "up" => RoundingMode::Up,
            "down" => RoundingMode::Down,
            "nearest" => RoundingMode::Nearest,
            _ => return Err(bad()),
        };
        let minutes = minutes.trim().parse().map_err(|_| bad())?;
        Rounding::new(mode, minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_quarter_hours() {
        let up = Rounding::new(RoundingMode::Up, 15).unwrap();
        assert_eq!(up.apply(0), 0);
        assert_eq!(up.apply(1), 900);
        assert_eq!(up.apply(900), 900);
        assert_eq!(up.apply(901), 1800);
        let down = Rounding::new(RoundingMode::Down, 15).unwrap();
        assert_eq!(down.apply(1799), 900);
        let nearest = Rounding::new(RoundingMode::Nearest, 15).unwrap();
        assert_eq!(nearest.apply(449), 0);
        assert_eq!(nearest.apply(450), 900);
        assert_eq!("up:15".parse::<Rounding>().unwrap(), up);
        assert!("up:0".parse::<Rounding>().is_err());
        assert!("sideways:5".parse::<Rounding>().is_err());
    }

    proptest! {
        #[test]
        fn rounded_is_a_multiple_within_one_step(seconds in 0i64..10_000_000, minutes in 1u32..=1440) {
            let step = i64::from(minutes) * 60;
            for mode in [RoundingMode::Up, RoundingMode::Down, RoundingMode::Nearest] {
                let r = Rounding::new(mode, minutes).unwrap().apply(seconds);
                prop_assert_eq!(r % step, 0);
                prop_assert!((r - seconds).abs() < step);
                match mode {
                    RoundingMode::Up => prop_assert!(r >= seconds),
                    RoundingMode::Down => prop_assert!(r <= seconds),
                    RoundingMode::Nearest => prop_assert!((r - seconds).abs() * 2 <= step),
                }
            }
        }
    }
}
