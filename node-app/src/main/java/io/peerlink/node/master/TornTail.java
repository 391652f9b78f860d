package io.peerlink.node.master;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Tells a torn final write from corruption, from the bytes between the first bad record of the
 * newest segment and the end of the file. Only a torn write may be cut off: anything else may
 * be a record that was reported applied, and cutting it would drop confirmed blocks.
 *
 * <p>A crash tears at most the one record being written: its bytes stop early (the record runs
 * past the end of the file), or the file system extended the file but never wrote some of its
 * sectors (zeros). So the damage is a torn write when, and only when:
 * <ul>
 *   <li>no valid record follows it anywhere in the file, and
 *   <li>the bytes are all zeros; or the record's length is possible and runs past the end of the
 *       file; or the record is complete, fails its CRC, only zeros follow it, and one of its
 *       512-byte sectors is all zeros (etcd's rule for a torn entry).
 * </ul>
 * A record that is complete, fails its CRC and has no zero sector is bit rot or an edit, not a
 * crash.
 */
final class TornTail {
  static final int SECTOR_BYTES = 512;
  /** The CRC work spent looking for valid records after damage; past it, the damage is refused. */
  static final long SEARCH_BUDGET_BYTES = 512L * 1024 * 1024;

  private TornTail() {}

  /**
   * Why the damage is not a torn write, or null when it is one.
   *
   * @param tail the bytes from the damage to the end of the file (position 0 = {@code offset})
   * @param offset where the damage starts in the file (sectors are aligned to file offsets)
   */
  static String whyNotTorn(ByteBuffer tail, long offset) {
    int n = tail.remaining();
    if (allZero(tail, 0, n)) {
      return null;
    }
    if (n > WalRecord.HEADER_BYTES + WalRecord.MAX_PAYLOAD_BYTES) {
      return n + " damaged bytes, more than one record's write can tear";
    }
    long valid = findValidRecord(tail, 1);
    if (valid == -2) {
      return "the " + n + " bytes after it are too many to check for valid records";
    }
    if (valid >= 0) {
      return "a valid record follows at byte " + (offset + valid);
    }
    if (n < WalRecord.HEADER_BYTES) {
      return null; // a record header cut off by the end of the file
    }
    int length = tail.getInt(0);
    if (!possibleLength(length)) {
      return "record length " + Integer.toUnsignedString(length) + " is impossible and not a zero-filled tail";
    }
    long recordEnd = (long) WalRecord.HEADER_BYTES + length;
    if (recordEnd > n) {
      return null; // the record runs past the end of the file
    }
    if (crcMatches(tail, 0, length)) {
      return "the record passes its CRC32C, so it was written whole and something else is wrong with it";
    }
    if (!allZero(tail, (int) recordEnd, n)) {
      return "the record is complete and fails its CRC32C, and non-zero bytes follow it";
    }
    if (!hasZeroSector(tail, offset, (int) recordEnd)) {
      return "the record is complete and fails its CRC32C with no zero-filled sector: not a torn write";
    }
    return null;
  }

  private static boolean possibleLength(int length) {
    return length >= WalRecord.FIXED_PAYLOAD_BYTES && length <= WalRecord.MAX_PAYLOAD_BYTES;
  }

  /**
   * The position of the first record at or after {@code from} that passes its CRC; -1 when there
   * is none, -2 when the search ran out of budget.
   */
  static long findValidRecord(ByteBuffer tail, int from) {
    int n = tail.remaining();
    long spent = 0;
    for (int p = from; p + WalRecord.HEADER_BYTES + WalRecord.FIXED_PAYLOAD_BYTES <= n; p++) {
      int length = tail.getInt(p);
      if (!possibleLength(length) || (long) p + WalRecord.HEADER_BYTES + length > n
          || tail.get(p + WalRecord.HEADER_BYTES) != WalRecord.KIND_BLOCKS) {
        continue;
      }
      spent += length;
      if (spent > SEARCH_BUDGET_BYTES) {
        return -2;
      }
      if (crcMatches(tail, p, length)) {
        return p;
      }
    }
    return -1;
  }

  private static boolean crcMatches(ByteBuffer tail, int recordStart, int length) {
    ByteBuffer payload = tail.duplicate();
    payload.position(recordStart + WalRecord.HEADER_BYTES).limit(recordStart + WalRecord.HEADER_BYTES + length);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue() == tail.getInt(recordStart + 4);
  }

  /** Whether some sector-aligned piece of {@code [0, end)} is all zeros. */
  private static boolean hasZeroSector(ByteBuffer tail, long offset, int end) {
    int start = 0;
    while (start < end) {
      long absolute = offset + start;
      int next = (int) Math.min(end, start + (SECTOR_BYTES - absolute % SECTOR_BYTES));
      if (allZero(tail, start, next)) {
        return true;
      }
      start = next;
    }
    return false;
  }

  private static boolean allZero(ByteBuffer bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
