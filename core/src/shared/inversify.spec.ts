import { describe, expect, it } from '@jest/globals';

import { Container, ContainerModule, inject, injectable, multiInject } from './inversify.js';

const Greeter = Symbol('Greeter');
interface Greeter {
  greet(): string;
}

@injectable()
class English implements Greeter {
  greet(): string {
    return 'hello';
  }
}

@injectable()
class Chinese implements Greeter {
  greet(): string {
    return '你好';
  }
}

@injectable()
class Room {
  constructor(@multiInject(Greeter) readonly greeters: Greeter[]) {}
}

@injectable()
class Single {
  constructor(@inject(Greeter) readonly greeter: Greeter) {}
}

describe('inversify re-export', () => {
  it('should resolve multi-injected contributions from container modules', () => {
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(
      new ContainerModule(({ bind }) => {
        bind(Greeter).to(English);
      }),
      new ContainerModule(({ bind }) => {
        bind(Greeter).to(Chinese);
      }),
    );
    container.bind(Room).toSelf();
    expect(container.get(Room).greeters.map((g) => g.greet())).toEqual(['hello', '你好']);
  });

  it('should report zero contributions as an empty array when optional', () => {
    const container = new Container();
    expect(container.getAll(Greeter, { optional: true })).toEqual([]);
    container.bind(Single).toSelf();
    expect(() => container.get(Single)).toThrow();
  });
});
