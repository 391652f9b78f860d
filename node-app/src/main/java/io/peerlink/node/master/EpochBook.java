package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.Response.ValidatorInfoList;
import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each epoch's start, boundary block and committee, as the chain entered it: what requests 9, 7,
 * 4, 3 and 1 answer from. An epoch's committee is read from the {@link CommitteeSource} when the
 * epoch begins and kept (durably, by the caller) from then on, so a changed committee file takes
 * effect at the next epoch, never retroactively. Readers see a snapshot swapped whole; the writer
 * is the chain's (serialised).
 */
final class EpochBook {
  private static final System.Logger LOG = System.getLogger(EpochBook.class.getName());

  private final CommitteeSource source;
  private volatile NavigableMap<Long, EpochBoundaryData> entries;
  /** Why an epoch's committee is unknown: the read that failed when it began (this run only). */
  private final Map<Long, String> missing = new ConcurrentHashMap<>();
  private volatile boolean toldUnset;

  private EpochBook(CommitteeSource source, NavigableMap<Long, EpochBoundaryData> entries) {
    this.source = source;
    this.entries = entries;
  }

  /** The book of the entries a store kept ({@code EpochBoundaryData} bytes by epoch). */
  static EpochBook load(CommitteeSource source, Map<Long, byte[]> stored) throws IOException {
    TreeMap<Long, EpochBoundaryData> entries = new TreeMap<>(Long::compareUnsigned);
    for (Map.Entry<Long, byte[]> e : stored.entrySet()) {
      try {
        entries.put(e.getKey(), EpochBoundaryData.decodeMessage(e.getValue()));
      } catch (ProtocolException ex) {
        throw new IOException("stored entry of epoch " + Long.toUnsignedString(e.getKey()) + " does not decode: "
            + ex.getMessage(), ex);
      }
    }
    return new EpochBook(source, entries);
  }

  /**
   * The entry to keep for the chain at {@code mark}: its epoch's committee as already kept, or
   * read now when the epoch has none yet (a new epoch, or one that began while the file was
   * unreadable). Null when nothing changes.
   */
  EpochBoundaryData entryFor(EpochMark mark) {
    EpochBoundaryData kept = entries.get(mark.epoch());
    List<ValidatorInfo> validators = kept != null && !kept.validators().isEmpty() ? kept.validators()
        : readCommittee(mark.epoch());
    EpochBoundaryData entry = new EpochBoundaryData(mark.epoch(), mark.epochStartMs(), mark.boundaryBlock(),
        validators, 0, mark.boundaryBlock());
    return entry.equals(kept) ? null : entry;
  }

  private List<ValidatorInfo> readCommittee(long epoch) {
    try {
      List<ValidatorInfo> validators = source.read();
      missing.remove(epoch);
      return validators;
    } catch (IOException e) {
      missing.put(epoch, e.getMessage());
      // No file configured is a choice (a status-only master), not a fault: said once at INFO.
      boolean unset = source == CommitteeSource.NONE;
      if (unset && !toldUnset) {
        toldUnset = true;
        LOG.log(Level.INFO, e.getMessage() + "; get_epoch_boundary_data and get_validators_* answer with an error");
      }
      if (unset) {
        return List.of();
      }
      LOG.log(Level.ERROR, "epoch " + Long.toUnsignedString(epoch) + " begins without a committee: " + e.getMessage()
          + "; get_epoch_boundary_data and get_validators_* for it answer with an error");
      return List.of();
    }
  }

  /** Makes an entry visible, once it is durable. */
  void publish(EpochBoundaryData entry) {
    TreeMap<Long, EpochBoundaryData> next = new TreeMap<>(entries);
    next.put(entry.epoch(), entry);
    entries = next;
  }

  /** Request 9: the entry of {@code epoch}, with its committee. */
  EpochBoundaryData boundaryData(long epoch) throws RefusedRequestException {
    return withCommittee(known(epoch, "get_epoch_boundary_data"), "get_epoch_boundary_data");
  }

  /**
   * The start of the highest epoch below {@code epoch} with an entry, kept or {@code staged} (the
   * entries of changes not yet durable, in order: a later one replaces a kept or earlier one of
   * its epoch, as publishing them will); 0 when there is none.
   */
  long startBefore(long epoch, List<EpochBoundaryData> staged) {
    TreeMap<Long, EpochBoundaryData> view = new TreeMap<>(entries);
    staged.forEach(entry -> view.put(entry.epoch(), entry));
    Map.Entry<Long, EpochBoundaryData> below = view.lowerEntry(epoch);
    return below == null ? 0 : below.getValue().epochStartTimestampMs();
  }

  /** Request 7 for an epoch this master has an entry for. */
  long startOf(long epoch) throws RefusedRequestException {
    return known(epoch, "get_epoch_start_timestamp").epochStartTimestampMs();
  }

  /**
   * Requests 4 and 1: the committee in force at {@code block}: 0 is genesis (the first epoch
   * kept); otherwise the highest epoch whose boundary block is at or below it, so an epoch's
   * boundary block gives that epoch's committee.
   */
  ValidatorInfoList atBlock(long block) throws RefusedRequestException {
    NavigableMap<Long, EpochBoundaryData> all = entries;
    EpochBoundaryData found = null;
    if (block == 0) {
      found = all.isEmpty() ? null : all.firstEntry().getValue();
    } else {
      for (EpochBoundaryData e : all.descendingMap().values()) {
        if (Long.compareUnsigned(e.boundaryBlock(), block) <= 0) {
          found = e;
          break;
        }
      }
    }
    if (found == null) {
      throw new RefusedRequestException("get_validators_at_block: block " + Long.toUnsignedString(block)
          + " is before every epoch this master knows (" + describe(all) + ")");
    }
    return list(withCommittee(found, "get_validators_at_block"));
  }

  /** Request 3: the committee of {@code currentEpoch}. */
  ValidatorInfoList active(long currentEpoch) throws RefusedRequestException {
    return list(withCommittee(known(currentEpoch, "get_active_validators"), "get_active_validators"));
  }

  private static ValidatorInfoList list(EpochBoundaryData e) {
    return new ValidatorInfoList(e.validators(), e.epochStartTimestampMs(), e.boundaryBlock());
  }

  private EpochBoundaryData known(long epoch, String call) throws RefusedRequestException {
    NavigableMap<Long, EpochBoundaryData> all = entries;
    EpochBoundaryData e = all.get(epoch);
    if (e == null) {
      throw new RefusedRequestException(call + ": epoch " + Long.toUnsignedString(epoch)
          + " is not known to this master (" + describe(all) + ")");
    }
    return e;
  }

  private EpochBoundaryData withCommittee(EpochBoundaryData e, String call) throws RefusedRequestException {
    if (e.validators().isEmpty()) {
      String why = missing.get(e.epoch());
      throw new RefusedRequestException(call + ": no committee for epoch " + Long.toUnsignedString(e.epoch()) + ": "
          + (why != null ? why : "committee_path was not set or not readable when the epoch began"));
    }
    return e;
  }

  private static String describe(NavigableMap<Long, EpochBoundaryData> all) {
    return all.isEmpty() ? "it knows no epoch yet" : "it knows epochs " + Long.toUnsignedString(all.firstKey())
        + ".." + Long.toUnsignedString(all.lastKey());
  }
}
