package io.peerlink.transport.api;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * How to listen: the framing of accepted connections, the largest frame accepted, the accept
 * backlog, for transports that create a file (Unix sockets) the file's permissions, what the
 * listener tolerates ({@link ListenerLimits}), who may connect ({@link AccessPolicy}), and TLS.
 *
 * @param format the framing of accepted connections
 * @param maxFrameLength the largest payload accepted or sent, in bytes
 * @param backlog the accept queue length; set explicitly because a small default drops bursts
 * @param socketFileMode permissions of a socket file, for transports that create one
 * @param limits timeouts and caps on accepted connections
 * @param access who may connect
 * @param tls TLS settings for transports that serve TLS, or null for none
 * @param reservedFor who may take the connections {@link ListenerLimits#reservedConnections()}
 *     keeps (e.g. the addresses of configured peers); everyone by default
 */
public record ListenOptions(FrameFormat format, int maxFrameLength, int backlog,
    Set<PosixFilePermission> socketFileMode, ListenerLimits limits, AccessPolicy access, TlsOptions tls,
    AccessPolicy reservedFor) {

  /** Room for bursts of connections without drops. */
  public static final int DEFAULT_BACKLOG = 1024;

  /** Owner read/write only: {@code 0600}. */
  public static final Set<PosixFilePermission> DEFAULT_SOCKET_FILE_MODE = PosixFilePermissions.fromString("rw-------");

  /** Validates the values and copies the permission set. */
  public ListenOptions {
    Objects.requireNonNull(format, "format");
    if (maxFrameLength < 1) {
      throw new IllegalArgumentException("maxFrameLength must be at least 1, got " + maxFrameLength);
    }
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
    }
    socketFileMode = Set.copyOf(Objects.requireNonNull(socketFileMode, "socketFileMode"));
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(reservedFor, "reservedFor");
  }

  /** Defaults with the given framing. */
  public static ListenOptions of(FrameFormat format) {
    return new ListenOptions(format, ConnectOptions.DEFAULT_MAX_FRAME_LENGTH, DEFAULT_BACKLOG, DEFAULT_SOCKET_FILE_MODE,
        ListenerLimits.DEFAULTS, AccessPolicy.allowAll(), null,
        AccessPolicy.allowAll());
  }

  /** A copy with another maximum frame length. */
  public ListenOptions withMaxFrameLength(int max) {
    return new ListenOptions(format, max, backlog, socketFileMode, limits, access, tls, reservedFor);
  }

  /** A copy with another backlog. */
  public ListenOptions withBacklog(int newBacklog) {
    return new ListenOptions(format, maxFrameLength, newBacklog, socketFileMode, limits, access, tls, reservedFor);
  }

  /**
   * A copy with another socket file mode.
   *
   * @param mode e.g. {@code "rw-rw----"} for 0660
   */
  public ListenOptions withSocketFileMode(String mode) {
    return new ListenOptions(format, maxFrameLength, backlog, PosixFilePermissions.fromString(mode), limits, access, tls,
        reservedFor);
  }

  /** A copy with other limits. */
  public ListenOptions withLimits(ListenerLimits newLimits) {
    return new ListenOptions(format, maxFrameLength, backlog, socketFileMode, newLimits, access, tls, reservedFor);
  }

  /** A copy with another access policy. */
  public ListenOptions withAccess(AccessPolicy policy) {
    return new ListenOptions(format, maxFrameLength, backlog, socketFileMode, limits, policy, tls, reservedFor);
  }

  /** A copy with TLS settings (null for none). */
  public ListenOptions withTls(TlsOptions newTls) {
    return new ListenOptions(format, maxFrameLength, backlog, socketFileMode, limits, access, newTls, reservedFor);
  }

  /** A copy whose reserved connections ({@link ListenerLimits#reservedConnections()}) only {@code policy} admits may take. */
  public ListenOptions withReservedFor(AccessPolicy policy) {
    return new ListenOptions(format, maxFrameLength, backlog, socketFileMode, limits, access, tls, policy);
  }
}
