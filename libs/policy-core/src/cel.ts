/**
 * Rule conditions in CEL (https://cel.dev), parsed and planned by `@bufbuild/cel`, type-checked here.
 *
 * `@bufbuild/cel` 0.6 parses and evaluates but has no public type checker, so this module checks the
 * parsed AST against the declared shape of `request` and `asset` before a document is accepted: unknown
 * variables, unknown fields, unsupported functions, operands of the wrong type and a result that is
 * not `bool` are refused with the line and column in the expression.
 *
 * One deliberate difference from standard CEL: `int` arithmetic (`+ - *`) is arbitrary precision
 * (bounded at 2^256 in magnitude), because amounts in the smallest unit exceed 64 bits (10 ETH is
 * 10^19 wei), so `request.amount < 10 * asset.unit` means what it says.
 */
import { CelScalar, celEnv, celFunc, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];

// ---------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------

export type CelT =
  | { readonly k: 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null' | 'dyn' }
  | { readonly k: 'list'; readonly elem: CelT }
  | { readonly k: 'map'; readonly key: CelT; readonly value: CelT }
  | { readonly k: 'object'; readonly name: string; readonly fields: Readonly<Record<string, CelT>> };

const BOOL: CelT = { k: 'bool' };
const INT: CelT = { k: 'int' };
const UINT: CelT = { k: 'uint' };
const DOUBLE: CelT = { k: 'double' };
const STRING: CelT = { k: 'string' };
const BYTES: CelT = { k: 'bytes' };
const NULL: CelT = { k: 'null' };
const DYN: CelT = { k: 'dyn' };
const list = (elem: CelT): CelT => ({ k: 'list', elem });
const map = (key: CelT, value: CelT): CelT => ({ k: 'map', key, value });
const object = (name: string, fields: Record<string, CelT>): CelT => ({ k: 'object', name, fields });

/** What a condition can see. Optional fields (absent for some operations) are tested with `has(...)`. */
export const CEL_VARIABLES: Readonly<Record<string, CelT>> = {
  request: object('request', {
    id: STRING,
    operation: STRING,
    createdAt: INT,
    initiator: object('request.initiator', { id: STRING, groups: list(STRING) }),
    source: object('request.source', { wallet: STRING, tags: list(STRING) }),
    destination: object('request.destination', {
      address: STRING,
      chainId: INT,
      whitelisted: BOOL,
      entry: STRING,
      tags: list(STRING),
    }),
    asset: STRING,
    amount: INT,
    chainId: INT,
    attributes: map(STRING, STRING),
  }),
  asset: object('asset', { id: STRING, decimals: INT, unit: INT }),
};

export function typeName(t: CelT): string {
  switch (t.k) {
    case 'list':
      return `list(${typeName(t.elem)})`;
    case 'map':
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'object':
      return t.name;
    default:
      return t.k;
  }
}

const isNumeric = (t: CelT): boolean => t.k === 'int' || t.k === 'uint' || t.k === 'double';

/** `a` and `b` may meet in `==`, a list, a conditional: same type, or one of them dyn. */
function compatible(a: CelT, b: CelT): boolean {
  if (a.k === 'dyn' || b.k === 'dyn') return true;
  if (a.k === 'list' && b.k === 'list') return compatible(a.elem, b.elem);
  if (a.k === 'map' && b.k === 'map') return compatible(a.key, b.key) && compatible(a.value, b.value);
  if (a.k === 'object' && b.k === 'object') return a.name === b.name;
  return a.k === b.k;
}

function join(a: CelT, b: CelT): CelT {
  if (a.k === 'dyn') return b;
  return a;
}

// ---------------------------------------------------------------------------------------------------
// Errors with a position
// ---------------------------------------------------------------------------------------------------

/** A condition was refused; `line` and `column` are 1-based, in code points of the expression. */
export class CelCheckError extends Error {
  override readonly name = 'CelCheckError';
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`at ${line}:${column}: ${reason}`);
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const chars = Array.from(text);
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < chars.length; i++) {
    if (chars[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

// ---------------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------------

/** Macros (exists, all, map, filter, …) nested deeper than this are refused: their cost multiplies. */
export const MAX_MACRO_NESTING = 2;

class Checker {
  private macroDepth = 0;

  constructor(
    private readonly text: string,
    private readonly positions: Readonly<Record<string, number>>,
  ) {}

  fail(e: Expr, reason: string): never {
    const offset = this.positions[e.id.toString()] ?? 0;
    const { line, column } = lineColumn(this.text, offset);
    throw new CelCheckError(line, column, reason);
  }

  check(e: Expr, scope: ReadonlyMap<string, CelT>): CelT {
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr': {
        const c = kind.value.constantKind;
        switch (c.case) {
          case 'boolValue':
            return BOOL;
          case 'int64Value':
            return INT;
          case 'uint64Value':
            return UINT;
          case 'doubleValue':
            return DOUBLE;
          case 'stringValue':
            return STRING;
          case 'bytesValue':
            return BYTES;
          case 'nullValue':
            return NULL;
          default:
            return this.fail(e, `unsupported literal`);
        }
      }
      case 'identExpr': {
        const t = scope.get(kind.value.name);
        if (t === undefined) {
          return this.fail(e, `unknown variable "${short(kind.value.name)}" (conditions see: request, asset)`);
        }
        return t;
      }
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        if (operand === undefined) return this.fail(e, 'selection without an operand');
        const t = this.check(operand, scope);
        const ft = this.field(e, t, field);
        return testOnly ? BOOL : ft;
      }
      case 'callExpr':
        return this.call(e, kind.value.function, kind.value.target, kind.value.args, scope);
      case 'listExpr': {
        let elem: CelT = DYN;
        for (const el of kind.value.elements) {
          const t = this.check(el, scope);
          if (!compatible(elem, t)) return this.fail(el, `list elements of different types (${typeName(elem)} and ${typeName(t)})`);
          elem = join(elem, t);
        }
        return list(elem);
      }
      case 'structExpr': {
        if (kind.value.messageName !== '') return this.fail(e, 'message construction is not supported in conditions');
        let key: CelT = DYN;
        let value: CelT = DYN;
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case !== 'mapKey') return this.fail(e, 'message construction is not supported in conditions');
          const kt = this.check(entry.keyKind.value, scope);
          if (!['string', 'int', 'uint', 'bool', 'dyn'].includes(kt.k)) return this.fail(entry.keyKind.value, `map keys must be string, int, uint or bool, not ${typeName(kt)}`);
          if (entry.value === undefined) return this.fail(e, 'map entry without a value');
          const vt = this.check(entry.value, scope);
          if (!compatible(key, kt) || !compatible(value, vt)) return this.fail(entry.value, 'map entries of different types');
          key = join(key, kt);
          value = join(value, vt);
        }
        return map(key, value);
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        if (c.iterRange === undefined || c.accuInit === undefined || c.loopCondition === undefined || c.loopStep === undefined || c.result === undefined) {
          return this.fail(e, 'incomplete comprehension');
        }
        if (c.iterVar2 !== '') return this.fail(e, 'two-variable comprehensions are not supported');
        if (this.macroDepth >= MAX_MACRO_NESTING) return this.fail(e, `macros nested deeper than ${MAX_MACRO_NESTING} are not allowed (the cost multiplies with every level)`);
        this.macroDepth++;
        try {
          return this.comprehension(c, scope);
        } finally {
          this.macroDepth--;
        }
      }
      default:
        return this.fail(e, 'unsupported expression');
    }
  }

  private comprehension(c: Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'], scope: ReadonlyMap<string, CelT>): CelT {
    const { iterRange, accuInit, loopCondition, loopStep, result } = c;
    if (iterRange === undefined || accuInit === undefined || loopCondition === undefined || loopStep === undefined || result === undefined) {
      throw new CelCheckError(1, 1, 'incomplete comprehension');
    }
    const range = this.check(iterRange, scope);
    let iter: CelT;
    if (range.k === 'list') iter = range.elem;
    else if (range.k === 'map') iter = range.key;
    else if (range.k === 'dyn') iter = DYN;
    else return this.fail(iterRange, `a macro needs a list or a map, not ${typeName(range)}`);
    const accu = this.check(accuInit, scope);
    const inner = new Map(scope);
    inner.set(c.iterVar, iter);
    inner.set(c.accuVar, accu);
    const cond = this.check(loopCondition, inner);
    if (cond.k !== 'bool' && cond.k !== 'dyn') return this.fail(loopCondition, `the predicate must be bool, not ${typeName(cond)}`);
    const step = this.check(loopStep, inner);
    if (!compatible(accu, step)) return this.fail(loopStep, `the predicate must be bool, not ${typeName(step)}`);
    inner.set(c.accuVar, join(accu, step));
    return this.check(result, inner);
  }

  private field(e: Expr, t: CelT, field: string): CelT {
    if (t.k === 'object') {
      const ft = t.fields[field];
      if (ft === undefined) {
        return this.fail(e, `no field "${short(field)}" on ${t.name} (fields: ${Object.keys(t.fields).join(', ')})`);
      }
      return ft;
    }
    if (t.k === 'map') {
      if (t.key.k !== 'string' && t.key.k !== 'dyn') return this.fail(e, `field selection on ${typeName(t)}`);
      return t.value;
    }
    if (t.k === 'dyn') return DYN;
    return this.fail(e, `no field "${short(field)}" on ${typeName(t)}`);
  }

  private call(e: Expr, fn: string, target: Expr | undefined, args: readonly Expr[], scope: ReadonlyMap<string, CelT>): CelT {
    const a = args.map((x) => this.check(x, scope));
    const tt = target === undefined ? undefined : this.check(target, scope);
    const want = (n: number): void => {
      if (a.length !== n) this.fail(e, `${displayName(fn)} takes ${n} argument(s), got ${a.length}`);
    };
    const boolish = (t: CelT, at: Expr): void => {
      if (t.k !== 'bool' && t.k !== 'dyn') this.fail(at, `${displayName(fn)} needs bool, not ${typeName(t)}`);
    };
    if (tt !== undefined && target !== undefined) {
      // Methods.
      if (['startsWith', 'endsWith', 'contains', 'matches'].includes(fn)) {
        want(1);
        if (tt.k !== 'string' && tt.k !== 'dyn') return this.fail(target, `${fn}() is a method of string, not ${typeName(tt)}`);
        if (a[0]!.k !== 'string' && a[0]!.k !== 'dyn') return this.fail(args[0]!, `${fn}() needs a string argument, not ${typeName(a[0]!)}`);
        return BOOL;
      }
      if (fn === 'size') {
        want(0);
        return this.sizeOf(target, tt);
      }
      return this.fail(e, `unknown method "${short(fn)}"`);
    }
    switch (fn) {
      case '_&&_':
      case '_||_':
        want(2);
        boolish(a[0]!, args[0]!);
        boolish(a[1]!, args[1]!);
        return BOOL;
      case '!_':
      case '@not_strictly_false':
        want(1);
        boolish(a[0]!, args[0]!);
        return BOOL;
      case '-_':
        want(1);
        if (a[0]!.k !== 'int' && a[0]!.k !== 'double' && a[0]!.k !== 'dyn') return this.fail(args[0]!, `cannot negate ${typeName(a[0]!)}`);
        return a[0]!;
      case '_?_:_':
        want(3);
        boolish(a[0]!, args[0]!);
        if (!compatible(a[1]!, a[2]!)) return this.fail(e, `the branches have different types (${typeName(a[1]!)} and ${typeName(a[2]!)})`);
        return join(a[1]!, a[2]!);
      case '_==_':
      case '_!=_':
        want(2);
        if (!compatible(a[0]!, a[1]!) && !(isNumeric(a[0]!) && isNumeric(a[1]!)) && a[0]!.k !== 'null' && a[1]!.k !== 'null') {
          return this.fail(e, `cannot compare ${typeName(a[0]!)} with ${typeName(a[1]!)}`);
        }
        return BOOL;
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_': {
        want(2);
        const [l, r] = [a[0]!, a[1]!];
        const ok = l.k === 'dyn' || r.k === 'dyn' || (isNumeric(l) && isNumeric(r)) || (l.k === r.k && ['string', 'bytes', 'bool'].includes(l.k));
        if (!ok) return this.fail(e, `cannot order ${typeName(l)} and ${typeName(r)}`);
        return BOOL;
      }
      case '_+_':
      case '_-_':
      case '_*_':
      case '_/_':
      case '_%_': {
        want(2);
        const [l, r] = [a[0]!, a[1]!];
        if (l.k === 'dyn' || r.k === 'dyn') return l.k === 'dyn' ? r : l;
        const allowed = fn === '_+_' ? ['int', 'uint', 'double', 'string', 'bytes', 'list'] : fn === '_%_' ? ['int', 'uint'] : ['int', 'uint', 'double'];
        if (!compatible(l, r) || !allowed.includes(l.k)) {
          return this.fail(e, `${displayName(fn)} is not defined for ${typeName(l)} and ${typeName(r)} (convert with int(), uint() or double())`);
        }
        return l;
      }
      case '@in': {
        want(2);
        const [x, c] = [a[0]!, a[1]!];
        if (c.k === 'list') {
          if (!compatible(x, c.elem)) return this.fail(e, `cannot look for ${typeName(x)} in ${typeName(c)}`);
          return BOOL;
        }
        if (c.k === 'map') {
          if (!compatible(x, c.key)) return this.fail(e, `cannot look for ${typeName(x)} in ${typeName(c)}`);
          return BOOL;
        }
        if (c.k === 'dyn') return BOOL;
        return this.fail(args[1]!, `"in" needs a list or a map, not ${typeName(c)}`);
      }
      case '_[_]': {
        want(2);
        const [c, i] = [a[0]!, a[1]!];
        if (c.k === 'list') {
          if (i.k !== 'int' && i.k !== 'dyn') return this.fail(args[1]!, `a list index must be int, not ${typeName(i)}`);
          return c.elem;
        }
        if (c.k === 'map') {
          if (!compatible(i, c.key)) return this.fail(args[1]!, `a key of ${typeName(c)} must be ${typeName(c.key)}, not ${typeName(i)}`);
          return c.value;
        }
        if (c.k === 'dyn') return DYN;
        return this.fail(args[0]!, `cannot index ${typeName(c)}`);
      }
      case 'size':
        want(1);
        return this.sizeOf(args[0]!, a[0]!);
      case 'int':
      case 'uint':
      case 'double': {
        want(1);
        const from = a[0]!;
        if (!isNumeric(from) && from.k !== 'string' && from.k !== 'dyn') return this.fail(args[0]!, `${fn}() cannot convert ${typeName(from)}`);
        return fn === 'int' ? INT : fn === 'uint' ? UINT : DOUBLE;
      }
      case 'string': {
        want(1);
        const from = a[0]!;
        if (!isNumeric(from) && !['string', 'bytes', 'bool', 'dyn'].includes(from.k)) return this.fail(args[0]!, `string() cannot convert ${typeName(from)}`);
        return STRING;
      }
      case 'bytes':
        want(1);
        if (a[0]!.k !== 'string' && a[0]!.k !== 'bytes' && a[0]!.k !== 'dyn') return this.fail(args[0]!, `bytes() cannot convert ${typeName(a[0]!)}`);
        return BYTES;
      case 'dyn':
        want(1);
        return DYN;
      default:
        return this.fail(e, `unknown function "${short(displayName(fn))}"`);
    }
  }

  private sizeOf(at: Expr, t: CelT): CelT {
    if (['string', 'bytes', 'list', 'map', 'dyn'].includes(t.k)) return INT;
    return this.fail(at, `size() is not defined for ${typeName(t)}`);
  }
}

function displayName(fn: string): string {
  const ops: Record<string, string> = {
    '_&&_': '"&&"',
    '_||_': '"||"',
    '!_': '"!"',
    '-_': 'unary "-"',
    '_==_': '"=="',
    '_!=_': '"!="',
    '_<_': '"<"',
    '_<=_': '"<="',
    '_>_': '">"',
    '_>=_': '">="',
    '_+_': '"+"',
    '_-_': '"-"',
    '_*_': '"*"',
    '_/_': '"/"',
    '_%_': '"%"',
    '_?_:_': '"?:"',
    '@in': '"in"',
    '_[_]': 'indexing',
    '@not_strictly_false': 'a macro predicate',
  };
  return ops[fn] ?? `${fn}()`;
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// ---------------------------------------------------------------------------------------------------
// Compile and evaluate
// ---------------------------------------------------------------------------------------------------

export const MAX_CONDITION_LENGTH = 4096;
const INT_BOUND = 1n << 256n;

function boundedInt(v: bigint): bigint {
  if (v >= INT_BOUND || v <= -INT_BOUND) throw new RangeError('int out of range (|x| >= 2^256)');
  return v;
}

let sharedEnv: CelEnv | undefined;
/** The one environment: standard CEL with arbitrary-precision `int` `+ - *`. */
function env(): CelEnv {
  if (sharedEnv === undefined) {
    const I = CelScalar.INT;
    sharedEnv = celEnv({
      funcs: [
        celFunc('_+_', [I, I], I, (l, r) => boundedInt(l + r)),
        celFunc('_-_', [I, I], I, (l, r) => boundedInt(l - r)),
        celFunc('_*_', [I, I], I, (l, r) => boundedInt(l * r)),
      ],
    });
  }
  return sharedEnv;
}

/** Bindings a compiled condition is evaluated over: plain Maps, lists and scalars. */
export type CelBinding = ReadonlyMap<string, unknown>;

/** A checked, planned condition: evaluate it many times. */
export interface CompiledCondition {
  readonly source: string;
  /** true / false, or an error message (a runtime error: the caller fails closed). */
  evaluate(request: CelBinding, asset: CelBinding): boolean | { readonly error: string };
}

/**
 * Parses, type-checks (must be bool) and plans a condition. Throws {@link CelCheckError} with the
 * position for a syntax error, an unknown name or field, a type error, or a non-bool result.
 */
export function compileCondition(source: string): CompiledCondition {
  if (typeof source !== 'string') throw new CelCheckError(1, 1, 'a condition must be a string');
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const compiled = compileUncached(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Compiled conditions are immutable: validation and compilation of one document share them. */
const cache = new Map<string, CompiledCondition>();
const CACHE_LIMIT = 10_000;

function compileUncached(source: string): CompiledCondition {
  if (source.length === 0) throw new CelCheckError(1, 1, 'empty expression');
  if (source.length > MAX_CONDITION_LENGTH) throw new CelCheckError(1, 1, `longer than ${MAX_CONDITION_LENGTH} characters`);
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (err) {
    const loc = (err as { location?: { start?: { line?: number; column?: number } } }).location?.start;
    if (err instanceof RangeError) throw new CelCheckError(1, 1, 'the expression is nested too deeply');
    const raw = err instanceof Error ? err.message.replace(/^<input>:\d+:\d+: /, '') : 'syntax error';
    throw new CelCheckError(loc?.line ?? 1, loc?.column ?? 1, `syntax error: ${short(raw)}`);
  }
  const positions: Record<string, number> = {};
  for (const [id, offset] of Object.entries(parsed.sourceInfo?.positions ?? {})) positions[id] = offset;
  const checker = new Checker(source, positions);
  let result: CelT;
  try {
    result = checker.check(parsed.expr, new Map(Object.entries(CEL_VARIABLES)));
  } catch (err) {
    if (err instanceof RangeError) throw new CelCheckError(1, 1, 'the expression is nested too deeply');
    throw err;
  }
  if (result.k !== 'bool' && result.k !== 'dyn') checker.fail(parsed.expr, `a condition must be bool, this one is ${typeName(result)}`);
  const planned = plan(env(), parsed);
  return Object.freeze({
    source,
    evaluate(request: CelBinding, asset: CelBinding) {
      try {
        const v: unknown = planned({ request: request as Map<string, never>, asset: asset as Map<string, never> });
        if (isCelError(v)) return { error: short(v.message) };
        if (typeof v !== 'boolean') return { error: 'the condition did not produce a bool' };
        return v;
      } catch (err) {
        return { error: short(err instanceof Error ? err.message : 'evaluation failed') };
      }
    },
  });
}
