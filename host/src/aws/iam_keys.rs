//! The IAM calls on access keys that `rotate` makes (and the listing that
//! `configure` uses to tell the keys' age).

use super::*;

pub(super) fn iam_client(config: &SdkConfig, watch: &Arc<Watch>) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(config)
            .interceptor(SharedWatch(watch.clone()))
            .build(),
    )
}

pub(super) fn iso_date(date: &aws_smithy_types::DateTime) -> Option<String> {
    date.fmt(aws_smithy_types::date_time::Format::DateTime).ok()
}

/// Whole days from `date` to now, by this machine's clock.
pub(super) fn age_days(date: &aws_smithy_types::DateTime) -> Option<u32> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let created = u64::try_from(date.secs()).ok()?;
    u32::try_from(now.saturating_sub(created) / 86_400).ok()
}

pub(super) async fn list_access_keys(
    config: &SdkConfig,
    user: Option<String>,
    watch: &Arc<Watch>,
) -> Result<Reply, AwsError> {
    // Without a user name, IAM lists the keys of the caller itself. A user
    // has two keys at most: one page.
    let reply = iam_client(config, watch)
        .list_access_keys()
        .set_user_name(user)
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    let keys = reply
        .access_key_metadata()
        .iter()
        .take(100)
        .map(|key| AccessKey {
            access_key_id: key.access_key_id().unwrap_or_default().to_string(),
            status: match key.status() {
                Some(aws_sdk_iam::types::StatusType::Active) => AccessKeyStatus::Active,
                _ => AccessKeyStatus::Inactive,
            },
            created: key.create_date().and_then(iso_date),
            age_days: key.create_date().and_then(age_days),
            last_used: None,
        })
        .collect();
    Ok(Reply::AccessKeys(keys))
}

pub(super) async fn access_key_last_used(
    config: &SdkConfig,
    id: String,
    watch: &Arc<Watch>,
) -> Result<Reply, AwsError> {
    let reply = iam_client(config, watch)
        .get_access_key_last_used()
        .access_key_id(id)
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    Ok(Reply::LastUsed(
        reply
            .access_key_last_used()
            .and_then(|used| used.last_used_date())
            .and_then(iso_date),
    ))
}

pub(super) async fn create_access_key(
    config: &SdkConfig,
    user: Option<String>,
    watch: &Arc<Watch>,
) -> Result<Reply, AwsError> {
    let reply = iam_client(config, watch)
        .create_access_key()
        .set_user_name(user)
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    let Some(key) = reply.access_key() else {
        return Err(AwsError::new(
            AwsErrorKind::Other,
            "IAM answered CreateAccessKey without a key",
        ));
    };
    Ok(Reply::CreatedKey(AwsCredentials {
        access_key_id: key.access_key_id().to_string(),
        secret_access_key: key.secret_access_key().to_string(),
        session_token: None,
    }))
}

pub(super) async fn update_access_key(
    config: &SdkConfig,
    change: AccessKeyChange,
    watch: &Arc<Watch>,
) -> Result<Reply, AwsError> {
    iam_client(config, watch)
        .update_access_key()
        .set_user_name(change.key.user_name)
        .access_key_id(change.key.access_key_id)
        .status(match change.status {
            AccessKeyStatus::Active => aws_sdk_iam::types::StatusType::Active,
            AccessKeyStatus::Inactive => aws_sdk_iam::types::StatusType::Inactive,
        })
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    Ok(Reply::Done)
}

pub(super) async fn delete_access_key(
    config: &SdkConfig,
    key: AccessKeyRef,
    watch: &Arc<Watch>,
) -> Result<Reply, AwsError> {
    iam_client(config, watch)
        .delete_access_key()
        .set_user_name(key.user_name)
        .access_key_id(key.access_key_id)
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    Ok(Reply::Done)
}
