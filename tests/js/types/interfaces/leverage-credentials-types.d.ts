/** @module Interface leverage:credentials/types@0.4.0 **/
/**
 * # Variants
 * 
 * ## `"bootstrap"`
 * 
 * ## `"management"`
 * 
 * ## `"security"`
 */
export type CredentialsType = 'bootstrap' | 'management' | 'security';
export interface AwsCredentials {
  accessKeyId: string,
  secretAccessKey: string,
  sessionToken?: string,
}
export interface ConfigureRequest {
  credentialsType: CredentialsType,
  credentialsFile?: string,
  fetchMfaDevice: boolean,
  overwriteExistingCredentials: boolean,
  skipAccessKeysSetup: boolean,
  skipAssumableRolesSetup: boolean,
  nonInteractive: boolean,
  roleName?: string,
  allAccounts: boolean,
  mfaSerial?: string,
  prune: boolean,
  skipAccountCheck: boolean,
  environmentKeys?: AwsCredentials,
  projectRoot: string,
  currentDir: string,
  awsRoot: string,
  homeDir?: string,
}
/**
 * # Variants
 * 
 * ## `"aws-credentials"`
 * 
 * ## `"aws-config"`
 * 
 * ## `"terraform-vars"`
 * 
 * ## `"project-yaml"`
 * 
 * ## `"build-env"`
 */
export type FileKind = 'aws-credentials' | 'aws-config' | 'terraform-vars' | 'project-yaml' | 'build-env';
export interface FileChange {
  path: string,
  kind: FileKind,
  before?: string,
  after: string,
  holdsSecrets: boolean,
  maskedBefore?: string,
  maskedAfter: string,
}
export interface AccountProfile {
  name: string,
  account: string,
  accountId: string,
  roleArn: string,
  mfaSerial?: string,
}
export interface AccountId {
  name: string,
  id: string,
}
export interface StaleProfile {
  name: string,
  accountId: string,
}
export interface Report {
  profile: string,
  keysWritten: boolean,
  callerAccount?: string,
  profiles: Array<AccountProfile>,
  accountsLearned: Array<AccountId>,
  terraformAttributes: Array<string>,
  warnings: Array<string>,
  staleProfiles: Array<StaleProfile>,
  prunedProfiles: Array<StaleProfile>,
}
export interface Plan {
  changes: Array<FileChange>,
  report: Report,
}
export interface InputError {
  file?: string,
  line?: number,
  message: string,
}
/**
 * # Variants
 * 
 * ## `"invalid-credentials"`
 * 
 * ## `"access-denied"`
 * 
 * ## `"organization-not-in-use"`
 * 
 * ## `"throttled"`
 * 
 * ## `"network"`
 * 
 * ## `"other"`
 */
export type AwsErrorKind = 'invalid-credentials' | 'access-denied' | 'organization-not-in-use' | 'throttled' | 'network' | 'other';
export interface AwsError {
  kind: AwsErrorKind,
  code?: string,
  message: string,
}
export interface AwsFailure {
  operation: string,
  error: AwsError,
  message: string,
}
export type ConfigureError = ConfigureErrorUsage | ConfigureErrorInvalidInput | ConfigureErrorAnswerNeeded | ConfigureErrorAws | ConfigureErrorCancelled | ConfigureErrorHost;
export interface ConfigureErrorUsage {
  tag: 'usage',
  val: string,
}
export interface ConfigureErrorInvalidInput {
  tag: 'invalid-input',
  val: InputError,
}
export interface ConfigureErrorAnswerNeeded {
  tag: 'answer-needed',
  val: string,
}
export interface ConfigureErrorAws {
  tag: 'aws',
  val: AwsFailure,
}
export interface ConfigureErrorCancelled {
  tag: 'cancelled',
}
export interface ConfigureErrorHost {
  tag: 'host',
  val: string,
}
export interface RotateRequest {
  credentialsType: CredentialsType,
  deleteOld: boolean,
  dryRun: boolean,
  nonInteractive: boolean,
  projectRoot: string,
  currentDir: string,
  awsRoot: string,
  homeDir?: string,
}
/**
 * # Variants
 * 
 * ## `"active"`
 * 
 * ## `"inactive"`
 */
export type AccessKeyStatus = 'active' | 'inactive';
export interface AccessKey {
  accessKeyId: string,
  status: AccessKeyStatus,
  created?: string,
  ageDays?: number,
  lastUsed?: string,
}
/**
 * # Variants
 * 
 * ## `"deactivate"`
 * 
 * ## `"delete"`
 */
export type OldKeyAction = 'deactivate' | 'delete';
export interface RotationState {
  profile: string,
  credentialsPath: string,
  region: string,
  userName: string,
  userArn: string,
  oldKey: AccessKey,
  newKeyId: string,
  action: OldKeyAction,
}
/**
 * # Variants
 * 
 * ## `"would-create"`
 * 
 * ## `"written"`
 * 
 * ## `"deleted-again"`
 * 
 * ## `"left-in-iam"`
 */
export type NewKeyOutcome = 'would-create' | 'written' | 'deleted-again' | 'left-in-iam';
/**
 * # Variants
 * 
 * ## `"would-deactivate"`
 * 
 * ## `"would-delete"`
 * 
 * ## `"deactivated"`
 * 
 * ## `"deleted"`
 * 
 * ## `"still-active"`
 */
export type OldKeyOutcome = 'would-deactivate' | 'would-delete' | 'deactivated' | 'deleted' | 'still-active';
export interface RotateReport {
  profile: string,
  userArn: string,
  oldKey: AccessKey,
  newKeyId?: string,
  newKey: NewKeyOutcome,
  oldKeyOutcome: OldKeyOutcome,
  toDo: Array<string>,
  warnings: Array<string>,
}
export interface Rotation {
  plan: Plan,
  state?: RotationState,
  report: RotateReport,
}
