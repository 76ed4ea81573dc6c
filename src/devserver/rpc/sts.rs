//! STS 2015-04-01 on every region's port (the dev server's "STS endpoint" is its service
//! port): AssumeRole and GetCallerIdentity over [`StsState`](crate::devserver::sts_state).
//!
//! Not modelled: session `Policy` and `ExternalId` are accepted but not enforced, and roles
//! cannot be assumed with temporary credentials (no role chaining).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{RpcFault, RpcRequest};
use crate::core::sts::{self, RoleArn, format_expiration};
use crate::devserver::server::RegionState;
use crate::devserver::sts_state::AssumeRefusal;

pub(crate) fn handle(st: &RegionState, call: &RpcRequest) -> Result<Map<String, Value>, RpcFault> {
    let answer = match call.action.as_str() {
        "AssumeRole" => assume_role(st, call)?,
        "GetCallerIdentity" => caller_identity(st, call),
        other => {
            return Err(RpcFault::new(
                StatusCode::NOT_FOUND,
                "InvalidAction.NotFound",
                format!("Specified api is not found, please check your url and method: {other}."),
            ));
        }
    };
    match answer {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

fn assume_role(st: &RegionState, call: &RpcRequest) -> Result<Value, RpcFault> {
    let arn_text = call.required("RoleArn")?;
    let arn = RoleArn::parse(arn_text).map_err(|_| {
        RpcFault::bad_request(
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        )
    })?;
    let session = call.required("RoleSessionName")?;
    sts::validate_session_name(session)
        .map_err(|e| RpcFault::bad_request("InvalidParameter.RoleSessionName", e))?;
    let duration = match call.param("DurationSeconds") {
        None => sts::DEFAULT_DURATION_SECONDS,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|d| sts::validate_duration(*d).is_ok())
            .ok_or_else(|| {
                RpcFault::bad_request(
                    "InvalidParameter.DurationSeconds",
                    "The Min/Max value of DurationSeconds is 15min/12hr.",
                )
            })?,
    };
    if let Some(policy) = call.param("Policy")
        && serde_json::from_str::<Value>(policy).is_err()
    {
        return Err(RpcFault::bad_request(
            "InvalidParameter.PolicyGrammar",
            "The policy has a syntax error.",
        ));
    }
    let sts_state = &st.shared.keys.sts;
    let (id, expiration) = sts_state
        .assume(&call.access_key_id, &arn, session, duration, call.now)
        .map_err(|refusal| match refusal {
            AssumeRefusal::NoSuchRole => RpcFault::new(
                StatusCode::NOT_FOUND,
                "EntityNotExist.Role",
                format!("The role not exists: {arn}."),
            ),
            AssumeRefusal::NotTrusted => RpcFault::new(
                StatusCode::FORBIDDEN,
                "NoPermission",
                "You are not authorized to do this action. You should be authorized by RAM.",
            ),
            AssumeRefusal::TemporaryCaller => RpcFault::new(
                StatusCode::FORBIDDEN,
                "NoPermission",
                "The dev server does not let temporary credentials assume a role.",
            ),
            AssumeRefusal::TooLong { max } => RpcFault::bad_request(
                "InvalidParameter.DurationSeconds",
                format!("The Max value of DurationSeconds for this role is {max}."),
            ),
        })?;
    let (secret, token) = sts_state
        .with_issued(&id, |i| (i.secret.clone(), i.token.clone()))
        .ok_or_else(|| RpcFault::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", ""))?;
    Ok(json!({
        "Credentials": {
            "AccessKeyId": id,
            "AccessKeySecret": secret.as_str(),
            "SecurityToken": token.as_str(),
            "Expiration": format_expiration(expiration),
        },
        "AssumedRoleUser": {
            "Arn": assumed_arn(&arn, session),
            "AssumedRoleId": format!("{}:{session}", role_id(&arn)),
        },
    }))
}

fn caller_identity(st: &RegionState, call: &RpcRequest) -> Value {
    let sts_state = &st.shared.keys.sts;
    let assumed = sts_state.with_issued(&call.access_key_id, |i| {
        (i.role.clone(), i.session_name.clone())
    });
    match assumed {
        Some((role, session)) => {
            let principal = format!("{}:{session}", role_id(&role));
            json!({
                "AccountId": role.account_id,
                "UserId": principal,
                "PrincipalId": principal,
                "Arn": assumed_arn(&role, &session),
                "IdentityType": "AssumedRoleUser",
            })
        }
        None => json!({
            "AccountId": sts_state.account_id,
            "UserId": sts_state.account_id,
            "PrincipalId": sts_state.account_id,
            "Arn": format!("acs:ram::{}:root", sts_state.account_id),
            "IdentityType": "Account",
        }),
    }
}

fn assumed_arn(role: &RoleArn, session: &str) -> String {
    format!(
        "acs:ram::{}:assumed-role/{}/{session}",
        role.account_id, role.role_name
    )
}

/// A stable, role-specific numeric ID, as STS's `AssumedRoleId` prefix.
fn role_id(role: &RoleArn) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(role.to_string().as_bytes());
    digest[..8]
        .iter()
        .fold(String::new(), |acc, b| acc + &format!("{:02}", b % 100))
}
