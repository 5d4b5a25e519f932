/** @module Interface leverage:credentials/aws@0.1.0 **/
export function getCallerIdentity(credentials: AwsCredentials, region: string): CallerIdentity;
export function listAccounts(credentials: AwsCredentials, region: string): Array<OrganizationAccount>;
export function listMfaDevices(credentials: AwsCredentials, region: string, userName: string): Array<string>;
export type AwsCredentials = import('./leverage-credentials-types.js').AwsCredentials;
export interface OrganizationAccount {
  id: string,
  name: string,
  email: string,
}
export type AwsError = import('./leverage-credentials-types.js').AwsError;
export interface CallerIdentity {
  account: string,
  arn: string,
  userId: string,
}
