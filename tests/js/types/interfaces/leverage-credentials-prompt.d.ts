/** @module Interface leverage:credentials/prompt@0.4.0 **/
export function text(question: Question, default_: string | undefined): string;
export function secret(question: Question): string;
export function select(question: Question, choices: Array<string>, default_: number): number;
export interface Question {
  text: string,
  answeredBy: string,
}
export type PromptError = PromptErrorCancelled | PromptErrorUnavailable;
export interface PromptErrorCancelled {
  tag: 'cancelled',
}
export interface PromptErrorUnavailable {
  tag: 'unavailable',
  val: string,
}
