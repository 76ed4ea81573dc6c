//! `--shard I/N`: a stable split of a bucket's keys, so N machines can share one bucket with
//! no coordination beyond their shard number.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const ALL: Self = Self { index: 0, count: 1 };

    /// Whether `key` belongs to this shard: the first 8 bytes of its SHA-256 modulo N, the
    /// same on every machine and every version.
    pub fn contains(&self, key: &str) -> bool {
        if self.count <= 1 {
            return true;
        }
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("shard {text:?}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = index.trim().parse().map_err(|_| bad())?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn every_key_in_exactly_one_shard() {
        let shards: Vec<Shard> = (0..4)
            .map(|i| format!("{i}/4").parse().expect("parses"))
            .collect();
        let mut sizes = [0usize; 4];
        for n in 0..1000 {
            let key = format!("dir/object-{n}");
            let owners: Vec<usize> = (0..4).filter(|&i| shards[i].contains(&key)).collect();
            assert_eq!(owners.len(), 1, "{key}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| s > 150), "{sizes:?}");
        assert!(Shard::ALL.contains("anything"));
        for bad in ["4/4", "1/0", "x/2", "3", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(shards[3].to_string(), "3/4");
    }
}
