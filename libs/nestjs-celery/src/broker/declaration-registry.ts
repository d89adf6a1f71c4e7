import { TopologyMismatchError } from './broker.errors.js';
import { declarationKey, declarationsOf, type Declaration } from './declaration.js';
import type { Topology } from './topology.js';

/**
 * The exchanges, queues and bindings a broker has declared, each once: what is declared again
 * after a reconnect, and what a second declaration of the same name is checked against.
 */
export class DeclarationRegistry {
  private readonly declared = new Map<string, { declaration: Declaration; signature: string }>();
  /** Names of the declared queues: {@link hasQueue} runs on every send. */
  private readonly queueNames = new Set<string>();

  /**
   * The entities of `topology` not declared yet, in declaration order.
   * @throws TopologyMismatchError for a name already declared with other attributes
   */
  unknownOf(topology: Topology): Declaration[] {
    const fresh: Declaration[] = [];
    for (const declaration of declarationsOf(topology)) {
      const key = declarationKey(declaration);
      const known = this.declared.get(key);
      if (!known) {
        fresh.push(declaration);
        continue;
      }
      const signature = JSON.stringify(declaration.value);
      if (known.signature !== signature) {
        throw new TopologyMismatchError(
          `${declaration.kind} '${key.slice(key.indexOf(':') + 1)}' was already declared as ${known.signature}; ` +
            `now declared as ${signature}. Use the same attributes everywhere.`,
        );
      }
    }
    return fresh;
  }

  /** Records a declaration the broker accepted. */
  record(declaration: Declaration): void {
    this.declared.set(declarationKey(declaration), { declaration, signature: JSON.stringify(declaration.value) });
    if (declaration.kind === 'queue') this.queueNames.add(declaration.value.name);
  }

  /** True when a queue of this name was declared (with any attributes). */
  hasQueue(name: string): boolean {
    return this.queueNames.has(name);
  }

  /** The recorded declaration of queue `name`, if any. */
  queue(name: string): Declaration | undefined {
    return this.declared.get(declarationKey({ kind: 'queue', value: { name } }))?.declaration;
  }

  /** Every recorded declaration, in the order they were first declared. */
  *all(): IterableIterator<Declaration> {
    for (const { declaration } of this.declared.values()) yield declaration;
  }
}
