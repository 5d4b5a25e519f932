/** @module Interface leverage:credentials/log@0.4.0 **/
export function line(level: Level, message: string): void;
/**
 * # Variants
 * 
 * ## `"debug"`
 * 
 * ## `"info"`
 * 
 * ## `"warn"`
 */
export type Level = 'debug' | 'info' | 'warn';
