package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The peers caught lying, and until when they are ignored. A peer is banned when what it served
 * contradicts a block hash that f+1 peers confirmed ({@link CatchUp}); while banned it is not
 * asked, and its answers count toward no quorum, tip or confirmation. This is apart from
 * {@link PeerHealth}, which backs off from peers that fail to answer: a ban is about what a peer
 * said, lasts far longer ({@link DiscoveryOptions#banDuration()}, 1 h by default), and is not lifted
 * by an answer.
 *
 * <p>A ban is logged once, when it starts, with its evidence; an expired ban is forgotten. Time
 * comes from an injectable monotonic clock. Thread-safe.
 */
public final class PeerBans {

  private static final Logger LOG = System.getLogger(PeerBans.class.getName());

  private final Duration duration;
  private final LongSupplier nanoClock;
  private final Map<Endpoint, Entry> bans = new HashMap<>();

  /** Bans of the given length on the system's monotonic clock. */
  public PeerBans(Duration duration) {
    this(duration, System::nanoTime);
  }

  /**
   * Bans of the given length on the given clock.
   *
   * @param duration how long a ban lasts; positive
   * @param nanoClock a monotonic time in nanoseconds, like {@link System#nanoTime()}
   */
  public PeerBans(Duration duration, LongSupplier nanoClock) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("a peer ban must last a positive duration, got " + duration);
    }
    this.duration = duration;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** How long a ban lasts. */
  public Duration duration() {
    return duration;
  }

  /**
   * Bans {@code peer} from now for {@link #duration()}, with the evidence, unless it is banned
   * already.
   *
   * @return the ban, when it is new (then it was logged); empty when the peer was banned already
   */
  public Optional<PeerBan> ban(Endpoint peer, long blockNumber, byte[] peerHash, byte[] confirmedHash, String what) {
    PeerBan ban = new PeerBan(peer, blockNumber, peerHash, confirmedHash, what, duration);
    long now = nanoClock.getAsLong();
    synchronized (this) {
      Entry e = bans.get(peer);
      if (e != null && e.until - now > 0) {
        return Optional.empty();
      }
      bans.put(peer, new Entry(ban, now + duration.toNanos()));
    }
    LOG.log(Level.WARNING, "[PEER BAN] P" + ban.evidence().substring(1) + "; banned for " + duration.toSeconds()
        + " s: it is not asked, and its answers count toward no quorum");
    return Optional.of(ban);
  }

  /** Whether {@code peer} is banned now. */
  public boolean isBanned(Endpoint peer) {
    return current(peer).isPresent();
  }

  /** The ban in force on {@code peer}, if any. */
  public Optional<PeerBan> current(Endpoint peer) {
    long now = nanoClock.getAsLong();
    synchronized (this) {
      Entry e = bans.get(peer);
      if (e == null) {
        return Optional.empty();
      }
      if (e.until - now <= 0) {
        bans.remove(peer);
        LOG.log(Level.INFO, "[PEER BAN] The ban on peer master (" + peer + ") ended; it is asked again");
        return Optional.empty();
      }
      return Optional.of(e.ban);
    }
  }

  /** How long {@code peer} remains banned; zero when it is not. */
  public Duration remaining(Endpoint peer) {
    long now = nanoClock.getAsLong();
    synchronized (this) {
      Entry e = bans.get(peer);
      long left = e == null ? 0 : e.until - now;
      return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }
  }

  private record Entry(PeerBan ban, long until) {
  }
}
