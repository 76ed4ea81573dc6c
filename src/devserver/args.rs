//! The `ossguard devserver` flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::sts_state::RoleDef;
use super::{DEFAULT_REGIONS, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DevServerConfig};

/// Largest `--clock-skew-seconds` either way: ten years. Far more is not a clock but a typo,
/// and keeps the server's date arithmetic from overflowing.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 10 * 366 * 24 * 3600;

/// Flags of `ossguard devserver`. Numbers are range-checked when parsed. The secret and the
/// STS token can come from the environment or a file, so they need not show in the process
/// list; their values are hidden from `--help` and `Debug`.
#[derive(clap::Args, Clone)]
pub struct DevServerArgs {
    /// Address of the first region's port (loopback only; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Directory holding the server's state (created if missing).
    #[arg(long = "data", value_name = "DIR")]
    pub data: PathBuf,
    /// Regions to serve, comma separated; the first one is served on --listen.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_REGIONS.map(String::from))]
    pub regions: Vec<String>,
    /// AccessKey ID the server accepts.
    #[arg(long, env = "OSS_ACCESS_KEY_ID", default_value = DEMO_ACCESS_KEY_ID)]
    pub access_key_id: String,
    /// AccessKey secret the server accepts [default: the public demo secret
    /// ossguard-demo-secret-not-for-production].
    #[arg(
        long,
        env = "OSS_ACCESS_KEY_SECRET",
        default_value = DEMO_ACCESS_KEY_SECRET,
        hide_env_values = true,
        hide_default_value = true
    )]
    pub access_key_secret: String,
    /// Read the AccessKey secret from this file (first line); wins over the flag and the
    /// environment.
    #[arg(long, value_name = "FILE")]
    pub access_key_secret_file: Option<PathBuf>,
    /// Fill an empty data dir with about 30 demo buckets across the regions.
    #[arg(long)]
    pub demo: bool,
    /// Delay added before every answer, in milliseconds (0-600000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub latency_ms: u64,
    /// Probability (0-1) that a request fails: half answer 503, half drop the connection.
    #[arg(long, default_value_t = 0.0, value_parser = parse_probability)]
    pub fail_rate: f64,
    /// Offset of the server clock from the real one, in seconds (may be negative; at most
    /// ten years either way).
    #[arg(
        long,
        default_value_t = 0,
        allow_hyphen_values = true,
        value_parser = clap::value_parser!(i64).range(-MAX_CLOCK_SKEW_SECONDS..=MAX_CLOCK_SKEW_SECONDS)
    )]
    pub clock_skew_seconds: i64,
    /// Accept `STS.<access-key-id>` with this x-oss-security-token.
    #[arg(long, env = "OSSGUARD_DEVSERVER_STS_TOKEN", hide_env_values = true)]
    pub sts_token: Option<String>,
    /// Read the STS token from this file (first line); wins over the flag and the
    /// environment.
    #[arg(long, value_name = "FILE")]
    pub sts_token_file: Option<PathBuf>,
    /// When the STS token expires (RFC 3339); later requests get SecurityTokenExpired.
    #[arg(long)]
    pub sts_expires_at: Option<String>,
    /// Create N buckets seed-00001.. when the data dir holds none (at most 1,000,000).
    #[arg(long, default_value_t = 0, value_parser = parse_seed_count)]
    pub seed_buckets: usize,
    /// Create N small unencrypted objects obj/0000001.. in bucket seed-objects when the data
    /// dir holds no bucket (at most 1,000,000).
    #[arg(long, default_value_t = 0, value_parser = parse_seed_count)]
    pub seed_objects: usize,
    /// With --seed-buckets: create N Enabled KMS keys key-seedkms0001.. and point every seed
    /// rule naming a CMK at one of them in its own region (at most 1,000,000)
    #[arg(long, default_value_t = 0, value_parser = parse_seed_count)]
    pub seed_kms_keys: usize,
    /// Account UID of the server's AccessKey (GetCallerIdentity, bucket owner).
    #[arg(long, default_value = super::DEFAULT_ACCOUNT_ID)]
    pub account_id: String,
    /// A role STS AssumeRole may issue credentials for (repeatable):
    /// arn=acs:ram::UID:role/NAME[,trust=AK1;AK2][,max-duration=SECONDS]; trust defaults to
    /// the server's AccessKey. Roles may also be listed in DATA/sts-roles.json.
    #[arg(long = "sts-role", value_name = "SPEC", value_parser = parse_role)]
    pub sts_roles: Vec<RoleDef>,
    /// Temporary credentials issued by AssumeRole live at most this many seconds (1-43200).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=43_200))]
    pub sts_max_duration_seconds: Option<u32>,
}

fn parse_role(text: &str) -> Result<RoleDef, String> {
    RoleDef::parse_flag(text)
}

impl DevServerArgs {
    pub fn into_config(self) -> anyhow::Result<DevServerConfig> {
        let sts_expires_at = match self.sts_expires_at.as_deref() {
            None => None,
            Some(text) => Some(
                chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|e| anyhow::anyhow!("--sts-expires-at {text:?}: {e}"))?
                    .with_timezone(&chrono::Utc),
            ),
        };
        let clock_skew = chrono::Duration::try_seconds(self.clock_skew_seconds)
            .ok_or_else(|| anyhow::anyhow!("--clock-skew-seconds is out of range"))?;
        let secret = match &self.access_key_secret_file {
            Some(path) => read_secret_file(path, "--access-key-secret-file")?,
            None => self.access_key_secret.clone(),
        };
        let sts_token = match &self.sts_token_file {
            Some(path) => Some(read_secret_file(path, "--sts-token-file")?),
            None => self.sts_token.clone(),
        };
        anyhow::ensure!(
            sts_expires_at.is_none() || sts_token.is_some(),
            "--sts-expires-at needs an STS token (--sts-token or --sts-token-file)"
        );
        let mut config = DevServerConfig::new(self.data, &self.access_key_id, &secret);
        config.listen = self.listen;
        config.regions = self
            .regions
            .into_iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        config.demo = self.demo;
        config.latency = Duration::from_millis(self.latency_ms);
        config.fail_rate = self.fail_rate;
        config.clock_skew = clock_skew;
        config.sts_token = sts_token;
        config.sts_expires_at = sts_expires_at;
        config.seed_buckets = self.seed_buckets;
        config.seed_objects = self.seed_objects;
        config.seed_kms_keys = self.seed_kms_keys;
        config.account_id = self.account_id.trim().to_owned();
        config.sts_roles = self.sts_roles;
        config.sts_max_duration_seconds = self.sts_max_duration_seconds;
        config.validate()?;
        Ok(config)
    }
}

/// The first line of `path`, for a secret kept out of the process list.
fn read_secret_file(path: &std::path::Path, flag: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{flag} {}: {e}", path.display()))?;
    let first = text.lines().next().unwrap_or_default().trim();
    anyhow::ensure!(
        !first.is_empty(),
        "{flag} {}: the file is empty",
        path.display()
    );
    Ok(first.to_owned())
}

fn parse_probability(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("expected a probability from 0 to 1".into()),
    }
}

fn parse_seed_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n <= 1_000_000 => Ok(n),
        _ => Err("expected a number from 0 to 1000000".into()),
    }
}

impl fmt::Debug for DevServerArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevServerArgs")
            .field("listen", &self.listen)
            .field("data", &self.data)
            .field("regions", &self.regions)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("demo", &self.demo)
            .field("latency_ms", &self.latency_ms)
            .field("fail_rate", &self.fail_rate)
            .field("clock_skew_seconds", &self.clock_skew_seconds)
            .field("sts_token", &self.sts_token.as_ref().map(|_| "***"))
            .field("sts_token_file", &self.sts_token_file)
            .field("access_key_secret_file", &self.access_key_secret_file)
            .field("sts_expires_at", &self.sts_expires_at)
            .field("seed_buckets", &self.seed_buckets)
            .field("seed_objects", &self.seed_objects)
            .field("seed_kms_keys", &self.seed_kms_keys)
            .field("account_id", &self.account_id)
            .field("sts_roles", &self.sts_roles)
            .field("sts_max_duration_seconds", &self.sts_max_duration_seconds)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::DevServerArgs;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: DevServerArgs,
    }

    #[test]
    fn parses_every_flag() {
        let cli = Cli::try_parse_from([
            "x",
            "--data",
            "/tmp/d",
            "--regions",
            "cn-beijing,cn-hangzhou",
            "--access-key-id",
            "ak",
            "--access-key-secret",
            "sk-value",
            "--demo",
            "--latency-ms",
            "5",
            "--fail-rate",
            "0.5",
            "--clock-skew-seconds",
            "-1200",
            "--sts-token",
            "tok",
            "--sts-expires-at",
            "2030-01-01T00:00:00Z",
            "--seed-buckets",
            "7",
            "--seed-objects",
            "9",
            "--seed-kms-keys",
            "4",
            "--account-id",
            "1111222233334444",
            "--sts-role",
            "arn=acs:ram::1111222233334444:role/auditor,max-duration=900",
            "--sts-max-duration-seconds",
            "3",
        ])
        .expect("parses");
        assert!(!format!("{:?}", cli.args).contains("sk-value"));
        let config = cli.args.into_config().expect("valid");
        assert_eq!(config.regions, ["cn-beijing", "cn-hangzhou"]);
        assert_eq!(config.clock_skew, chrono::Duration::seconds(-1200));
        assert_eq!(config.seed_buckets, 7);
        assert_eq!(config.seed_objects, 9);
        assert_eq!(config.seed_kms_keys, 4);
        assert_eq!(config.account_id, "1111222233334444");
        assert_eq!(config.sts_roles[0].max_duration_seconds, 900);
        assert_eq!(config.sts_max_duration_seconds, Some(3));
        assert!(config.demo);
        assert_eq!(config.access_key_secret, "sk-value");
    }

    #[test]
    fn defaults_and_refusals() {
        let cli = Cli::try_parse_from(["x", "--data", "/tmp/d"]).expect("parses");
        assert_eq!(cli.args.regions.len(), 4);
        let bad = Cli::try_parse_from(["x", "--data", "/tmp/d", "--listen", "0.0.0.0:9000"])
            .expect("parses");
        assert!(bad.args.into_config().is_err());
    }

    #[test]
    fn numbers_out_of_range_are_refused_when_parsed() {
        for bad in [
            ["--clock-skew-seconds", "9000000000000"],
            ["--clock-skew-seconds", "-9000000000000"],
            ["--latency-ms", "600001"],
            ["--fail-rate", "1.5"],
            ["--fail-rate", "NaN"],
            ["--seed-buckets", "1000001"],
        ] {
            let parsed = Cli::try_parse_from(["x", "--data", "/tmp/d", bad[0], bad[1]]);
            assert!(parsed.is_err(), "{bad:?} accepted");
        }
        let edge = Cli::try_parse_from([
            "x",
            "--data",
            "/tmp/d",
            "--clock-skew-seconds",
            "-316224000",
        ])
        .expect("ten years back is allowed");
        assert!(edge.args.into_config().is_ok());
    }

    #[test]
    fn secret_and_token_come_from_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = dir.path().join("secret");
        let token = dir.path().join("token");
        std::fs::write(&secret, "file-secret\n").expect("write");
        std::fs::write(&token, "file-token\n").expect("write");
        let cli = Cli::try_parse_from([
            "x".as_ref(),
            "--data".as_ref(),
            dir.path().as_os_str(),
            "--access-key-secret-file".as_ref(),
            secret.as_os_str(),
            "--sts-token-file".as_ref(),
            token.as_os_str(),
        ])
        .expect("parses");
        assert!(!format!("{:?}", cli.args).contains("file-secret"));
        let config = cli.args.into_config().expect("valid");
        assert_eq!(config.access_key_secret, "file-secret");
        assert_eq!(config.sts_token.as_deref(), Some("file-token"));
        let missing = Cli::try_parse_from([
            "x".as_ref(),
            "--data".as_ref(),
            dir.path().as_os_str(),
            "--sts-token-file".as_ref(),
            dir.path().join("nope").as_os_str(),
        ])
        .expect("parses");
        assert!(missing.args.into_config().is_err());
        let both = Cli::try_parse_from([
            "x".as_ref(),
            "--data".as_ref(),
            dir.path().as_os_str(),
            "--sts-token".as_ref(),
            "flag-token".as_ref(),
            "--sts-token-file".as_ref(),
            token.as_os_str(),
        ])
        .expect("parses");
        let config = both.args.into_config().expect("valid");
        assert_eq!(
            config.sts_token.as_deref(),
            Some("file-token"),
            "the file wins"
        );
    }
}
