package io.peerlink.transport.unix;

import io.peerlink.transport.api.PeerCredentials;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;

/** What junixsocket needs said or done alike in every class of this transport. */
final class UnixSockets {

  private static final System.Logger LOG = System.getLogger(UnixSockets.class.getName());

  private UnixSockets() {
  }

  /**
   * What went wrong, in words. junixsocket's channel reports a broken pipe as an
   * {@code AsynchronousCloseException} caused by one, and neither carries a message.
   */
  static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BrokenPipeSocketException) {
        return "broken pipe (the peer has closed the connection)";
      }
      if (t instanceof ConnectionResetSocketException) {
        return "connection reset by the peer";
      }
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** The kernel-reported peer, or null when it reports none. */
  static PeerCredentials readPeerCredentials(AFUNIXSocket socket) {
    try {
      AFUNIXSocketCredentials c = socket.getPeerCredentials();
      if (c == null || c.isEmpty()) {
        return null;
      }
      return new PeerCredentials(c.getPid(), c.getUid(), c.getGid());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "no peer credentials: " + e);
      return null;
    }
  }

  static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "closing " + c + " failed: " + e);
    }
  }
}
