import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** A segment or subsegment document, as the X-Ray SDK sends it (the fields the tests read). */
export interface SegmentDocument {
  readonly id: string;
  readonly name: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  /** `subsegment` for a subsegment sent on its own (Lambda streams them). */
  readonly type?: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly fault?: boolean;
  readonly error?: boolean;
  readonly subsegments?: readonly SegmentDocument[];
}

/** `{"format":"json","version":1}` then a newline then the document: the daemon's UDP protocol. */
const HEADER = '{"format":"json","version":1}\n';

/**
 * A stand-in for the X-Ray daemon: a UDP socket on loopback that keeps every document the SDK
 * sends it (point AWS_XRAY_DAEMON_ADDRESS at `address` before the SDK loads).
 */
export class LocalXRayDaemon {
  readonly documents: SegmentDocument[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('message', (packet) => {
      const text = packet.toString('utf8');
      if (!text.startsWith(HEADER)) throw new Error(`not an X-Ray daemon packet: ${text.slice(0, 80)}`);
      this.documents.push(JSON.parse(text.slice(HEADER.length)) as SegmentDocument);
      for (const listener of this.listeners) listener();
    });
  }

  static async start(): Promise<LocalXRayDaemon> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new LocalXRayDaemon(socket);
  }

  get address(): string {
    const { address, port } = this.socket.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Every segment and subsegment received so far, nested ones included. */
  all(): SegmentDocument[] {
    const flat: SegmentDocument[] = [];
    const walk = (document: SegmentDocument) => {
      flat.push(document);
      for (const child of document.subsegments ?? []) walk(child);
    };
    for (const document of this.documents) walk(document);
    return flat;
  }

  /** The first document (at any depth) that matches, once it has arrived: the SDK sends on close. */
  async waitFor(match: (document: SegmentDocument) => boolean, timeoutMs = 5_000): Promise<SegmentDocument> {
    const found = () => this.all().find(match);
    return (
      found() ??
      new Promise<SegmentDocument>((resolve, reject) => {
        const check = () => {
          const document = found();
          if (!document) return;
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(document);
        };
        const timer = setTimeout(() => {
          this.listeners.delete(check);
          reject(new Error(`no matching segment in ${timeoutMs} ms; got ${JSON.stringify(this.documents)}`));
        }, timeoutMs);
        this.listeners.add(check);
      })
    );
  }

  /** The children of `parent`: nested in it, or sent apart with its id as `parent_id` (Lambda). */
  childrenOf(parent: SegmentDocument): SegmentDocument[] {
    return [...(parent.subsegments ?? []), ...this.all().filter((d) => d.parent_id === parent.id)];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The DynamoDB calls among `documents`: `Operation table` (`PutItem basic-item-crud-items`). */
export function dynamoDbCalls(documents: readonly SegmentDocument[]): string[] {
  return documents
    .filter((d) => d.name === 'DynamoDB' && d.namespace === 'aws')
    .flatMap((d) => {
      const tables = d.aws?.table_name ?? d.aws?.table_names;
      return (Array.isArray(tables) ? tables : [tables]).map(
        (table) => `${String(d.aws?.operation)} ${String(table)}`,
      );
    })
    .sort();
}
