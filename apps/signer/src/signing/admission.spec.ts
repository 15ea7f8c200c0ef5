import { Admission, AdmissionTimeout } from './admission';

describe('Admission', () => {
  afterEach(() => jest.useRealTimers());

  it('admits up to the limit at once, then first come first served as slots free', async () => {
    const admission = new Admission(2);
    const far = Date.now() + 60_000;
    const a = await admission.enter(far);
    const b = await admission.enter(far);
    const order: string[] = [];
    const c = admission.enter(far).then((leave) => (order.push('c'), leave));
    const d = admission.enter(far).then((leave) => (order.push('d'), leave));
    expect(admission.load).toEqual({ active: 2, waiting: 2 });
    a();
    a(); // idempotent: frees one slot, not two
    await c;
    expect(order).toEqual(['c']);
    expect(admission.load).toEqual({ active: 2, waiting: 1 });
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    (await c)();
    expect(admission.load).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a waiter whose deadline passes, and takes it out of the queue', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const admission = new Admission(1);
    const held = await admission.enter(1_060_000);
    const late = admission.enter(1_000_500);
    const patient = admission.enter(1_060_000);
    jest.advanceTimersByTime(501);
    await expect(late).rejects.toBeInstanceOf(AdmissionTimeout);
    expect(admission.load).toEqual({ active: 1, waiting: 1 });
    held();
    (await patient)();
    expect(admission.load).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a limit that admits nobody', () => {
    expect(() => new Admission(0)).toThrow(/limit/);
    expect(() => new Admission(1.5)).toThrow(/limit/);
  });
});
