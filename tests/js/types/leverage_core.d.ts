// world root:component/root
export type ConfigureRequest = import('./interfaces/leverage-credentials-types.js').ConfigureRequest;
export type Plan = import('./interfaces/leverage-credentials-types.js').Plan;
export type ConfigureError = import('./interfaces/leverage-credentials-types.js').ConfigureError;
export type RotateRequest = import('./interfaces/leverage-credentials-types.js').RotateRequest;
export type Rotation = import('./interfaces/leverage-credentials-types.js').Rotation;
export type RotationState = import('./interfaces/leverage-credentials-types.js').RotationState;
export type RotateReport = import('./interfaces/leverage-credentials-types.js').RotateReport;
import type * as LeverageCredentialsAws from './interfaces/leverage-credentials-aws.js'; // leverage:credentials/aws@0.4.0
import type * as LeverageCredentialsFiles from './interfaces/leverage-credentials-files.js'; // leverage:credentials/files@0.4.0
import type * as LeverageCredentialsLog from './interfaces/leverage-credentials-log.js'; // leverage:credentials/log@0.4.0
import type * as LeverageCredentialsPrompt from './interfaces/leverage-credentials-prompt.js'; // leverage:credentials/prompt@0.4.0
import type * as LeverageCredentialsTypes from './interfaces/leverage-credentials-types.js'; // leverage:credentials/types@0.4.0
import type * as WasiCliEnvironment from './interfaces/wasi-cli-environment.js'; // wasi:cli/environment@0.2.6
import type * as WasiCliExit from './interfaces/wasi-cli-exit.js'; // wasi:cli/exit@0.2.6
import type * as WasiCliStderr from './interfaces/wasi-cli-stderr.js'; // wasi:cli/stderr@0.2.6
import type * as WasiCliStdin from './interfaces/wasi-cli-stdin.js'; // wasi:cli/stdin@0.2.6
import type * as WasiCliStdout from './interfaces/wasi-cli-stdout.js'; // wasi:cli/stdout@0.2.6
import type * as WasiCliTerminalInput from './interfaces/wasi-cli-terminal-input.js'; // wasi:cli/terminal-input@0.2.6
import type * as WasiCliTerminalOutput from './interfaces/wasi-cli-terminal-output.js'; // wasi:cli/terminal-output@0.2.6
import type * as WasiCliTerminalStderr from './interfaces/wasi-cli-terminal-stderr.js'; // wasi:cli/terminal-stderr@0.2.6
import type * as WasiCliTerminalStdin from './interfaces/wasi-cli-terminal-stdin.js'; // wasi:cli/terminal-stdin@0.2.6
import type * as WasiCliTerminalStdout from './interfaces/wasi-cli-terminal-stdout.js'; // wasi:cli/terminal-stdout@0.2.6
import type * as WasiIoError from './interfaces/wasi-io-error.js'; // wasi:io/error@0.2.6
import type * as WasiIoPoll from './interfaces/wasi-io-poll.js'; // wasi:io/poll@0.2.6
import type * as WasiIoStreams from './interfaces/wasi-io-streams.js'; // wasi:io/streams@0.2.6
import type * as WasiRandomInsecureSeed from './interfaces/wasi-random-insecure-seed.js'; // wasi:random/insecure-seed@0.2.6
export interface ImportObject {
  'leverage:credentials/aws@0.4.0': typeof LeverageCredentialsAws,
  'leverage:credentials/files@0.4.0': typeof LeverageCredentialsFiles,
  'leverage:credentials/log@0.4.0': typeof LeverageCredentialsLog,
  'leverage:credentials/prompt@0.4.0': typeof LeverageCredentialsPrompt,
  'leverage:credentials/types@0.4.0': typeof LeverageCredentialsTypes,
  'wasi:cli/environment@0.2.6': typeof WasiCliEnvironment,
  'wasi:cli/exit@0.2.6': typeof WasiCliExit,
  'wasi:cli/stderr@0.2.6': typeof WasiCliStderr,
  'wasi:cli/stdin@0.2.6': typeof WasiCliStdin,
  'wasi:cli/stdout@0.2.6': typeof WasiCliStdout,
  'wasi:cli/terminal-input@0.2.6': typeof WasiCliTerminalInput,
  'wasi:cli/terminal-output@0.2.6': typeof WasiCliTerminalOutput,
  'wasi:cli/terminal-stderr@0.2.6': typeof WasiCliTerminalStderr,
  'wasi:cli/terminal-stdin@0.2.6': typeof WasiCliTerminalStdin,
  'wasi:cli/terminal-stdout@0.2.6': typeof WasiCliTerminalStdout,
  'wasi:io/error@0.2.6': typeof WasiIoError,
  'wasi:io/poll@0.2.6': typeof WasiIoPoll,
  'wasi:io/streams@0.2.6': typeof WasiIoStreams,
  'wasi:random/insecure-seed@0.2.6': typeof WasiRandomInsecureSeed,
}
export interface Root {
  configure(request: ConfigureRequest): Plan,
  rotate(request: RotateRequest): Rotation,
  finishRotation(state: RotationState, applied: Result<void, string>): RotateReport,
}
export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };

/**
* Instantiates this component with the provided imports and
* returns a map of all the exports of the component.
*
* This function is intended to be similar to the
* `WebAssembly.Instantiate` constructor. The second `imports`
* argument is the "import object" for wasm, except here it
* uses component-model-layer types instead of core wasm
* integers/numbers/etc.
*
* The first argument to this function, `getCoreModule`, is
* used to compile core wasm modules within the component.
* Components are composed of core wasm modules and this callback
* will be invoked per core wasm module. The caller of this
* function is responsible for reading the core wasm module
* identified by `path` and returning its compiled
* `WebAssembly.Module` object. This would use the
* `WebAssembly.Module` constructor on the web, for example.
*/
export function instantiate(
getCoreModule: (path: string) => WebAssembly.Module,
imports: ImportObject,
instantiateCore?: (module: WebAssembly.Module, imports: Record<string, any>) => WebAssembly.Instance
): Root;

