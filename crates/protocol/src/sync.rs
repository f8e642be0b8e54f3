//! The sync routes' binary framing (docs/formats.md, "Sync frames"): envelopes travel as their own
//! bytes, length-prefixed, not as JSON-wrapped base64. Three messages, each with a leading version
//! byte; integers are big-endian:
//!
//! ```text
//! push request  (POST …/sync/push): 0x01 | count u32 | count × (len u32 | envelope)
//! push reply:                       0x01 | count u32 | count × (outcome u8 | seq u64)
//! pull page     (GET  …/sync/pull): 0x01 | history (16) | head u64 | count u32
//!                                        | count × (seq u64 | len u32 | envelope)
//! ```
//!
//! Decoding is strict: a wrong version, a count or length beyond the limits, a truncated message or
//! bytes left over are refused with a [`FrameError`] that says which. Nothing here reads an
//! envelope: the server checks each one with `stint-crypto`, the client too.

use std::fmt;

/// The media type of every sync message.
pub const SYNC_MEDIA_TYPE: &str = "application/vnd.stint.sync";
/// The version byte of the messages below.
pub const SYNC_FRAMES_VERSION: u8 = 1;
/// Most envelopes in one push or one pull page.
pub const MAX_BATCH: usize = 1000;
/// Largest envelope a sync message may carry (records are small; attachments travel on their own).
pub const MAX_ENVELOPE_LEN: usize = 256 * 1024;
/// The media type of an attachment's upload and download: its one envelope, as sealed.
pub const ENVELOPE_MEDIA_TYPE: &str = "application/vnd.stint.envelope";
/// Largest attachment envelope: a receipt of 20 MiB (`stint_domain::expense::MAX_RECEIPT_BYTES`)
/// and its envelope's header, nonce, tag and signature.
pub const MAX_ATTACHMENT_LEN: usize = 20 * 1024 * 1024 + 4096;
/// Largest push request: a full batch of the largest envelopes is refused; a push carries at most
/// this many bytes (the sync routes' own body limit).
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;

/// What became of one pushed envelope, in the order they were pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored as the record's latest version, at `seq`.
    Stored,
    /// This very version (same record, HLC and author device) was stored before, at `seq`: a
    /// retried push writes nothing twice.
    AlreadyStored,
    /// A later version of the record is stored, at `seq`: pull it, merge, push the result.
    Superseded,
}

impl Outcome {
    fn to_u8(self) -> u8 {
        match self {
            Outcome::Stored => 0,
            Outcome::AlreadyStored => 1,
            Outcome::Superseded => 2,
        }
    }

    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => Outcome::Stored,
            1 => Outcome::AlreadyStored,
            2 => Outcome::Superseded,
            _ => return None,
        })
    }
}

/// One pulled envelope and its place in the organization's sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulled {
    /// Its sequence number: pull again `after` the last one seen.
    pub seq: u64,
    /// The envelope, as its author's device sealed it.
    pub envelope: Vec<u8>,
}

/// One page of a pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullPage {
    /// The organization's history id: a new one means the server's records were replaced (deleted
    /// and published again); a client keeps its cursor only within one history.
    pub history: [u8; 16],
    /// The highest sequence number the server has handed out. A client whose cursor is ahead of it
    /// is talking to a server restored from an older backup, and pushes again what it lost.
    pub head: u64,
    /// Envelopes after the cursor, in sequence order. When the last one's `seq` is below `head`,
    /// there is more.
    pub records: Vec<Pulled>,
}

/// Why a sync message was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Empty, or of a version this build does not know.
    Version,
    /// It ends before its counts and lengths say it should.
    Truncated,
    /// More bytes follow the last envelope.
    TrailingBytes,
    /// More than [`MAX_BATCH`] envelopes.
    TooMany,
    /// An envelope of zero bytes or more than [`MAX_ENVELOPE_LEN`].
    EnvelopeSize,
    /// An outcome byte that names no [`Outcome`].
    UnknownOutcome,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FrameError::Version => "the sync message is empty or of an unknown version",
            FrameError::Truncated => "the sync message ends too early",
            FrameError::TrailingBytes => "the sync message has bytes after its last record",
            FrameError::TooMany => "a sync message carries at most 1000 records",
            FrameError::EnvelopeSize => {
                "a record in the sync message is empty or larger than 256 KiB"
            }
            FrameError::UnknownOutcome => "the sync reply has an unknown outcome",
        })
    }
}

impl std::error::Error for FrameError {}

/// Reads a message front to back; every read checks the length first.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, FrameError> {
        match bytes.split_first() {
            Some((&SYNC_FRAMES_VERSION, rest)) => Ok(Reader { rest }),
            _ => Err(FrameError::Version),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if self.rest.len() < n {
            return Err(FrameError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, FrameError> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, FrameError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn count(&mut self) -> Result<usize, FrameError> {
        let n = self.u32()? as usize;
        if n > MAX_BATCH {
            return Err(FrameError::TooMany);
        }
        Ok(n)
    }

    fn envelope(&mut self) -> Result<&'a [u8], FrameError> {
        let len = self.u32()? as usize;
        if len == 0 || len > MAX_ENVELOPE_LEN {
            return Err(FrameError::EnvelopeSize);
        }
        self.take(len)
    }

    fn finish(self) -> Result<(), FrameError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(FrameError::TrailingBytes)
        }
    }
}

fn put_envelope(out: &mut Vec<u8>, envelope: &[u8]) {
    out.extend_from_slice(&(envelope.len() as u32).to_be_bytes());
    out.extend_from_slice(envelope);
}

/// A push request's bytes. The caller keeps to [`MAX_BATCH`] and [`MAX_PUSH_BYTES`].
pub fn encode_push<E: AsRef<[u8]>>(envelopes: &[E]) -> Vec<u8> {
    let size = envelopes
        .iter()
        .map(|e| 4 + e.as_ref().len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(5 + size);
    out.push(SYNC_FRAMES_VERSION);
    out.extend_from_slice(&(envelopes.len() as u32).to_be_bytes());
    for e in envelopes {
        put_envelope(&mut out, e.as_ref());
    }
    out
}

/// The envelopes of a push request, borrowed from `bytes`.
///
/// # Errors
/// A [`FrameError`] for anything but a well-formed request within the limits.
pub fn decode_push(bytes: &[u8]) -> Result<Vec<&[u8]>, FrameError> {
    let mut r = Reader::new(bytes)?;
    let n = r.count()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.envelope()?);
    }
    r.finish()?;
    Ok(out)
}

/// A push reply's bytes.
pub fn encode_push_reply(outcomes: &[(Outcome, u64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + 9 * outcomes.len());
    out.push(SYNC_FRAMES_VERSION);
    out.extend_from_slice(&(outcomes.len() as u32).to_be_bytes());
    for (outcome, seq) in outcomes {
        out.push(outcome.to_u8());
        out.extend_from_slice(&seq.to_be_bytes());
    }
    out
}

/// The outcomes of a push reply.
///
/// # Errors
/// A [`FrameError`] for anything but a well-formed reply.
pub fn decode_push_reply(bytes: &[u8]) -> Result<Vec<(Outcome, u64)>, FrameError> {
    let mut r = Reader::new(bytes)?;
    let n = r.count()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let outcome = Outcome::from_u8(r.u8()?).ok_or(FrameError::UnknownOutcome)?;
        out.push((outcome, r.u64()?));
    }
    r.finish()?;
    Ok(out)
}

/// A pull page's bytes.
pub fn encode_pull<E: AsRef<[u8]>>(history: &[u8; 16], head: u64, records: &[(u64, E)]) -> Vec<u8> {
    let size = records
        .iter()
        .map(|(_, e)| 12 + e.as_ref().len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(29 + size);
    out.push(SYNC_FRAMES_VERSION);
    out.extend_from_slice(history);
    out.extend_from_slice(&head.to_be_bytes());
    out.extend_from_slice(&(records.len() as u32).to_be_bytes());
    for (seq, e) in records {
        out.extend_from_slice(&seq.to_be_bytes());
        put_envelope(&mut out, e.as_ref());
    }
    out
}

/// A pull page.
///
/// # Errors
/// A [`FrameError`] for anything but a well-formed page within the limits.
pub fn decode_pull(bytes: &[u8]) -> Result<PullPage, FrameError> {
    let mut r = Reader::new(bytes)?;
    let history: [u8; 16] = r.take(16)?.try_into().expect("16 bytes");
    let head = r.u64()?;
    let n = r.count()?;
    let mut records = Vec::with_capacity(n);
    for _ in 0..n {
        let seq = r.u64()?;
        records.push(Pulled {
            seq,
            envelope: r.envelope()?.to_vec(),
        });
    }
    r.finish()?;
    Ok(PullPage {
        history,
        head,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn envelopes() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..300), 0..20)
    }

    proptest! {
        #[test]
        fn messages_round_trip(envs in envelopes(), head in any::<u64>(), history in any::<[u8; 16]>()) {
            let push = encode_push(&envs);
            prop_assert_eq!(decode_push(&push).unwrap(), envs.iter().map(Vec::as_slice).collect::<Vec<_>>());
            let outcomes: Vec<(Outcome, u64)> = envs.iter().enumerate()
                .map(|(i, e)| ([Outcome::Stored, Outcome::AlreadyStored, Outcome::Superseded][e[0] as usize % 3], i as u64))
                .collect();
            prop_assert_eq!(decode_push_reply(&encode_push_reply(&outcomes)).unwrap(), outcomes);
            let records: Vec<(u64, Vec<u8>)> = envs.iter().cloned().enumerate().map(|(i, e)| (i as u64 * 7, e)).collect();
            let page = decode_pull(&encode_pull(&history, head, &records)).unwrap();
            prop_assert_eq!(page.history, history);
            prop_assert_eq!(page.head, head);
            prop_assert_eq!(page.records.into_iter().map(|p| (p.seq, p.envelope)).collect::<Vec<_>>(), records);
        }

        /// Every cut short of the whole message, and every extra byte, is refused; nothing panics
        /// on any input.
        #[test]
        fn truncated_or_extended_messages_are_refused(envs in envelopes(), junk in prop::collection::vec(any::<u8>(), 0..64)) {
            let push = encode_push(&envs);
            for cut in 0..push.len() {
                prop_assert!(decode_push(&push[..cut]).is_err());
            }
            let mut longer = push.clone();
            longer.push(0);
            prop_assert_eq!(decode_push(&longer), Err(FrameError::TrailingBytes));
            let _ = decode_push(&junk);
            let _ = decode_push_reply(&junk);
            let _ = decode_pull(&junk);
        }
    }

    #[test]
    fn limits_are_enforced_before_allocating() {
        // A count beyond the limit is refused from its four bytes alone.
        let mut many = vec![SYNC_FRAMES_VERSION];
        many.extend_from_slice(&(MAX_BATCH as u32 + 1).to_be_bytes());
        assert_eq!(decode_push(&many), Err(FrameError::TooMany));
        let mut huge = vec![SYNC_FRAMES_VERSION, 0, 0, 0, 1];
        huge.extend_from_slice(&(MAX_ENVELOPE_LEN as u32 + 1).to_be_bytes());
        assert_eq!(decode_push(&huge), Err(FrameError::EnvelopeSize));
        assert_eq!(
            decode_push(&[SYNC_FRAMES_VERSION, 0, 0, 0, 1, 0, 0, 0, 0]),
            Err(FrameError::EnvelopeSize)
        );
        assert_eq!(decode_push(&[]), Err(FrameError::Version));
        assert_eq!(decode_push(&[2, 0, 0, 0, 0]), Err(FrameError::Version));
        assert_eq!(
            decode_push_reply(&[1, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(FrameError::UnknownOutcome)
        );
    }

    /// The layout, byte for byte (docs/formats.md, "Sync frames").
    #[test]
    fn the_layout_is_pinned() {
        assert_eq!(
            encode_push(&[b"ab".as_slice(), b"c"]),
            [1, 0, 0, 0, 2, 0, 0, 0, 2, b'a', b'b', 0, 0, 0, 1, b'c']
        );
        assert_eq!(
            encode_push_reply(&[(Outcome::Stored, 5), (Outcome::Superseded, 258)]),
            [
                1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0, 0, 0, 0, 0, 0, 1, 2
            ]
        );
        let page = encode_pull(&[7; 16], 9, &[(3, b"xy".as_slice())]);
        let mut expected = vec![1];
        expected.extend_from_slice(&[7; 16]);
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1]);
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, b'x', b'y']);
        assert_eq!(page, expected);
    }
}
