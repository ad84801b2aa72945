/**
 * An error in what the user gave us (a file, a flag). The CLI prints its message
 * and exits with code 2, as the counting tools promise for malformed input.
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
