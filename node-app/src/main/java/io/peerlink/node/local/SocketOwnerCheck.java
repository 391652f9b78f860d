package io.peerlink.node.local;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whom the node trusts to serve the Unix sockets it connects to (its own master, peers given as
 * socket paths): a process of its own uid or of a uid in {@code master_uids}. Anyone who can
 * create a file in the socket's directory (another user's socket in {@code /tmp}) could otherwise
 * answer in the master's place. The server's uid is the one the kernel reports for the listening
 * process (SO_PEERCRED); a connection whose server is not trusted is closed before any request is
 * sent and fails with a message naming the uid.
 */
public final class SocketOwnerCheck {
  private final long ownUid;
  private final Set<Long> masterUids;

  /**
   * @param ownUid this process's uid
   * @param masterUids further uids trusted to serve ({@code master_uids})
   */
  public SocketOwnerCheck(long ownUid, Set<Long> masterUids) {
    this.ownUid = ownUid;
    this.masterUids = Set.copyOf(masterUids);
  }

  /** A check trusting this process's uid and {@code masterUids}. */
  public static SocketOwnerCheck forThisProcess(Set<Long> masterUids) {
    return new SocketOwnerCheck(currentUid(), masterUids);
  }

  /** This process's uid, as the kernel reports it for {@code /proc/self}. */
  static long currentUid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot tell this process's uid (/proc/self: " + e + ")", e);
    }
  }

  /**
   * A view of {@code transports} whose connections to Unix sockets apply this check; everything
   * else passes through to the same transports (no new threads). Closing the view closes nothing:
   * {@code transports} stays its owner's.
   */
  public TransportRegistry wrap(TransportRegistry transports) {
    TransportRegistry view = new TransportRegistry();
    for (TransportProvider provider : transports.providers()) {
      view.register(new OwnerCheckedProvider(provider, transports, this));
    }
    return view;
  }

  /** Why the connection's server is not trusted, if it is not. */
  Optional<String> refusal(Connection connection) {
    Optional<PeerCredentials> credentials = connection.peerCredentials();
    if (credentials.isEmpty()) {
      return Optional.of("the kernel reported no credentials for the process serving it, so its owner cannot be"
          + " checked against this node's uid " + ownUid + " and master_uids " + describe(masterUids));
    }
    long uid = credentials.get().uid();
    if (uid == ownUid || masterUids.contains(uid)) {
      return Optional.empty();
    }
    return Optional.of("it is served by uid " + uid + " (pid " + credentials.get().pid() + "), which is neither this"
        + " node's uid " + ownUid + " nor in master_uids " + describe(masterUids) + ": not trusted (another user may"
        + " have taken the path); add the uid to master_uids if that master is meant to run as it");
  }

  /** Closes and fails a connection whose server is not trusted; returns it otherwise. */
  <C extends Connection> C checked(C connection) throws TransportException {
    Optional<String> refusal = refusal(connection);
    if (refusal.isPresent()) {
      connection.close();
      throw new TransportException(connection.remote(), Kind.REFUSED, refusal.get());
    }
    return connection;
  }

  private static String describe(Set<Long> uids) {
    return new TreeSet<>(uids).toString();
  }
}
