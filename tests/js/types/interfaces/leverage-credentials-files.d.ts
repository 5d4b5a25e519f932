/** @module Interface leverage:credentials/files@0.4.0 **/
export function read(path: string): string | undefined;
export function readStdin(): string;
export type FilesError = FilesErrorIsDirectory | FilesErrorPermissionDenied | FilesErrorNotText | FilesErrorOther;
export interface FilesErrorIsDirectory {
  tag: 'is-directory',
}
export interface FilesErrorPermissionDenied {
  tag: 'permission-denied',
}
export interface FilesErrorNotText {
  tag: 'not-text',
}
export interface FilesErrorOther {
  tag: 'other',
  val: string,
}
