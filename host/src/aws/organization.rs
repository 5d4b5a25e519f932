//! Organizations DescribeOrganization: which account is the organization's
//! management account, as the organization itself says (any member account
//! may ask).

use super::*;

pub(super) async fn describe_organization(config: &SdkConfig, watch: &Arc<Watch>) -> Result<Reply, AwsError> {
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .interceptor(SharedWatch(watch.clone()))
            .build(),
    );
    // One small reply: the reply-size bound and the operation's timeouts
    // apply as to every call.
    let reply = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| to_aws_error(e, false))?;
    let organization = reply.organization();
    Ok(Reply::Organization(Organization {
        id: organization.and_then(|o| o.id()).unwrap_or_default().to_string(),
        management_account_id: organization
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_string(),
    }))
}
