package io.peerlink.transport.tcp;

import io.netty.channel.ConnectTimeoutException;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Turns what Netty and the JDK throw while connecting into a {@link TransportException} that names
 * the endpoint and says which {@link Kind} of failure it was. NIO and native epoll word the same
 * failure differently ({@code Connection refused} vs {@code finishConnect(..) failed: Connection
 * refused}); both are covered.
 */
final class ConnectErrors {

  private ConnectErrors() {
  }

  static TransportException map(Endpoint endpoint, InetSocketAddress address, Throwable cause, long timeoutMillis) {
    Throwable c = unwrap(cause);
    String target = address == null ? "" : " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
    if (c instanceof TransportException) {
      return (TransportException) c;
    }
    if (c instanceof ConnectTimeoutException) { // before ConnectException: it is one
      return timedOut(endpoint, timeoutMillis, c);
    }
    if (c instanceof ConnectException) {
      String m = String.valueOf(c.getMessage());
      if (m.toLowerCase(Locale.ROOT).contains("refused")) {
        return new TransportException(endpoint, Kind.REFUSED, "connection refused" + target
            + ": nothing listens there", c);
      }
      return new TransportException(endpoint, Kind.IO, "cannot connect" + target + ": " + m, c);
    }
    if (c instanceof UnknownHostException) {
      return unknownHost(endpoint, c);
    }
    if (c instanceof ClosedChannelException || c instanceof RejectedExecutionException) {
      return new TransportException(endpoint, Kind.CLOSED, "the connection was closed while connecting" + target, c);
    }
    return new TransportException(endpoint, Kind.IO, "cannot connect" + target + ": " + c, c);
  }

  static TransportException timedOut(Endpoint endpoint, long timeoutMillis, Throwable cause) {
    return new TransportException(endpoint, Kind.TIMED_OUT,
        "not connected within the connect timeout of " + timeoutMillis + " ms", cause);
  }

  static TransportException unknownHost(Endpoint endpoint, Throwable cause) {
    return new TransportException(endpoint, Kind.IO, "unknown host '" + endpoint.host()
        + "': the name does not resolve to any address (" + cause.getMessage() + ")", cause);
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A cause in words: its message, or its type when it has none; with the root cause. */
  static String describe(Throwable t) {
    if (t == null) {
      return "unknown cause";
    }
    String own = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    for (Throwable s : t.getSuppressed()) {
      if (s.getMessage() != null) {
        own += " (" + s.getMessage() + ")";
        break;
      }
    }
    return root == t || root.getMessage() == null ? own : own + ": " + root.getMessage();
  }
}
