// Durable key-value storage in IndexedDB. Writes use `durability: "strict"`, so that a put
// has reached the disk when its promise resolves: a tablet stores its voting token this way
// BEFORE sending the request, and a reload or a flat battery cannot lose it (DESIGN.md §3.2).

export interface Kv {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix`, in key order. */
  keys(prefix: string): Promise<string[]>;
}

const STORE = 'kv';

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

export async function openKv(name = 'pingyi', factory: IDBFactory = indexedDB): Promise<Kv> {
  const open = factory.open(name, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
  };
  const db = await promisify(open);
  const write = async (fn: (store: IDBObjectStore) => void) => {
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    fn(tx.objectStore(STORE));
    await done(tx);
  };
  return {
    async get<T>(key: string) {
      const tx = db.transaction(STORE, 'readonly');
      return (await promisify(tx.objectStore(STORE).get(key))) as T | undefined;
    },
    put: (key, value) => write((store) => store.put(value, key)),
    delete: (key) => write((store) => store.delete(key)),
    async keys(prefix: string) {
      const tx = db.transaction(STORE, 'readonly');
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      const keys = await promisify(tx.objectStore(STORE).getAllKeys(range));
      return keys.map(String);
    },
  };
}

/** An in-memory Kv, for tests and for a browser without IndexedDB (which the tablet refuses
 *  to vote on: see the tablet page). */
export function memoryKv(): Kv {
  const map = new Map<string, unknown>();
  return {
    get: async <T,>(key: string) => structuredClone(map.get(key)) as T | undefined,
    put: async (key, value) => {
      map.set(key, structuredClone(value));
    },
    delete: async (key) => {
      map.delete(key);
    },
    keys: async (prefix) => [...map.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };
}
