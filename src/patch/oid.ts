import { createHash } from 'node:crypto';

/** The all-zero object id git writes for a side that does not exist. */
export const NULL_OID = '0'.repeat(40);

/** Git's blob id of `data`: the SHA-1 of `blob <length>\0<data>`. */
export function blobId(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** True when `oid` names no object: absent or all zeros. */
export function isNullOid(oid: string | undefined): boolean {
  return oid === undefined || /^0+$/.test(oid);
}

/** True when the (possibly abbreviated) `oid` names the blob `data`. */
export function oidMatches(oid: string, data: Buffer): boolean {
  return blobId(data).startsWith(oid.toLowerCase());
}
