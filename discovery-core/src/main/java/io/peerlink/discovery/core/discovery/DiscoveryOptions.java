package io.peerlink.discovery.core.discovery;

import io.peerlink.transport.api.TlsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of discovery, the sync decision, peer health and catch-up, with the seed's
 * defaults. Immutable; build with {@link #builder()}. Invalid values are refused when set, with a
 * message naming the option and the value.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>queryTimeout</td><td>5 s</td><td>deadline of one discovery round (all peers are
 *       queried at once under it); the seed's status read timeout</td></tr>
 *   <tr><td>fetchTimeout</td><td>10 s</td><td>timeout of one block-range request during
 *       catch-up; the seed's timeout for other reads</td></tr>
 *   <tr><td>checkInterval</td><td>5 s</td><td>how often {@link SyncMonitor} re-checks</td></tr>
 *   <tr><td>gapThreshold</td><td>5 blocks</td><td>a node this close to the network tip is
 *       ready</td></tr>
 *   <tr><td>hysteresisBlocks</td><td>5 blocks</td><td>how much further than the threshold the
 *       gap must grow before {@link SyncMonitor} leaves Ready</td></tr>
 *   <tr><td>selectionPolicy</td><td>highest</td><td>how the network tip is chosen from the
 *       peers' answers; {@link SelectionPolicy#quorum()} carries its own f</td></tr>
 *   <tr><td>minimumPeers</td><td>0</td><td>answering peers needed to count as ready; 0 keeps the
 *       seed's fallback to the local state when no peer answers</td></tr>
 *   <tr><td>backoffSteps</td><td>3 -&gt; 10 s, 5 -&gt; 30 s, 10 -&gt; 60 s</td><td>peer health
 *       circuit breaker</td></tr>
 *   <tr><td>batchSize</td><td>256 blocks</td><td>blocks asked for per catch-up request</td></tr>
 *   <tr><td>fetchLimits</td><td>1 fetch, 1 batch ahead</td><td>how far catch-up pipelines
 *       its fetches ({@link FetchLimits}); the default is the sequential catch-up</td></tr>
 *   <tr><td>noProgressTimeout</td><td>30 s</td><td>catch-up gives up and re-runs discovery after
 *       this long without a block applied</td></tr>
 *   <tr><td>banDuration</td><td>1 h</td><td>how long a peer that contradicted a confirmed
 *       block hash is ignored ({@link PeerBans})</td></tr>
 *   <tr><td>maxEpochJump</td><td>10</td><td>under {@link SelectionPolicy#highest()}, a peer
 *       claiming an epoch more than this above the local master's is refused: its answer does not
 *       count as the tip ({@link PeerOutcome.Kind#CLAIM_REFUSED})</td></tr>
 *   <tr><td>tls</td><td>none</td><td>this node's certificate, key and trusted CAs, used to query
 *       peers written {@code tls://host:port}; other peers are queried without it</td></tr>
 * </table>
 */
public final class DiscoveryOptions {

  /** The seed's status read timeout. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
  /** The seed's read timeout for calls other than status. */
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(10);
  /** How often the seed re-checks its sync status. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);
  /** Blocks behind the tip that still count as ready (Besu uses the same 5). */
  public static final long DEFAULT_GAP_THRESHOLD = 5;
  /** Extra blocks of gap before a ready node is reported as syncing again. */
  public static final long DEFAULT_HYSTERESIS_BLOCKS = 5;
  /** Blocks per catch-up request. */
  public static final int DEFAULT_BATCH_SIZE = 256;
  /** Largest batch size accepted: keeps one range response far below the seed's 100 MB cap. */
  public static final int MAX_BATCH_SIZE = 65_536;
  /** Epochs a peer may claim above the local one under {@code highest}; real networks move one at a time. */
  public static final long DEFAULT_MAX_EPOCH_JUMP = 10;
  /** The largest {@code maxEpochJump} accepted: a bound that still refuses 2^64-1. */
  public static final long MAX_EPOCH_JUMP = 1_000_000_000L;
  /** Catch-up's patience without progress. */
  public static final Duration DEFAULT_NO_PROGRESS_TIMEOUT = Duration.ofSeconds(30);
  /** How long a peer caught contradicting a confirmed hash is ignored. */
  public static final Duration DEFAULT_BAN_DURATION = Duration.ofHours(1);
  /** The seed's circuit breaker. */
  public static final List<BackoffStep> DEFAULT_BACKOFF_STEPS = List.of(
      BackoffStep.of(3, Duration.ofSeconds(10)),
      BackoffStep.of(5, Duration.ofSeconds(30)),
      BackoffStep.of(10, Duration.ofSeconds(60)));

  private static final DiscoveryOptions DEFAULTS = builder().build();

  private final Duration queryTimeout;
  private final Duration fetchTimeout;
  private final Duration checkInterval;
  private final long gapThreshold;
  private final long hysteresisBlocks;
  private final SelectionPolicy selectionPolicy;
  private final int minimumPeers;
  private final List<BackoffStep> backoffSteps;
  private final int batchSize;
  private final FetchLimits fetchLimits;
  private final Duration noProgressTimeout;
  private final Duration banDuration;
  private final long maxEpochJump;
  private final TlsOptions tls;

  private DiscoveryOptions(Builder b) {
    this.tls = b.tls;
    this.queryTimeout = b.queryTimeout;
    this.fetchTimeout = b.fetchTimeout;
    this.checkInterval = b.checkInterval;
    this.gapThreshold = b.gapThreshold;
    this.hysteresisBlocks = b.hysteresisBlocks;
    this.selectionPolicy = b.selectionPolicy;
    this.minimumPeers = b.minimumPeers;
    this.backoffSteps = b.backoffSteps;
    this.batchSize = b.batchSize;
    this.fetchLimits = b.fetchLimits;
    this.noProgressTimeout = b.noProgressTimeout;
    this.banDuration = b.banDuration;
    this.maxEpochJump = b.maxEpochJump;
  }

  /** The defaults. */
  public static DiscoveryOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.queryTimeout = queryTimeout;
    b.fetchTimeout = fetchTimeout;
    b.checkInterval = checkInterval;
    b.gapThreshold = gapThreshold;
    b.hysteresisBlocks = hysteresisBlocks;
    b.selectionPolicy = selectionPolicy;
    b.minimumPeers = minimumPeers;
    b.backoffSteps = backoffSteps;
    b.batchSize = batchSize;
    b.fetchLimits = fetchLimits;
    b.noProgressTimeout = noProgressTimeout;
    b.banDuration = banDuration;
    b.maxEpochJump = maxEpochJump;
    b.tls = tls;
    return b;
  }

  /** Deadline of one discovery round. */
  public Duration queryTimeout() {
    return queryTimeout;
  }

  /** Timeout of one block-range request during catch-up. */
  public Duration fetchTimeout() {
    return fetchTimeout;
  }

  /** How often {@link SyncMonitor} re-checks. */
  public Duration checkInterval() {
    return checkInterval;
  }

  /** Blocks behind the network tip that still count as ready. */
  public long gapThreshold() {
    return gapThreshold;
  }

  /** Extra blocks of gap, beyond the threshold, before {@link SyncMonitor} leaves Ready. */
  public long hysteresisBlocks() {
    return hysteresisBlocks;
  }

  /** How the network tip is chosen. */
  public SelectionPolicy selectionPolicy() {
    return selectionPolicy;
  }

  /** Answering peers needed to count as ready; 0 accepts an isolated node. */
  public int minimumPeers() {
    return minimumPeers;
  }

  /** The circuit breaker's steps, by increasing failure count. */
  public List<BackoffStep> backoffSteps() {
    return backoffSteps;
  }

  /** Blocks per catch-up request. */
  public int batchSize() {
    return batchSize;
  }

  /** How far catch-up pipelines its fetches. */
  public FetchLimits fetchLimits() {
    return fetchLimits;
  }

  /** How long catch-up waits without progress before it gives up and re-runs discovery. */
  public Duration noProgressTimeout() {
    return noProgressTimeout;
  }

  /** How long a peer that contradicted a confirmed block hash is banned ({@link PeerBans}). */
  public Duration banDuration() {
    return banDuration;
  }

  /**
   * Under {@code highest}: how many epochs above the local master's a peer may claim before its
   * answer is refused as the tip.
   */
  public long maxEpochJump() {
    return maxEpochJump;
  }

  /** TLS settings for peers of the {@code tls} scheme, if configured. */
  public Optional<TlsOptions> tls() {
    return Optional.ofNullable(tls);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DiscoveryOptions && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "DiscoveryOptions{queryTimeout=" + queryTimeout.toMillis() + "ms, fetchTimeout=" + fetchTimeout.toMillis()
        + "ms, checkInterval=" + checkInterval.toMillis() + "ms, gapThreshold=" + gapThreshold
        + ", hysteresisBlocks=" + hysteresisBlocks + ", selectionPolicy=" + selectionPolicy
        + ", minimumPeers=" + minimumPeers + ", backoffSteps=" + backoffSteps + ", batchSize=" + batchSize
        + ", fetchLimits=" + fetchLimits
        + ", noProgressTimeout=" + noProgressTimeout.toMillis() + "ms, banDuration=" + banDuration.toMillis() + "ms"
        + ", maxEpochJump=" + maxEpochJump + (tls == null ? "" : ", tls=" + tls) + "}";
  }

  /** Builds {@link DiscoveryOptions}; each setter validates its value. */
  public static final class Builder {
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
    private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
    private long gapThreshold = DEFAULT_GAP_THRESHOLD;
    private long hysteresisBlocks = DEFAULT_HYSTERESIS_BLOCKS;
    private SelectionPolicy selectionPolicy = SelectionPolicy.highest();
    private int minimumPeers = 0;
    private List<BackoffStep> backoffSteps = DEFAULT_BACKOFF_STEPS;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private FetchLimits fetchLimits = FetchLimits.SEQUENTIAL;
    private Duration noProgressTimeout = DEFAULT_NO_PROGRESS_TIMEOUT;
    private Duration banDuration = DEFAULT_BAN_DURATION;
    private long maxEpochJump = DEFAULT_MAX_EPOCH_JUMP;
    private TlsOptions tls;

    private Builder() {
    }

    /** Deadline of one discovery round; positive. */
    public Builder queryTimeout(Duration value) {
      this.queryTimeout = positive("queryTimeout", value);
      return this;
    }

    /** Timeout of one block-range request; positive. */
    public Builder fetchTimeout(Duration value) {
      this.fetchTimeout = positive("fetchTimeout", value);
      return this;
    }

    /** Re-check interval of {@link SyncMonitor}; positive. */
    public Builder checkInterval(Duration value) {
      this.checkInterval = positive("checkInterval", value);
      return this;
    }

    /** Blocks behind the tip that still count as ready; 0 or more. */
    public Builder gapThreshold(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("discovery option gapThreshold must be 0 or more blocks, got " + value);
      }
      this.gapThreshold = value;
      return this;
    }

    /** Extra blocks before {@link SyncMonitor} leaves Ready; 0 or more (0 disables hysteresis). */
    public Builder hysteresisBlocks(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("discovery option hysteresisBlocks must be 0 or more blocks, got " + value);
      }
      this.hysteresisBlocks = value;
      return this;
    }

    /** How the network tip is chosen. */
    public Builder selectionPolicy(SelectionPolicy value) {
      this.selectionPolicy = Objects.requireNonNull(value, "discovery option selectionPolicy must not be null");
      return this;
    }

    /** Answering peers needed to count as ready; 0 or more. */
    public Builder minimumPeers(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("discovery option minimumPeers must be 0 or more, got " + value);
      }
      this.minimumPeers = value;
      return this;
    }

    /**
     * The circuit breaker's steps; failure counts strictly increasing. An empty list never skips a
     * peer.
     */
    public Builder backoffSteps(List<BackoffStep> value) {
      Objects.requireNonNull(value, "discovery option backoffSteps must not be null");
      List<BackoffStep> copy = new ArrayList<>(value.size());
      int previous = 0;
      for (BackoffStep step : value) {
        if (step == null) {
          throw new IllegalArgumentException("discovery option backoffSteps must not contain null, got " + value);
        }
        if (step.failures() <= previous) {
          throw new IllegalArgumentException("discovery option backoffSteps must have strictly increasing failure"
              + " counts, got " + value);
        }
        previous = step.failures();
        copy.add(step);
      }
      this.backoffSteps = List.copyOf(copy);
      return this;
    }

    /** Blocks per catch-up request; 1 to {@value DiscoveryOptions#MAX_BATCH_SIZE}. */
    public Builder batchSize(int value) {
      if (value < 1 || value > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("discovery option batchSize must be 1 to " + MAX_BATCH_SIZE
            + " blocks, got " + value);
      }
      this.batchSize = value;
      return this;
    }

    /** How far catch-up pipelines its fetches; not null. */
    public Builder fetchLimits(FetchLimits value) {
      if (value == null) {
        throw new IllegalArgumentException("discovery option fetchLimits must be given, got null");
      }
      this.fetchLimits = value;
      return this;
    }

    /** Catch-up's patience without progress; positive. */
    public Builder noProgressTimeout(Duration value) {
      this.noProgressTimeout = positive("noProgressTimeout", value);
      return this;
    }

    /** How long a peer that contradicted a confirmed block hash is banned; positive. */
    public Builder banDuration(Duration value) {
      this.banDuration = positive("banDuration", value);
      return this;
    }

    /** Epochs a peer may claim above the local one under {@code highest}; 1 to {@value DiscoveryOptions#MAX_EPOCH_JUMP}. */
    public Builder maxEpochJump(long value) {
      if (value < 1 || value > MAX_EPOCH_JUMP) {
        throw new IllegalArgumentException("discovery option maxEpochJump must be 1 to " + MAX_EPOCH_JUMP
            + " epochs, got " + value);
      }
      this.maxEpochJump = value;
      return this;
    }

    /** TLS settings for peers written {@code tls://host:port}; null for none. */
    public Builder tls(TlsOptions value) {
      this.tls = value;
      return this;
    }

    /** The options. */
    public DiscoveryOptions build() {
      return new DiscoveryOptions(this);
    }

    private static Duration positive(String name, Duration value) {
      if (value == null) {
        throw new IllegalArgumentException("discovery option " + name + " must be a positive duration, got null");
      }
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("discovery option " + name + " must be a positive duration, got "
            + value);
      }
      return value;
    }
  }
}
