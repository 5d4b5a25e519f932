/** @module Interface leverage:credentials/aws@0.3.0 **/
export function callAll(calls: Array<Call>): Array<Result<Reply, AwsError>>;
export type AwsCredentials = import('./leverage-credentials-types.js').AwsCredentials;
export type Request = RequestGetCallerIdentity | RequestListAccounts | RequestListMfaDevices;
export interface RequestGetCallerIdentity {
  tag: 'get-caller-identity',
}
export interface RequestListAccounts {
  tag: 'list-accounts',
}
export interface RequestListMfaDevices {
  tag: 'list-mfa-devices',
  val: string | undefined,
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
export type Reply = ReplyCallerIdentity | ReplyAccounts | ReplyMfaDevices;
export interface ReplyCallerIdentity {
  tag: 'caller-identity',
  val: CallerIdentity,
}
export interface ReplyAccounts {
  tag: 'accounts',
  val: Array<OrganizationAccount>,
}
export interface ReplyMfaDevices {
  tag: 'mfa-devices',
  val: Array<string>,
}
export type AwsError = import('./leverage-credentials-types.js').AwsError;
export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
