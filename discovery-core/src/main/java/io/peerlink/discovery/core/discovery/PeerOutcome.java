package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterErrorException;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What one master said in one discovery round: its status, or the failure and its kind; and how
 * long it took. Immutable.
 */
public final class PeerOutcome {

  /** How a query ended. */
  public enum Kind {
    /** The master answered with its epoch and last block. */
    ANSWERED,
    /** Nothing listens at the endpoint. */
    REFUSED,
    /** No answer before the round's deadline (or the request's timeout). */
    TIMED_OUT,
    /** The connection closed before the answer was whole (e.g. mid-frame). */
    CLOSED,
    /**
     * No answer in the protocol: undecodable bytes, an empty or wrong answer, a bad frame, or an
     * open connection on which nothing came back (a peer that speaks another protocol, e.g. HTTP).
     */
    PROTOCOL_ERROR,
    /** The master answered with the protocol's {@code error} response. */
    ERROR_RESPONSE,
    /**
     * It answered, but its claim was refused: under {@code highest}, an epoch more than
     * {@link DiscoveryOptions#maxEpochJump()} above the local master's ({@link EpochAgreement}).
     */
    CLAIM_REFUSED,
    /** Not queried: {@link PeerHealth} is backing off from this peer. */
    SKIPPED_UNHEALTHY,
    /** Not queried: the peer is banned for contradicting a confirmed block hash ({@link PeerBans}). */
    BANNED,
    /** Any other failure, e.g. no installed transport for the endpoint's scheme, an I/O error. */
    FAILED;

    /** The words used in log lines, e.g. {@code "timed out"}. */
    public String words() {
      if (this == PROTOCOL_ERROR) {
        return "no answer in the protocol";
      }
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  private final Endpoint peer;
  private final Kind kind;
  private final MasterStatus status;
  private final String reason;
  private final Throwable cause;
  private final Duration latency;

  private PeerOutcome(Endpoint peer, Kind kind, MasterStatus status, String reason, Throwable cause,
      Duration latency) {
    this.peer = Objects.requireNonNull(peer, "peer");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.status = status;
    this.reason = reason == null ? "" : reason;
    this.cause = cause;
    this.latency = Objects.requireNonNull(latency, "latency");
  }

  /** A master that answered. */
  public static PeerOutcome answered(Endpoint peer, MasterStatus status, Duration latency) {
    return new PeerOutcome(peer, Kind.ANSWERED, Objects.requireNonNull(status, "status"), "", null, latency);
  }

  /** A master that did not answer, for a reason of the given kind. */
  public static PeerOutcome failed(Endpoint peer, Kind kind, String reason, Duration latency) {
    if (kind == Kind.ANSWERED) {
      throw new IllegalArgumentException("a failed outcome needs a failure kind, got ANSWERED for " + peer);
    }
    return new PeerOutcome(peer, kind, null, reason, null, latency);
  }

  /** A master whose query failed with this exception; the kind is read from the exception's type. */
  static PeerOutcome failure(Endpoint peer, Throwable error, Duration latency) {
    Throwable t = unwrap(error);
    Kind kind = classify(t);
    String reason;
    if (t instanceof MasterErrorException) {
      reason = "error response: " + ((MasterErrorException) t).serverMessage();
    } else {
      reason = kind.words() + ": " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
    return new PeerOutcome(peer, kind, null, reason, t, latency);
  }

  /**
   * The failure kind of an exception from a call to a master (unwrapped first): the kind
   * {@link #failure} records, and the one catch-up reports when a peer fails it outside a round.
   */
  public static Kind classify(Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof MasterErrorException) {
      return Kind.ERROR_RESPONSE;
    }
    if (t instanceof ProtocolException) {
      return Kind.PROTOCOL_ERROR;
    }
    if (t instanceof TransportException) {
      switch (((TransportException) t).kind()) {
        case REFUSED:
          return Kind.REFUSED;
        case TIMED_OUT:
          return Kind.TIMED_OUT;
        case CLOSED:
          return Kind.CLOSED;
        case BAD_FRAME:
          return Kind.PROTOCOL_ERROR;
        default:
          return Kind.FAILED;
      }
    }
    return Kind.FAILED;
  }

  /**
   * The exception under the {@link CompletionException} and {@link ExecutionException} wrappers a
   * future adds: what a message should name.
   */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The master queried. */
  public Endpoint peer() {
    return peer;
  }

  /** How the query ended. */
  public Kind kind() {
    return kind;
  }

  /** Whether the master answered with its status. */
  public boolean answered() {
    return kind == Kind.ANSWERED;
  }

  /** The status, when the master answered. */
  public Optional<MasterStatus> status() {
    return Optional.ofNullable(status);
  }

  /** Why the query failed, starting with the kind's words; empty when it answered. */
  public String reason() {
    return reason;
  }

  /** The exception behind a failure, when there was one. */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  /** From the start of the round to this outcome. */
  public Duration latency() {
    return latency;
  }

  @Override
  public String toString() {
    return peer + ": " + (answered()
        ? "epoch=" + Long.toUnsignedString(status.epoch()) + ", block=" + Long.toUnsignedString(status.lastBlockNumber())
        : reason) + " (" + latency.toMillis() + " ms)";
  }
}
