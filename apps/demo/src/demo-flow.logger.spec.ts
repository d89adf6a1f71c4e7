import { DemoFlowLogger } from './demo-flow.logger.js';

describe('DemoFlowLogger', () => {
  let lines: string[];
  let logger: DemoFlowLogger;

  beforeEach(() => {
    lines = [];
    logger = new DemoFlowLogger((line) => lines.push(line));
  });

  it("prints the services' own lines with their tag, and nothing of Nest's start-up chatter", () => {
    logger.log('order.v1.submit o1: posted sale', 'billing');
    logger.log('Mapped {/orders, POST} route', 'RouterExplorer');
    logger.log('no context');
    logger.debug();
    logger.verbose();
    expect(lines).toEqual(['[billing]  order.v1.submit o1: posted sale']);
  });

  it('prints every warning and error, naming the context, with the stack when one is given', () => {
    logger.warn('too late', 'logistic');
    logger.error('handler failed', 'Error: x\n    at f (a.ts:1:1)', 'EventDispatcher');
    logger.error(new Error('boom'));
    expect(lines).toEqual([
      '[logistic] WARN too late',
      '[nest]     ERROR EventDispatcher: handler failed',
      'Error: x\n    at f (a.ts:1:1)',
      '[nest]     ERROR boom',
    ]);
  });

  it("tags other contexts' problems with the process's service when it runs alone", () => {
    new DemoFlowLogger((line) => lines.push(line), 'billing').warn('reconnecting', 'AmqpBroker');
    expect(lines).toEqual(['[billing]  WARN AmqpBroker: reconnecting']);
  });

  it('is what a service process uses with SAMPLE_LOG=flow; Nest\'s console levels otherwise', () => {
    expect(DemoFlowLogger.forService('order', { SAMPLE_LOG: 'flow' })).toBeInstanceOf(DemoFlowLogger);
    expect(DemoFlowLogger.forService('order', {})).toEqual(['log', 'warn', 'error']);
  });
});
