import type { Caller, Item } from './entities.js';
import { NotFoundError, ValidationError } from './errors.js';
import { createItemInput, listItemsInput, parseInput, updateItemInput } from './input-rules.js';
import type { Clock, IdGenerator, ItemRepository } from './ports.js';
import type { ItemService } from './services.js';

export interface ItemServiceDependencies {
  readonly items: ItemRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export const ITEM_NOT_FOUND = 'Item not found';
export const MAX_IDS_PER_BATCH = 100;

/** Every item operation is scoped to the caller: another user's item is as good as missing. */
export function createItemService(deps: ItemServiceDependencies): ItemService {
  const { items, clock, ids } = deps;
  const ownedBy = (caller: Caller, item: Item | null) => (item?.ownerId === caller.userId ? item : null);

  return {
    async create(caller, input) {
      const { name, description } = parseInput(createItemInput, input);
      const now = clock.now().toISOString();
      const item: Item = {
        id: ids.newId(),
        ownerId: caller.userId,
        name,
        description,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await items.create(item);
      return item;
    },

    async get(caller, id) {
      const item = ownedBy(caller, await items.getById(id));
      if (!item) throw new NotFoundError(ITEM_NOT_FOUND);
      return item;
    },

    async getMany(caller, idList) {
      if (idList.length > MAX_IDS_PER_BATCH) {
        throw new ValidationError([
          {
            path: ['ids'],
            message: `List should have at most ${MAX_IDS_PER_BATCH} items`,
            type: 'too_long',
          },
        ]);
      }
      const found = await items.getManyById(idList);
      return found.map((item) => ownedBy(caller, item));
    },

    async list(caller, query) {
      const page = parseInput(listItemsInput, { limit: query.limit, cursor: query.cursor });
      return items.listByOwner(caller.userId, page);
    },

    cursorAfter: (item) => items.cursorAfter(item),

    async update(caller, id, patch, expectedVersion) {
      const changes = parseInput(updateItemInput, patch);
      assertVersion(expectedVersion);
      return items.update(
        { id, ownerId: caller.userId, expectedVersion },
        changes,
        clock.now().toISOString(),
      );
    },

    async delete(caller, id, expectedVersion) {
      assertVersion(expectedVersion);
      await items.delete({ id, ownerId: caller.userId, expectedVersion });
    },
  };
}

function assertVersion(version: number | undefined): void {
  if (version === undefined || (Number.isSafeInteger(version) && version >= 1)) return;
  throw new ValidationError([
    {
      path: ['expectedVersion'],
      message: 'Input should be a positive integer',
      type: 'greater_than_equal',
    },
  ]);
}
