/** @module Interface leverage:credentials/aws@0.4.0 **/
export function callAll(calls: Array<Call>): Array<Result<Reply, AwsError>>;
export function wait(milliseconds: number): void;
export type AwsCredentials = import('./leverage-credentials-types.js').AwsCredentials;
export interface AccessKeyRef {
  userName?: string,
  accessKeyId: string,
}
export type AccessKeyStatus = import('./leverage-credentials-types.js').AccessKeyStatus;
export interface AccessKeyChange {
  key: AccessKeyRef,
  status: AccessKeyStatus,
}
export type Request = RequestGetCallerIdentity | RequestListAccounts | RequestDescribeOrganization | RequestListMfaDevices | RequestListAccessKeys | RequestAccessKeyLastUsed | RequestCreateAccessKey | RequestUpdateAccessKey | RequestDeleteAccessKey;
export interface RequestGetCallerIdentity {
  tag: 'get-caller-identity',
}
export interface RequestListAccounts {
  tag: 'list-accounts',
}
export interface RequestDescribeOrganization {
  tag: 'describe-organization',
}
export interface RequestListMfaDevices {
  tag: 'list-mfa-devices',
  val: string | undefined,
}
export interface RequestListAccessKeys {
  tag: 'list-access-keys',
  val: string | undefined,
}
export interface RequestAccessKeyLastUsed {
  tag: 'access-key-last-used',
  val: string,
}
export interface RequestCreateAccessKey {
  tag: 'create-access-key',
  val: string | undefined,
}
export interface RequestUpdateAccessKey {
  tag: 'update-access-key',
  val: AccessKeyChange,
}
export interface RequestDeleteAccessKey {
  tag: 'delete-access-key',
  val: AccessKeyRef,
}
export interface Call {
  credentials: AwsCredentials,
  region: string,
  request: Request,
}
export interface CallerIdentity {
  account: string,
  arn: string,
  userId: string,
}
export interface OrganizationAccount {
  id: string,
  name: string,
  email: string,
}
export interface Organization {
  id: string,
  managementAccountId: string,
}
export type AccessKey = import('./leverage-credentials-types.js').AccessKey;
export type Reply = ReplyCallerIdentity | ReplyAccounts | ReplyOrganization | ReplyMfaDevices | ReplyAccessKeys | ReplyLastUsed | ReplyCreatedKey | ReplyDone;
export interface ReplyCallerIdentity {
  tag: 'caller-identity',
  val: CallerIdentity,
}
export interface ReplyAccounts {
  tag: 'accounts',
  val: Array<OrganizationAccount>,
}
export interface ReplyOrganization {
  tag: 'organization',
  val: Organization,
}
export interface ReplyMfaDevices {
  tag: 'mfa-devices',
  val: Array<string>,
}
export interface ReplyAccessKeys {
  tag: 'access-keys',
  val: Array<AccessKey>,
}
export interface ReplyLastUsed {
  tag: 'last-used',
  val: string | undefined,
}
export interface ReplyCreatedKey {
  tag: 'created-key',
  val: AwsCredentials,
}
export interface ReplyDone {
  tag: 'done',
}
export type AwsError = import('./leverage-credentials-types.js').AwsError;
export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
