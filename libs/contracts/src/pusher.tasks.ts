import { defineTask, versionedTask } from 'nestjs-celery';

/** Where pusher stored an object. */
export interface S3Object {
  key: string;
  size: number;
  contentType: string;
  /** The task version that stored it. */
  version: number;
}

/** Content type v2 assumes for callers written against v1. */
export const DEFAULT_S3_CONTENT_TYPE = 'application/octet-stream';

/** v1: store `content` under `key` (kept for callers and workers that predate v2). */
export const sendToS3V1 = defineTask<[key: string, content: string], S3Object>('pusher.send_to_s3', { queue: 'pusher' });

/** v2, a breaking change: the content type is a required third argument. */
export const sendToS3V2 = defineTask<[key: string, content: string, contentType: string], S3Object>('pusher.send_to_s3_v2', {
  queue: 'pusher',
});

/**
 * `pusher.send_to_s3` over both versions: `client` calls written for v1 (`(key, content)`) and for
 * v2 (`(key, content, contentType)`) both go to v2, v1 calls with the default content type.
 * Bind with `{ maxVersion: 1 }` while some pusher workers only run v1 (then 3-argument calls fail fast).
 */
export const sendToS3 = versionedTask(
  { definition: sendToS3V1, arity: 2 },
  {
    definition: sendToS3V2,
    arity: [2, 3] as const,
    adapt: (args: readonly unknown[]): [key: string, content: string, contentType: string] => [
      args[0] as string,
      args[1] as string,
      (args[2] as string | undefined) ?? DEFAULT_S3_CONTENT_TYPE,
    ],
  },
);
