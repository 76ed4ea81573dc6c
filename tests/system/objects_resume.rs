//! A re-encryption job killed with SIGKILL and started again with the same command resumes
//! and issues no CopyObject for an object already copied, not even for one whose copy had
//! landed when the process died but whose `done` line had not been journaled yet.
//!
//! The bucket is versioned, so every CopyObject the server executed is a version: a key
//! copied once shows two versions, a key copied again three.
//!
//! Also: one runner per job (the same command while the job runs is refused and writes
//! nothing; once the runner is gone the job resumes).

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::objects_cli::{command, json};
use crate::common::{AK, DevServerProcess, SK, client_for};
use ossguard::core::ops::Action;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::devserver::seed_objects::SEED_OBJECTS_BUCKET;
use ossguard::transport::{OssClient, Target};

const OBJECTS: usize = 400;
const ARGS: [&str; 10] = [
    "objects",
    "encrypt",
    SEED_OBJECTS_BUCKET,
    "--sse",
    "AES256",
    "--yes",
    "--format",
    "json",
    "--concurrency",
    "32",
];

/// The dev server binary with `objects` seeded objects, answering after `latency_ms`.
fn seeded(objects: usize, latency_ms: u32) -> DevServerProcess {
    DevServerProcess::start(&[
        "--seed-objects",
        &objects.to_string(),
        "--regions",
        "cn-hangzhou",
        "--latency-ms",
        &latency_ms.to_string(),
    ])
}

fn client_and_target(server: &DevServerProcess) -> (OssClient, Target) {
    let client = client_for(
        &server.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V4,
        Credentials::new(AK, SK),
    );
    let target = Target::Bucket {
        host: server.endpoint().trim_start_matches("http://").to_owned(),
        region: "cn-hangzhou".into(),
    };
    (client, target)
}

/// Versions per key from ListObjectVersions (one page: at most 1,000 versions).
async fn versions_per_key(server: &DevServerProcess) -> HashMap<String, usize> {
    let (client, target) = client_and_target(server);
    let req = OssRequest::new(Method::Get, Some(SEED_OBJECTS_BUCKET)).with_query("versions", "");
    let answer = client
        .send(Action::ListObjects, &req, &target)
        .await
        .expect("versions");
    assert!(answer.body.contains("<IsTruncated>false</IsTruncated>"));
    let mut counts = HashMap::new();
    for part in answer.body.split("<Key>").skip(1) {
        let key = part.split("</Key>").next().unwrap_or_default().to_owned();
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// Keys with a `done` line in the client's job journal(s).
fn journaled_done(server: &DevServerProcess) -> HashSet<String> {
    let jobs = server.dir.path().join("client-data/jobs");
    std::fs::read_dir(&jobs)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path().join("journal.jsonl")).unwrap_or_default())
        .flat_map(|text| {
            text.lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter(|line| line["state"] == "done")
                .filter_map(|line| line["key"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Starts `args` as a child process and returns it once `done` objects are journaled done,
/// still running.
fn running_job(server: &DevServerProcess, args: &[&str], done: usize) -> std::process::Child {
    let mut child = command(server, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while journaled_done(server).len() < done {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "job made no progress"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "job ended too early"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// Starts a job on a fresh versioned bucket and SIGKILLs it once 60 objects are journaled
/// done. Returns the server and the keys whose copy landed but which the journal does not
/// list as done: the objects a careless resume would copy again.
async fn killed_mid_job() -> (DevServerProcess, Vec<String>) {
    let server = seeded(OBJECTS, 10);
    let (client, target) = client_and_target(&server);
    let enable = OssRequest::new(Method::Put, Some(SEED_OBJECTS_BUCKET))
        .with_query("versioning", "")
        .with_xml_body(
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".into(),
        );
    client
        .send(Action::PutBucket, &enable, &target)
        .await
        .expect("versioning on");
    let mut child = running_job(&server, &ARGS, 60);
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let done = journaled_done(&server);
    assert!(done.len() < OBJECTS, "killed mid-way ({} done)", done.len());
    let landed_not_done = versions_per_key(&server)
        .await
        .into_iter()
        .filter(|(key, n)| *n > 1 && !done.contains(key))
        .map(|(key, _)| key)
        .collect();
    (server, landed_not_done)
}

#[tokio::test]
async fn a_job_killed_with_sigkill_resumes_without_copying_any_object_twice() {
    // The kill must catch a copy that landed before its `done` line, else the run proves
    // little; at 32 in flight it almost always does, and a few attempts make it certain.
    let mut attempt = 0;
    let (server, landed_not_done) = loop {
        attempt += 1;
        let (server, landed) = killed_mid_job().await;
        if !landed.is_empty() || attempt == 5 {
            break (server, landed);
        }
    };
    assert!(
        !landed_not_done.is_empty(),
        "in 5 attempts, no kill caught a copy that landed before its done line"
    );

    // The dry run's plan says the copies will be new versions.
    let mut dry = ARGS.to_vec();
    dry[5] = "--dry-run";
    let plan = json(&command(&server, &dry).output().expect("dry run"));
    assert_eq!(plan["versioning"], "Enabled");
    assert!(
        plan["versions_note"]
            .as_str()
            .is_some_and(|n| n.contains("older versions keep their encryption")),
        "{plan}"
    );
    assert_eq!(
        plan["copy"].as_u64().unwrap_or(0) + plan["already_ok"].as_u64().unwrap_or(0),
        OBJECTS as u64
    );

    let resumed = json(&command(&server, &ARGS).output().expect("resume"));
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["planned"], OBJECTS);
    assert_eq!(resumed["failed"], 0);
    assert_eq!(
        resumed["copied"], OBJECTS,
        "every object counted as copied once: {resumed}"
    );
    let versions = versions_per_key(&server).await;
    assert_eq!(versions.len(), OBJECTS);
    let not_once: Vec<_> = versions.iter().filter(|(_, n)| **n != 2).collect();
    assert!(
        not_once.is_empty(),
        "keys not copied exactly once: {not_once:?} (copies that had landed unjournaled: {landed_not_done:?})"
    );
}

/// Jobs in the client's data folder, and the job lines of its change log.
fn jobs_and_log_lines(server: &DevServerProcess) -> (usize, usize) {
    let data = server.dir.path().join("client-data");
    let jobs = std::fs::read_dir(data.join("jobs")).map_or(0, Iterator::count);
    let log = std::fs::read_to_string(data.join("changes.jsonl")).unwrap_or_default();
    (jobs, log.matches("\"kind\":\"reencrypt_objects\"").count())
}

#[test]
fn a_second_runner_is_refused_while_the_job_runs_and_the_job_resumes_after() {
    const SLOW: usize = 200;
    // Slow enough that the first runner is still at work when the second asks.
    let server = seeded(SLOW, 50);
    let mut slow = ARGS.to_vec();
    slow[9] = "2";
    let mut child = running_job(&server, &slow, 5);
    // The concurrency is not part of the job's name: this is the same job.
    let second = command(&server, &ARGS).output().expect("second runner");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "is running in another ossguard process (pid {})",
            child.id()
        )),
        "{stderr}"
    );
    assert!(second.stdout.is_empty());
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the first runner was still at work when the second was refused"
    );
    // The refused runner wrote nothing: one job, and only the first runner's "started".
    assert_eq!(jobs_and_log_lines(&server), (1, 1));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let done = journaled_done(&server).len();
    assert!(done < SLOW, "killed mid-way ({done} done)");

    // The runner is gone (a killed process holds no lock): the same command resumes.
    let resumed = json(&command(&server, &ARGS).output().expect("resume"));
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["planned"], SLOW);
    assert_eq!(resumed["copied"], SLOW, "{resumed}");
    assert_eq!(resumed["failed"], 0);
}
