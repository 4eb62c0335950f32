import type { Caller, Item } from './entities.js';
import { ItemNotFoundError, ValidationError } from './errors.js';
import {
  createItemInput,
  createItemOptions,
  listItemsInput,
  parseInput,
  updateItemInput,
} from './input-rules.js';
import type { Clock, DomainEvents, IdGenerator, ItemRepository } from './ports.js';
import type { ItemService } from './services.js';

export interface ItemServiceDependencies {
  readonly items: ItemRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEvents;
}

export const MAX_IDS_PER_BATCH = 100;

/** Every item operation is scoped to the caller: another user's item is as good as missing. */
export function createItemService(deps: ItemServiceDependencies): ItemService {
  const { items, clock, ids, events } = deps;
  const ownedBy = (caller: Caller, item: Item | null) => (item?.ownerId === caller.userId ? item : null);

  return {
    async create(caller, input, idempotencyKey) {
      const { name, description } = parseInput(createItemInput, input);
      const key = parseInput(createItemOptions, {
        idempotencyKey: idempotencyKey ?? undefined,
      }).idempotencyKey;
      const now = clock.now().toISOString();
      const item: Item = {
        // Keys are per user: the id derives from the owner and the key, so the conditional put
        // itself meets a repeat, with no extra call.
        id: key === undefined ? ids.newId() : ids.derivedId('idempotency-key', caller.userId, key),
        ownerId: caller.userId,
        name,
        description,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      const created = await items.create(item, { idempotent: key !== undefined });
      events.record('item.created');
      return created;
    },

    async get(caller, id) {
      const item = ownedBy(caller, await items.getById(id));
      if (!item) throw new ItemNotFoundError();
      return item;
    },

    async getMany(caller, idList) {
      if (idList.length > MAX_IDS_PER_BATCH) {
        throw new ValidationError([
          { path: ['ids'], message: `List should have at most ${MAX_IDS_PER_BATCH} items`, type: 'too_long' },
        ]);
      }
      const found = await items.getManyById(idList);
      return found.map((item) => ownedBy(caller, item));
    },

    async list(caller, query) {
      return items.listByOwner(caller.userId, parseInput(listItemsInput, query));
    },

    cursorAfter: (item) => items.cursorAfter(item),

    async update(caller, id, patch, expectedVersion) {
      const changes = parseInput(updateItemInput, patch);
      assertVersion(expectedVersion);
      const updated = await items.update(
        { id, ownerId: caller.userId, expectedVersion },
        changes,
        clock.now().toISOString(),
      );
      events.record('item.updated');
      return updated;
    },

    async delete(caller, id, expectedVersion) {
      assertVersion(expectedVersion);
      await items.delete({ id, ownerId: caller.userId, expectedVersion });
      events.record('item.deleted');
    },
  };
}

function assertVersion(version: number | undefined): void {
  if (version === undefined || (Number.isSafeInteger(version) && version >= 1)) return;
  throw new ValidationError([
    { path: ['expectedVersion'], message: 'Input should be a positive integer', type: 'greater_than_equal' },
  ]);
}
