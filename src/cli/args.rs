//! Command-line arguments. Global options are accepted before or after the subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ossguard",
    version,
    about = "Audit and set the default server-side encryption of Alibaba Cloud OSS buckets",
    long_about = "Audit and set the default server-side encryption of Alibaba Cloud OSS buckets.\n\nWith no subcommand, opens the desktop app. Credentials come from OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and OSS_SESSION_TOKEN, or from a profile (--profile): an AccessKey or STS token in the OS keyring, a RAM role assumed with another profile's key, or the ECS instance's RAM role."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `ossguard devserver` shows in `--help`, beyond its flags.
const DEVSERVER_ABOUT: &str = "Run the local OSS-compatible dev server.\n\nBy default it accepts the demo AccessKey ID LTAI5tOssguardDemoKey with the secret ossguard-demo-secret-not-for-production: both public, never valid on real OSS. --access-key-id and --access-key-secret (or OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or --access-key-secret-file) set another. It listens on loopback only and prints one JSON line with its endpoints when ready.";

/// `ossguard devserver`, parsed on its own so that its help lists only its own options
/// (the CLI's global options do nothing there).
#[derive(Debug, Parser)]
#[command(name = "ossguard devserver", about = DEVSERVER_ABOUT)]
pub struct DevServerCli {
    #[command(flatten)]
    pub args: crate::devserver::DevServerArgs,
}

impl Cli {
    /// Parses the process's arguments; `ossguard devserver ...` goes to [`DevServerCli`].
    pub fn parse_args() -> Self {
        let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
        if argv.get(1).is_some_and(|a| a == "devserver") {
            let dev = DevServerCli::parse_from(&argv[1..]);
            let mut cli = Self::parse_from(&argv[..1]);
            cli.command = Some(Command::Devserver(Box::new(dev.args)));
            return cli;
        }
        Self::parse_from(argv)
    }
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// OSS endpoint for ListBuckets, e.g. https://oss-cn-hangzhou.aliyuncs.com
    #[arg(long, global = true, env = "OSS_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Region ID of the endpoint, e.g. cn-hangzhou (V4 signing scope)
    #[arg(long, global = true, env = "OSS_REGION")]
    pub region: Option<String>,
    /// Signature version
    #[arg(long, global = true, value_enum)]
    pub signature_version: Option<SigVersionArg>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Requests in flight at once when reading many buckets
    #[arg(long, global = true, default_value_t = crate::transport::fanout::DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
    /// Use a saved profile (its endpoint, region and credentials); repeat it to audit several
    /// accounts at once (`buckets` only)
    #[arg(long, global = true)]
    pub profile: Vec<String>,
    /// Audit every profile of the config file at once (`buckets` only)
    #[arg(long, global = true, conflicts_with = "profile")]
    pub all_profiles: bool,
    /// STS endpoint for RAM-role profiles (default https://sts.aliyuncs.com; the dev server's
    /// own port for a loopback profile)
    #[arg(long, global = true, env = "OSS_STS_ENDPOINT")]
    pub sts_endpoint: Option<String>,
    /// Send bucket calls to each bucket's internal (VPC) endpoint
    #[arg(long, global = true)]
    pub internal_endpoints: bool,
    /// Accept https bucket endpoints outside the endpoint's domain and aliyuncs.com
    #[arg(long, global = true)]
    pub allow_foreign_bucket_endpoints: bool,
    /// Per-request timeout in seconds
    #[arg(long, global = true, default_value_t = 30)]
    pub timeout: u64,
    /// KMS endpoint for every region (default: kms.<region>.aliyuncs.com, or the region's OSS
    /// endpoint for a non-Alibaba Cloud endpoint such as the dev server)
    #[arg(long, global = true, env = "OSS_KMS_ENDPOINT")]
    pub kms_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Bucket states `buckets --fail-on` treats as a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// No default encryption rule.
    Unencrypted,
    /// The rule could not be read.
    Unknown,
    /// The rule names a CMK that cannot protect the bucket (kms_key.usable is false).
    KeyUnusable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SigVersionArg {
    V4,
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataEncryptionArg {
    #[value(name = "SM4")]
    Sm4,
}

/// One bucket, found through ListBuckets, or addressed directly with its region (for RAM
/// users allowed bucket-level actions but not oss:ListBuckets).
#[derive(Debug, Clone, Args)]
pub struct BucketArg {
    pub bucket: String,
    /// The bucket's region: skip ListBuckets and address it directly
    #[arg(long)]
    pub bucket_region: Option<String>,
    /// The bucket's endpoint host (default: the region's public endpoint); needs --bucket-region
    #[arg(long, requires = "bucket_region")]
    pub bucket_endpoint: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every bucket of the account with its default encryption
    Buckets {
        /// Exit with code 3 when any bucket is in one of these states (for CI gates)
        #[arg(long, value_enum, value_delimiter = ',')]
        fail_on: Vec<FailOn>,
        /// Ask KMS nothing: a rule's CMK is reported with state and usable null and error
        /// KeyCheckSkipped (without kms:DescribeKey, or for speed); not with --fail-on
        /// key-unusable
        #[arg(long)]
        skip_key_check: bool,
    },
    /// Show one bucket's default encryption
    Get {
        #[command(flatten)]
        bucket: BucketArg,
        /// Ask KMS nothing: the rule's CMK is reported with state and usable null and error
        /// KeyCheckSkipped
        #[arg(long)]
        skip_key_check: bool,
    },
    /// Set a bucket's default encryption, then read it back
    Set {
        #[command(flatten)]
        bucket: BucketArg,
        #[arg(long, value_enum)]
        sse: crate::app::change::Algorithm,
        /// CMK ID (KMS only); omit for the KMS-managed default key
        #[arg(long)]
        kms_key_id: Option<String>,
        /// Encrypt data with SM4 under the KMS key (KMS only)
        #[arg(long, value_enum)]
        kms_data_encryption: Option<DataEncryptionArg>,
        /// Write even if the CMK is not usable in the bucket's region or KMS cannot be asked
        /// (the change log records that the check was skipped)
        #[arg(long)]
        skip_key_check: bool,
    },
    /// Delete a bucket's default encryption rule, then read it back
    Delete {
        #[command(flatten)]
        bucket: BucketArg,
        /// Confirm the deletion
        #[arg(long)]
        yes: bool,
    },
    /// List the KMS keys of regions (default: every region that has a bucket)
    Keys {
        /// Region IDs, comma-separated
        #[arg(long, value_delimiter = ',')]
        regions: Vec<String>,
    },
    /// Print the change log (every rule ossguard set or deleted)
    Log,
    /// Restore the rule from before the last logged change (of BUCKET, if given)
    Undo {
        bucket: Option<String>,
        /// Undo every bucket of one bulk change made in the app (its batch id in `ossguard log
        /// --format json`), each guarded like a single undo
        #[arg(long, conflicts_with = "bucket")]
        batch: Option<String>,
        /// Confirm the change
        #[arg(long)]
        yes: bool,
        /// Restore even if the bucket's rule changed since (someone else's change is lost)
        #[arg(long)]
        force: bool,
        /// Write even if the restored rule's CMK is not usable in the bucket's region or KMS
        /// cannot be asked (the change log records that the check was skipped)
        #[arg(long)]
        skip_key_check: bool,
    },
    /// Existing objects: scan their encryption, re-encrypt them, list jobs
    #[command(subcommand)]
    Objects(super::objects::ObjectsCommand),
    /// Run the local OSS-compatible dev server (demo key by default; see `devserver --help`)
    Devserver(Box<crate::devserver::DevServerArgs>),
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=512).contains(&n) => Ok(n),
        _ => Err("expected a number from 1 to 512".into()),
    }
}
