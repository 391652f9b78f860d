package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * The epoch entries a chain log keeps ({@code EpochBoundaryData} bytes by epoch, unsigned order),
 * as its records left them: each entry replaces the one of its epoch, and an operator's epoch
 * reset first drops every entry of a higher epoch. Immutable: a change gives a new value, which
 * the store publishes once the record behind it is durable.
 */
final class EpochEntries {
  static final EpochEntries NONE = new EpochEntries(new TreeMap<>(Long::compareUnsigned));

  private final TreeMap<Long, byte[]> byEpoch;

  private EpochEntries(TreeMap<Long, byte[]> byEpoch) {
    this.byEpoch = byEpoch;
  }

  /** The entries the segments' records leave, replayed in log order. */
  static EpochEntries replay(List<Segment> segments) throws IOException {
    EpochEntries entries = NONE;
    for (Segment segment : segments) {
      for (Segment.EpochUpdate update : segment.takeEpochUpdates()) {
        entries = entries.after(update.entries(), update.reset(), segment.path);
      }
    }
    return entries;
  }

  /** These entries after one record's: each replaces its epoch's, or, for a reset (kind 3), resets to it. */
  EpochEntries after(List<byte[]> recordEntries, boolean reset, Path where) throws IOException {
    EpochEntries entries = this;
    for (byte[] entry : recordEntries) {
      entries = reset ? entries.reset(entry, where) : entries.with(List.of(entry), where);
    }
    return entries;
  }

  /** These entries with {@code entries} replacing those of their epochs; {@code where} names the log for errors. */
  EpochEntries with(List<byte[]> entries, Path where) throws IOException {
    TreeMap<Long, byte[]> next = copy();
    for (byte[] entry : entries) {
      next.put(epochOf(entry, where), entry);
    }
    return new EpochEntries(next);
  }

  /** These entries after an epoch reset to {@code entry}'s epoch: higher epochs dropped, its own replaced. */
  EpochEntries reset(byte[] entry, Path where) throws IOException {
    long epoch = epochOf(entry, where);
    TreeMap<Long, byte[]> next = copy();
    next.tailMap(epoch, false).clear();
    next.put(epoch, entry);
    return new EpochEntries(next);
  }

  /** A copy of the entries by epoch. */
  TreeMap<Long, byte[]> copy() {
    return new TreeMap<>(byEpoch);
  }

  boolean isEmpty() {
    return byEpoch.isEmpty();
  }

  /** Every entry, in epoch order: what the first record of a new segment carries. */
  List<byte[]> all() {
    return List.copyOf(byEpoch.values());
  }

  private static long epochOf(byte[] entry, Path where) throws IOException {
    try {
      return EpochBoundaryData.decodeMessage(entry).epoch();
    } catch (ProtocolException e) {
      // The record passed its CRC: a bug or a foreign write, not a torn one.
      throw new IOException("chain log " + where + ": an epoch entry does not decode: " + e.getMessage(), e);
    }
  }
}
