import { InvalidArgumentError } from 'commander';

/** Commander parsers that reject bad values with one clear line. */
export function parseIntegerOption(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected ${min}..${max}, got ${value}`);
    return n;
  };
}

export function parseUrlOption(protocols: readonly string[]): (value: string) => URL {
  return (value: string) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(`not a URL: "${value}"`);
    }
    if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
      throw new InvalidArgumentError(`expected a ${protocols.join(' or ')} URL`);
    }
    return url;
  };
}
