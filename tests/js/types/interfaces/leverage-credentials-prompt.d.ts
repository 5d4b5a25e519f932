/** @module Interface leverage:credentials/prompt@0.3.0 **/
export function text(question: string, default_: string | undefined): string;
export function secret(question: string): string;
export function select(question: string, choices: Array<string>, default_: number): number;
export type PromptError = PromptErrorCancelled | PromptErrorUnavailable;
export interface PromptErrorCancelled {
  tag: 'cancelled',
}
export interface PromptErrorUnavailable {
  tag: 'unavailable',
  val: string,
}
